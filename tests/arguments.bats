#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr: set by bats' run --separate-stderr
# Robust execution: odd file names, huge argument lists, and words passed
# to posix_spawnp as they are, never through a shell.
load helper

setup() {
	common_setup
	use_fakes
}

teardown() { common_teardown; }

# Build OBJ from SRC with every step and check the result: the object has
# SRC's symbols and .orc_unwind, stdout has its #SYMVER lines.
build_all() {
	local obj=$1 src=$2
	shift 2
	run --separate-stderr "$KOBJC" "${FAKE_TOOL_OPTS[@]}" -- "$obj" "$src" gcc -O2 \
		-fno-asynchronous-unwind-tables "$@"
	assert_success
	assert_equal "$stderr" ''
	assert_line --index 0 --regexp '^#SYMVER answer 0x[0-9a-f]{8}$'
	assert_line --index 1 --regexp '^#SYMVER ask_twice 0x[0-9a-f]{8}$'
	[ -f "$obj" ] || fail "no $obj"
	nm -- "$obj" | grep -q ' T ask_twice$'
	readelf -SW -- "$obj" | grep -q '\.orc_unwind '
	assert_no_temps
}

@test "file names with spaces" {
	mkdir "my dir"
	cp answer.c "my dir/the answer.c"
	cp export.h "my dir/"
	build_all "my dir/the answer.o" "my dir/the answer.c" -Wp,-MMD,"my dir/.the answer.o.d"
	grep -qF 'the\ answer.o: my\ dir/the\ answer.c' "my dir/.the answer.o.d" ||
		fail "$(cat "my dir/.the answer.o.d")"
}

@test "file names with quotes, \$ and ;" {
	local src="it's \"a\" \$(touch pwned);x.c" obj="it's \"a\" \$(touch pwned);x.o"
	cp answer.c "$src"
	build_all "$obj" "$src"
	assert_absent pwned "x.o"
	assert_equal "$(fake_log compile | wc -l)" 1
}

@test "file names with leading dashes: kobjc -- -odd.o -odd.c gcc" {
	cp -- answer.c -odd.c
	stale_object ./-odd.o
	build_all -odd.o -odd.c
	# each tool got the file as ./-odd.c, never as an option
	fake_log compile | grep -q ' \./-odd\.c$'
	fake_log cpp | grep -q ' \./-odd\.c$'
	if grep -q '^-odd\|  *-odd' "$FAKE_LOG"/*.log; then
		fail "a tool got -odd as an option: $(cat "$FAKE_LOG"/*.log)"
	fi
	"$REAL_GCC" -O2 -fno-asynchronous-unwind-tables -c -o ref.o ./-odd.c
	"$TOOLS/objtool" --orc ref.o
	cmp -- -odd.o ref.o
}

@test "a leading-dash output in a subdirectory, and a dash-named directory" {
	mkdir -- -dir
	cp answer.c export.h -- -dir/
	build_all -dir/-x.o -dir/answer.c
}

@test "an argument list over 128 KiB: 3000 -D flags and a long compiler command" {
	# gcc hands all its options to cc1 in one environment string, which
	# Linux caps at 128 KiB: the rest of the bulk is env VAR=... words of
	# the compiler command, which reach gcc as its environment
	local i flags=() cc=(env) pad total
	for ((i = 1; i <= 3000; i++)); do
		flags+=("-DXXXX_$i=1")
	done
	pad=$(head -c 1000 /dev/zero | tr '\0' p)
	for ((i = 1; i <= 100; i++)); do
		cc+=("KOBJC_PAD_$i=$pad")
	done
	cc+=(gcc)
	{
		echo '#if !defined(XXXX_1) || !defined(XXXX_1500) || !defined(XXXX_3000)'
		echo '#error flags lost'
		echo '#endif'
		cat answer.c
	} >big.c
	total=$(printf '%s ' "${cc[@]}" "${flags[@]}" | wc -c)
	[ "$total" -ge $((128 * 1024)) ] || fail "only $total bytes"
	run --separate-stderr "$KOBJC" "${FAKE_TOOL_OPTS[@]}" big.o big.c "${cc[@]}" -O2 \
		-fno-asynchronous-unwind-tables "${flags[@]}"
	assert_success
	assert_line --index 0 --regexp '^#SYMVER answer 0x[0-9a-f]{8}$'
	assert_line --index 1 --regexp '^#SYMVER ask_twice 0x[0-9a-f]{8}$'
	nm big.o | grep -q ' T ask_twice$'
	assert_equal "$(fake_log compile | grep -o -- '-DXXXX_' | wc -l)" 3000
	assert_equal "$(fake_log cpp | grep -o -- '-DXXXX_' | wc -l)" 3000
	assert_no_temps
}

@test "no shell: \$(...), \`...\`, ; | && in flags are passed literally" {
	: >canary
	local evil=('-DA=$(touch pwned1)' '-DB=`touch pwned2`' '-DC=;rm -f canary'
		'-DD=|touch pwned3' '-DE=&&touch pwned4' '-DF=>pwned5' "-DG='x'")
	build_all answer.o answer.c "${evil[@]}"
	[ -f canary ]
	assert_absent pwned1 pwned2 pwned3 pwned4 pwned5
	# each word reached gcc as one argument, unchanged
	local expected
	expected=$(quoted -O2 -fno-asynchronous-unwind-tables "${evil[@]}" -c -o)
	[[ $(fake_log compile) == "$expected "* ]] || fail "compile argv: $(fake_log compile)"
	assert_equal "$(fake_log cpp)" "$(quoted -E -D__GENKSYMS__ -O2 \
		-fno-asynchronous-unwind-tables "${evil[@]}" answer.c)"
}

@test "no shell: objtool and genksyms words are passed literally too" {
	: >canary
	run "$KOBJC" --objtool="$FAKEBIN/objtool" --objtool-arg='--orc' \
		--objtool-arg='$(touch pwned1);rm canary' answer.o answer.c gcc -O2
	# objtool rejects the odd argument: that is its business
	assert_failure
	[[ $(fake_log objtool) == "$(quoted --orc '$(touch pwned1);rm canary') "* ]] ||
		fail "objtool argv: $(fake_log objtool)"
	run "$KOBJC" --genksyms="$FAKEBIN/genksyms" --genksyms-arg='-r' \
		--genksyms-arg='/dev/null;touch pwned2' answer.o answer.c gcc -O2
	assert_equal "$(fake_log genksyms)" "$(quoted -r '/dev/null;touch pwned2')"
	[ -f canary ]
	assert_absent pwned1 pwned2
}

@test "a compiler command of several words: every word, in both gcc runs" {
	run --separate-stderr "$KOBJC" --genksyms="$FAKEBIN/genksyms" answer.o answer.c \
		env KOBJC_TEST_ENV=1 gcc -O2
	assert_success
	assert_line --index 0 --regexp '^#SYMVER answer 0x'
	fake_log compile | grep -q '^-O2 -c -o '
	assert_equal "$(fake_log cpp)" "-E -D__GENKSYMS__ -O2 answer.c"
}
