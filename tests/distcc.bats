#!/usr/bin/env bats
# KOBJC_CC_LAUNCHER=distcc with the real distcc 3.4: the compile phase runs
# on real distccd helpers (started here, on 127.0.0.1 only), the local
# phase (objtool, the checks, genksyms) here. Every result must equal a
# local build's.
bats_require_minimum_version 1.5.0
load helper
load distcc-helper

setup_file() {
	# kobjc with another recipe: one word of the table changed (objtool
	# runs with "--stackval" instead of $OBJTOOL_ARGS), built from this
	# tree's source
	local dir=$BATS_FILE_TMPDIR/variant
	mkdir -p "$dir/src"
	cp "$TOP/kobjc.c" "$TOP/kobjc.h" "$dir/src/"
	sed -i 's/run \$OBJTOOL \$OBJTOOL_ARGS \$OUT/run $OBJTOOL --stackval $OUT/' \
		"$dir/src/kobjc.h"
	! cmp -s "$TOP/kobjc.h" "$dir/src/kobjc.h"
	cc -std=c11 -O2 -static -o "$dir/kobjc" "$dir/src/kobjc.c"
}

setup() {
	common_setup
	unset KOBJC_CACHE KOBJC_CC_LAUNCHER KOBJC_LOG
	# shellcheck disable=SC2046 # variable names: words, on purpose
	unset $(compgen -e | grep -E '^(DISTCC|CCACHE)_')
	setup_daemons
	# shellcheck disable=SC2034 # read by build (distcc-helper.bash)
	OPTS=("${REAL_TOOL_OPTS[@]}")
	export DISTCC_DIR=$BATS_TEST_TMPDIR/distcc-client
	mkdir "$DISTCC_DIR"
	export CCACHE_DIR=$BATS_TEST_TMPDIR/ccache
	VARIANT=$BATS_FILE_TMPDIR/variant/kobjc
	R=$BATS_TEST_TMPDIR/results
	# a third object: an -I directory and a -D flag (distcc strips both
	# from what it sends: the source goes preprocessed)
	mkdir hdr
	echo '#define TWO_EXTRA 3' >hdr/two.h
	cat >two.c <<-'EOF'
		#include "export.h"
		#include "two.h"
		int two_times(int x) { return x * TWO + TWO_EXTRA; }
		EXPORT_SYMBOL(two_times);
	EOF
}

teardown() {
	local st=0
	stop_daemons || st=1
	common_teardown
	return $st
}

# NAME's object and #SYMVER lines (and .d, unless told not) are the local
# build's
assert_like_ref() {
	local f files=("$1.o" "$1.sv")
	[ "${2:-}" = no-d ] || files+=(".$1.o.d")
	for f in "${files[@]}"; do
		cmp -s "$f" "$R/$f" ||
			fail "$f differs from the local build's$(
				[ "${f%.o}" != "$f" ] || printf ':\n%s' "$(diff "$R/$f" "$f")")"
	done
	assert_no_temps
}

quiet() {
	[ -z "$stderr" ] || fail "stderr: $stderr"
}

@test "distcc: objects compiled by two distccd helpers equal local builds" {
	local n d
	start_daemon one "$KOBJC"
	start_daemon two "$KOBJC"
	for n in answer plain two; do
		local_ref "$n"
	done
	# distcc takes the first host with a free slot, so each order sends
	# every object to the first helper named
	for d in "one two" "two one"; do
		DISTCC_HOSTS=$(hosts_of $d)
		export DISTCC_HOSTS
		for n in answer plain two; do
			build "$n" KOBJC_CC_LAUNCHER=distcc
			assert_success
			quiet
			assert_like_ref "$n"
		done
	done
	for d in one two; do
		for n in answer plain two; do
			[ "$(compiles_ok "$d" "$n.c")" -eq 1 ] ||
				fail "helper $d did not compile $n.c once: $(cat "$DAEMONS/$d/log")"
		done
	done
	# the helpers' kobjc left nothing behind either
	assert_no_temps "$DAEMONS"
}

