# Shared by every tests/*.bats: load with `load helper`.
# Gives: $KOBJC (the binary under test), $TOOLS (Linux 6.1's real objtool
# and genksyms, built by tests/kernel-tools), $WORK (a fresh directory per
# test, the cwd), $FAKEBIN (put first on PATH by use_fakes), and the
# kbuild-like option sets REAL_TOOL_OPTS and FAKE_TOOL_OPTS (arrays).
export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats}
# However the tests are started (make -C DIR check, from inside another
# make, plain bats, any locale): nothing of a calling make reaches the
# tests' own make calls (w would print "Entering directory" lines into
# compared output), and every tool speaks the C locale.
unset MAKEFLAGS MFLAGS MAKELEVEL GNUMAKEFLAGS MAKEFILES MAKEOVERRIDES
export LC_ALL=C
bats_load_library bats-support
bats_load_library bats-assert
bats_require_minimum_version 1.5.0

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
KOBJC=${KOBJC:-$TOP/kobjc}
CACHE=${KOBJC_KERNEL_CACHE:-$HOME/.cache/kobjc}

common_setup() {
	# tests/kernel-tools once per bats run
	if [ -s "$BATS_RUN_TMPDIR/kobjc-tools" ]; then
		TOOLS=$(cat "$BATS_RUN_TMPDIR/kobjc-tools")
	else
		TOOLS=$("$TOP/tests/kernel-tools")
		echo "$TOOLS" >"$BATS_RUN_TMPDIR/kobjc-tools"
	fi
	WORK=$BATS_TEST_TMPDIR/work
	FAKEBIN=$BATS_TEST_TMPDIR/bin
	FAKE_LOG=$BATS_TEST_TMPDIR/log
	export FAKE_LOG
	# the full kbuild-like option set for the real tools, and the same
	# through the fakes (use_fakes first)
	REAL_TOOL_OPTS=(--objtool="$TOOLS/objtool" --objtool-arg=--orc
		--genksyms="$TOOLS/genksyms" --genksyms-arg=-r
		--genksyms-arg=/dev/null)
	FAKE_TOOL_OPTS=(--objtool="$FAKEBIN/objtool" --objtool-arg=--orc
		--genksyms="$FAKEBIN/genksyms" --genksyms-arg=-r
		--genksyms-arg=/dev/null)
	mkdir -p "$WORK" "$FAKEBIN"
	cp "$TOP"/tests/demo/*.c "$TOP"/tests/demo/*.h "$WORK"/
	cd "$WORK" || return
	unset KBUILD_VERBOSE FAKE_FAULT FAKE_SAY KOBJC_CACHE KOBJC_CC_LAUNCHER \
		KOBJC_LOG
	# set on one kobjc call, KOBJC_TEST_TAG=$TEST_TAG marks it and every
	# process it starts: see tagged_procs
	TEST_TAG=kobjc-test-$$-$BATS_TEST_NUMBER-$RANDOM
	# a step that dies of SIGSEGV must not leave a core file behind
	ulimit -c 0
}

# Undo what a test left running or mounted, even when it failed.
common_teardown() {
	local pid m
	# only processes that carry this test's tag: never a recycled pid
	for pid in $(tagged_procs); do
		kill -KILL "$pid" 2>/dev/null
	done
	if [ -f "$BATS_TEST_TMPDIR/mounts" ]; then
		while read -r m; do
			umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
		done <"$BATS_TEST_TMPDIR/mounts"
		rm -f "$BATS_TEST_TMPDIR/mounts"
	fi
	cd /
}

# faults.bats and signals.bats: the fakes on PATH, foo.c to build, and a
# stale foo.o and foo.symvers that a failed run must not leave.
stale_setup() {
	common_setup
	use_fakes
	cp answer.c foo.c
	stale_object foo.o
	stale_symvers foo.symvers
}

# REAL_TOOL_OPTS and FAKE_TOOL_OPTS as words, for a test that still calls
# them: "${REAL_TOOL_OPTS[@]}" is the quoted form shellcheck accepts.
real_tool_opts() { echo "${REAL_TOOL_OPTS[@]}"; }
fake_tool_opts() { echo "${FAKE_TOOL_OPTS[@]}"; }

# Install tests/fakes/tool as gcc, objtool and genksyms in $FAKEBIN, first
# on PATH. Each logs its argv to $FAKE_LOG/STEP.log and runs the real tool
# unless FAKE_FAULT=STEP:MODE says otherwise (see tests/fakes/tool).
use_fakes() {
	local t
	# the real gcc, never a fake from an earlier use_fakes
	REAL_GCC=$(PATH=${PATH//"$FAKEBIN:"/} command -v gcc)
	REAL_OBJTOOL=$TOOLS/objtool
	REAL_GENKSYMS=$TOOLS/genksyms
	export REAL_GCC REAL_OBJTOOL REAL_GENKSYMS
	for t in gcc objtool genksyms; do
		cp "$TOP/tests/fakes/tool" "$FAKEBIN/$t"
		chmod 755 "$FAKEBIN/$t"
	done
	export PATH="$FAKEBIN:$PATH"
}

# The argv lines a fake logged for STEP (compile, cpp, objtool, genksyms).
fake_log() {
	cat "$FAKE_LOG/$1.log" 2>/dev/null || true
}

# Words quoted as the fakes log them.
quoted() {
	local line
	line=$(printf '%q ' "$@")
	printf '%s\n' "${line% }"
}

# No file kobjc may leave behind: temporaries are named .tmp_*.
assert_no_temps() {
	local left
	left=$(find "${1:-$WORK}" -name '.tmp_*')
	[ -z "$left" ] || fail "temporary files left: $left"
}

assert_absent() {
	local f
	for f; do
		if [ -e "$f" ] || [ -L "$f" ]; then
			fail "$f should not exist"
		fi
	done
}

# A listing of DIR that changes when any file in it is created, removed,
# renamed, chmodded, written or touched.
snapshot() {
	(cd "${1:-$WORK}" && find . -printf '%p %y %m %s %i %T@\n' |
		LC_ALL=C sort &&
		find . -type f -exec sha256sum {} + | LC_ALL=C sort)
}

# Poll until CMD... succeeds: a bound against hangs (30 s), not a timing.
poll_until() {
	local i
	for ((i = 0; i < 600; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

# Wait for FILE to appear, not empty.
wait_for_file() {
	poll_until test -s "$1" || fail "$1 never appeared"
}

# Is PID gone (not even a zombie)?
pid_gone() {
	! kill -0 "$1" 2>/dev/null
}

# The pids of live processes started with KOBJC_TEST_TAG=$TEST_TAG in their
# environment: a kobjc call so marked, and everything it started.
tagged_procs() {
	grep -lsaz -- "^KOBJC_TEST_TAG=$TEST_TAG\$" /proc/[0-9]*/environ |
		sed 's|^/proc/\([0-9]*\)/environ$|\1|'
	return 0
}

