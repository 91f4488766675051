#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr: set by bats' run --separate-stderr
# kobjc --explain: the recipe for one object, resolved, without running it;
# from a command line or from the kbuild .cmd file fixdep wrote.
load helper

setup() {
	common_setup
	use_fakes
	HASH=$("$KOBJC" --recipe-hash)
}

teardown() { common_teardown; }

# The lines explain prints for step NUM (from "NUM. " up to the blank line).
step_of() {
	awk -v n="$1" '$0 ~ "^" n "\\. " { on = 1 } on && /^$/ { exit } on' <<<"$output"
}

assert_nothing_ran() {
	assert_equal "$(ls "$FAKE_LOG" 2>/dev/null)" ''
}

@test "--explain CMDLINE: hash, each step's command, condition, status and files" {
	before=$(snapshot)
	run --separate-stderr "$KOBJC" --explain "${FAKE_TOOL_OPTS[@]}" answer.o answer.c \
		gcc -O2 '-DKBUILD_MODNAME="demo"' -Wp,-MMD,.answer.o.d
	assert_success
	assert_equal "$stderr" ''
	assert_line --index 0 "recipe   kbuild-6.1 sha256 $HASH"
	assert_equal "$(step_of 1)" "1. compile [CC], compile phase
   when   always
   status runs
   run    gcc -O2 '-DKBUILD_MODNAME=\"demo\"' -Wp,-MMD,.answer.o.d -c -o answer.o answer.c
   in     answer.c
   out    answer.o"
	assert_equal "$(step_of 2)" "2. objtool [OBJTOOL], local phase
   when   --objtool given
   status runs
   run    $FAKEBIN/objtool --orc answer.o
   in     answer.o
   out    answer.o"
	assert_equal "$(step_of 3 | sed -n '1,3p;5p')" "3. local-export check [CHECK], local phase
   when   always
   status runs
   in     answer.o"
	step_of 3 | grep -q '^   run    (in kobjc) check-local-export'
	# not built yet: whether it exports is not known
	assert_equal "$(step_of 4 | sed -n '1p;3,6p')" "4. symbol versions [GENKSYMS], local phase
   status depends on the object, not built yet
   run    gcc -E -D__GENKSYMS__ -O2 '-DKBUILD_MODNAME=\"demo\"' answer.c | $FAKEBIN/genksyms -r /dev/null
   in     answer.c
   out    #SYMVER lines -> stdout"
	step_of 4 | grep -q '^   when   --genksyms given, '
	# it ran nothing and changed nothing
	assert_nothing_ran
	assert_equal "$(snapshot)" "$before"
}

@test "--explain CMDLINE after a build: ran and skipped, from the object's symbols" {
	"$KOBJC" --genksyms="$FAKEBIN/genksyms" --symvers=.answer.o.symvers answer.o answer.c gcc -O2
	"$KOBJC" --genksyms="$FAKEBIN/genksyms" plain.o plain.c gcc -O2
	rm -rf "$FAKE_LOG"
	before=$(snapshot)
	run --separate-stderr "$KOBJC" --explain --genksyms="$FAKEBIN/genksyms" \
		--symvers=.answer.o.symvers answer.o answer.c gcc -O2
	assert_success
	assert_equal "$(step_of 2 | sed -n 2,3p)" "   when   --objtool not given (kbuild gives it with CONFIG_OBJTOOL: off?)
   status skipped"
	assert_equal "$(step_of 4 | sed -n 2,3p)" "   when   --genksyms given, answer.o has __ksymtab symbols
   status ran"
	step_of 4 | grep -qxF '   out    #SYMVER lines -> .answer.o.symvers'
	run --separate-stderr "$KOBJC" --explain --genksyms="$FAKEBIN/genksyms" plain.o plain.c gcc -O2
	assert_success
	assert_equal "$(step_of 1 | sed -n 3p)" "   status ran"
	assert_equal "$(step_of 4 | sed -n 2,3p)" "   when   --genksyms given, plain.o has no __ksymtab symbols
   status skipped"
	assert_nothing_ran
	assert_equal "$(snapshot)" "$before"
}

