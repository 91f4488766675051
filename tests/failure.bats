#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr: set by bats' run --separate-stderr
# When a step fails: the message names the step and its command, the exit
# status is the step's (128+N for signal N, 127 not found, 126 cannot run),
# and nothing is left: no object (not even an old one), no temporary, no
# --symvers file.
load helper

setup() {
	common_setup
	use_fakes
	stale_object answer.o
	stale_symvers .answer.o.symvers
}

teardown() { common_teardown; }

# kobjc with every step, through the fakes, into answer.o
build() {
	run --separate-stderr "$KOBJC" "${FAKE_TOOL_OPTS[@]}" --symvers=.answer.o.symvers \
		answer.o answer.c gcc -O2 -fno-asynchronous-unwind-tables
}

assert_left_nothing() {
	assert_absent answer.o .answer.o.symvers
	assert_no_temps
	assert_equal "$(ls -A)" "answer.c
export.h
plain.c"
}

# kobjc's own message: its last stderr line
last_err() {
	tail -n1 <<<"$stderr"
}

@test "a step's exit status is kobjc's: objtool exits 3" {
	FAKE_FAULT=objtool:exit=3 build
	assert_failure 3
	assert_output ''
	assert_equal "$(last_err)" "kobjc: answer.o: objtool failed (exit 3)"
	assert_left_nothing
}

@test "a step's exit status is kobjc's: compile exits 42" {
	FAKE_FAULT=compile:exit=42 build
	assert_failure 42
	assert_equal "$(last_err)" "kobjc: answer.o: compile failed (exit 42)"
	assert_left_nothing
}

@test "a step's exit status is kobjc's: the cpp pass exits 3" {
	FAKE_FAULT=cpp:exit=3 build
	assert_failure 3
	assert_equal "$(last_err)" \
		"kobjc: answer.o: symbol versions: gcc failed (exit 3)"
	assert_left_nothing
}

@test "a step's exit status is kobjc's: genksyms exits 3" {
	FAKE_FAULT=genksyms:exit=3 build
	assert_failure 3
	assert_equal "$(last_err)" \
		"kobjc: answer.o: symbol versions: genksyms failed (exit 3)"
	assert_left_nothing
}

@test "a real compile error: gcc's message, then kobjc's naming the compile" {
	echo 'int broken(void) { return }' >>answer.c
	build
	assert_failure 1
	assert_output ''
	grep -q "^answer.c:.*error: expected expression before" <<<"$stderr" || fail "$stderr"
	assert_equal "$(last_err)" "kobjc: answer.o: compile failed (exit 1)"
	assert_absent answer.o .answer.o.symvers
	assert_no_temps
	# nothing after the failed step ran
	assert_equal "$(fake_log objtool)$(fake_log cpp)$(fake_log genksyms)" ''
}

@test "a step killed by SIGSEGV: exit 139, the signal named" {
	FAKE_FAULT=objtool:segv build
	assert_failure 139
	[[ $(last_err) =~ ^kobjc:\ answer\.o:\ objtool\ killed\ by\ signal\ 11\ \(.*\)$ ]] ||
		fail "message: $stderr"
	assert_left_nothing
}

@test "a step killed by SIGKILL: exit 137, the signal named" {
	FAKE_FAULT=compile:kill build
	assert_failure 137
	[[ $(last_err) =~ ^kobjc:\ answer\.o:\ compile\ killed\ by\ signal\ 9\ \(.*\)$ ]] ||
		fail "message: $stderr"
	assert_left_nothing
}

@test "a missing tool: exit 127, the step and the tool named" {
	run -127 --separate-stderr "$KOBJC" --objtool="$WORK/no-such-objtool" answer.o answer.c gcc -O2
	assert_failure 127
	assert_equal "$(last_err)" \
		"kobjc: objtool: cannot run '$WORK/no-such-objtool': No such file or directory"
	assert_absent answer.o
	assert_no_temps
	run -127 --separate-stderr "$KOBJC" answer.o answer.c no-such-gcc -O2
	assert_failure 127
	assert_equal "$(last_err)" \
		"kobjc: compile: cannot run 'no-such-gcc': No such file or directory"
}

@test "a tool that is not executable: exit 126, the step and the tool named" {
	printf '#!/bin/sh\nexit 0\n' >not-executable
	chmod 644 not-executable
	mkdir a-directory
	run --separate-stderr "$KOBJC" --genksyms="$WORK/not-executable" answer.o answer.c gcc -O2
	assert_failure 126
	assert_equal "$(last_err)" \
		"kobjc: symbol versions: cannot run '$WORK/not-executable': Permission denied"
	assert_absent answer.o
	assert_no_temps
	run --separate-stderr "$KOBJC" --objtool="$WORK/a-directory" answer.o answer.c gcc -O2
	assert_failure 126
	[[ $(last_err) == "kobjc: objtool: cannot run '$WORK/a-directory': "* ]] || fail "$stderr"
	assert_absent answer.o
}

@test "a failed step leaves the files it does not own alone" {
	: >unrelated.o
	: >.tmp_unrelated
	before=$(snapshot | grep -v -e answer.o -e symvers -e '^\. d ')
	FAKE_FAULT=objtool:exit=1 build
	assert_failure 1
	assert_equal "$(snapshot | grep -v -e answer.o -e symvers -e '^\. d ')" "$before"
}

@test "a step that cannot start after another started: the started one is not left running" {
	# cpp blocks; genksyms cannot be run: kobjc must not exit leaving cpp
	local st=0
	KOBJC_TEST_TAG=$TEST_TAG FAKE_FAULT=cpp:block "$KOBJC" \
		--genksyms="$WORK/no-such-genksyms" answer.o answer.c gcc -O2 \
		>out 2>err || st=$?
	assert_equal "$st" 127
	grep -q "^kobjc: symbol versions: cannot run '$WORK/no-such-genksyms'" err
	assert_equal "$(tagged_procs)" ''
	assert_absent answer.o
	assert_no_temps
}

@test "stdout is full: the #SYMVER lines cannot be written, nothing is left" {
	run --separate-stderr bash -c '"$@" >/dev/full' - "$KOBJC" \
		--genksyms="$FAKEBIN/genksyms" --genksyms-arg=-r --genksyms-arg=/dev/null \
		answer.o answer.c gcc -O2
	assert_failure 1
	assert_equal "$(last_err)" \
		"kobjc: writing #SYMVER lines to stdout: No space left on device"
	assert_absent answer.o
	assert_no_temps
}

@test "stdout is a pipe nobody reads: SIGPIPE leaves no temporary and no object" {
	command -v python3 >/dev/null || skip "python3 (to hold a pipe with no reader) is not installed"
	# the reading end is closed before kobjc starts: no race
	run --separate-stderr python3 -c '
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
print(subprocess.run(sys.argv[1:], stdout=w).returncode)' \
		"$KOBJC" --genksyms="$FAKEBIN/genksyms" --genksyms-arg=-r \
		--genksyms-arg=/dev/null answer.o answer.c gcc -O2
	assert_success
	# died of SIGPIPE, or reported EPIPE: either way a failure
	[[ $output == -13 || $output == 1 || $output == 141 ]] || fail "kobjc exited $output"
	assert_absent answer.o
	assert_no_temps
}
