#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr: set by bats' run --separate-stderr
# The recipe hash: SHA-256 (FIPS 180-4) of the recipe's text as kobjc.h
# has it (--recipe-dump), the same for any build of kobjc, different when
# one word of the text changes.
load helper

setup() { common_setup; }
teardown() { common_teardown; }

sha() {
	"$KOBJC" --sha256
}

@test "--recipe-hash is the SHA-256 of --recipe-dump" {
	run --separate-stderr "$KOBJC" --recipe-hash
	assert_success
	assert_output --regexp '^[0-9a-f]{64}$'
	assert_equal "$output" "$("$KOBJC" --recipe-dump | sha256sum | cut -d' ' -f1)"
	assert_equal "$output" "$("$KOBJC" --recipe-dump | sha)"
}

@test "--recipe-dump names every step, its condition and its command" {
	run --separate-stderr "$KOBJC" --recipe-dump
	assert_success
	assert_line --index 0 --regexp '^recipe kbuild-6\.1 version [0-9]+$'
	assert_equal "$(grep '^step ' <<<"$output")" "step compile
step objtool
step local-export check
step symbol versions"
	assert_line $'\trun $CC $FLAGS -c -o $OUT $IN'
	assert_line $'\trun $OBJTOOL $OBJTOOL_ARGS $OUT'
	assert_line $'\trun $CC -E -D__GENKSYMS__ $FLAGS_NODEP $IN'
	assert_line $'\tpipe $GENKSYMS $GENKSYMS_ARGS'
	assert_line $'\twhen elf-symbol __ksymtab $OUT'
}

# The text of recipe NAME as kobjc.h spells it: its C string literals
# between the /* NAME */ comment and the next recipe's, undone.
text_in_header() {
	awk -v name="$1" '
		$0 == "\t/* " name " */" { on = 1; next }
		on && /^\t\/\* / { exit }
		on && /^\t+"/ { sub(/^\t+"/, ""); sub(/"[,]?$/, ""); print }
	' "$TOP/kobjc.h" | sed 's/\\n$//; s/\\t/\t/g; s/\\"/"/g; s/\\\\/\\/g'
}

@test "--recipe-dump=NAME prints the recipe's text in kobjc.h byte for byte, then the texts it borrows from" {
	local name
	for name in kbuild-6.1 kbuild-6.12 kbuild-7.3 2009-two-step; do
		text_in_header "$name" >want
		[ -s want ] || fail "no text for $name in kobjc.h"
		"$KOBJC" --recipe-dump="$name" >dump
		head -c "$(wc -c <want)" dump | cmp - want ||
			fail "$name: the dump is not kobjc.h's text"
	done
	# kbuild-6.12 borrows from kbuild-6.1: its dump is both texts
	text_in_header kbuild-6.12 >want
	echo >>want
	text_in_header kbuild-6.1 >>want
	"$KOBJC" --recipe-dump=kbuild-6.12 | cmp - want
}

@test "--sha256 matches the FIPS 180-4 / NIST test vectors" {
	assert_equal "$(printf '' | sha)" \
		e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
	assert_equal "$(printf 'abc' | sha)" \
		ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
	assert_equal "$(printf 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq' | sha)" \
		248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1
	assert_equal "$(printf 'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu' | sha)" \
		cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1
	assert_equal "$(head -c 1000000 /dev/zero | tr '\0' a | sha)" \
		cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0
}

@test "--sha256 agrees with sha256sum at every length around the padding boundaries" {
	local n
	head -c 300 /dev/urandom >random
	for n in 0 1 2 31 54 55 56 57 62 63 64 65 111 119 120 127 128 129 191 192 255 256 300; do
		head -c $n random >part
		assert_equal "$(sha <part)" "$(sha256sum <part | cut -d' ' -f1)"
	done
	# and stdin arriving in small pieces
	assert_equal "$( (for n in 1 2 3; do head -c 100 random; sleep 0.01; done) | sha)" \
		"$( (for n in 1 2 3; do head -c 100 random; done) | sha256sum | cut -d' ' -f1)"
}

