#!/usr/bin/env bats
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
