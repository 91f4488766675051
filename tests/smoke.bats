#!/usr/bin/env bats
load helper

setup() { common_setup; }
teardown() { common_teardown; }

@test "builds an exporting object with the real tools and prints its #SYMVER lines" {
	run "$KOBJC" "${REAL_TOOL_OPTS[@]}" answer.o answer.c gcc -O2 -fno-asynchronous-unwind-tables
	assert_success
	assert_line --regexp '^#SYMVER answer 0x[0-9a-f]{8}$'
	assert_line --regexp '^#SYMVER ask_twice 0x[0-9a-f]{8}$'
	[ -f answer.o ]
	assert_no_temps
}

@test "make demo into a pipe: plain text (no terminal escapes), the object built and explained" {
	# the demo runs ./kobjc of the checkout: test that one, in a copy
	cp -a "$TOP/tests" "$WORK/tests"
	cp "$KOBJC" "$WORK/kobjc"
	cd "$WORK"
	rm -f tests/demo/*.o
	run --separate-stderr tests/demo/run
	assert_success
	[[ $output != *$'\033'* ]] || fail "escape sequences in: $output"
	assert_line '$ ./kobjc --recipe-hash'
	assert_line --regexp '^1\. compile \[CC\], compile phase$'
	[ -s tests/demo/answer.o ]
}