@test "the recipe hash is the same for kobjc built with -O0 and -O2" {
	cc -std=c11 -O0 -static -o kobjc-O0 "$TOP/kobjc.c"
	cc -std=c11 -O2 -static -o kobjc-O2 "$TOP/kobjc.c"
	local h
	h=$("$KOBJC" --recipe-hash)
	assert_equal "$(./kobjc-O0 --recipe-hash)" "$h"
	assert_equal "$(./kobjc-O2 --recipe-hash)" "$h"
	assert_equal "$(printf abc | ./kobjc-O0 --sha256)" "$(printf abc | ./kobjc-O2 --sha256)"
	# nor does it depend on where or how it is run
	assert_equal "$(cd / && env -i "$KOBJC" --recipe-hash)" "$h"
}

@test "the recipe hash changes when one word of a step changes" {
	mkdir src
	cp "$TOP/kobjc.c" "$TOP/kobjc.h" src/
	sed -i 's/run \$CC -E -D__GENKSYMS__ /run $CC -E -D__GENKSYMZ__ /' src/kobjc.h
	[ "$(grep -c __GENKSYMZ__ src/kobjc.h)" -ge 1 ]
	cc -std=c11 -O0 -static -o kobjc-changed src/kobjc.c
	local h dump
	h=$("$KOBJC" --recipe-hash)
	run --separate-stderr ./kobjc-changed --recipe-hash
	assert_success
	assert_output --regexp '^[0-9a-f]{64}$'
	[ "$output" != "$h" ] || fail "hash unchanged: $h"
	assert_equal "$output" "$(./kobjc-changed --recipe-dump | sha256sum | cut -d' ' -f1)"
	# the dumps differ in exactly that word
	dump=$(diff <("$KOBJC" --recipe-dump) <(./kobjc-changed --recipe-dump) | grep '^[<>]')
	assert_equal "$dump" $'< \trun $CC -E -D__GENKSYMS__ $FLAGS_NODEP $IN\n> \trun $CC -E -D__GENKSYMZ__ $FLAGS_NODEP $IN'
	# a recipe that borrows a step changes with it
	[ "$(./kobjc-changed --recipe-hash=kbuild-6.12)" != "$("$KOBJC" --recipe-hash=kbuild-6.12)" ] ||
		fail "kbuild-6.12 borrows from kbuild-6.1, and kept its hash"
}

@test "every recipe has its own hash, the SHA-256 of its own dump" {
	local name hashes=
	for name in kbuild-6.1 kbuild-6.12 kbuild-7.3 2009-two-step; do
		run --separate-stderr "$KOBJC" --recipe-hash="$name"
		assert_success
		assert_output --regexp '^[0-9a-f]{64}$'
		assert_equal "$output" "$("$KOBJC" --recipe-dump="$name" | sha)"
		assert_equal "$output" "$("$KOBJC" --recipe="$name" --recipe-hash)"
		"$KOBJC" --recipe-dump="$name" | head -n 1 | grep -qx "recipe $name version [0-9]*"
		[[ $hashes != *"$output"* ]] || fail "$name: a hash seen before"
		hashes+=" $output"
	done
	# the default is the first, kbuild-6.1
	assert_equal "$("$KOBJC" --recipe-hash)" "$("$KOBJC" --recipe-hash=kbuild-6.1)"
}

@test "--recipes lists every recipe with its hash; --version shows them too" {
	run --separate-stderr "$KOBJC" --recipes
	assert_success
	assert_equal "$(awk '{ print $1 }' <<<"$output")" "kbuild-6.1
kbuild-6.12
kbuild-7.3
2009-two-step"
	assert_line --index 2 --regexp "^kbuild-7\.3 +$("$KOBJC" --recipe-hash=kbuild-7.3) "
	run --separate-stderr "$KOBJC" --version
	assert_line --index 0 --regexp '^kobjc [0-9.]+$'
	assert_line --index 1 --regexp "^kbuild-6\.1 +$("$KOBJC" --recipe-hash) "
}

