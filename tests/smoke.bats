#!/usr/bin/env bats
load helper

setup() { common_setup; }
teardown() { common_teardown; }

@test "builds an exporting object with the real tools and prints its #SYMVER lines" {
	run "$KOBJC" $(real_tool_opts) answer.o answer.c gcc -O2 -fno-asynchronous-unwind-tables
	assert_success
	assert_line --regexp '^#SYMVER answer 0x[0-9a-f]{8}$'
	assert_line --regexp '^#SYMVER ask_twice 0x[0-9a-f]{8}$'
	[ -f answer.o ]
	assert_no_temps
}
