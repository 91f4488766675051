#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr: set by bats' run --separate-stderr
# The whole recipe on a distcc helper (--phase=remote), with the real
# distcc 3.4 and distccd (on 127.0.0.1 only): the client preprocesses both
# passes into one bundle, the helper's kobjc compiles, runs objtool, the
# checks and genksyms with the tools its KOBJC_TOOLS store holds by digest,
# and the client runs what the helper could not. Every result must equal a
# local build's, and a helper runs nothing it does not hold.
bats_require_minimum_version 1.5.0
load helper
load distcc-helper

setup() {
	common_setup
	unset KOBJC_CACHE KOBJC_CC_LAUNCHER KOBJC_LOG KOBJC_TOOLS WHERE
	# shellcheck disable=SC2046 # variable names: words, on purpose
	unset $(compgen -e | grep -E '^(DISTCC|CCACHE)_')
	setup_daemons
	export DISTCC_DIR=$BATS_TEST_TMPDIR/distcc-client
	mkdir "$DISTCC_DIR"
	export CCACHE_DIR=$BATS_TEST_TMPDIR/ccache
	R=$BATS_TEST_TMPDIR/results
	# the tools, where the daemons' user can run them, each behind a
	# wrapper that logs where it ran ($WHERE: a daemon's name, else
	# client) to $TOOL_LOG, then runs the real one; the wrappers are
	# what both sides hold, in a kernel tree's layout
	REAL=$DAEMONS/real
	TREE=$DAEMONS/tree
	TOOL_LOG=$DAEMONS/tools.log
	mkdir -p "$REAL" "$TREE/tools/objtool" "$TREE/scripts/genksyms"
	cp "$TOOLS/objtool" "$TOOLS/genksyms" "$REAL/"
	: >"$TOOL_LOG"
	chmod 666 "$TOOL_LOG"
	wrap objtool "$TREE/tools/objtool/objtool"
	wrap genksyms "$TREE/scripts/genksyms/genksyms"
	chmod -R a+rX "$DAEMONS"
	OPTS=(--objtool="$TREE/tools/objtool/objtool" --objtool-arg=--orc
		--genksyms="$TREE/scripts/genksyms/genksyms" --genksyms-arg=-r
		--genksyms-arg=/dev/null)
}

teardown() {
	local st=0
	stop_daemons || st=1
	common_teardown
	return $st
}

# wrap TOOL FILE: FILE logs "$WHERE TOOL" and runs the real TOOL
wrap() {
	printf '#!/bin/sh\necho "${WHERE:-client} %s" >>%s\nexec %s "$@"\n' \
		"$1" "$TOOL_LOG" "$REAL/$1" >"$2"
	chmod 755 "$2"
}

# store DIR [TOOL...]: a tool store (kobjc --store-tools) of the tree,
# less each TOOL named; kobjc's listing in $output
store() {
	local dir=$1
	shift
	output=$(distccd_store "$KOBJC" "$dir" "$TREE" "$@")
}

# helper NAME [STORE]: a distccd whose kobjc finds tools in STORE
helper() {
	WHERE=$1 KOBJC_TOOLS=${2:-} start_daemon "$1" "$KOBJC"
}

assert_like_ref() {
	local f
	for f in "$1.o" "$1.sv" ".$1.o.d"; do
		cmp -s "$f" "$R/$f" || fail "$f differs from the local build's"
	done
	assert_no_temps
	assert_no_temps "$DAEMONS"
}

# where each tool ran, sorted: "WHERE TOOL" lines
ran_where() {
	sort "$TOOL_LOG" | tr '\n' ';'
}

# assert_compiles NAME SOURCE N: daemon NAME logged N compiles of SOURCE
# (distccd logs a job after its client has the result: wait, bounded)
assert_compiles() {
	poll_until eval "[ \"\$(compiles_ok $1 $2)\" -eq $3 ]" ||
		fail "helper $1 logged $(compiles_ok "$1" "$2") compiles of $2, not $3"
}

