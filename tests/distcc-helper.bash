# Real distccd daemons for tests/distcc.bats, on 127.0.0.1 only, started
# and stopped by the test. Load after helper. tests/distccd.bash starts and
# stops them; each daemon NAME lives in $DAEMONS/NAME (its layout there),
# errors are bats failures.

# shellcheck source=tests/distccd.bash
source "$BATS_TEST_DIRNAME/distccd.bash"
# shellcheck disable=SC2034 # read by tests/distccd.bash
DISTCCD_ERROR=fail

# the daemons' ports, by name
declare -gn DAEMON_PORT=DISTCCD_PORT

# setup_daemons: $DAEMONS, reachable by user distccd (bats' temporary
# directories are private: let others pass those of ours)
setup_daemons() {
	DAEMONS=$BATS_TEST_TMPDIR/daemons
	distccd_setup "$DAEMONS" open
}

# A TCP port nothing on this machine uses now.
free_port() {
	distccd_free_port
}

# start_daemon NAME KOBJC: a distccd on 127.0.0.1 that runs only a copy of
# KOBJC, as `kobjc`. Sets DAEMON_PORT[NAME].
start_daemon() {
	distccd_start "$@"
}

# Stop every daemon this test started, reap it, and make sure none of them,
# nor a kobjc it ran, is left.
stop_daemons() {
	distccd_stop
}

# DISTCC_HOSTS for the daemons NAME..., in that order, 2 jobs each
hosts_of() {
	local n h=
	for n; do
		h="$h 127.0.0.1:${DAEMON_PORT[$n]}/2"
	done
	echo "${h# }"
}

# How many compiles daemon NAME logged as done for SOURCE, with our kobjc
compiles_ok() {
	local log=$DAEMONS/$1/log want="$DAEMONS/$1/bin/kobjc $2"
	[ -f "$log" ] || { echo 0 && return; }
	awk -v want="$want" '/ COMPILE_OK / &&
		substr($0, length($0) - length(want) + 1) == want { n++ }
		END { print n + 0 }' "$log"
}

# kbuild-like flags for object NAME, into the array FLAGS; a test's own
# in EXTRA_FLAGS last
flags_of() {
	FLAGS=(-O2 -fno-asynchronous-unwind-tables "-Wp,-MMD,.$1.o.d")
	[ "$1" != two ] || FLAGS+=(-Ihdr -DTWO=2)
	FLAGS+=(${EXTRA_FLAGS[@]+"${EXTRA_FLAGS[@]}"})
}

# build NAME [VAR=VALUE...]: NAME.o, .NAME.o.d and NAME.sv from NAME.c
# afresh, with kobjc's options OPTS and the compiler CCW (default gcc);
# TOOL_LOG, if a test keeps one, starts empty. Sets status, output, stderr.
build() {
	local n=$1
	shift
	rm -f "$n.o" ".$n.o.d" "$n.sv"
	[ -z "${TOOL_LOG:-}" ] || : >"$TOOL_LOG"
	flags_of "$n"
	run --separate-stderr env "$@" "$KOBJC" "${OPTS[@]}" \
		--symvers="$n.sv" "$n.o" "$n.c" "${CCW[@]:-gcc}" "${FLAGS[@]}"
}

# A local build of NAME (no distcc) is the reference: saved in $R
local_ref() {
	build "$1"
	assert_success
	mkdir -p "$R"
	cp "$1.o" ".$1.o.d" "$1.sv" "$R/"
}
