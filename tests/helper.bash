# Shared by every tests/*.bats: load with `load helper`.
# Gives: $KOBJC (the binary under test), $TOOLS (Linux 6.1's real objtool
# and genksyms, built by tests/kernel-tools), $WORK (a fresh directory per
# test, the cwd), $FAKEBIN (put first on PATH by use_fakes).
export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats}
bats_load_library bats-support
bats_load_library bats-assert

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
KOBJC=${KOBJC:-$TOP/kobjc}

common_setup() {
	TOOLS=$("$TOP/tests/kernel-tools")
	WORK=$BATS_TEST_TMPDIR/work
	FAKEBIN=$BATS_TEST_TMPDIR/bin
	mkdir -p "$WORK" "$FAKEBIN"
	cp "$TOP"/tests/demo/*.c "$TOP"/tests/demo/*.h "$WORK"/
	cd "$WORK"
	unset KBUILD_VERBOSE
}

# The full kbuild-like option set for the real tools.
real_tool_opts() {
	echo --objtool="$TOOLS/objtool" --objtool-arg=--orc \
		--genksyms="$TOOLS/genksyms" --genksyms-arg=-r \
		--genksyms-arg=/dev/null
}

# No file kobjc may leave behind: temporaries are named .tmp_*.
assert_no_temps() {
	local left
	left=$(find "${1:-$WORK}" -name '.tmp_*')
	[ -z "$left" ] || fail "temporary files left: $left"
}
