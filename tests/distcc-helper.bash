# Real distccd daemons for tests/distcc.bats, on 127.0.0.1 only, started
# and stopped by the test. Load after helper. Each daemon NAME lives in
# $DAEMONS/NAME: bin/kobjc (the only command it runs: DISTCC_CMDLIST),
# tmp/ (its TMPDIR and cwd), log, pid. As root distccd drops to user
# distccd, so all of that must be reachable and writable by that user.

declare -gA DAEMON_PORT=()

# setup_daemons: $DAEMONS, reachable by user distccd
setup_daemons() {
	local d
	DAEMONS=$BATS_TEST_TMPDIR/daemons
	mkdir -p "$DAEMONS"
	chmod 755 "$DAEMONS"
	[ "$(id -u)" -eq 0 ] || return 0
	# bats' temporary directories are private (0700): let others pass
	d=$DAEMONS
	while [ "$d" != / ] && [ -n "$d" ]; do
		if [[ $(stat -c %A "$d") != d????????[xt] ]]; then
			[ -O "$d" ] ||
				fail "user distccd cannot pass $d (mode $(stat -c %a "$d"), not ours)"
			chmod o+x "$d"
		fi
		d=$(dirname "$d")
	done
}

# A TCP port nothing on this machine uses now.
free_port() {
	local p hex
	while :; do
		p=$((20000 + RANDOM % 40000))
		printf -v hex ':%04X ' "$p"
		grep -qF "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null || break
	done
	echo "$p"
}

# start_daemon NAME KOBJC: a distccd on 127.0.0.1 that runs only a copy of
# KOBJC, as `kobjc`. Sets DAEMON_PORT[NAME].
start_daemon() {
	local name=$1 bin=$2 dir=$DAEMONS/$1 port pid try i
	mkdir -p "$dir/bin" "$dir/tmp"
	chmod 777 "$dir" "$dir/tmp"
	chmod 755 "$dir/bin"
	cp "$bin" "$dir/bin/kobjc"
	chmod 755 "$dir/bin/kobjc"
	echo "$dir/bin/kobjc" >"$dir/cmdlist"
	chmod 644 "$dir/cmdlist"
	for ((try = 0; try < 20; try++)); do
		port=$(free_port)
		rm -f "$dir/log" "$dir/pid"
		env -u DISTCC_HOSTS -u DISTCC_VERBOSE -u DISTCC_LOG \
			DISTCC_CMDLIST="$dir/cmdlist" TMPDIR="$dir/tmp" \
			distccd --daemon --no-detach --listen 127.0.0.1 \
			--allow 127.0.0.1 --port "$port" --log-file "$dir/log" \
			--log-level info --pid-file "$dir/pid" --jobs 2 \
			</dev/null >"$dir/stderr" 2>&1 3>&- &
		pid=$!
		echo "$pid" >"$dir/started"
		# until it listens, or is gone (a bound against hangs)
		for ((i = 0; i < 600; i++)); do
			grep -qs 'preforking daemon started' "$dir/log" && break
			pid_gone "$pid" && break
			sleep 0.05
		done
		if grep -qs 'preforking daemon started' "$dir/log" &&
			grep -qs "listening on 127.0.0.1:$port" "$dir/log"; then
			DAEMON_PORT[$name]=$port
			return 0
		fi
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		rm -f "$dir/started"
		grep -qs 'in use' "$dir/log" "$dir/stderr" ||
			fail "distccd $name did not start: $(cat "$dir/log" "$dir/stderr" 2>/dev/null)"
	done
	fail "distccd $name: no free port in 20 tries"
}

# DISTCC_HOSTS for the daemons NAME..., in that order, 2 jobs each
hosts_of() {
	local n h=
	for n; do
		h="$h 127.0.0.1:${DAEMON_PORT[$n]}/2"
	done
	echo "${h# }"
}

# The live processes whose command line names a file under DIR (zombies
# have none).
procs_under() {
	local p args
	for p in /proc/[0-9]*; do
		mapfile -d "" -t args 2>/dev/null <"$p/cmdline" || continue
		[[ " ${args[*]} " == *"$1/"* ]] && echo "${p#/proc/}"
	done
	return 0
}

# Stop every daemon this test started (TERM: distccd takes its children
# along), reap it, and make sure none of them, nor a kobjc it ran, is left.
stop_daemons() {
	local f pid left i
	[ -n "${DAEMONS:-}" ] && [ -d "$DAEMONS" ] || return 0
	for f in "$DAEMONS"/*/started; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		rm -f "$f"
	done
	for ((i = 0; i < 200; i++)); do
		left=$(procs_under "$DAEMONS")
		[ -z "$left" ] && return 0
		sleep 0.05
	done
	kill -KILL $left 2>/dev/null
	fail "processes left after stopping the daemons: $left"
}

# How many compiles daemon NAME logged as done for SOURCE, with our kobjc
compiles_ok() {
	local log=$DAEMONS/$1/log want="$DAEMONS/$1/bin/kobjc $2"
	[ -f "$log" ] || { echo 0 && return; }
	awk -v want="$want" '/ COMPILE_OK / &&
		substr($0, length($0) - length(want) + 1) == want { n++ }
		END { print n + 0 }' "$log"
}
