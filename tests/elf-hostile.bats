#!/usr/bin/env bats
# kobjc reads the object its compiler (or objtool) wrote and trusts none of
# it. Here: the kept fuzz corpus through the ELF reader under ASan and UBSan
# (tests/fuzz/elf_fuzz.c), and broken objects through kobjc itself, made by
# tests/fuzz/elfcraft.py from a real gcc object, 64- and 32-bit, both byte
# orders, and handed to kobjc by a fake compiler.
load helper

setup_file() {
	local objs=$BATS_FILE_TMPDIR/objs arch
	mkdir -p "$objs"
	# answer.c: exports, so it has __ksymtab symbols and sections
	cp "$BATS_TEST_DIRNAME"/demo/answer.c \
		"$BATS_TEST_DIRNAME"/demo/export.h "$objs"/
	VARIANTS=
	for arch in 64 32; do
		gcc -m$arch -O2 -c -o "$objs/elf$arch-lsb.o" "$objs/answer.c" 2>/dev/null ||
			continue
		python3 "$BATS_TEST_DIRNAME/fuzz/elfcraft.py" swap \
			"$objs/elf$arch-lsb.o" "$objs/elf$arch-msb.o"
		VARIANTS="$VARIANTS elf$arch-lsb elf$arch-msb"
	done
	[ -n "$VARIANTS" ] || {
		echo "gcc made no object" >&2
		return 1
	}
	export VARIANTS
}

