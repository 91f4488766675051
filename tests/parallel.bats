#!/usr/bin/env bats
# Concurrent kobjc runs in one directory: for different objects (2 x nproc
# at once) and for the same object. All succeed, every object is the one a
# serial build makes, and no temporary is left.
load helper

setup() { common_setup; }
teardown() { common_teardown; }

# build DIR NAME: NAME.o and .NAME.o.symvers from NAME.c in DIR, every step.
build() {
	(cd "$1" && "$KOBJC" "${REAL_TOOL_OPTS[@]}" --symvers=".$2.o.symvers" "$2.o" "$2.c" \
		gcc -O2 -fno-asynchronous-unwind-tables -Wp,-MMD,".$2.o.d")
}

@test "2 x nproc concurrent runs for different objects in one directory" {
	local n i pids=() st
	n=$((2 * $(nproc)))
	[ "$n" -ge 4 ] || n=4
	mkdir serial par
	for ((i = 1; i <= n; i++)); do
		sed "s/answer/answer_$i/g; s/ask_twice/ask_twice_$i/g" answer.c >serial/o$i.c
		cp serial/o$i.c par/
	done
	cp export.h serial/
	cp export.h par/
	for ((i = 1; i <= n; i++)); do
		build serial o$i
	done
	for ((i = 1; i <= n; i++)); do
		build par o$i >"par/out$i" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		st=0
		wait "${pids[$i]}" || st=$?
		[ "$st" = 0 ] || fail "run $((i + 1)) exited $st: $(cat "par/out$((i + 1))")"
	done
	for ((i = 1; i <= n; i++)); do
		cmp serial/o$i.o par/o$i.o
		cmp serial/.o$i.o.symvers par/.o$i.o.symvers
		grep -q "^#SYMVER answer_$i 0x" par/.o$i.o.symvers
		[ ! -s "par/out$i" ] || fail "run $i said: $(cat "par/out$i")"
	done
	assert_no_temps
}

@test "two concurrent runs for the same object, several times over" {
	local round st1 st2 p1 p2
	mkdir serial par
	cp answer.c export.h serial/
	cp answer.c export.h par/
	build serial answer
	for round in 1 2 3 4 5; do
		build par answer >par/out1 2>&1 &
		p1=$!
		build par answer >par/out2 2>&1 &
		p2=$!
		st1=0 st2=0
		wait $p1 || st1=$?
		wait $p2 || st2=$?
		[ "$st1$st2" = 00 ] || fail "round $round: exits $st1 $st2: $(cat par/out1 par/out2)"
		cmp serial/answer.o par/answer.o
		cmp serial/.answer.o.symvers par/.answer.o.symvers
		assert_no_temps
	done
}

@test "200 concurrent runs under KOBJC_CACHE=ccache, one shared CCACHE_DIR: every object correct" {
	local i d n=40 dirs="d1 d2 d3 d4 d5" pids=() st bad=0
	command -v ccache >/dev/null || skip "ccache is not installed"
	export CCACHE_DIR=$BATS_TEST_TMPDIR/ccache
	mkdir serial
	for ((i = 1; i <= n; i++)); do
		sed "s/answer/answer_$i/g; s/ask_twice/ask_twice_$i/g" answer.c >serial/o$i.c
	done
	cp export.h serial/
	for d in $dirs; do
		mkdir "$d"
		cp serial/*.c serial/export.h "$d"/
	done
	for ((i = 1; i <= n; i++)); do
		build serial o$i
	done
	for d in $dirs; do
		for ((i = 1; i <= n; i++)); do
			KOBJC_CACHE=ccache build "$d" o$i >"$d/out$i" 2>&1 &
			pids+=("$! $d $i")
		done
	done
	[ "${#pids[@]}" -eq 200 ]
	for p in "${pids[@]}"; do
		set -- $p
		st=0
		wait "$1" || st=$?
		[ "$st" = 0 ] || { echo "$2/o$3 exited $st: $(cat "$2/out$3")"; bad=1; }
	done
	[ "$bad" = 0 ] || fail "some runs failed"
	for d in $dirs; do
		for ((i = 1; i <= n; i++)); do
			cmp serial/o$i.o "$d/o$i.o" || fail "$d/o$i.o differs from the serial build"
			cmp serial/.o$i.o.symvers "$d/.o$i.o.symvers" || fail "$d/o$i #SYMVER lines differ"
		done
		assert_no_temps "$PWD/$d"
	done
	# every distinct object was stored; the rest were hits or concurrent misses
	run ccache --print-stats
	assert_success
	hits=$(awk '$1 == "direct_cache_hit" || $1 == "preprocessed_cache_hit" { s += $2 } END { print s + 0 }' <<<"$output")
	misses=$(awk '$1 == "cache_miss" { print $2 }' <<<"$output")
	[ $((hits + misses)) -eq 200 ] || fail "ccache counted $hits hits and $misses misses, not 200 calls"
	[ "$misses" -ge "$n" ] || fail "only $misses misses for $n distinct objects"
}