@test "what each generation changes is in its table: markers, steps, .cmd spelling" {
	local d61 d612 d73
	d61=$("$KOBJC" --recipe-dump=kbuild-6.1)
	d612=$("$KOBJC" --recipe-dump=kbuild-6.12)
	d73=$("$KOBJC" --recipe-dump=kbuild-7.3)
	grep -qx 'exports __ksymtab_' <<<"$d61"
	grep -qx 'saved cmd_' <<<"$d61"
	grep -qx 'exports __export_symbol_' <<<"$d612"
	grep -qx 'saved savedcmd_' <<<"$d612"
	grep -qx $'\twhen elf-symbol-prefix __export_symbol_ $OUT' <<<"$d612"
	! "$KOBJC" --recipe-dump=kbuild-6.12 | sed '/^$/q' | grep -q 'local-export check$' ||
		fail "6.12 has no local-export check"
	assert_equal "$(sed -n '1,/^kbuild /p' <<<"$d73" | grep '^step ')" "step compile as kbuild-6.1
step objtool as kbuild-6.1
step symbol versions as kbuild-6.12
step symbol versions (DWARF)"
	grep -qx $'\tstdin export-names' <<<"$d73"
	grep -qx $'\trun $GENDWARFKSYMS $GENDWARFKSYMS_ARGS $OUT' <<<"$d73"
}

@test "--recipe-check passes every text; a bad word or a list too long stops kobjc with the recipe and the line" {
	run --separate-stderr "$KOBJC" --recipe-check
	assert_success
	assert_equal "$(wc -l <<<"$output")" 4
	# nine words in a process of at most eight
	mkdir src
	cp "$TOP/kobjc.c" "$TOP/kobjc.h" src/
	sed -i 's/ -D__GENKSYMS__ \$FLAGS_NODEP/ -D__GENKSYMS__ -D1 -D2 -D3 -D4 $FLAGS_NODEP/' src/kobjc.h
	grep -q ' -D4 ' src/kobjc.h
	cc -std=c11 -O0 -static -o kobjc-long src/kobjc.c
	run --separate-stderr ./kobjc-long --recipe-check
	assert_failure 1
	assert_equal "$stderr" "kobjc-long: kobjc.h: recipe kbuild-6.1, line 44: more than 8 words"
	# nor will it build with it
	run --separate-stderr ./kobjc-long out.o answer.c gcc
	assert_failure 1
	assert_absent out.o
	# a misspelt word
	cp "$TOP/kobjc.h" src/
	sed -i '0,/\\twhen given objtool/s//\\twhen gvien objtool/' src/kobjc.h
	cc -std=c11 -O0 -static -o kobjc-word src/kobjc.c
	run --separate-stderr ./kobjc-word --recipe-check
	assert_failure 1
	assert_equal "$stderr" "kobjc-word: kobjc.h: recipe kbuild-6.1, line 25: unknown condition 'gvien'"
	# and a variable no tool of the recipe gives
	cp "$TOP/kobjc.h" src/
	sed -i 's/run \$OBJTOOL \$OBJTOOL_ARGS \$OUT/run $OBJTOOL $GENDWARFKSYMS_ARGS $OUT/' src/kobjc.h
	cc -std=c11 -O0 -static -o kobjc-var src/kobjc.c
	run --separate-stderr ./kobjc-var --recipe-check
	assert_failure 1
	[[ $stderr == *'recipe kbuild-6.1: step objtool: unknown variable $GENDWARFKSYMS_ARGS'* ]]
}

@test "an unknown recipe, or a tool the recipe does not run, is bad usage" {
	run --separate-stderr "$KOBJC" --recipe=kbuild-9.9 out.o answer.c gcc
	assert_failure 2
	assert_equal "$stderr" "kobjc: unknown recipe 'kbuild-9.9' (this kobjc has kbuild-6.1, kbuild-6.12, kbuild-7.3, 2009-two-step)"
	run --separate-stderr "$KOBJC" --recipe=kbuild-6.12 --gendwarfksyms=/bin/true out.o answer.c gcc
	assert_failure 2
	assert_equal "$stderr" "kobjc: --gendwarfksyms given, but recipe kbuild-6.12 runs no gendwarfksyms"
	assert_absent out.o
}
