# A redis-server for ccache's remote storage (redis://), sourced by the
# kernel checks: on 127.0.0.1 only, no persistence (--save '', no append
# file), in the foreground of a background job of this shell, stopped by
# its PID. Nothing else on the machine is touched.
#
#   redis_start DIR   start one, DIR for its log (and working directory);
#                     sets REDIS_PID, REDIS_PORT and REDIS_URL
#   redis_stop        stop it (TERM, then KILL after 10 s); no-op if none
#
# The port is a random free one: a taken port makes redis-server exit at
# once, and another is tried.

# shellcheck disable=SC2034 # REDIS_URL and REDIS_PORT: for the caller
REDIS_PID='' REDIS_PORT='' REDIS_URL=''

redis_start() {
	local dir=$1 try i
	command -v redis-server >/dev/null ||
		{ echo "redis-server missing; run: sudo apt-get install -y redis-server" >&2 && return 1; }
	mkdir -p "$dir"
	for try in 1 2 3 4 5 6 7 8 9 10; do
		REDIS_PORT=$((20000 + RANDOM % 30000))
		redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes \
			--save '' --appendonly no --daemonize no --dir "$dir" \
			--logfile '' >"$dir/redis-$try.log" 2>&1 &
		REDIS_PID=$!
		for ((i = 0; i < 100; i++)); do
			if grep -qs 'Ready to accept connections' "$dir/redis-$try.log"; then
				REDIS_URL=redis://127.0.0.1:$REDIS_PORT
				return 0
			fi
			kill -0 "$REDIS_PID" 2>/dev/null || break
			sleep 0.1
		done
		# exited (the port was taken) or not ready in 10 s
		redis_stop
	done
	echo "could not start redis-server (logs: $dir/redis-*.log)" >&2
	return 1
}

redis_stop() {
	local i
	[ -n "$REDIS_PID" ] || return 0
	kill -TERM "$REDIS_PID" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		kill -0 "$REDIS_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$REDIS_PID" 2>/dev/null || true
	wait "$REDIS_PID" 2>/dev/null || true
	# shellcheck disable=SC2034
	REDIS_PID='' REDIS_PORT='' REDIS_URL=''
}