setup() {
	common_setup
	OBJS=$BATS_FILE_TMPDIR/objs
	CRAFT=$TOP/tests/fuzz/elfcraft.py
	# fakecc: a compiler that writes $FAKECC_OBJ to its -o file, or with
	# FAKECC_FIFO set puts a FIFO in its place
	cat >"$FAKEBIN/fakecc" <<-'EOF'
		#!/bin/sh
		while [ $# -gt 0 ]; do
			[ "$1" = -o ] && out=$2
			shift
		done
		if [ -n "${FAKECC_FIFO:-}" ]; then
			rm -f "$out" && mkfifo "$out"
		else
			cat "$FAKECC_OBJ" >"$out"
		fi
	EOF
	# fakeobjtool: replaces the object (its last argument) with $FAKECC_OBJ
	cat >"$FAKEBIN/fakeobjtool" <<-'EOF'
		#!/bin/sh
		for obj; do :; done
		cat "$FAKECC_OBJ" >"$obj"
	EOF
	chmod 755 "$FAKEBIN/fakecc" "$FAKEBIN/fakeobjtool"
	export PATH="$FAKEBIN:$PATH"
}

teardown() {
	if declare -F common_teardown >/dev/null; then
		common_teardown
	fi
}

# Build (once per file) the replay driver with a compiler whose ASan and
# UBSan work here, into $REPLAY; skip the test if there is none.
replay_driver() {
	local cc
	REPLAY=$BATS_FILE_TMPDIR/elf_fuzz
	[ -x "$REPLAY" ] && return 0
	for cc in ${CC:-gcc} clang; do
		command -v "$cc" >/dev/null || continue
		echo 'int main(void) { return 0; }' >"$BATS_FILE_TMPDIR/t.c"
		"$cc" -fsanitize=address,undefined -o "$BATS_FILE_TMPDIR/t" \
			"$BATS_FILE_TMPDIR/t.c" 2>/dev/null &&
			"$BATS_FILE_TMPDIR/t" || continue
		"$cc" -std=c11 -Wall -Wextra -Werror -g -O1 -DREPLAY \
			-fsanitize=address,undefined -fno-sanitize-recover=all \
			-o "$REPLAY" "$TOP/tests/fuzz/elf_fuzz.c"
		return
	done
	skip "no C compiler here with working -fsanitize=address,undefined (gcc needs libasan and libubsan; or install clang)"
}

assert_replays_clean() {
	run "$REPLAY" "$@"
	assert_success
	refute_output --partial 'Sanitizer'
	refute_output --partial 'runtime error'
	assert_output --regexp '^elf_fuzz: replayed [1-9][0-9]* inputs$'
}

@test "the kept fuzz corpus replays through the ELF reader with no ASan or UBSan report" {
	replay_driver
	[ -n "$(ls "$TOP/tests/fuzz/corpus")" ] || fail "tests/fuzz/corpus is empty"
	assert_replays_clean "$TOP/tests/fuzz/corpus"
}

@test "fresh gcc objects, 64- and 32-bit, both byte orders, replay with no sanitizer report" {
	replay_driver
	"$TOP/tests/fuzz/seeds" "$BATS_TEST_TMPDIR/seeds"
	assert_replays_clean "$BATS_TEST_TMPDIR/seeds"
}

# kobjc on the object fakecc writes: it must build. The control for the
# hostile cases below, which break these same objects.
@test "the unbroken objects of every variant build through the fake compiler" {
	local v
	for v in $VARIANTS; do
		FAKECC_OBJ=$OBJS/$v.o run "$KOBJC" foo.o plain.c fakecc -O2
		[ "$status" -eq 0 ] || fail "$v: exit $status: $output"
		[ -z "$output" ] || fail "$v: said: $output"
		cmp -s "$OBJS/$v.o" foo.o || fail "$v: foo.o is not the object"
		rm foo.o
	done
	assert_no_temps
}

# refused CASE WHAT [STEP]: each variant broken as elfcraft.py CASE, written
# by STEP's tool (compile: fakecc, objtool: fakeobjtool), makes kobjc exit 1
# with the one line "kobjc: STEP: output foo.o is not a valid object: WHAT",
# leaving neither foo.o nor a temporary.
refused() {
	local case=$1 what=$2 step=${3:-compile} v bad want
	want="${KOBJC##*/}: $step: output foo.o is not a valid object: $what"
	for v in $VARIANTS; do
		bad=$BATS_TEST_TMPDIR/$v-$case.o
		python3 "$CRAFT" "$case" "$OBJS/$v.o" "$bad"
		stale_object foo.o
		if [ "$step" = objtool ]; then
			FAKECC_OBJ=$bad run "$KOBJC" --objtool=fakeobjtool \
				foo.o plain.c gcc -O2
		else
			FAKECC_OBJ=$bad run "$KOBJC" foo.o plain.c fakecc -O2
		fi
		[ "$status" -lt 128 ] || fail "$v $case: kobjc died: exit $status: $output"
		[ "$status" -eq 1 ] || fail "$v $case: exit $status, not 1: $output"
		[ "$output" = "$want" ] ||
			fail "$v $case: said \"$output\", not \"$want\""
		[ ! -e foo.o ] || fail "$v $case: foo.o left behind"
		assert_no_temps
	done
}

@test "a truncated object (a real one cut in half) is refused" {
	refused truncated "section headers past the end of the file"
}

@test "a file that is not ELF is refused" {
	refused not-elf "not an ELF file"
}

@test "an ELF header cut short is refused" {
	refused truncated-header "truncated ELF header"
}

@test "a 0-byte object is refused" {
	refused empty "empty file"
}

@test "ELF class 3 is refused" {
	refused class-3 "unknown ELF class"
}

@test "ELF byte order 3 is refused" {
	refused byte-order-3 "unknown ELF byte order"
}

@test "an object without section headers (e_shoff 0) is refused" {
	refused no-section-headers "no section headers"
}

@test "a section header offset past the end of the file is refused" {
	refused shoff-past-end "section headers past the end of the file"
}

@test "a huge e_shnum is refused" {
	refused huge-shnum "section headers past the end of the file"
}

@test "a huge extended section count (e_shnum 0, section 0 sh_size) is refused" {
	refused extended-shnum "section headers past the end of the file"
}

@test "a bad e_shentsize is refused" {
	refused bad-shentsize "bad section header size"
}

@test "a section whose sh_offset + sh_size overflows is refused" {
	refused section-overflow "section data past the end of the file"
}

@test "a section whose data lies past the end of the file is refused" {
	refused section-past-end "section data past the end of the file"
}

@test "a symbol table overlapping its string table is refused" {
	refused overlapping "symbol table overlaps its string table"
}

@test "a symbol table whose sh_link is out of range is refused" {
	refused strtab-link-out-of-range "symbol table has no string table"
}

@test "a symbol table whose sh_link is not a string table is refused" {
	refused strtab-link-not-strtab "symbol table has no string table"
}

@test "a bad symbol table entry size is refused" {
	refused bad-symentsize "bad symbol table entry size"
}

@test "a string table not NUL-terminated is refused" {
	refused strtab-unterminated "string table not terminated"
}

@test "a symbol whose st_name is past the string table is refused, naming the step" {
	refused symbol-name-past-strtab "symbol name past the end of the string table"
}

@test "a broken object written by objtool is refused, naming objtool" {
	refused truncated "section headers past the end of the file" objtool
	refused symbol-name-past-strtab "symbol name past the end of the string table" objtool
}

@test "a compile output replaced by a FIFO is refused without being opened" {
	FAKECC_FIFO=1 run timeout 20 "$KOBJC" foo.o plain.c fakecc -O2
	assert_failure 1
	assert_output "${KOBJC##*/}: compile: output foo.o is not a valid object: not a regular file"
	[ ! -e foo.o ]
	assert_no_temps
}

@test "200000 symbols under one name and its __ksymtab_ are checked in linear time" {
	local v
	for v in $VARIANTS; do
		python3 "$CRAFT" dup-symbols "$OBJS/$v.o" big.o
		# quadratic: (100000 * 100000) strcmp, minutes; n log n: < 1 s
		FAKECC_OBJ=big.o run timeout 30 "$KOBJC" foo.o plain.c fakecc -O2
		[ "$status" -eq 0 ] || fail "$v: exit $status: $output"
		cmp -s big.o foo.o || fail "$v: foo.o is not the object"
		rm foo.o
	done
}
