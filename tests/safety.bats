#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr: set by bats' run --separate-stderr
# kobjc deletes or replaces only files it could have made, exit 2 touches
# nothing, and nothing it does for one step leaks into another: each test
# is a way a user's file was lost, or a result changed, before.
load helper

setup() {
	common_setup
	cp answer.c good.c
	echo 'int broken(void) { return }' >bad.c
}

teardown() { common_teardown; }

# refused WHAT ARGS...: exit 2, one kobjc line saying WHAT, no output
refused() {
	local what=$1
	shift
	run --separate-stderr "$KOBJC" "$@"
	assert_failure 2
	assert_output ''
	[ "$(wc -l <<<"$stderr")" = 1 ] || fail "not one line: $stderr"
	[[ $stderr == "kobjc: "*"$what"* ]] || fail "stderr: $stderr"
	assert_no_temps
}

@test "operands swapped (kobjc good.c good.o gcc): refused, good.c kept" {
	refused "'good.c' exists and is not an object file" good.c good.o gcc -O2
	[[ $stderr == *"OUT.o IN.c CC"* ]] || fail "no operand order: $stderr"
	cmp good.c answer.c
	assert_absent good.o
}

@test "a source as OUT and a source that does not compile: refused before the compile, good.c kept" {
	refused "'good.c' exists and is not an object file" good.c bad.c gcc -O2
	cmp good.c answer.c
}

@test "a --symvers file that holds something else is refused, and kept" {
	echo 'my notes' >notes
	refused "'notes' exists and is not a file of #SYMVER lines" \
		--symvers=notes good.o good.c gcc -O2
	assert_equal "$(cat notes)" 'my notes'
	assert_absent good.o
}

@test "an OUT or --symvers that is a symbolic link is refused; the link and its target stay" {
	stale_object target.o
	ln -s target.o link.o
	refused "'link.o' is not a regular file (a symbolic link)" link.o good.c gcc -O2
	[ -L link.o ]
	assert_equal "$(cat target.o)" "$(stale_object /dev/stdout)"
	ln -s target.sv link.sv
	refused "'link.sv' is not a regular file (a symbolic link)" \
		--symvers=link.sv good.o good.c gcc -O2
	[ -L link.sv ]
	assert_absent target.sv good.o
}

@test "an OUT or --symvers that is a FIFO or a device is refused and stays what it was" {
	mkfifo fifo.o
	refused "'fifo.o' is not a regular file (a FIFO)" fifo.o good.c gcc -O2
	[ -p fifo.o ]
	[ "$(id -u)" = 0 ] || skip "mknod needs root"
	mknod null c 1 3
	refused "'null' is not a regular file (a device)" \
		--symvers=null good.o good.c gcc -O2
	[ -c null ]
	refused "'null' is not a regular file (a device)" null good.c gcc -O2
	[ -c null ]
}

@test "a blank KOBJC_CACHE or KOBJC_CC_LAUNCHER is bad usage: exit 2, the old object kept" {
	stale_object good.o
	KOBJC_CACHE=' ' refused "KOBJC_CACHE is blank" good.o good.c gcc -O2
	KOBJC_CC_LAUNCHER=' ' refused "KOBJC_CC_LAUNCHER is blank" good.o good.c gcc -O2
	# the blank one named, beside a cache that is not blank
	KOBJC_CC_LAUNCHER=' ' refused "KOBJC_CC_LAUNCHER is blank" \
		good.o good.c ccache gcc -O2
	assert_equal "$(cat good.o)" "$(stale_object /dev/stdout)"
}

@test "an OUT name of 250 bytes builds as with gcc (the temporary fits NAME_MAX)" {
	local name
	name=$(printf 'x%.0s' $(seq 248)).o
	gcc -O2 -c -o "$name" good.c
	rm "$name"
	run --separate-stderr "$KOBJC" "$name" good.c gcc -O2
	assert_success
	[ -s "$name" ]
	assert_no_temps
}

@test "stdout closed, no --symvers, #SYMVER lines to print: an error naming the object, not silence" {
	run --separate-stderr bash -c '"$0" "$@" >&-' "$KOBJC" \
		--genksyms="$TOOLS/genksyms" --genksyms-arg=-r \
		--genksyms-arg=/dev/null answer.o answer.c gcc -O2
	assert_failure 1
	[[ $stderr == "kobjc: answer.o: stdout is closed"* ]] || fail "stderr: $stderr"
	assert_absent answer.o
	assert_no_temps
}

@test "KOBJC_CC_LAUNCHER=distcc: a gcc in kobjc's own directory is not the user's gcc for any step" {
	command -v distcc >/dev/null || skip "no distcc"
	mkdir kdir
	cp "$KOBJC" kdir/kobjc
	# what PATH must not find: kobjc's directory goes first on distcc's
	# PATH only, so that distcc finds kobjc by name
	printf '#!/bin/sh\necho "the wrong gcc" >&2\nexit 1\n' >kdir/gcc
	chmod 755 kdir/gcc
	local args=(--genksyms="$TOOLS/genksyms" --genksyms-arg=-r
		--genksyms-arg=/dev/null answer.o answer.c gcc -O2)
	run --separate-stderr "$KOBJC" "${args[@]}"
	assert_success
	local want=$output
	export DISTCC_HOSTS=localhost DISTCC_DIR=$BATS_TEST_TMPDIR/distcc
	mkdir "$DISTCC_DIR"
	KOBJC_CC_LAUNCHER=distcc run --separate-stderr kdir/kobjc "${args[@]}"
	assert_success
	assert_equal "$output" "$want"
	[[ $stderr != *"the wrong gcc"* ]] || fail "stderr: $stderr"
}

@test "-- ends the options: an OUT named --cc=x.o is an object, not compiler mode" {
	run --separate-stderr "$KOBJC" -- --cc=x.o good.c gcc -O2
	assert_success
	[ -s ./--cc=x.o ]
}

@test "compiler mode (ccache's and distcc's call): -v is the compiler's, not kobjc's" {
	run --separate-stderr "$KOBJC" --cc=gcc -v -O2 -c -o good.o good.c
	assert_success
	[[ $stderr == *"gcc version "* ]] || fail "gcc did not get -v: $stderr"
	[[ $stderr != *"-c -o "*".tmp_good.o"* ]] || fail "kobjc took -v: $stderr"
}

@test "--explain OUT IN CC: an OUT whose name contains kobjc is the object" {
	run --separate-stderr "$KOBJC" --explain kobjc-demo.o good.c gcc -O2
	assert_success
	assert_line --partial 'kobjc-demo.o'
	[[ $output == *"-o kobjc-demo.o good.c"* ]] || fail "$output"
}
