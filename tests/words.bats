#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr: set by bats' run --separate-stderr
# What kobjc says is what it does: one meaning per option, and --help
# tells how kbuild calls it.
bats_require_minimum_version 1.5.0
load helper

setup() { common_setup; }
teardown() { common_teardown; }

@test "words: --recipe-hash=<this kobjc's hash> as the first word pins the recipe and builds" {
	local h
	h=$("$KOBJC" --recipe-hash)
	run --separate-stderr "$KOBJC" --recipe-hash="$h" answer.o answer.c gcc -O2
	assert_success
	[ -s answer.o ]
	rm answer.o
	run --separate-stderr "$KOBJC" --recipe-hash="${h//?/0}" answer.o answer.c gcc -O2
	assert_failure 200
	assert_absent answer.o
	# alone, or with a recipe's name, it prints a hash
	run -0 "$KOBJC" --recipe-hash=kbuild-6.1
	assert_output "$h"
}

@test "words: --help says how kbuild calls kobjc (MAKEFILES=kobjc.mk, KOBJC=, --kbuild)" {
	run -0 "$KOBJC" --help
	assert_output --partial 'MAKEFILES='
	assert_output --partial 'KOBJC='
	assert_output --partial '--kbuild=SRCTREE'
}

@test "words: a V=1 log, uncached and under ccache, is a script: pasted into sh it builds the same object" {
	local mode
	export CCACHE_DIR=$BATS_TEST_TMPDIR/ccache
	for mode in '' ccache; do
		rm -f answer.o answer.sv
		run --separate-stderr env KOBJC_CACHE=$mode KBUILD_VERBOSE=1 "$KOBJC" \
			"${REAL_TOOL_OPTS[@]}" --symvers=answer.sv answer.o answer.c gcc -O2
		assert_success
		printf '%s\n' "$stderr" >"log$mode"
		mv answer.o want.o
		run sh -e "log$mode"
		assert_success
		cmp answer.o want.o
		# every line that is not a command is a # comment
		! grep -vE '^(# |[A-Z_]+=|gcc |/|mv -f -- )' "log$mode" ||
			fail "a line that is neither a command nor a comment"
	done
}
