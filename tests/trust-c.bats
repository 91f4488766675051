#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr: set by bats' run --separate-stderr
# Issue 18, lost messages and failed builds: what a step prints reaches
# stderr whatever /tmp holds; an interrupt under ccache ends everything;
# --explain says "restored" or "ran" only from a record naming this very
# object; and ccache's hard_link objects are kobjc's to replace.
bats_require_minimum_version 1.5.0
load helper

setup() {
	common_setup
	# shellcheck disable=SC2046 # one name a word
	unset $(compgen -e | grep '^CCACHE_') XDG_CACHE_HOME
	export CCACHE_DIR=$BATS_TEST_TMPDIR/ccache
	CCW=(gcc)
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

@test "a message that cannot be passed on (stderr is /dev/full) fails the build" {
	printf '#warning "kobjc test warning"\nint answer_w;\n' >warn.c
	run sh -c '"$@" 2>/dev/full' sh "$KOBJC" warn.o warn.c gcc -O2
	assert_failure 1
	assert_absent warn.o
	assert_no_temps
	# nothing to pass on: no failure
	run sh -c '"$@" 2>/dev/full' sh "$KOBJC" plain.o plain.c gcc -O2
	assert_success
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

# Has process PID ended (gone, or a zombie its parent has not reaped)?
ended() {
	[ ! -e "/proc/$1" ] || [ "$(awk '{ print $3 }' "/proc/$1/stat")" = Z ]
}

# wait_ended PID SIGNAL: kobjc (PID) must end within 10 s of SIGNAL. The
# hung compiler sleeps 30 s: 10 s is a bound, not a timing.
wait_ended() {
	local i
	for ((i = 0; i < 200; i++)); do
		ended "$1" && return 0
		sleep 0.05
	done
	fail "kobjc still runs 10 s after $2: $(tagged_procs)"
}

parent_of() { awk '{ print $4 }' "/proc/$1/stat"; }

# interrupt_cached SIG ENV...: kobjc builds foo.o under ccache (ENV... or
# CCW says how) and the fake compiler hangs (FAKE_ONLY=foo.c: the compile
# ccache runs; without it, the first "gcc" kobjc runs, its compiler check
# "gcc -print-prog-name=cc1"). SIG sent to kobjc alone must end kobjc,
# ccache, the kobjc ccache runs and the compiler within a few seconds, with
# kobjc dying of SIG.
interrupt_cached() {
	local sig=$1 pid child st=0 n
	shift
	n=$(kill -l "$sig")
	use_fakes
	cp answer.c foo.c
	env "$@" FAKE_FAULT=compile:block KOBJC_TEST_TAG="$TEST_TAG" \
		"$KOBJC" foo.o foo.c "${CCW[@]}" -O2 >out 2>err &
	pid=$!
	wait_for_file "$FAKE_LOG/compile.started"
	child=$(cat "$FAKE_LOG/compile.started")
	kill -0 "$child"
	if [[ " $* " == *" FAKE_ONLY=foo.c "* ]]; then
		# the compile ccache runs, in the kobjc ccache runs
		[ "$(cat "/proc/$(parent_of "$(parent_of "$child")")/comm")" = ccache ] ||
			fail "the hung compile is not under ccache"
	fi
	kill -"$sig" "$pid"
	wait_ended "$pid" "SIG$sig"
	wait "$pid" || st=$?
	assert_equal "$st" $((128 + n))
	wait_tagged_gone
	pid_gone "$child" || fail "the compiler (pid $child) still runs"
	assert_absent foo.o
	assert_no_temps
	assert_equal "$(cat out)" ''
}

@test "KOBJC_CACHE=ccache, the compile hung: SIGINT to kobjc alone ends everything, kobjc dies of SIGINT" {
	interrupt_cached INT KOBJC_CACHE=ccache FAKE_ONLY=foo.c
}

@test "KOBJC_CACHE=ccache, the compile hung: SIGHUP to kobjc alone ends everything" {
	interrupt_cached HUP KOBJC_CACHE=ccache FAKE_ONLY=foo.c
}

@test "KOBJC_CACHE=ccache, the compile hung: SIGQUIT to kobjc alone ends everything" {
	interrupt_cached QUIT KOBJC_CACHE=ccache FAKE_ONLY=foo.c
}

@test "KOBJC_CACHE=ccache, the compile hung: SIGTERM to kobjc alone ends everything" {
	interrupt_cached TERM KOBJC_CACHE=ccache FAKE_ONLY=foo.c
}

@test "CC='ccache gcc', the compile hung: SIGINT to kobjc alone ends everything" {
	CCW=(ccache gcc)
	interrupt_cached INT FAKE_ONLY=foo.c
}

@test "KOBJC_CACHE=ccache, the compile hung: SIGINT to the whole process group (a terminal's ^C) still ends everything" {
	local pid child st=0
	use_fakes
	cp answer.c foo.c
	KOBJC_CACHE=ccache FAKE_ONLY=foo.c FAKE_FAULT=compile:block \
		KOBJC_TEST_TAG="$TEST_TAG" setsid env --default-signal=INT \
		"$KOBJC" foo.o foo.c gcc -O2 >out 2>err &
	pid=$!
	wait_for_file "$FAKE_LOG/compile.started"
	child=$(cat "$FAKE_LOG/compile.started")
	[ "$(awk '{ print $5 }' "/proc/$pid/stat")" = "$pid" ] ||
		fail "kobjc does not lead its own process group"
	kill -INT -- "-$pid"
	wait_ended "$pid" SIGINT
	wait "$pid" || st=$?
	assert_equal "$st" 130
	wait_tagged_gone
	pid_gone "$child" || fail "the compiler (pid $child) still runs"
	assert_absent foo.o
	assert_no_temps
}

@test "a signal while kobjc asks gcc for its cc1 (before ccache runs): no later step starts" {
	interrupt_cached INT KOBJC_CACHE=ccache
}

# Mount a ramfs (no user extended attributes) on DIR, undone by
# common_teardown. Skips when not root or mounting is not allowed.
mount_ramfs() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a ramfs"
	mkdir -p "$1"
	mount -t ramfs kobjc-test "$1" 2>/dev/null ||
		skip "cannot mount a ramfs here (no CAP_SYS_ADMIN?)"
	echo "$1" >>"$BATS_TEST_TMPDIR/mounts"
}

# Can FILE carry a user extended attribute?
has_user_xattrs() {
	python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.kobjc-test", b"1"); os.removexattr(sys.argv[1], "user.kobjc-test")' "$1" 2>/dev/null
}

# build_cached DIR: answer.o built in DIR under KOBJC_CACHE=ccache.
build_cached() {
	(cd "$1" && KOBJC_CACHE=ccache "$KOBJC" answer.o answer.c gcc -O2)
}

# explain_in DIR: kobjc --explain of that build, in DIR.
explain_in() {
	cd "$1" || return
	run --separate-stderr "$KOBJC" --explain answer.o answer.c gcc -O2
	cd "$WORK" || return
	assert_success
}

@test "--explain on a file system without user xattrs (ramfs): neither 'ran' nor 'restored', but unknown and why" {
	mount_ramfs ram
	cp answer.c export.h ram/
	! has_user_xattrs ram/answer.c || skip "this kernel's ramfs keeps user xattrs"
	build_cached ram
	rm ram/answer.o
	build_cached ram
	ccache --print-stats | grep -q '^local_storage_hit	1$' || fail "no hit"
	explain_in ram
	assert_line "status   unknown whether the steps ran or the object was restored from ccache: its file system keeps no user extended attributes"
	assert_line "   status ran, or restored from ccache (unknown)"
	refute_line "   status ran"
	refute_line --partial "status   restored"
}

@test "--explain of an object without kobjc's record (the xattr removed): unknown, not 'ran'" {
	build_cached .
	rm answer.o
	build_cached .
	explain_in .
	assert_line "status   restored from ccache: none of the steps ran"
	python3 -c 'import os; os.removexattr("answer.o", "user.kobjc")'
	explain_in .
	assert_line "status   unknown whether the steps ran or the object was restored from ccache: it has no record of kobjc's"
	refute_line "   status ran"
	refute_line --partial "status   restored"
	# a build without the cache records that it ran
	rm answer.o
	"$KOBJC" answer.o answer.c gcc -O2
	explain_in .
	assert_line "   status ran"
	refute_line --partial unknown
}

@test "ccache hard_link, a hit in a second tree: the first tree's object (the same inode) is not called restored" {
	export CCACHE_HARDLINK=1
	mkdir t1 t2
	cp answer.c export.h t1/
	cp answer.c export.h t2/
	build_cached t1
	explain_in t1
	assert_line "   status ran"
	build_cached t2
	[ "$(stat -c %i t1/answer.o)" = "$(stat -c %i t2/answer.o)" ] ||
		skip "ccache did not hard-link the objects here"
	explain_in t2
	assert_line "status   restored from ccache: none of the steps ran"
	explain_in t1
	assert_line "status   unknown whether the steps ran or the object was restored from ccache: its record names $(realpath t2)/answer.o: a hard link shared with another object"
	refute_line --partial "status   restored"
	refute_line "   status ran"
}

# edit_answer N: answer.c, changed: one more exported function.
edit_answer() {
	printf 'int answer_edit_%s(void) { return %s; }\nEXPORT_SYMBOL(answer_edit_%s);\n' \
		"$1" "$1" "$1" >>answer.c
}

# assert_answer_right: answer.o is what an uncached build of answer.c gives.
assert_answer_right() {
	mkdir -p ref
	cp answer.c export.h ref/
	(cd ref && rm -f answer.o && "$KOBJC" answer.o answer.c gcc -O2)
	cmp answer.o ref/answer.o || fail "answer.o is not answer.c's"
}

@test "ccache hard_link (read-only hard-linked objects): rebuilds of an edited object succeed and are right" {
	export CCACHE_HARDLINK=1
	build_cached .
	[ "$(stat -c '%h %a' answer.o)" = "2 444" ] ||
		skip "ccache did not hard-link the object here: $(stat -c '%h %a' answer.o)"
	local n
	for n in 1 2 3; do
		edit_answer $n
		run --separate-stderr env KOBJC_CACHE=ccache "$KOBJC" answer.o answer.c gcc -O2
		assert_success
		assert_equal "$stderr" ''
		assert_answer_right
	done
	# unchanged, object in place: a hit replaces it
	run --separate-stderr env KOBJC_CACHE=ccache "$KOBJC" answer.o answer.c gcc -O2
	assert_success
	assert_answer_right
	assert_no_temps
}

@test "ccache hard_link, the cache's copy evicted: the read-only object kobjc left is still kobjc's to replace" {
	export CCACHE_HARDLINK=1
	build_cached .
	[ "$(stat -c '%h %a' answer.o)" = "2 444" ] ||
		skip "ccache did not hard-link the object here"
	ccache -C >/dev/null
	assert_equal "$(stat -c '%h %a' answer.o)" "1 444"
	edit_answer 1
	build_cached .
	assert_answer_right
	# uncached too
	ccache -C >/dev/null
	edit_answer 2
	"$KOBJC" answer.o answer.c gcc -O2
	assert_answer_right
}

@test "a read-only object of the user's is still refused under ccache" {
	build_cached .
	chmod 444 answer.o
	run --separate-stderr env KOBJC_CACHE=ccache "$KOBJC" answer.o answer.c gcc -O2
	assert_failure 1
	assert_equal "$stderr" "kobjc: output: 'answer.o' is read-only; not replacing it"
	assert_absent answer.o
}

@test "ccache hard_link on a file system without user xattrs (ramfs, the cache on it too): edited rebuilds succeed" {
	mount_ramfs ram
	cp answer.c export.h ram/
	! has_user_xattrs ram/answer.c || skip "this kernel's ramfs keeps user xattrs"
	export CCACHE_HARDLINK=1 CCACHE_DIR=$WORK/ram/ccache
	build_cached ram
	[ "$(stat -c '%h %a' ram/answer.o)" = "2 444" ] ||
		skip "ccache did not hard-link the object here"
	cd ram
	local n
	for n in 1 2; do
		edit_answer $n
		build_cached .
		assert_answer_right
	done
	cd "$WORK"
}
