#!/usr/bin/env bats
# Fault injection, for every step: compile (gcc), objtool, cpp (gcc -E) and
# genksyms each exit 1, exit 0 having written nothing, write a truncated
# result, die of SIGKILL or SIGSEGV, are missing, are not executable. Then
# the file system: an unwritable directory, a read-only old object, a full
# disk, a source that vanishes mid-run. Every case must end in the
# documented exit status, a message naming the step, and no object (not
# even the stale one made before), no temporary, no --symvers file and no
# process left running.
load helper

setup() { stale_setup; }

teardown() { common_teardown; }

# Every step on, gcc named by path so that it can go missing on its own:
# kobjc's arguments for foo.o in DIR, into the array ARGS.
args() {
	local d=
	[ "${1:-.}" = . ] || d=$1/
	ARGS=(--objtool="$FAKEBIN/objtool" --objtool-arg=--orc
		--genksyms="$FAKEBIN/genksyms" --genksyms-arg=-r --genksyms-arg=/dev/null
		--symvers="${d}foo.symvers" "${d}foo.o" foo.c "$FAKEBIN/gcc" -O2
		-fno-asynchronous-unwind-tables '-Wp,-MMD,.foo.o.d')
}

# Run kobjc with ENV... then args DIR; sets st, out, err.
kobjc_in() {
	local dir=$1
	shift
	st=0
	args "$dir"
	env "$@" KOBJC_TEST_TAG="$TEST_TAG" "$KOBJC" "${ARGS[@]}" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || st=$?
	out=$(cat "$BATS_TEST_TMPDIR/out")
	err=$(cat "$BATS_TEST_TMPDIR/err")
}

# kobjc's own message: stderr lines starting "kobjc: "
kobjc_says() {
	grep '^kobjc: ' <<<"$err" || true
}

assert_left_nothing() {
	local dir=${1:-.}
	assert_absent "$dir/foo.o" "$dir/foo.symvers"
	assert_no_temps "$dir"
	assert_equal "$(tagged_procs)" ''
	assert_equal "$out" ''
}

# The step's name in kobjc's messages, and the start of its command.
step_name() {
	case $1 in
	compile) echo compile ;;
	objtool) echo objtool ;;
	cpp | genksyms) echo "symbol versions" ;;
	esac
}
step_cmd() {
	case $1 in
	compile) echo "$FAKEBIN/gcc -O2" ;;
	cpp) echo "$FAKEBIN/gcc -E -D__GENKSYMS__" ;;
	objtool) echo "$FAKEBIN/objtool --orc" ;;
	genksyms) echo "$FAKEBIN/genksyms -r /dev/null" ;;
	esac
}
step_tool() {
	case $1 in
	compile | cpp) echo "$FAKEBIN/gcc" ;;
	*) echo "$FAKEBIN/$1" ;;
	esac
}

# fault STEP MODE STATUS: inject MODE into STEP, expect exit STATUS.
fault() {
	local step=$1 mode=$2 want=$3 env=() said
	case $mode in
	missing | noexec)
		if [ "$step" = cpp ]; then
			# the compile runs, then the same gcc cannot run again
			env=("FAKE_FAULT=compile:$([ $mode = missing ] && echo vanish || echo noexec)")
		elif [ $mode = missing ]; then
			rm "$(step_tool "$step")"
		else
			chmod 644 "$(step_tool "$step")"
		fi
		;;
	*) env=(FAKE_FAULT="$step:$mode") ;;
	esac
	kobjc_in . "${env[@]}"
	said=$(kobjc_says)
	[ "$st" = "$want" ] || fail "exit $st, not $want; stderr: $err"
	[ -n "$said" ] || fail "no kobjc: message; stderr: $err"
	[[ $said == *"$(step_name "$step")"* ]] ||
		fail "message does not name the step '$(step_name "$step")': $said"
	case $mode in
	exit=* | kill | segv)
		# one short line naming the object; the command is V=1's
		[[ $said =~ ^kobjc:\ foo\.o:\ .*\ (failed\ \(exit\ [0-9]+\)|killed\ by\ signal\ [0-9]+\ \(.*\))$ ]] ||
			fail "not one short line naming foo.o: $said"
		[ "$(wc -l <<<"$said")" = 1 ] || fail "more than one kobjc line: $said"
		;;
	missing | noexec)
		[[ $said == *"cannot run '$(step_tool "$step")'"* ]] ||
			fail "message does not name the tool: $said"
		;;
	esac
	# the fault was where it was meant to be: the step's tool was called
	case $mode in
	missing | noexec) [ "$step" != cpp ] || [ -s "$FAKE_LOG/compile.log" ] ;;
	*) [ -s "$FAKE_LOG/$step.log" ] || fail "the fake $step never ran" ;;
	esac
	assert_left_nothing
}

@test "compile exits 1" { fault compile exit=1 1; }
@test "compile exits 0, writes no object" { fault compile nothing 1; }
@test "compile exits 0, leaves the object empty" { fault compile empty 1; }
@test "compile writes half an object" { fault compile half 1; }
@test "compile dies of SIGKILL" { fault compile kill 137; }
@test "compile dies of SIGSEGV" { fault compile segv 139; }
@test "compiler missing" { fault compile missing 127; }
@test "compiler not executable" { fault compile noexec 126; }