# built_on HELPER WHERE: answer built through distcc on HELPER, silently,
# equal to the local build, each tool run where WHERE says, no backoff
built_on() {
	DISTCC_HOSTS=$(hosts_of "$1")
	export DISTCC_HOSTS
	build answer KOBJC_CC_LAUNCHER=distcc
	assert_success
	assert_equal "$stderr" ""
	assert_like_ref answer
	assert_equal "$(ran_where)" "$2"
	assert_no_backoff
}

# no distcc backoff: the client never disliked a helper
assert_no_backoff() {
	local b
	b=$(find "$DISTCC_DIR" -name 'backoff*' 2>/dev/null)
	[ -z "$b" ] || fail "distcc backed a helper off: $b"
}

@test "distcc-remote: a helper holding the tools runs the whole recipe; nothing but cpp runs on the client" {
	store "$DAEMONS/store"
	helper one "$DAEMONS/store"
	local_ref answer
	local_ref plain
	assert_equal "$(ran_where)" "client objtool;"
	DISTCC_HOSTS=$(hosts_of one)
	export DISTCC_HOSTS
	build answer KOBJC_CC_LAUNCHER=distcc
	assert_success
	assert_equal "$stderr" ""
	assert_like_ref answer
	assert_equal "$(ran_where)" "one genksyms;one objtool;"
	build plain KOBJC_CC_LAUNCHER=distcc
	assert_success
	assert_equal "$stderr" ""
	assert_like_ref plain
	assert_equal "$(ran_where)" "one objtool;"
	assert_compiles one answer.c 1
	assert_compiles one plain.c 1
	assert_no_backoff
}

@test "distcc-remote: with debug information (-g) the object equals a local build byte for byte: the client runs directives only, the helper expands the macros" {
	EXTRA_FLAGS=(-g)
	store "$DAEMONS/store"
	helper one "$DAEMONS/store"
	local_ref answer
	: >"$TOOL_LOG"
	built_on one "one genksyms;one objtool;"
	# the -E answer's compile pass: macros kept, as the source has them
	run --separate-stderr "$KOBJC" --cc=gcc --phase=remote -g -O2 -E answer.c
	assert_success
	grep -q '^EXPORT_SYMBOL(answer);$' <<<"$output" ||
		fail "the pass expanded the macros"
}

