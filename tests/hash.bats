#!/usr/bin/env bats
# The recipe hash: SHA-256 (FIPS 180-4) of the canonical recipe dump, the
# same for any build of kobjc, different when the table changes.
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
	assert_line --index 0 --regexp '^kobjc-recipe kbuild-6\.1 version [0-9]+$'
	assert_equal "$(grep '^step ' <<<"$output")" "step compile
step objtool
step local-export check
step symbol versions"
	assert_line 'run $CC $FLAGS -c -o $OUT $IN'
	assert_line 'run $OBJTOOL $OBJTOOL_ARGS $OUT'
	assert_line 'run $CC -E -D__GENKSYMS__ $FLAGS_NODEP $IN'
	assert_line 'pipe $GENKSYMS $GENKSYMS_ARGS'
	assert_line 'when elf-symbol __ksymtab $OUT'
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
	local n data
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
	sed -i 's/"-D__GENKSYMS__"/"-D__GENKSYMZ__"/' src/kobjc.h
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
	assert_equal "$dump" '< run $CC -E -D__GENKSYMS__ $FLAGS_NODEP $IN
> run $CC -E -D__GENKSYMZ__ $FLAGS_NODEP $IN'
}

@test "the other recipe in kobjc.h (KOBJC_RECIPE_2009) has another hash" {
	cc -std=c11 -O0 -static -DKOBJC_RECIPE_2009 -o kobjc-2009 "$TOP/kobjc.c"
	run --separate-stderr ./kobjc-2009 --recipe-hash
	assert_success
	assert_output --regexp '^[0-9a-f]{64}$'
	[ "$output" != "$("$KOBJC" --recipe-hash)" ] || fail "same hash"
	./kobjc-2009 --recipe-dump | grep -q '^kobjc-recipe 2009-two-step '
}