@test "objtool exits 1" { fault objtool exit=1 1; }
@test "objtool exits 0, empties the object" { fault objtool nothing 1; }
@test "objtool leaves half the object" { fault objtool half 1; }
@test "objtool dies of SIGKILL" { fault objtool kill 137; }
@test "objtool dies of SIGSEGV" { fault objtool segv 139; }
@test "objtool missing" { fault objtool missing 127; }
@test "objtool not executable" { fault objtool noexec 126; }

@test "cpp pass exits 1" { fault cpp exit=1 1; }
@test "cpp pass exits 0, prints nothing" { fault cpp nothing 1; }
@test "cpp pass prints half its output" { fault cpp half 1; }
@test "cpp pass dies of SIGKILL" { fault cpp kill 137; }
@test "cpp pass dies of SIGSEGV" { fault cpp segv 139; }
@test "cpp pass: gcc gone after the compile" { fault cpp missing 127; }
@test "cpp pass: gcc not executable after the compile" { fault cpp noexec 126; }

@test "genksyms exits 1" { fault genksyms exit=1 1; }
@test "genksyms exits 0, prints nothing" { fault genksyms nothing 1; }
@test "genksyms cuts a #SYMVER line mid-way" { fault genksyms half 1; }
@test "genksyms dies of SIGKILL" { fault genksyms kill 137; }
@test "genksyms dies of SIGSEGV" { fault genksyms segv 139; }
@test "genksyms missing" { fault genksyms missing 127; }
@test "genksyms not executable" { fault genksyms noexec 126; }

@test "unwritable output directory (read-only mount)" {
	# an empty read-only file system: no stale object can be in it
	mount_tmpfs ro ro,size=64k
	kobjc_in ro
	[ "$st" = 1 ] || fail "exit $st: $err"
	kobjc_says | grep -q "ro/foo.o.*Read-only file system" ||
		fail "message: $err"
	assert_equal "$(ls -A ro)" ''
	assert_equal "$(fake_log compile)" ''
	assert_left_nothing ro
	# and the --symvers file in the current directory was not touched
	# either: the build never started
	[ ! -e foo.symvers ] || [ "$(cat foo.symvers)" = "#SYMVER stale 0x00000000" ]
}

@test "read-only existing object: refused, and not left behind" {
	chmod 444 foo.o
	kobjc_in .
	[ "$st" = 1 ] || fail "exit $st: $err"
	[[ $(kobjc_says) == "kobjc: output: 'foo.o' is read-only"* ]] ||
		fail "message: $err"
	assert_equal "$(wc -l <<<"$err")" 1
	assert_equal "$(fake_log compile)" ''
	assert_left_nothing
}

@test "full disk: the compile cannot write the object" {
	mount_tmpfs full size=64k
	stale_object full/foo.o
	stale_symvers full/foo.symvers
	cat /dev/zero >full/fill 2>/dev/null || true
	kobjc_in full
	[ "$st" = 1 ] || fail "exit $st: $err"
	kobjc_says | grep -q "^kobjc: full/foo.o: compile failed (exit 1)$" ||
		fail "message: $err"
	assert_left_nothing full
	assert_equal "$(ls -A full)" fill
}

@test "full disk: the --symvers file cannot be written" {
	mount_tmpfs full size=64k
	stale_object full/foo.o
	stale_symvers full/foo.symvers
	# genksyms fills the disk once the object is made
	kobjc_in full FAKE_FAULT=genksyms:fill FAKE_FILL="$PWD/full/fill"
	[ "$st" = 1 ] || fail "exit $st: $err"
	kobjc_says | grep -q "full/foo.symvers.*No space left on device" ||
		fail "message: $err"
	[ -s "$FAKE_LOG/genksyms.log" ]
	assert_left_nothing full
	assert_equal "$(ls -A full)" fill
}

@test "the source vanishes mid-run: the cpp pass fails" {
	kobjc_in . FAKE_FAULT=objtool:rmsrc FAKE_SRC="$PWD/foo.c"
	[ "$st" = 1 ] || fail "exit $st: $err"
	assert_absent foo.c
	grep -q 'foo.c: No such file or directory' <<<"$err" || fail "$err"
	kobjc_says | grep -q "^kobjc: foo.o: symbol versions: gcc failed (exit 1)$" ||
		fail "message: $err"
	assert_left_nothing
}

# The compiler check a cache tag asks of gcc (-print-prog-name=cc1) is a
# probe: when it dies, the tag names gcc without cc1 and the build goes
# on, with nothing said (it was silent before struct child, and must stay).
@test "the cc1 probe dies of SIGSEGV under KOBJC_CACHE=ccache: built, nothing said" {
	# shellcheck disable=SC2046 # variable names: words, on purpose
	unset $(compgen -e | grep '^CCACHE_') XDG_CACHE_HOME
	kobjc_in . CCACHE_DIR="$BATS_TEST_TMPDIR/ccache" \
		KOBJC_DIGESTS="$BATS_TEST_TMPDIR/digests" KOBJC_CACHE=ccache \
		FAKE_FAULT=compile:segv FAKE_ONLY=-print-prog-name=cc1
	assert_equal "$st" 0
	[ -s foo.o ] || fail "no foo.o"
	grep -q -- -print-prog-name=cc1 "$FAKE_LOG/compile.log" ||
		fail "the probe did not run"
	assert_equal "$(kobjc_says)" ''
}