@test "distcc-remote: a source by absolute path, with -g, equals a local build; a pass naming a path outside the helper's tree is refused" {
	local pass
	EXTRA_FLAGS=(-g)
	store "$DAEMONS/store"
	helper one "$DAEMONS/store"
	flags_of answer
	run --separate-stderr "$KOBJC" "${OPTS[@]}" --symvers=ref.sv ref.o \
		"$PWD/answer.c" gcc "${FLAGS[@]}"
	assert_success
	DISTCC_HOSTS=$(hosts_of one)
	export DISTCC_HOSTS
	: >"$TOOL_LOG"
	run --separate-stderr env KOBJC_CC_LAUNCHER=distcc "$KOBJC" "${OPTS[@]}" \
		--symvers=abs.sv abs.o "$PWD/answer.c" gcc "${FLAGS[@]}"
	assert_success
	assert_equal "$stderr" ""
	cmp ref.o abs.o || fail "abs.o differs from the local build's"
	diff ref.sv abs.sv || fail "abs.sv differs from the local build's"
	assert_equal "$(ran_where)" "one genksyms;one objtool;"

	pass=$(printf '# 0 "../../x.c"\n# 1 "/a//"\nint x;\n')
	printf '#kobjc-part 0 %s\n%s\n' $((${#pass} + 1)) "$pass" \
		>"$DAEMONS/one/tmp/job.i"
	run --separate-stderr helper_job
	assert_success
	assert_output "#kobjc-ran 0 refused: the pass names a path outside its tree"
	[ ! -e "$DAEMONS/one/x.c" ] && [ ! -e "$DAEMONS/x.c" ] ||
		fail "a file was made outside the tree"
	rm -f "$DAEMONS/one/tmp/job.o" "$DAEMONS/one/tmp/job.i"
	assert_no_temps "$DAEMONS"
	assert_no_backoff
}

# job_pass TEXT: ./job.i in helper one's directory, a bundle of one
# compile pass: TEXT as the source x.c, as -fdirectives-only writes it
job_pass() {
	local pass
	pass=$(printf '# 0 "x.c"\n%s\nint x;' "$1")
	printf '#kobjc-part 0 %s\n%s\n' $((${#pass} + 1)) "$pass" \
		>"$DAEMONS/one/tmp/job.i"
}

@test "distcc-remote: a helper compiles a pass only with #define, #undef, #pragma, #ident and line markers: an #include, however spelled, is refused" {
	local bad good
	store "$DAEMONS/store"
	helper one "$DAEMONS/store"
	for bad in '#include "/etc/hostname"' '  %:  include </etc/hostname>' \
		'/* c */ # /* d */ include_next "h"' '??=include "h"' \
		$'#inc\\\nlude "h"' $'/*\n*/#include "h"' '#embed "h"' \
		'#import "h"' '#if 1' \
		$'const char *s = R"(a"/*)";\n#include "h"' \
		$'const char *s = u8R"x(\\)x";\n#include "h"' \
		$'int x;\r#include "h"' $'%\\ \n:include "h"'; do
		job_pass "$bad"
		run --separate-stderr helper_job
		assert_success
		[[ $output == "#kobjc-ran 0 refused: the pass has a directive '#"* ]] ||
			fail "not refused: $bad: $output"
		assert_equal "$stderr" ""
	done
	# under -trigraphs "??/" continues a line: "%" and ":" make a '#'
	job_pass $'%?\?/\n:include "h"'
	run --separate-stderr helper_job -trigraphs
	assert_output '#kobjc-ran 0 refused: the pass may continue a line with ??/'
	for good in '#define X 1' '#undef X' '#pragma GCC diagnostic push' \
		'# 3 "x.c"' '/* #include "h" */' 'const char *s = "\"#include";' \
		$'// x \\\n#include "h"'; do
		job_pass "$good"
		run --separate-stderr helper_job
		assert_success
		assert_output --regexp '^#kobjc-ran [1-9][0-9]*$'
		[ -s "$DAEMONS/one/tmp/job.o" ] || fail "no object for: $good"
	done
	rm -f "$DAEMONS/one/tmp/job.o" "$DAEMONS/one/tmp/job.i"
	assert_no_temps "$DAEMONS"
}

@test "distcc-remote: the passes go with their comments blanked, lines and columns kept: objects with -g equal a local build; -Wextra's fall-through comments are kept" {
	# comments where cpp's rules are easy to get wrong: a comment's end
	# split by a continued line, comment openers in literals, a line
	# comment continued onto the next line
	printf '%s\n' '/* head */ int a = 1; /* a *\' '/ int b = 2;' \
		'const char *s = "/* not a comment */", c = '"'/'"';' \
		'int d; // a line comment \' 'int e; continues it' \
		'#define TWICE(x) ((x) /* twice */ + (x))' \
		'int f(int v) { switch (v) { case 1: v++; /* fall through */' \
		'case 2: return TWICE(v); } return 0; }' >tricky.c
	EXTRA_FLAGS=(-g)
	store "$DAEMONS/store"
	helper one "$DAEMONS/store"
	local_ref tricky
	DISTCC_HOSTS=$(hosts_of one)
	export DISTCC_HOSTS
	build tricky KOBJC_CC_LAUNCHER=distcc
	assert_success
	assert_equal "$stderr" ""
	assert_like_ref tricky
	assert_equal "$(ran_where)" "one objtool;"
	run --separate-stderr "$KOBJC" --cc=gcc --phase=remote -g -O2 -E tricky.c
	assert_success
	grep -q 'twice\|head\|fall through\|line comment\|continues' <<<"$output" &&
		fail "a comment was sent: $output"
	grep -qF '"/* not a comment */"' <<<"$output" ||
		fail "a string's text was blanked"
	run --separate-stderr "$KOBJC" --cc=gcc --phase=remote -Wextra -O2 \
		-E tricky.c
	assert_success
	grep -qF '/* fall through */' <<<"$output" ||
		fail "-Wextra reads fall-through comments; they must go"
	# C23's digit separator is no quote: what follows it is not blanked
	printf '%s\n' "int x = 1'000; const char *s = \"'/*\";" \
		'int y = 2; /* y */' >digits.c
	run --separate-stderr "$KOBJC" --cc=gcc --phase=remote -std=gnu2x \
		-O2 -E digits.c
	assert_success
	grep -qF "const char *s = \"'/*\";" <<<"$output" ||
		fail "a string after a digit separator was blanked: $output"
	grep -qF 'int y = 2;' <<<"$output" || fail "code was blanked: $output"
	# under -trigraphs (-std=c11) "??/" is a backslash: the string goes on
	# (gcc -fdirectives-only reads the text without them)
	printf '%s\n' 'const char *s = "??/" /* in the string */ "" "";' >tri.c
	run --separate-stderr "$KOBJC" --cc=gcc --phase=remote -std=c11 -O2 \
		-E tri.c
	assert_success
	grep -qF '/* in the string */' <<<"$output" ||
		fail "a string's text was blanked under -trigraphs: $output"
}

@test "distcc-remote: -v shows the bundle sent, by digest, and what ran there" {
	store "$DAEMONS/store"
	helper one "$DAEMONS/store"
	DISTCC_HOSTS=$(hosts_of one)
	export DISTCC_HOSTS
	build answer KOBJC_CC_LAUNCHER=distcc KBUILD_VERBOSE=1
	assert_success
	# the tools go by digest, each one the store holds
	local d
	for d in $(grep -oE -- '--(objtool|genksyms)=sha256:[0-9a-f]{64}' <<<"$stderr" |
		sed 's/.*sha256://'); do
		[ -x "$DAEMONS/store/$d" ] || fail "$d not in the store"
	done
	[ "$(grep -oE -- '--(objtool|genksyms)=sha256:' <<<"$stderr" | wc -l)" -eq 2 ] ||
		fail "tools not sent by digest: $stderr"
	grep -qF -- "$TREE" <<<"$(grep -- '--phase=remote' <<<"$stderr")" &&
		fail "a tool's path was sent: $stderr"
	grep -qxF '# distcc: 4 steps ran there' <<<"$stderr" ||
		fail "no account of the helper's steps: $stderr"
}

@test "distcc-remote: a helper without KOBJC_TOOLS, or lacking genksyms, runs what it holds; the client the rest; no backoff" {
	store "$DAEMONS/partial" genksyms
	helper bare
	helper partial "$DAEMONS/partial"
	local_ref answer
	DISTCC_HOSTS=$(hosts_of bare)
	export DISTCC_HOSTS
	build answer KOBJC_CC_LAUNCHER=distcc KBUILD_VERBOSE=1
	assert_success
	assert_like_ref answer
	assert_equal "$(ran_where)" "client genksyms;client objtool;"
	grep -qxF '# distcc: 1 steps ran there: objtool: objtool not in KOBJC_TOOLS' \
		<<<"$stderr" || fail "no account of the helper's steps: $stderr"
	assert_compiles bare answer.c 1

	built_on partial "client genksyms;partial objtool;"
}

@test "distcc-remote: OBJTOOL_ARGS set on the client keeps objtool and what follows on the client" {
	store "$DAEMONS/store"
	helper one "$DAEMONS/store"
	build answer OBJTOOL_ARGS=--stats
	assert_success
	mkdir -p "$R"
	cp answer.o .answer.o.d answer.sv "$R/"
	DISTCC_HOSTS=$(hosts_of one)
	export DISTCC_HOSTS
	build answer KOBJC_CC_LAUNCHER=distcc OBJTOOL_ARGS=--stats
	assert_success
	assert_like_ref answer
	assert_equal "$(ran_where)" "client genksyms;client objtool;"
}

@test "distcc-remote: CC=\"ccache gcc\" with CCACHE_PREFIX=distcc: a miss runs the whole recipe on the helper, a hit nothing" {
	local before
	store "$DAEMONS/store"
	helper one "$DAEMONS/store"
	local_ref answer
	DISTCC_HOSTS=$(hosts_of one)
	export DISTCC_HOSTS
	flags_of answer
	rm -f answer.o .answer.o.d answer.sv
	: >"$TOOL_LOG"
	run --separate-stderr env CCACHE_PREFIX=distcc "$KOBJC" "${OPTS[@]}" \
		--symvers=answer.sv answer.o answer.c ccache gcc "${FLAGS[@]}"
	assert_success
	assert_equal "$stderr" ""
	assert_like_ref answer
	assert_equal "$(ran_where)" "one genksyms;one objtool;"
	assert_compiles one answer.c 1
	before=$(cat "$DAEMONS/one/log")
	rm -f answer.o .answer.o.d answer.sv
	: >"$TOOL_LOG"
	run --separate-stderr env CCACHE_PREFIX=distcc "$KOBJC" "${OPTS[@]}" \
		--symvers=answer.sv answer.o answer.c ccache gcc "${FLAGS[@]}"
	assert_success
	assert_like_ref answer
	assert_equal "$(ran_where)" ""
	assert_equal "$(cat "$DAEMONS/one/log")" "$before"
}

@test "distcc-remote: a dead helper: distcc's local fallback hands the job back; the client builds it all, once" {
	local_ref answer
	DISTCC_HOSTS="127.0.0.1:$(free_port)/2"
	export DISTCC_HOSTS
	build answer KOBJC_CC_LAUNCHER=distcc
	assert_success
	assert_like_ref answer
	assert_equal "$(ran_where)" "client genksyms;client objtool;"
	grep -qF 'running locally instead' <<<"$stderr" ||
		fail "no fallback message: $stderr"
}

@test "distcc-remote: a compile error is reported once and leaves nothing" {
	store "$DAEMONS/store"
	helper one "$DAEMONS/store"
	DISTCC_HOSTS=$(hosts_of one)
	export DISTCC_HOSTS
	printf 'int broken(void) { return 1 }\n' >bad.c
	stale_object bad.o
	stale_symvers bad.sv
	run --separate-stderr env KOBJC_CC_LAUNCHER=distcc "$KOBJC" "${OPTS[@]}" \
		--symvers=bad.sv bad.o bad.c gcc -O2 -Wp,-MMD,.bad.o.d
	assert_failure
	assert_output ''
	assert_equal "$(grep -c ' error: ' <<<"$stderr")" 1
	assert_absent bad.o bad.sv
	assert_no_temps
}

# The kobjc a distccd would run for a job, by hand, in its directory, with
# its environment: prints its stdout; the object is ./job.o
helper_job() {
	(cd "$DAEMONS/one/tmp" && rm -f job.o f &&
		env DISTCC_CMDLIST="$DAEMONS/one/cmdlist" \
			KOBJC_TOOLS="$DAEMONS/store" WHERE=one \
			"$DAEMONS/one/bin/kobjc" --cc=gcc --phase=remote "$@" \
			-O2 -c -o job.o job.i)
}

@test "distcc-remote: a helper is not a shell: a tool by path, a file argument, -wrapper, -specs, -B, -fplugin, @file and --symvers are refused, and nothing runs" {
	local bad
	store "$DAEMONS/store"
	helper one "$DAEMONS/store"
	# a bundle, as the client's kobjc makes it for distcc
	run --separate-stderr "$KOBJC" --cc=gcc --phase=remote \
		--objtool=sha256:"$(printf '%064d' 0)" -O2 -E answer.c
	assert_success
	printf '%s\n' "$output" >"$DAEMONS/one/tmp/job.i"
	grep -q '^#kobjc-part 0 ' "$DAEMONS/one/tmp/job.i"

	for bad in "--objtool=/bin/sh --objtool-arg=-c --objtool-arg=id>f" \
		"--objtool=sha256:$(printf '%064d' 0) --objtool-arg=-c --objtool-arg=id>f" \
		"-wrapper /bin/sh,-c,id>f" "-specs=/tmp/x.specs" "-B/tmp" \
		"-fplugin=/tmp/p.so" "@/tmp/opts" "-Wa,@/tmp/opts"; do
		# shellcheck disable=SC2086 # the words of one attempt
		run --separate-stderr helper_job $bad
		assert_success
		[[ $output == "#kobjc-ran 0 refused: "*"${bad%% *}"* ]] ||
			[[ $output == "#kobjc-ran 0 refused: --objtool-arg: "* ]] ||
			fail "$bad: not refused for it: $output"
		[ ! -s "$DAEMONS/one/tmp/job.o" ] || fail "$bad: an object was made"
		assert_absent "$DAEMONS/one/tmp/f"
	done
	# a compiler distccd's list does not name
	run --separate-stderr helper_job --cc=sh
	[[ $output == "#kobjc-ran 0 refused: compiler"* ]] || fail "sh: $output"
	assert_equal "$(ran_where)" ""
	# a file to write: refused before anything (no client sends it)
	rm -f "$BATS_TEST_TMPDIR/x.sv"
	run --separate-stderr helper_job --symvers="$BATS_TEST_TMPDIR/x.sv"
	assert_failure 1
	assert_equal "$stderr" "kobjc: helper refused: --symvers=$BATS_TEST_TMPDIR/x.sv names a file to write"
	assert_absent "$BATS_TEST_TMPDIR/x.sv"

	# and through distcc, as a client would send it: refused, exit 0
	DISTCC_HOSTS=$(hosts_of one)
	export DISTCC_HOSTS
	cp answer.c "$DAEMONS/one/tmp/"
	run --separate-stderr env PATH="$TOP:$PATH" distcc kobjc --cc=gcc --phase=remote \
		--objtool=/bin/sh --objtool-arg=-c '--objtool-arg=id > f' -O2 \
		-c -o via.o answer.c
	assert_success
	[[ $output == "#kobjc-ran 0 refused: --objtool=/bin/sh: "* ]] ||
		fail "not refused through distcc: $output"
	assert_compiles one answer.c 1
	[ -z "$(find "$DAEMONS" -name f)" ] || fail "id ran on the helper"
	assert_equal "$(ran_where)" ""
	assert_no_backoff
}

@test "distcc-remote: the bundle holds the symbol-version pass only for a source that can export; without it a helper leaves that step to the client" {
	local ot gk
	store "$DAEMONS/store"
	ot=sha256:$(awk '/objtool$/ { print $1 }' <<<"$output")
	gk=sha256:$(awk '/genksyms$/ { print $1 }' <<<"$output")
	helper one "$DAEMONS/store"
	run --separate-stderr "$KOBJC" --cc=gcc --phase=remote --genksyms="$gk" \
		-O2 -E plain.c
	assert_success
	assert_equal "$(grep -c '^#kobjc-part ' <<<"$output")" 1
	run --separate-stderr "$KOBJC" --cc=gcc --phase=remote --genksyms="$gk" \
		-O2 -E answer.c
	assert_success
	assert_equal "$(grep -c '^#kobjc-part ' <<<"$output")" 2
	# the second pass goes as its delta from the first: a few lines
	grep -A1 '^#kobjc-part 3 ' <<<"$output" | tail -n 1 | grep -qx '#kobjc-delta 0' ||
		fail "the symbol-version pass is not a delta"
	[ "$(sed -n 's/^#kobjc-part 3 //p' <<<"$output")" -lt 1000 ] ||
		fail "the delta is not small"
	# a delta from a part that is not before it: refused
	printf '%s\n' "$output" | sed 's/^#kobjc-delta 0$/#kobjc-delta 3/' \
		>"$DAEMONS/one/tmp/job.i"
	run --separate-stderr helper_job
	assert_success
	assert_output "#kobjc-ran 0 refused: not a bundle of cpp passes"
	run --separate-stderr "$KOBJC" --cc=gcc --phase=remote --genksyms="$gk" \
		-O2 -E answer.c
	assert_success

	# answer.c's bundle without its symbol-version pass (step 3)
	printf '%s\n' "$output" | sed '/^#kobjc-part 3 /,$d' >"$DAEMONS/one/tmp/job.i"
	run --separate-stderr helper_job --objtool="$ot" --objtool-arg=--orc \
		--genksyms="$gk" --genksyms-arg=-r --genksyms-arg=/dev/null
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$output" "#kobjc-ran 3 symbol versions: no pass in the bundle"
	[ -s "$DAEMONS/one/tmp/job.o" ] || fail "no object"
	assert_equal "$(ran_where)" "one objtool;"
	rm -f "$DAEMONS/one/tmp/job.o" "$DAEMONS/one/tmp/job.i"
	assert_no_temps "$DAEMONS"
}

@test "distcc-remote: a helper's compile phase (--phase=compile) refuses the same, with exit 1; nothing runs there" {
	local bad cc
	helper one
	gcc -O2 -E answer.c >"$DAEMONS/one/tmp/job.i"
	for bad in "-wrapper /bin/sh,-c,id>f" "-B/tmp" "-specs=/tmp/x.specs" \
		"@/tmp/opts" "--symvers=$BATS_TEST_TMPDIR/x.sv" "--cc=sh"; do
		# shellcheck disable=SC2086 # the words of one attempt
		run --separate-stderr bash -c 'cd "$1" && rm -f job.o f &&
			DISTCC_CMDLIST=$2 "$3" --cc=gcc --phase=compile "${@:4}" -O2 \
				-c -o job.o job.i' x "$DAEMONS/one/tmp" \
			"$DAEMONS/one/cmdlist" "$DAEMONS/one/bin/kobjc" $bad
		assert_failure 1
		[[ $stderr == "kobjc: helper refused: "* ]] || fail "$bad: $stderr"
		assert_absent "$DAEMONS/one/tmp/job.o" "$DAEMONS/one/tmp/f" \
			"$BATS_TEST_TMPDIR/x.sv"
	done
	# the same job, harmless, compiles; /usr/bin/ counts as no directory,
	# as for distccd
	for cc in gcc "$(command -v gcc)"; do
		run --separate-stderr bash -c 'cd "$1" && rm -f job.o &&
			DISTCC_CMDLIST=$2 "$3" --cc="$4" --phase=compile -O2 -c \
				-o job.o job.i' x "$DAEMONS/one/tmp" \
			"$DAEMONS/one/cmdlist" "$DAEMONS/one/bin/kobjc" "$cc"
		assert_success
		[ -s "$DAEMONS/one/tmp/job.o" ] || fail "$cc: no object"
	done
	rm -f "$DAEMONS/one/tmp/job.o" "$DAEMONS/one/tmp/job.i"
}

@test "distcc-remote: CC=/usr/bin/gcc goes as distccd takes it: the whole recipe on the helper" {
	local gcc
	gcc=$(command -v gcc)
	[[ $gcc == /usr/bin/* || $gcc == /bin/* ]] || skip "gcc is $gcc"
	store "$DAEMONS/store"
	helper one "$DAEMONS/store"
	local_ref answer
	DISTCC_HOSTS=$(hosts_of one)
	export DISTCC_HOSTS
	rm -f answer.o .answer.o.d answer.sv
	: >"$TOOL_LOG"
	flags_of answer
	run --separate-stderr env KOBJC_CC_LAUNCHER=distcc "$KOBJC" "${OPTS[@]}" \
		--symvers=answer.sv answer.o answer.c "$gcc" "${FLAGS[@]}"
	assert_success
	assert_equal "$stderr" ""
	assert_like_ref answer
	assert_equal "$(ran_where)" "one genksyms;one objtool;"
	assert_no_backoff
}

@test "distcc-remote: gcc in distcc's masquerade directory, first on PATH, takes the same path: the whole recipe on the helper" {
	store "$DAEMONS/store"
	helper one "$DAEMONS/store"
	local_ref answer
	mkdir -p "$BATS_TEST_TMPDIR/masq"
	ln -s "$(command -v distcc)" "$BATS_TEST_TMPDIR/masq/gcc"
	DISTCC_HOSTS=$(hosts_of one)
	export DISTCC_HOSTS
	build answer PATH="$BATS_TEST_TMPDIR/masq:$PATH"
	assert_success
	assert_equal "$stderr" ""
	assert_like_ref answer
	assert_equal "$(ran_where)" "one genksyms;one objtool;"
	assert_compiles one answer.c 1
	assert_no_backoff
}

@test "distcc-remote: a GCC plugin goes by digest: a helper whose store holds it runs the whole recipe, one without it nothing; both equal a local build" {
	command -v g++ >/dev/null || skip "no g++ to build a GCC plugin"
	[ -d "$(gcc -print-file-name=plugin)/include" ] || skip "no gcc-12-plugin-dev"
	local so=scripts/gcc-plugins/kobjc_test_plugin.so
	# as kbuild builds and passes its plugins (-fplugin=./scripts/...);
	# -DV2: the object has no .comment section, the plugin's mark
	mkdir -p "$TREE/scripts/gcc-plugins" scripts/gcc-plugins
	g++ -shared -fPIC -fno-rtti -O2 -DV2 -I"$(gcc -print-file-name=plugin)/include" \
		-o "$TREE/$so" "$BATS_TEST_DIRNAME/kbuild/test-plugin.cc"
	cp "$TREE/$so" "$so"
	chmod -R a+rX "$DAEMONS"
	store "$DAEMONS/store"
	run "$KOBJC" --store-tools="$DAEMONS/noplugin" "$TREE"
	assert_success
	grep -F "  $so" <<<"$output" | cut -d' ' -f1 | (cd "$DAEMONS/noplugin" && xargs rm -f)
	chmod -R a+rX "$DAEMONS"
	helper one "$DAEMONS/store"
	helper bare "$DAEMONS/noplugin"
	# shellcheck disable=SC2034 # read by flags_of
	EXTRA_FLAGS=("-fplugin=./$so")
	local_ref answer
	! objdump -h answer.o | grep -q '\.comment' || fail "the plugin did not run"
	DISTCC_HOSTS=$(hosts_of one)
	export DISTCC_HOSTS
	build answer KOBJC_CC_LAUNCHER=distcc KBUILD_VERBOSE=1
	assert_success
	assert_like_ref answer
	assert_equal "$(ran_where)" "one genksyms;one objtool;"
	grep -q -- "--plugin=sha256:[0-9a-f]*:./$so " <<<"$stderr" ||
		fail "the plugin was not sent by digest: $stderr"
	assert_compiles one answer.c 1
	# a helper without it runs nothing: the client all of it, as a local build
	built_on bare "client genksyms;client objtool;"
	assert_no_temps "$DAEMONS"
}