# Build sub/answer.o the way kbuild/kobjc.mk does, from the tree top $WORK,
# and write sub/.answer.o.cmd as fixdep does: the command with $ as $$ and
# # as $(pound), then the source and deps lines, then the #SYMVER lines.
build_with_cmd_file() {
	mkdir -p sub
	mv answer.c export.h sub/
	"$KOBJC" --objtool="$FAKEBIN/objtool" --objtool-arg=--orc \
		--genksyms="$FAKEBIN/genksyms" --genksyms-arg=-r --genksyms-arg=/dev/null \
		--symvers=sub/.answer.o.symvers sub/answer.o sub/answer.c gcc \
		-Wp,-MMD,sub/.answer.o.d -O2 -fno-asynchronous-unwind-tables \
		-DKBUILD_MODNAME='"demo"' '-DPOUND="#1"' '-DCOST="$5"' \
		-DKBUILD_BASENAME='"answer"'
	cat >sub/.answer.o.cmd <<-EOF
		cmd_sub/answer.o := $KOBJC --objtool=$FAKEBIN/objtool --objtool-arg=--orc --genksyms=$FAKEBIN/genksyms --genksyms-arg=-r --genksyms-arg=/dev/null --symvers=sub/.answer.o.symvers sub/answer.o sub/answer.c gcc -Wp,-MMD,sub/.answer.o.d -O2 -fno-asynchronous-unwind-tables -DKBUILD_MODNAME='"demo"' '-DPOUND="\$(pound)1"' '-DCOST="\$\$5"' -DKBUILD_BASENAME='"answer"'

		source_sub/answer.o := sub/answer.c

		deps_sub/answer.o := \\
		  sub/export.h \\

		sub/answer.o: \$(deps_sub/answer.o)

		\$(deps_sub/answer.o):
	EOF
	cat sub/.answer.o.symvers >>sub/.answer.o.cmd
	rm sub/.answer.o.symvers sub/.answer.o.d
	rm -rf "$FAKE_LOG"
}

EXPECT_CC="   run    gcc -Wp,-MMD,sub/.answer.o.d -O2 -fno-asynchronous-unwind-tables '-DKBUILD_MODNAME=\"demo\"' '-DPOUND=\"#1\"' '-DCOST=\"\$5\"' '-DKBUILD_BASENAME=\"answer\"' -c -o sub/answer.o sub/answer.c"

@test "--explain dir/foo.o reads dir/.foo.o.cmd as fixdep writes it (\$\$, \$(pound), quotes)" {
	build_with_cmd_file
	grep -q "cmd_sub/answer.o := .*POUND=\"\$(pound)1\"' '-DCOST=\"\$\$5\"'" sub/.answer.o.cmd
	before=$(snapshot)
	run --separate-stderr "$KOBJC" --explain sub/answer.o
	assert_success
	assert_equal "$stderr" ''
	assert_line --index 0 'object   sub/answer.o'
	assert_line --index 1 'command  sub/.answer.o.cmd'
	assert_line --index 2 "run in   $WORK (the paths below are from there)"
	assert_line --index 3 "recipe   kbuild-6.1 sha256 $HASH"
	assert_equal "$(step_of 1 | sed -n 3,6p)" "   status ran
$EXPECT_CC
   in     sub/answer.c
   out    sub/answer.o"
	assert_equal "$(step_of 2 | sed -n 2,4p)" "   when   --objtool given
   status ran
   run    $FAKEBIN/objtool --orc sub/answer.o"
	assert_equal "$(step_of 4 | sed -n 2,4p)" "   when   --genksyms given, sub/answer.o has __ksymtab symbols
   status ran
   run    gcc -E -D__GENKSYMS__ -O2 -fno-asynchronous-unwind-tables '-DKBUILD_MODNAME=\"demo\"' '-DPOUND=\"#1\"' '-DCOST=\"\$5\"' '-DKBUILD_BASENAME=\"answer\"' sub/answer.c | $FAKEBIN/genksyms -r /dev/null"
	step_of 4 | grep -qxF "   out    #SYMVER lines -> sub/.answer.o.symvers (kbuild appends them to the object's .cmd file, then removes it)"
	assert_nothing_ran
	assert_equal "$(snapshot)" "$before"
}

