#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr: set by bats' run --separate-stderr
# What kobjc prints: nothing by default; under V=1 (KBUILD_VERBOSE=1 or -v)
# every step before it runs, as an exact copy-pasteable command, and "# "
# lines for native steps and skips; under --time / KOBJC_TIME=1 each
# step's wall time. KBUILD_VERBOSE=2 is kbuild's "why rebuilt": nothing.
load helper

setup() {
	common_setup
	use_fakes
}

teardown() { common_teardown; }

TMPO='\.tmp_answer\.o\.[A-Za-z0-9]{6}\.o'

# Line number of the first stderr line matching the extended regex, or fail.
line_of() {
	local n
	n=$(grep -nE -m1 -- "$1" <<<"$stderr" | cut -d: -f1)
	[ -n "$n" ] || {
		echo "no stderr line matches: $1" >&2
		echo 0
		return 1
	}
	echo "$n"
}

@test "quiet by default: nothing on stdout or stderr on success" {
	run --separate-stderr "$KOBJC" --objtool="$FAKEBIN/objtool" --objtool-arg=--orc \
		answer.o answer.c gcc -O2 -fno-asynchronous-unwind-tables
	assert_success
	assert_output ''
	assert_equal "$stderr" ''
	[ -f answer.o ]
	# the tools did run
	assert_equal "$(fake_log objtool | wc -l)" 1
}

@test "quiet by default: with genksyms only the #SYMVER lines, on stdout" {
	KBUILD_VERBOSE=0 run --separate-stderr "$KOBJC" "${FAKE_TOOL_OPTS[@]}" \
		answer.o answer.c gcc -O2 -fno-asynchronous-unwind-tables
	assert_success
	assert_equal "$stderr" ''
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 --regexp '^#SYMVER answer 0x[0-9a-f]{8}$'
	assert_line --index 1 --regexp '^#SYMVER ask_twice 0x[0-9a-f]{8}$'
}

@test "KBUILD_VERBOSE=1: each step is printed, exactly, before it runs" {
	FAKE_SAY=1 KBUILD_VERBOSE=1 run --separate-stderr "$KOBJC" "${FAKE_TOOL_OPTS[@]}" \
		answer.o answer.c gcc -O2 -fno-asynchronous-unwind-tables
	assert_success
	assert_line --index 0 --regexp '^#SYMVER answer 0x'
	local cc ccran ot otran chk gk cppran gkran mv
	cc=$(line_of "^gcc -O2 -fno-asynchronous-unwind-tables -c -o $TMPO answer\.c\$")
	ccran=$(line_of '^fake: compile runs$')
	ot=$(line_of "^$FAKEBIN/objtool --orc $TMPO\$")
	otran=$(line_of '^fake: objtool runs$')
	chk=$(line_of '^# local-export check: answer\.o: 2 exported, 0 local$')
	gk=$(line_of "^gcc -E -D__GENKSYMS__ -O2 -fno-asynchronous-unwind-tables answer\.c \| $FAKEBIN/genksyms -r /dev/null\$")
	cppran=$(line_of '^fake: cpp runs$')
	gkran=$(line_of '^fake: genksyms runs$')
	mv=$(line_of "^mv -f -- $TMPO answer\.o\$")
	((cc < ccran && ccran < ot && ot < otran && otran < chk && chk < gk &&
		gk < cppran && gk < gkran && cppran < mv && gkran < mv)) ||
		fail "out of order: $stderr"
	# nothing else
	assert_equal "$(wc -l <<<"$stderr")" 9
	# the temporary named in each command is the same one
	assert_equal "$(grep -Eo "$TMPO" <<<"$stderr" | sort -u | wc -l)" 1
}

@test "the messages of a pipeline's processes, written at once, all arrive (cpp | genksyms)" {
	FAKE_NOISE=3000 run --separate-stderr "$KOBJC" "${FAKE_TOOL_OPTS[@]}" \
		answer.o answer.c gcc -O2 -fno-asynchronous-unwind-tables
	assert_success
	assert_equal "$(grep -c '^fake: cpp says ' <<<"$stderr")" 3000
	assert_equal "$(grep -c '^fake: genksyms says ' <<<"$stderr")" 3000
}