@test "distcc: a helper whose kobjc has another recipe refuses; the build falls back locally" {
	local mine theirs port
	mine=$("$KOBJC" --recipe-hash)
	theirs=$("$VARIANT" --recipe-hash)
	[ "$mine" != "$theirs" ]

	# what the helper runs, by hand: it refuses a job for our recipe
	run --separate-stderr "$VARIANT" --cc=gcc --recipe-hash="$mine" \
		--phase=compile -O2 -c -o byhand.o answer.c
	assert_failure 200
	assert_equal "$stderr" \
		"kobjc: recipe mismatch: asked for recipe $mine, this kobjc has $theirs"
	assert_absent byhand.o
	assert_no_temps

	# through distccd
	start_daemon other "$VARIANT"
	port=${DAEMON_PORT[other]}
	local_ref answer
	DISTCC_HOSTS=$(hosts_of other)
	export DISTCC_HOSTS
	mkdir "$BATS_TEST_TMPDIR/client-tmp"
	# DISTCC_SAVE_TEMPS keeps what the helper said (distcc does not show
	# a refusing helper's stderr)
	build answer KOBJC_CC_LAUNCHER=distcc DISTCC_SAVE_TEMPS=1 \
		TMPDIR="$BATS_TEST_TMPDIR/client-tmp"
	assert_success
	assert_like_ref answer no-d
	# the helper ran its kobjc, which refused with 200
	grep -qE " COMPILE_ERROR exit:200 .* $DAEMONS/other/bin/kobjc answer\.c$" \
		"$DAEMONS/other/log" || fail "helper log: $(cat "$DAEMONS/other/log")"
	assert_equal "$(compiles_ok other answer.c)" 0
	# the client fell back to a local build
	grep -qF "failed to distribute answer.c to 127.0.0.1:$port/2, running locally instead" \
		<<<"$stderr" || fail "no fallback message: $stderr"
	# and the helper's message, which reached the client, names both
	grep -qxF "kobjc: recipe mismatch: asked for recipe $mine, this kobjc has $theirs" \
		"$BATS_TEST_TMPDIR"/client-tmp/distcc_server_stderr_* ||
		fail "the helper's stderr: $(cat "$BATS_TEST_TMPDIR"/client-tmp/distcc_server_stderr_* 2>&1)"
	assert_no_temps "$DAEMONS"
}

@test "distcc: a dead helper (nothing listens) falls back; with DISTCC_FALLBACK=0 the build fails cleanly" {
	local_ref answer
	DISTCC_HOSTS="127.0.0.1:$(free_port)/2"
	export DISTCC_HOSTS
	build answer KOBJC_CC_LAUNCHER=distcc
	assert_success
	assert_like_ref answer no-d
	grep -qF 'running locally instead' <<<"$stderr" ||
		fail "no fallback message: $stderr"

	# no fallback allowed: distcc fails, kobjc fails and leaves nothing
	cp "$R/answer.o" answer.o
	cp "$R/answer.sv" answer.sv
	flags_of answer
	run --separate-stderr env KOBJC_CC_LAUNCHER=distcc DISTCC_FALLBACK=0 \
		"$KOBJC" "${REAL_TOOL_OPTS[@]}" --symvers=answer.sv answer.o answer.c \
		gcc "${FLAGS[@]}"
	assert_failure
	assert_absent answer.o answer.sv
	assert_no_temps
}

@test "distcc: a local fallback writes the same .d as a local build" {
	local_ref answer
	DISTCC_HOSTS="127.0.0.1:$(free_port)/2"
	export DISTCC_HOSTS
	build answer KOBJC_CC_LAUNCHER=distcc
	assert_success
	grep -qF 'running locally instead' <<<"$stderr" ||
		fail "did not fall back: $stderr"
	assert_like_ref answer
}

