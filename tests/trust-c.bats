#!/usr/bin/env bats
# Issue 18, lost messages and failed builds: what a step prints reaches
# stderr whatever /tmp holds; an interrupt under ccache ends everything;
# --explain says "restored" or "ran" only from a record naming this very
# object; and ccache's hard_link objects are kobjc's to replace.
bats_require_minimum_version 1.5.0
load helper

setup() {
	common_setup
	unset $(compgen -e | grep '^CCACHE_') XDG_CACHE_HOME
	export CCACHE_DIR=$BATS_TEST_TMPDIR/ccache
}

teardown() { common_teardown; }

# Run ARGS... in a private mount namespace whose /tmp is a full 64 KiB
# tmpfs, with this test's directory (under /tmp too) bound back in place;
# the compiler's temporaries go there (gcc honours TMPDIR, tmpfile(3) does
# not). Skips where that is not allowed.
with_full_tmp() {
	[ "$(id -u)" -eq 0 ] || skip "needs root for a mount namespace"
	unshare -m sh -c 'mount -t tmpfs -o size=64k kobjc-test /tmp' \
		2>/dev/null || skip "cannot mount a tmpfs in a private mount namespace"
	# shellcheck disable=SC2016
	TMPDIR=$BATS_TEST_TMPDIR unshare -m sh -c '
		d=$TMPDIR
		mount --bind "$d" /mnt &&
			mount -t tmpfs -o size=64k kobjc-test /tmp &&
			mkdir -p "$d" && mount --bind /mnt "$d" && cd "$PWD" ||
			exit 99
		cat /dev/zero >/tmp/fill 2>/dev/null
		if echo x >/tmp/probe 2>/dev/null; then exit 98; fi
		exec "$@"' sh "$@"
}

@test "/tmp full: a compiler warning still reaches stderr, with exit 0" {
	printf '#warning "kobjc test warning"\nint answer_w;\n' >warn.c
	run --separate-stderr with_full_tmp "$KOBJC" warn.o warn.c gcc -O2
	assert_success
	[[ $stderr == *'warning: #warning "kobjc test warning"'* ]] ||
		fail "the warning was lost; stderr: $stderr"
	[ -s warn.o ]
	assert_no_temps
}

@test "/tmp full: a compiler error still reaches stderr, with the compile's exit status" {
	printf '#error "kobjc test error"\n' >bad.c
	run --separate-stderr with_full_tmp "$KOBJC" bad.o bad.c gcc -O2
	assert_failure 1
	[[ $stderr == *'error: #error "kobjc test error"'* ]] ||
		fail "the error was lost; stderr: $stderr"
	[[ $stderr == *"kobjc: bad.o: compile failed (exit 1)"* ]] ||
		fail "stderr: $stderr"
	assert_absent bad.o
	assert_no_temps
}

@test "/tmp full, under ccache: the warning is shown on the miss and on the hit" {
	printf '#warning "kobjc test warning"\nint answer_w;\n' >warn.c
	local n
	for n in miss hit; do
		rm -f warn.o
		run --separate-stderr with_full_tmp env KOBJC_CACHE=ccache \
			"$KOBJC" warn.o warn.c gcc -O2
		assert_success
		[[ $stderr == *'warning: #warning "kobjc test warning"'* ]] ||
			fail "the warning was lost on the $n; stderr: $stderr"
		[ -s warn.o ]
	done
	ccache --print-stats | grep -q '^local_storage_hit	1$' ||
		fail "no hit: $(ccache --print-stats | grep -E 'hit|miss')"
	assert_no_temps
}
