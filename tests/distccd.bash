# Real distccd daemons on 127.0.0.1 only, for the tests: sourced by
# tests/distcc-helper.bash (bats) and tests/kbuild/distcc-check.sh (plain
# bash, set -euo pipefail). Nothing here needs bats.
#
# The caller sets
#   DISTCCD_DIR    the directory the daemons live in: daemon NAME in
#                  $DISTCCD_DIR/NAME, with bin/kobjc (the only command it
#                  runs: DISTCC_CMDLIST names it in cmdlist, with the gcc
#                  kobjc --phase=remote may run), tmp/ (its
#                  TMPDIR), log (its job log), pid, stderr, and started
#                  (the pid to stop, while it runs)
#   DISTCCD_ERROR  the function that reports an error, given the message:
#                  bats' fail, a script's die; the function that met the
#                  error then returns 1, if the reporter returns at all
#                  (default: the message on stderr)
# and reads DISTCCD_PORT[NAME], the port of daemon NAME.
#
# As root distccd drops to user distccd (or nobody) for its jobs, so all of
# that must be reachable, and the daemon's files writable, by that user.

# shellcheck disable=SC2034 # read by the callers
declare -gA DISTCCD_PORT=()

distccd_error() {
	"${DISTCCD_ERROR:-distccd_stderr}" "$*"
	return 1
}

distccd_stderr() {
	printf '%s\n' "$*" >&2
}

# distccd_setup DIR open|refuse [HINT]: DIR (made if missing, mode 755) is
# where the daemons live. As root, user distccd must pass DIR and every
# directory above it: with open, one of ours that it cannot pass is opened
# (o+x: bats' temporary directories are private); one of someone else's,
# or any with refuse, is an error that ends in ": HINT" if given.
distccd_setup() {
	local d=$1 policy=$2 hint=${3:+: $3} ours=
	[ "$policy" != open ] || ours=", not ours"
	DISTCCD_DIR=$1
	mkdir -p "$DISTCCD_DIR"
	chmod 755 "$DISTCCD_DIR"
	[ "$(id -u)" -eq 0 ] || return 0
	while [ "$d" != / ] && [ -n "$d" ]; do
		if [[ $(stat -c %A "$d") != d????????[xt] ]]; then
			if [ "$policy" != open ] || [ ! -O "$d" ]; then
				distccd_error "user distccd cannot pass $d (mode $(stat -c %a "$d")$ours)$hint"
				return 1
			fi
			chmod o+x "$d"
		fi
		d=$(dirname "$d")
	done
}

# A TCP port nothing on this machine uses now.
distccd_free_port() {
	local p hex
	while :; do
		p=$((20000 + RANDOM % 40000))
		printf -v hex ':%04X ' "$p"
		grep -qF "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null || break
	done
	echo "$p"
}

# distccd_start NAME KOBJC: a distccd in $DISTCCD_DIR/NAME on 127.0.0.1,
# 2 jobs, whose only allowed command is a copy of KOBJC named kobjc (as an
# admin whitelists a compiler: a client asking for "kobjc" gets that one).
# The list names gcc too: kobjc --phase=remote runs only a compiler
# distccd's list names.
# It logs every job. Sets DISTCCD_PORT[NAME]. Run it in the shell that
# stops the daemon (distccd_stop waits for it).
distccd_start() {
	local name=$1 dir=$DISTCCD_DIR/$1 port pid try i
	mkdir -p "$dir/bin" "$dir/tmp"
	chmod 777 "$dir" "$dir/tmp" # the daemon's user writes there
	chmod 755 "$dir/bin"
	cp "$2" "$dir/bin/kobjc"
	chmod 755 "$dir/bin/kobjc"
	printf '%s\n' "$dir/bin/kobjc" "$(command -v gcc)" >"$dir/cmdlist"
	chmod 644 "$dir/cmdlist"
	for ((try = 0; try < 20; try++)); do
		port=$(distccd_free_port)
		rm -f "$dir/log" "$dir/pid"
		# fd 3 closed: bats waits for whoever holds it
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
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		if grep -qs 'preforking daemon started' "$dir/log" &&
			grep -qs "listening on 127.0.0.1:$port\$" "$dir/log"; then
			DISTCCD_PORT[$name]=$port
			return 0
		fi
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		rm -f "$dir/started"
		grep -qs 'in use' "$dir/log" "$dir/stderr" || {
			distccd_error "distccd $name did not start: $(cat "$dir/log" "$dir/stderr" 2>/dev/null)"
			return 1
		}
	done
	distccd_error "distccd $name: no free port in 20 tries"
}

# The live processes whose command line names a file under DIR: daemons,
# and any kobjc or gcc they run (zombies have none).
distccd_procs_under() {
	local p args
	for p in /proc/[0-9]*; do
		mapfile -d '' -t args 2>/dev/null <"$p/cmdline" || continue
		[[ " ${args[*]} " == *"$1/"* ]] && echo "${p#/proc/}"
	done
	return 0
}

# Stop every daemon started under $DISTCCD_DIR (TERM: distccd takes its
# children along), reap it, and make sure nothing under $DISTCCD_DIR still
# runs. After this the logs are complete: distccd writes a job's summary
# line after the client has its result.
distccd_stop() {
	local f pid left i
	[ -n "${DISTCCD_DIR:-}" ] && [ -d "$DISTCCD_DIR" ] || return 0
	for f in "$DISTCCD_DIR"/*/started; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		rm -f "$f"
	done
	for ((i = 0; i < 200; i++)); do
		left=$(distccd_procs_under "$DISTCCD_DIR")
		[ -z "$left" ] && return 0
		sleep 0.05
	done
	# shellcheck disable=SC2086 # one pid a word
	kill -KILL $left 2>/dev/null || true
	distccd_error "processes left after stopping the daemons: $left"
}

# distccd_store KOBJC DIR TREE [TOOL...]: DIR a helper's tool store
# (KOBJC_TOOLS), kobjc --store-tools of the built kernel tree TREE, less
# each TOOL (objtool, genksyms...); readable by distccd's user. Prints
# kobjc's listing.
distccd_store() {
	local kobjc=$1 dir=$2 tree=$3 listing t
	shift 3
	listing=$("$kobjc" --store-tools="$dir" "$tree") || {
		distccd_error "kobjc --store-tools=$dir $tree failed: $listing"
		return 1
	}
	for t; do
		grep -E " (tools|scripts)/$t/$t\$" <<<"$listing" | cut -d' ' -f1 |
			(cd "$dir" && xargs rm -f)
	done
	chmod -R a+rX "$dir"
	printf '%s\n' "$listing"
}