@test "distcc: a compile error on a helper is reported once, and leaves no object" {
	local want_status want_error
	start_daemon one "$KOBJC"
	DISTCC_HOSTS=$(hosts_of one)
	export DISTCC_HOSTS
	printf 'int broken(void) { return 1 }\n' >bad.c
	run --separate-stderr "$KOBJC" "${REAL_TOOL_OPTS[@]}" --symvers=bad.sv \
		bad.o bad.c gcc -O2 -Wp,-MMD,.bad.o.d
	assert_failure
	want_status=$status
	want_error=$(grep -E '^bad\.c:1:[0-9]+: error: ' <<<"$stderr")
	[ -n "$want_error" ] || fail "no gcc error in a local build: $stderr"

	stale_object bad.o
	stale_symvers bad.sv
	run --separate-stderr env KOBJC_CC_LAUNCHER=distcc "$KOBJC" \
		"${REAL_TOOL_OPTS[@]}" --symvers=bad.sv bad.o bad.c gcc -O2 \
		-Wp,-MMD,.bad.o.d
	assert_failure "$want_status"
	assert_output ''
	assert_equal "$(grep -E '^bad\.c:1:[0-9]+: error: ' <<<"$stderr")" "$want_error"
	assert_equal "$(grep -c ' error: ' <<<"$stderr")" 1
	assert_absent bad.o bad.sv
	assert_no_temps
	# the helper did get it, and failed
	grep -qE " COMPILE_ERROR exit:1 .* $DAEMONS/one/bin/kobjc bad\.c$" \
		"$DAEMONS/one/log" || fail "helper log: $(cat "$DAEMONS/one/log")"
}

@test "distcc: under KOBJC_CACHE=ccache a miss compiles on a helper, a hit on none" {
	local before
	start_daemon one "$KOBJC"
	start_daemon two "$KOBJC"
	DISTCC_HOSTS=$(hosts_of one two)
	export DISTCC_HOSTS
	local_ref answer

	build answer KOBJC_CACHE=ccache KOBJC_CC_LAUNCHER=distcc
	assert_success
	quiet
	assert_like_ref answer
	assert_equal "$(($(compiles_ok one answer.c) + $(compiles_ok two answer.c)))" 1
	assert_equal "$(ccache --print-stats | awk -F'\t' '$1 == "cache_miss" { print $2 }')" 1
	before=$(cat "$DAEMONS/one/log" "$DAEMONS/two/log")

	build answer KOBJC_CACHE=ccache KOBJC_CC_LAUNCHER=distcc
	assert_success
	quiet
	assert_like_ref answer
	assert_equal "$(ccache --print-stats | awk -F'\t' '$1 == "direct_cache_hit" { print $2 }')" 1
	assert_equal "$(cat "$DAEMONS/one/log" "$DAEMONS/two/log")" "$before"
}

@test "distcc: CC=\"ccache gcc\" with CCACHE_PREFIX=distcc (ccache's own distcc set-up) ships the compile phase of a miss, and a hit runs nothing" {
	local before
	start_daemon one "$KOBJC"
	DISTCC_HOSTS=$(hosts_of one)
	export DISTCC_HOSTS
	local_ref answer
	# shellcheck disable=SC2034 # read by build (distcc-helper.bash)
	CCW=(ccache gcc)
	build answer CCACHE_PREFIX=distcc
	assert_success
	quiet
	assert_like_ref answer
	assert_equal "$(compiles_ok one answer.c)" 1
	assert_equal "$(grep -c COMPILE_ERROR "$DAEMONS/one/log")" 0
	before=$(cat "$DAEMONS/one/log")
	build answer CCACHE_PREFIX=distcc
	assert_success
	quiet
	assert_like_ref answer
	assert_equal "$(ccache --print-stats | awk -F'\t' '$1 == "direct_cache_hit" { print $2 }')" 1
	assert_equal "$(cat "$DAEMONS/one/log")" "$before"
}