@test "--explain names why a tool kbuild gives is missing: CONFIG_MODVERSIONS off, no --genksyms" {
	run --separate-stderr "$KOBJC" --explain answer.o answer.c gcc -O2
	assert_success
	step_of 4 | grep -qxF '   when   --genksyms not given (kbuild gives it with CONFIG_MODVERSIONS: off?)' ||
		fail "$(step_of 4)"
}

@test "--explain foo.o from the object's own directory (a subdirectory of the tree) says the same" {
	build_with_cmd_file
	run --separate-stderr "$KOBJC" --explain sub/answer.o
	assert_success
	local here=$output
	cd sub
	run --separate-stderr "$KOBJC" --explain answer.o
	assert_success
	assert_equal "$stderr" ''
	assert_line --index 0 "object   answer.o"
	assert_equal "$(tail -n +3 <<<"$output")" "$(tail -n +3 <<<"$here")"
	cd "$WORK"
	assert_nothing_ran
}

@test "--explain /abs/dir/foo.o from another directory says the same" {
	build_with_cmd_file
	run --separate-stderr "$KOBJC" --explain sub/answer.o
	assert_success
	local here=$output
	before=$(snapshot)
	cd /
	run --separate-stderr "$KOBJC" --explain "$WORK/sub/answer.o"
	assert_success
	assert_equal "$stderr" ''
	assert_line --index 0 "object   $WORK/sub/answer.o"
	assert_line --index 1 "command  $WORK/sub/.answer.o.cmd"
	assert_equal "$(tail -n +3 <<<"$output")" "$(tail -n +3 <<<"$here")"
	assert_line "$EXPECT_CC"
	cd "$WORK"
	assert_nothing_ran
	assert_equal "$(snapshot)" "$before"
}

@test "--explain on a stock kbuild .cmd: exit 2, one line, nothing touched" {
	mkdir sub
	: >sub/plain.o
	cat >sub/.plain.o.cmd <<-'EOF'
		cmd_sub/plain.o := gcc -Wp,-MMD,sub/.plain.o.d -O2 -DKBUILD_MODNAME='"demo"' -c -o sub/plain.o sub/plain.c

		source_sub/plain.o := sub/plain.c
	EOF
	before=$(snapshot)
	run --separate-stderr "$KOBJC" --explain sub/plain.o
	assert_failure 2
	assert_output ''
	assert_equal "$(wc -l <<<"$stderr")" 1
	[[ $stderr == "kobjc: "*sub/.plain.o.cmd* ]] || fail "stderr: $stderr"
	assert_equal "$(snapshot)" "$before"
}

@test "--explain KOBJC-PATH CMDLINE (a pasted kbuild command) reads as without the path" {
	run --separate-stderr "$KOBJC" --explain answer.o answer.c gcc -O2
	assert_success
	local plain=$output
	run --separate-stderr "$KOBJC" --explain "$KOBJC" answer.o answer.c gcc -O2
	assert_success
	assert_equal "$output" "$plain"
	assert_line '   run    gcc -O2 -c -o answer.o answer.c'
	assert_nothing_ran
}

@test "--explain with CC=\"ccache gcc\": ccache caches the whole recipe, the steps run gcc" {
	run --separate-stderr "$KOBJC" --explain "${FAKE_TOOL_OPTS[@]}" answer.o answer.c \
		ccache gcc -O2
	assert_success
	assert_line --index 1 "cache    ccache, for the whole recipe: one entry (CC starts with it)"
	step_of 1 | grep -qxF '   run    gcc -O2 -c -o answer.o answer.c'
	step_of 4 | grep -q '^   run    gcc -E -D__GENKSYMS__ -O2 answer.c | '
	# without it, no cache line
	run --separate-stderr "$KOBJC" --explain answer.o answer.c gcc -O2
	refute_line --partial 'cache '
	assert_nothing_ran
}
