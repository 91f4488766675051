#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr: set by bats' run --separate-stderr
# Why a lookup missed: after a build through ccache, kobjc --explain says
# whether the object was restored or missed, and for a miss what changed
# since the object's previous build through ccache, in words (a header,
# a flag, a tool, a variable); kobjc --why=DIR sums up a directory.
bats_require_minimum_version 1.5.0
load helper

setup() {
	common_setup
	unset KOBJC_CACHE KOBJC_CC_LAUNCHER KOBJC_DIGESTS OBJTOOL_ARGS
	export CCACHE_DIR=$BATS_TEST_TMPDIR/ccache
	# a source whose object -DDEBUG changes
	printf '#include "export.h"\nint dbg(void) {\n#ifdef DEBUG\nreturn 1;\n#endif\nreturn 0;\n}\nEXPORT_SYMBOL(dbg);\n' >dbg.c
	touch -d '1 hour ago' ./*.c ./*.h
	OBJTOOL=$TOOLS/objtool
}

teardown() { common_teardown; }

# build [FLAG...]: dbg.o through ccache
build() {
	rm -f dbg.o
	run --separate-stderr env KOBJC_CACHE=ccache "$KOBJC" --objtool="$OBJTOOL" \
		--objtool-arg=--orc --genksyms="$TOOLS/genksyms" --symvers=dbg.sv \
		dbg.o dbg.c gcc -O2 "$@" -Wp,-MMD,.dbg.o.d
	assert_success
}

# lookup [FLAG...]: --explain's lookup lines for dbg.o, in LOOKUP
lookup() {
	run -0 "$KOBJC" --explain dbg.o dbg.c gcc -O2 "$@" -Wp,-MMD,.dbg.o.d
	LOOKUP=$(sed -n '/^lookup/,/^$/p' <<<"$output" | sed '/^$/d')
}

@test "why: a first build, a hit, then each cause of a miss is named in words" {
	build
	lookup
	assert_equal "$LOOKUP" $'lookup   missed the last time it was built through ccache\n         no earlier record of this object'
	build
	lookup
	assert_equal "$LOOKUP" 'lookup   restored (a hit) the last time it was built through ccache'
	echo 'int more(void);' >>export.h
	build
	lookup
	assert_equal "$LOOKUP" $'lookup   missed the last time it was built through ccache\n         export.h changed'
	build -DDEBUG
	lookup -DDEBUG
	assert_equal "$LOOKUP" $'lookup   missed the last time it was built through ccache\n         flag -DDEBUG added'
	OBJTOOL_ARGS=--no-unreachable build -DDEBUG
	lookup -DDEBUG
	assert_equal "$LOOKUP" $'lookup   missed the last time it was built through ccache\n         env changed: OBJTOOL_ARGS unset -> OBJTOOL_ARGS=--no-unreachable'
	# objtool built again with other code (here: another section)
	echo other >"$BATS_TEST_TMPDIR/extra"
	objcopy --add-section .other="$BATS_TEST_TMPDIR/extra" "$TOOLS/objtool" "$BATS_TEST_TMPDIR/objtool"
	touch -d '1 hour ago' "$BATS_TEST_TMPDIR/objtool"
	OBJTOOL=$BATS_TEST_TMPDIR/objtool
	build -DDEBUG
	lookup -DDEBUG
	[[ $LOOKUP == *$'\n         objtool changed: '[0-9a-f]*' -> '[0-9a-f]* ]] ||
		fail "no objtool line: $LOOKUP"
}

@test "why: --why=DIR counts restored and missed objects and sums the misses by cause, slowest first" {
	build
	cp dbg.c dbg2.c
	rm -f dbg.o
	run -0 env KOBJC_CACHE=ccache "$KOBJC" dbg2.o dbg2.c gcc -O2 -Wp,-MMD,.dbg2.o.d
	build
	echo 'int more(void);' >>export.h
	run -0 env KOBJC_CACHE=ccache "$KOBJC" dbg2.o dbg2.c gcc -O2 -Wp,-MMD,.dbg2.o.d
	run -0 "$KOBJC" --why=.
	assert_line --index 0 "2 objects under $WORK built through ccache: 1 restored, 1 missed"
	assert_line --index 1 --regexp '^ +[0-9]+\.[0-9]+ s +1 miss +export\.h changed$'
	# another directory has none of them
	mkdir other
	run -0 "$KOBJC" --why=other
	assert_line --index 0 "0 objects under $WORK/other built through ccache: 0 restored, 0 missed"
}