# Wait until no tagged process is left.
no_tagged_procs() { [ -z "$(tagged_procs)" ]; }
wait_tagged_gone() {
	poll_until no_tagged_procs || fail "processes left: $(tagged_procs)"
}

# Mount a tmpfs with OPTIONS on DIR, undone by common_teardown. Skips the
# test (with the reason) when not root or mounting is not allowed.
mount_tmpfs() {
	local dir=$1 options=$2
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"
	mkdir -p "$dir"
	mount -t tmpfs -o "$options" kobjc-test "$dir" 2>/dev/null ||
		skip "cannot mount a tmpfs here (no CAP_SYS_ADMIN?)"
	echo "$dir" >>"$BATS_TEST_TMPDIR/mounts"
}

# Linux 6.1's scripts/check-local-export from the linux-source tarball,
# extracted once into the same cache as tests/kernel-tools.
check_local_export_script() {
	local tarball=/usr/src/linux-source-6.1.tar.xz version dir tmp
	version=$(dpkg-query -W -f='${Version}' linux-source-6.1)
	dir=$CACHE/scripts-$version
	if [ ! -f "$dir/check-local-export" ]; then
		mkdir -p "$dir"
		tmp=$(mktemp -d "$dir/.x.XXXXXX")
		tar -xJf "$tarball" -C "$tmp" \
			linux-source-6.1/scripts/check-local-export >&2
		mv "$tmp/linux-source-6.1/scripts/check-local-export" "$dir/"
		rm -rf "$tmp"
	fi
	echo "$dir/check-local-export"
}

# An old object or --symvers file that kobjc may replace: one it could have
# made (ELF; #SYMVER lines). kobjc refuses to replace anything else.
stale_object() { printf '\177ELF stale object\n' >"$1"; }
stale_symvers() { echo '#SYMVER stale 0x00000000' >"$1"; }