@test "-v prints the same as KBUILD_VERBOSE=1" {
	KBUILD_VERBOSE=1 run --separate-stderr "$KOBJC" "${FAKE_TOOL_OPTS[@]}" \
		answer.o answer.c gcc -O2
	assert_success
	local env_out=${stderr//$(grep -Eo "$TMPO" <<<"$stderr" | head -1)/TMP}
	run --separate-stderr "$KOBJC" -v "${FAKE_TOOL_OPTS[@]}" answer.o answer.c gcc -O2
	assert_success
	assert_equal "${stderr//$(grep -Eo "$TMPO" <<<"$stderr" | head -1)/TMP}" "$env_out"
	run --separate-stderr "$KOBJC" --verbose "${FAKE_TOOL_OPTS[@]}" answer.o answer.c gcc -O2
	assert_equal "${stderr//$(grep -Eo "$TMPO" <<<"$stderr" | head -1)/TMP}" "$env_out"
	[[ $env_out == *"-c -o TMP answer.c"* ]] || fail "$env_out"
}

@test "V=1: skipped steps and the native check print '# ' lines with the reason" {
	KBUILD_VERBOSE=1 run --separate-stderr "$KOBJC" --genksyms="$FAKEBIN/genksyms" \
		plain.o plain.c gcc -O2
	assert_success
	assert_output ''
	assert_equal "$(grep '^#' <<<"$stderr")" \
		"# objtool: skipped: --objtool not given (kbuild gives it with CONFIG_OBJTOOL: off?)
# local-export check: plain.o: 0 exported, 0 local
# symbol versions: skipped: --genksyms given, plain.o has no __ksymtab symbols"
	run --separate-stderr "$KOBJC" -v answer.o answer.c gcc -O2
	assert_success
	assert_equal "$(grep '^#' <<<"$stderr")" \
		"# objtool: skipped: --objtool not given (kbuild gives it with CONFIG_OBJTOOL: off?)
# local-export check: answer.o: 2 exported, 0 local
# symbol versions: skipped: --genksyms not given (kbuild gives it with CONFIG_MODVERSIONS: off?)"
}

@test "V=1: the printed commands are copy-pasteable, with quotes, spaces and \$ in words" {
	local src="it's a \"test\" (1).c" obj="it's a \"test\" (1).o"
	cat >"$src" <<-'EOF'
		#include "export.h"
		const char *words[] = { KBUILD_MODNAME, STR, DOLLAR, QUOTE, BS, SEMI, PWN, TAB };
		int answer(void) { return 42; }
		EXPORT_SYMBOL(answer);
	EOF
	local flags=(-O2 -fno-asynchronous-unwind-tables "-Wp,-MMD,.$obj.d"
		-DKBUILD_MODNAME='"demo"' '-DSTR="a b  c"' -DDOLLAR='"$HOME"'
		"-DQUOTE=\"it's\"" -DBS='"back\\slash"' '-DSEMI="x;y"'
		'-DPWN="$(touch pwned)"' "-DTAB=\"a	b\"")
	KBUILD_VERBOSE=1 run --separate-stderr "$KOBJC" "${FAKE_TOOL_OPTS[@]}" \
		"$obj" "$src" gcc "${flags[@]}"
	assert_success
	local symvers=$output cmds line n=0
	# every command line: the ones that are not "# " comments
	cmds=$(grep -v '^#' <<<"$stderr")
	assert_equal "$(wc -l <<<"$cmds")" 4
	mv -- "$obj" kobjc.o
	rm -f -- ".$obj.d"
	while IFS= read -r line; do
		n=$((n + 1))
		if [ $n = 3 ]; then
			assert_equal "$(sh -c "$line")" "$symvers"
		else
			sh -c "$line"
		fi
	done <<<"$cmds"
	# the same object, and the same dependency file, made by sh
	cmp -- "$obj" kobjc.o
	[ -f ".$obj.d" ]
	assert_absent pwned "$FAKEBIN/pwned"
	# and the strings got into the object intact
	strings kobjc.o | grep -qxF 'a b  c'
	strings kobjc.o | grep -qxF '$HOME'
	strings kobjc.o | grep -qxF 'back\slash'
	strings kobjc.o | grep -qxF '$(touch pwned)'
}

@test "V=1: a copy-pasted compile line makes the very object kobjc made" {
	KBUILD_VERBOSE=1 run --separate-stderr "$KOBJC" answer.o answer.c gcc -O2 \
		'-DKBUILD_MODNAME="demo"'
	assert_success
	local line
	line=$(head -1 <<<"$stderr")
	[[ $line == "gcc -O2 '-DKBUILD_MODNAME=\"demo\"' -c -o .tmp_answer.o."*".o answer.c" ]] ||
		fail "compile line: $line"
	sh -c "$line"
	cmp answer.o "$(grep -Eo "$TMPO" <<<"$line")"
}

@test "--time: one 'kobjc: time: STEP N.NNN s' line per step that runs" {
	run --separate-stderr "$KOBJC" --time "${FAKE_TOOL_OPTS[@]}" \
		answer.o answer.c gcc -O2 -fno-asynchronous-unwind-tables
	assert_success
	assert_line --index 0 --regexp '^#SYMVER answer 0x'
	assert_equal "$(sed -E 's/[0-9]+\.[0-9]{3} s$/N s/' <<<"$stderr")" \
		"kobjc: time: compile N s
kobjc: time: objtool N s
kobjc: time: local-export check N s
kobjc: time: symbol versions N s"
}

@test "KOBJC_TIME=1: the same time lines, skipped steps get none" {
	KOBJC_TIME=1 run --separate-stderr "$KOBJC" plain.o plain.c gcc -O2
	assert_success
	assert_output ''
	assert_equal "$(sed -E 's/[0-9]+\.[0-9]{3} s$/N s/' <<<"$stderr")" \
		"kobjc: time: compile N s
kobjc: time: local-export check N s"
}

@test "KBUILD_VERBOSE=2 (kbuild's why-rebuilt, exported by make V=2): kobjc prints nothing" {
	KBUILD_VERBOSE=2 run --separate-stderr "$KOBJC" plain.o plain.c gcc -O2
	assert_success
	assert_output ''
	assert_equal "$stderr" ''
}
