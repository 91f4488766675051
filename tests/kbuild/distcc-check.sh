#!/usr/bin/env bash
# Build fs/fat/ and lib/crc7.o of Linux 6.1 (KVER=7.3: fs/fat/ and
# lib/crc/crc-itu-t.o of 7.3) through kobjc with KOBJC_CC_LAUNCHER=distcc
# on two real distccd helpers on 127.0.0.1, and compare with stock kbuild:
# tests/kbuild/kernel-check.sh does the builds and the comparison (the .o
# exports symbols, so the symbol-version step and the #SYMVER lines of its
# .cmd file are exercised through distcc too). Each helper has its own
# tool store (kobjc --store-tools of the prepared tree, in KOBJC_TOOLS):
#   1. both complete: the whole recipe runs on the helpers; the client's
#      build is traced (strace, execve) and objtool and genksyms (or
#      gendwarfksyms) must never have run on it;
#   2. one without the symbol-version tool: the client runs that tool for
#      the objects that helper built, and nothing else;
#   3. neither tool (the compile phase only): every compile must have run on a
#      helper (the helpers' job logs count them), each helper must have had
#      some (in a build of more than 2 objects), and the distcc client must
#      not have fallen back to a local compile;
#   4. kobjc alone, for the wall time;
#   5. a helper whose kobjc has another recipe (an older table), named
#      first: it refuses the jobs it gets (exit 200), distcc compiles those
#      here, and the build must still equal stock.
# Every run must equal stock. The summary gives the client's CPU an object
# with the whole recipe remote against the compile phase only.
#
# Environment:
#   KVER                kernel series, as kernel-check.sh: 6.1 (default),
#                       6.12, 7.2 or 7.3
#   TARGETS             default 6.1 and 6.12 'fs/fat/ lib/crc7.o', 7.2
#                       and 7.3 'fs/fat/
#                       lib/crc/crc-itu-t.o'
#   JOBS                make -j (default 4: the two helpers' 2 slots each;
#                       distcc takes the first host with a free slot, so
#                       with fewer jobs the second helper may get nothing)
#   MISMATCH=0          skip the run with the other recipe's helper
#   GENDWARFKSYMS=1     (7.2, 7.3) the gendwarfksyms config, as kernel-check.sh
#   GCC_PLUGIN=1        the config with a GCC plugin on every object, as
#                       kernel-check.sh: it goes to the helpers by digest
#   KOBJC_BIN, KOBJC_KERNEL_CACHE, KERNEL_IBT, REUSE_STOCK: as kernel-check.sh
# Nothing goes beyond 127.0.0.1. The helpers live in a directory under
# $TMPDIR (or /tmp), removed at exit; their logs and every run's output are
# kept in $KOBJC_KERNEL_CACHE/distcc-check.logs. tests/distccd.bash starts
# and stops them.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${KOBJC_KERNEL_CACHE:-$HOME/.cache/kobjc}
kobjc=${KOBJC_BIN:-$repo/kobjc}
kver=${KVER:-6.1}
# shellcheck source=tests/kbuild/kver.bash
source "$here/kver.bash"
kver_facts "$kver" || exit 1
targets=${TARGETS:-$distcc_targets}
jobs=${JOBS:-4}
logs=$cache/distcc-check.logs

say() { printf 'distcc-check: %s\n' "$*" >&2; }
die() {
	say "$*"
	say "FAIL (logs: $logs)"
	exit 1
}

# shellcheck source=tests/distccd.bash
source "$repo/tests/distccd.bash"
# shellcheck disable=SC2034 # read by tests/distccd.bash
DISTCCD_ERROR=die

# Only what each run sets reaches kernel-check.sh and kobjc: no cache (it
# would hide the compiles), no launcher or distcc setting of the caller's.
# shellcheck disable=SC2046 # variable names, one a word
unset FULL KOBJC_CACHE KOBJC_CC_LAUNCHER KOBJC_LOG $(compgen -e | grep '^DISTCC_' || true)
export LC_ALL=C

for cmd in distcc distccd cc; do
	command -v "$cmd" >/dev/null || die "$cmd not found (apt-get install distcc gcc)"
done
[ -x "$kobjc" ] || die "no kobjc binary at $kobjc (run make, or set KOBJC_BIN)"
kobjc=$(cd "$(dirname "$kobjc")" && pwd)/$(basename "$kobjc")
export KOBJC_KERNEL_CACHE=$cache KOBJC_BIN=$kobjc TARGETS=$targets JOBS=$jobs SELFTEST=0 KVER=$kver

mkdir -p "$logs"
rm -f "$logs"/*
tmp=$(mktemp -d "${TMPDIR:-/tmp}/distcc-check.XXXXXX")

# --- helpers ------------------------------------------------------------------

# start_helper NAME KOBJC: a distccd in $tmp/NAME on 127.0.0.1 whose only
# allowed command is a copy of KOBJC named kobjc (tests/distccd.bash says
# more). It logs every job to $tmp/NAME/log. Sets DISTCCD_PORT[NAME].
start_helper() {
	distccd_start "$1" "$2"
	say "helper $1: distccd pid $(cat "$tmp/$1/started") on 127.0.0.1:${DISTCCD_PORT[$1]}, runs $tmp/$1/bin/kobjc (recipe $("$tmp/$1/bin/kobjc" --recipe-hash="$recipe" | cut -c1-12))"
}

# Stop every helper started, keep their logs, and make sure nothing under
# $tmp still runs: a message and status 1 if something does.
stop_helpers() {
	local st=0 log name
	DISTCCD_ERROR=say distccd_stop || st=1
	for log in "$tmp"/*/log; do
		[ -f "$log" ] || continue
		name=${log%/log}
		cp "$log" "$logs/helper-${name##*/}.log"
	done
	return $st
}

cleanup() {
	local st=$?
	stop_helpers || st=1
	rm -rf "$tmp"
	exit "$st"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# As root, distccd runs its jobs as user distccd (or nobody): it must pass
# every directory above $tmp. Say so rather than open someone's directory.
distccd_setup "$tmp" refuse "set TMPDIR to another directory"

# jobs_of NAME: "OK REFUSED OTHER MS" from helper NAME's job summaries:
# compiles of its kobjc that succeeded, that its kobjc refused (exit 200:
# another recipe), any other outcome, and the jobs' total time.
jobs_of() {
	awk -v cmd="$tmp/$1/bin/kobjc" '$2 == "(dcc_job_summary)" {
		ms = $10; sub(/^time:/, "", ms); sub(/ms$/, "", ms); t += ms
		if ($5 == "COMPILE_OK" && $11 == cmd) ok++
		else if ($5 == "COMPILE_ERROR" && $6 == "exit:200" && $11 == cmd) no++
		else other++
	} END { printf "%d %d %d %d\n", ok, no, other, t }' "$logs/helper-$1.log"
}

secs() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }

# helpers_clean NAME...: their kobjc and distccd left no file behind
helpers_clean() {
	local name
	for name; do
		[ -z "$(ls -A "$tmp/$name/tmp")" ] ||
			die "helper $name left files in its TMPDIR: $(ls -A "$tmp/$name/tmp" | head -n 5)"
	done
}

# --- kernel-check.sh runs ---------------------------------------------------------

# check NAME VAR=VALUE...: kernel-check.sh with those settings; it must
# PASS. Its output goes to $logs/NAME.out, its kobjc makes' output (where
# distcc's client warnings land: the prepare step's, which builds
# scripts/mod/empty.o through kobjc too, then the build's) to
# $logs/NAME-build.log.
# Sets objects (built by kobjc), compared, wall and cpu (of the kobjc build).
check() {
	local name=$1 out=$logs/$1.out mark=$logs/$1.start found
	shift
	say "$name run: kernel-check.sh with $*"
	touch "$mark"
	env "$@" "$here/kernel-check.sh" 2>&1 | tee "$out" >&2 ||
		die "$name run: kernel-check.sh failed (its output: $out)"
	grep -qx 'kernel-check: PASS' "$out" || die "$name run: kernel-check.sh did not PASS"
	objects=$(sed -n 's/^kernel-check: \([0-9]*\) objects were built by kobjc$/\1/p' "$out")
	compared=$(sed -n 's/^kernel-check: compared \([0-9]*\) objects, .*: 0 differences$/\1/p' "$out")
	wall=$(sed -n 's/^kernel-check: kobjc build: \([0-9.]*\) s wall, .*/\1/p' "$out")
	cpu=$(sed -n 's/^kernel-check: kobjc build: .* s wall, \([0-9.]*\) s CPU$/\1/p' "$out")
	debug_only=$(sed -n 's/^kernel-check: COMPARE_DEBUG=0: \([0-9]*\) objects differ.*/\1/p' "$out")
	[ -z "$debug_only" ] || say "$name run: $debug_only objects equal stock's but for their debug information"
	[ -n "$objects" ] && [ -n "$compared" ] && [ -n "$wall" ] && [ -n "$cpu" ] ||
		die "$name run: cannot read kernel-check.sh's counts and times in $out"
	# kernel-check.sh's logs directory is named after the tarball's
	# version: take the build log this run wrote
	found=$(find "$cache" -mindepth 2 -maxdepth 2 -name build-kobjc.log \
		-path "$cache/linux-$kver.*.logs/*" -newer "$mark")
	[ -n "$found" ] && [ "$(wc -l <<<"$found")" = 1 ] ||
		die "$name run: no single new build-kobjc.log under $cache: '$found'"
	[ "$(dirname "$found")/prepare-kobjc.log" -nt "$mark" ] ||
		die "$name run: no new prepare-kobjc.log beside $found"
	cat "$(dirname "$found")/prepare-kobjc.log" "$found" >"$logs/$name-build.log"
	rm -f "$mark"
}

# distcc_lines NAME: what the distcc client said in NAME's build (it says
# nothing on success)
distcc_lines() {
	grep -E '^distcc\[[0-9]+\]' "$logs/$1-build.log" || true
}

# --- the whole recipe on the helpers ------------------------------------------

# The symbol-version tool of this config, and the prepared tree the tool
# stores are made from, as a helper's administrator makes them from a
# built tree (the builds run in copies of it: the same tools).
symtool=genksyms
# what the compile-phase runs' comparison gets: with debug information
# (the gendwarfksyms config) an object compiled from cpp's output has
# other DWARF column numbers for macro expansions than a direct compile,
# as under stock distcc: such objects must equal stock's but for their
# .debug_* sections, and are counted. The whole recipe on a helper gets
# no such allowance: the client runs -fdirectives-only, the helper expands
# the macros, and every object must equal stock's byte for byte.
dist=()
if [ "${GENDWARFKSYMS:-0}" = 1 ]; then
	symtool=gendwarfksyms dist=(COMPARE_DEBUG=0)
fi
ready=$(PREPARE_ONLY=1 "$here/kernel-check.sh" 2>&1 | tee >(cat >&2) |
	sed -n 's/^kernel-check: trees ready: //p')
read -r _ prepared <<<"$ready"
[ -n "$prepared" ] || die "kernel-check.sh did not prepare the trees"

# make_store NAME [TOOL...]: $tmp/store-NAME, kobjc --store-tools of the
# prepared tree, less each TOOL
make_store() {
	local name=$1
	shift
	distccd_store "$kobjc" "$tmp/store-$name" "$prepared" "$@" >/dev/null
	say "tool store $name: $(ls "$tmp/store-$name" | wc -l) files (tools, GCC plugins)${*:+, not $*}"
}

# execs TRACE TOOL: how many times TOOL ran on this machine in the traced
# build (kernel-check.sh's KOBJC_BUILD_TRACE) for one C object: objtool
# --link on a module's linked .o is kbuild's own step, not the recipe's
execs() {
	grep -E "execve\(\"[^\"]*/$2\", .*\) = 0\$" "$1" |
		grep -cvF '"--link"' || true
}

# remote NAME STORE1 STORE2 [VAR=VALUE...]: helpers NAME-1 and NAME-2,
# with those tool stores, build the whole recipe (kernel-check.sh gets the
# VAR=VALUE too); the build is traced here unless NAME is "untraced"
# (strace's own cost is in its CPU time). Sets
# objects, compared, wall, cpu, ok (the helpers' compiles), here_objtool,
# here_sym (tools run on this machine).
remote() {
	local name=$1 s1=$2 s2=$3 trace=$logs/$1.trace ok1 ok2 no1 no2 o1 o2 said
	shift 3
	KOBJC_TOOLS=$tmp/store-$s1 start_helper "$name-1" "$kobjc"
	KOBJC_TOOLS=$tmp/store-$s2 start_helper "$name-2" "$kobjc"
	mkdir "$tmp/client-$name"
	[ "$name" != untraced ] || trace=
	check "$name" "$@" KOBJC_BUILD_TRACE="$trace" \
		KOBJC_CC_LAUNCHER=distcc DISTCC_DIR="$tmp/client-$name" \
		DISTCC_HOSTS="127.0.0.1:${DISTCCD_PORT[$name-1]}/2 127.0.0.1:${DISTCCD_PORT[$name-2]}/2"
	stop_helpers || die "the helpers did not stop cleanly"
	helpers_clean "$name-1" "$name-2"
	read -r ok1 no1 o1 _ <<<"$(jobs_of "$name-1")"
	read -r ok2 no2 o2 _ <<<"$(jobs_of "$name-2")"
	[ $((no1 + o1 + no2 + o2)) = 0 ] ||
		die "$name: helpers refused $((no1 + no2)) and had $((o1 + o2)) other jobs"
	said=$(distcc_lines "$name")
	[ -z "$said" ] || die "$name: the distcc client complained (a fallback, a backoff?): $(head -n 5 <<<"$said")"
	ok=$((ok1 + ok2))
	[ "$ok" = "$objects" ] ||
		die "$name: the helpers built $ok objects, kobjc $objects: not every object went to a helper"
	if [ -z "$trace" ]; then
		say "$name: helper $name-1 (store $s1) built $ok1 objects, $name-2 (store $s2) $ok2"
		return
	fi
	here_objtool=$(execs "$trace" objtool)
	here_sym=$(execs "$trace" "$symtool")
	here_cc=$(grep -cE 'execve\("[^"]*/cc1", ' "$trace" || true)
	say "$name: helper $name-1 (store $s1) built $ok1 objects, $name-2 (store $s2) $ok2; here: objtool ran $here_objtool times, $symtool $here_sym, cc1 $here_cc (the preprocessor passes)"
}

# 1. Every helper holds the tools: nothing but the preprocessor passes
# runs here.
make_store full
make_store "no-$symtool" "$symtool"
remote remote full full REUSE_STOCK=0
[ "$here_objtool" = 0 ] && [ "$here_sym" = 0 ] ||
	die "with every helper holding the tools, objtool ran $here_objtool and $symtool $here_sym times here (trace: $logs/remote.trace)"
# the same untraced, for the client's CPU
remote untraced full full REUSE_STOCK=1
r_objects=$objects r_cpu=$cpu r_wall=$wall
# 2. One helper lacks the symbol-version tool: it runs the rest, this
# machine that tool for the objects it built.
remote partial full "no-$symtool" REUSE_STOCK=1
p_here_sym=$here_sym p_here_objtool=$here_objtool
# the plugin config: its objects were compiled with -fplugin= (the saved
# commands say so) and all went to the helpers (remote, above)
plugin_objs=$(cd "$prepared" && for t in $targets; do
	if [ -d "$t" ]; then find "$t" -maxdepth 1 -name '.*.o.cmd'; fi
done | { xargs -r grep -l -- '-fplugin=' || true; } | wc -l)
if [ "${GCC_PLUGIN:-0}" = 1 ]; then
	[ "$plugin_objs" -gt 0 ] || die "GCC_PLUGIN=1, but no object's saved command has -fplugin="
	say "$plugin_objs objects compiled with a GCC plugin (-fplugin=), each on a helper"
fi
[ "$here_objtool" = 0 ] ||
	die "objtool ran $here_objtool times here, though both helpers hold it"

# --- the compile phase only ------------------------------------------------------

# 3. The compile phase on two helpers whose stores hold no objtool nor
# symbol-version tool (only GCC plugins, if the config has any).
make_store compile objtool "$symtool"
KOBJC_TOOLS=$tmp/store-compile start_helper one "$kobjc"
KOBJC_TOOLS=$tmp/store-compile start_helper two "$kobjc"
mkdir "$tmp/client-distcc"
check distcc REUSE_STOCK=1 "${dist[@]}" KOBJC_CC_LAUNCHER=distcc DISTCC_DIR="$tmp/client-distcc" \
	DISTCC_HOSTS="127.0.0.1:${DISTCCD_PORT[one]}/2 127.0.0.1:${DISTCCD_PORT[two]}/2"
d_objects=$objects d_compared=$compared d_wall=$wall d_cpu=$cpu
stop_helpers || die "the helpers did not stop cleanly"
helpers_clean one two
read -r ok1 no1 other1 ms1 <<<"$(jobs_of one)"
read -r ok2 no2 other2 ms2 <<<"$(jobs_of two)"
say "helper one: $ok1 compiles ($(secs "$ms1") s job wall time); helper two: $ok2 compiles ($(secs "$ms2") s)"
[ $((no1 + other1 + no2 + other2)) = 0 ] ||
	die "helpers had $((no1 + no2)) refused and $((other1 + other2)) other jobs besides their compiles (logs: $logs/helper-one.log, helper-two.log)"
said=$(distcc_lines distcc)
[ -z "$said" ] || die "the distcc client complained (a fallback?): $(head -n 5 <<<"$said")"
# distcc compiles some things here without a word: count
[ $((ok1 + ok2)) = "$d_objects" ] ||
	die "the helpers compiled $((ok1 + ok2)) objects, kobjc built $d_objects: not every compile went to a helper"
# helper two gets a job only while helper one's 2 slots are busy: not in
# a build of 2 objects or fewer (TARGETS=lib/crc7.o builds 2, one at a time)
if [ "$d_objects" -gt 2 ]; then
	[ "$ok1" -gt 0 ] && [ "$ok2" -gt 0 ] || die "one helper had no compile (JOBS=$jobs)"
else
	[ "$ok1" -gt 0 ] || die "helper one had no compile"
	say "only $d_objects objects: helper two need not have had a compile"
fi

# 4. The same with kobjc alone, for the times.
check local REUSE_STOCK=1
l_objects=$objects l_wall=$wall l_cpu=$cpu
[ "$l_objects" = "$d_objects" ] || die "local run built $l_objects objects, the distcc run $d_objects"

# 5. One helper has an older kobjc: its $recipe table differs (built
# from this tree's source with the table's about line changed), so the
# recipe hash differs, so it refuses every job it gets, with
# exit 200, and distcc compiles that object here instead. It is the first
# host named, so it gets the first jobs however few there are; distcc then
# avoids it for a while (DISTCC_BACKOFF_PERIOD), so it sees only those.
if [ "${MISMATCH:-1}" != 0 ]; then
	mkdir -p "$tmp/kobjc-old/src" "$tmp/client-mismatch"
	cp "$repo/kobjc.c" "$repo/kobjc.h" "$tmp/kobjc-old/src/"
	sed -i "s/Linux ${recipe#kbuild-} scripts/Linux ${recipe#kbuild-} (older) scripts/" "$tmp/kobjc-old/src/kobjc.h"
	! cmp -s "$repo/kobjc.h" "$tmp/kobjc-old/src/kobjc.h" || die "no $recipe recipe line in kobjc.h to change"
	cc -std=c11 -O2 -static -o "$tmp/kobjc-old/kobjc" "$tmp/kobjc-old/src/kobjc.c" ||
		die "cannot build the older kobjc"
	[ "$("$tmp/kobjc-old/kobjc" --recipe-hash="$recipe")" != "$("$kobjc" --recipe-hash="$recipe")" ] ||
		die "the older kobjc has $kobjc's recipe hash"
	start_helper three "$kobjc"
	start_helper old "$tmp/kobjc-old/kobjc"
	check mismatch REUSE_STOCK=1 "${dist[@]}" KOBJC_CC_LAUNCHER=distcc DISTCC_DIR="$tmp/client-mismatch" \
		DISTCC_HOSTS="127.0.0.1:${DISTCCD_PORT[old]}/2 127.0.0.1:${DISTCCD_PORT[three]}/2"
	m_wall=$wall
	stop_helpers || die "the helpers did not stop cleanly"
	helpers_clean three old
	read -r ok3 no3 other3 _ <<<"$(jobs_of three)"
	read -r ok4 no4 other4 _ <<<"$(jobs_of old)"
	say "helper three: $ok3 compiles; helper old (older table): $no4 refused, $ok4 compiles"
	[ $((no3 + other3 + ok4 + other4)) = 0 ] ||
		die "unexpected jobs: three refused $no3 and had $other3 others; old compiled $ok4 and had $other4 others"
	[ "$no4" -gt 0 ] || die "helper old got no job to refuse (JOBS=$jobs)"
	[ $((ok3 + no4)) = "$objects" ] ||
		die "three compiled $ok3 and old refused $no4, but kobjc built $objects objects"
	# every refused job, and nothing else, fell back to a local compile:
	# two lines each from the client, an error and the fallback
	said=$(distcc_lines mismatch)
	host="127\.0\.0\.1:${DISTCCD_PORT[old]}/2"
	errors=$(grep -cE "^distcc\[[0-9]+\] ERROR: compile [^ ]+ on $host failed with exit code 200\$" <<<"$said" || true)
	fallbacks=$(grep -cE "^distcc\[[0-9]+\] Warning: failed to distribute [^ ]+ to $host, running locally instead\$" <<<"$said" || true)
	[ "$errors" = "$no4" ] && [ "$fallbacks" = "$no4" ] &&
		[ "$(grep -c . <<<"$said")" = $((2 * no4)) ] ||
		die "$no4 jobs refused, but the distcc client reported $errors refusals and $fallbacks fallbacks; it said: $(head -n 6 <<<"$said")"
fi

per() { awk -v c="$1" -v n="$2" 'BEGIN { printf "%.0f", 1000 * c / n }'; }
say "summary ($targets, make -j$jobs, $d_objects objects built by kobjc, $d_compared objects equal to stock${debug_only:+, $debug_only of them but for their debug information}):"
say "  whole recipe on the helpers: $r_objects objects, none of objtool, $symtool run here (traced); $r_wall s wall, $r_cpu s CPU here ($(per "$r_cpu" "$r_objects") ms an object; untraced)"
say "  one helper without $symtool: objtool ran here $p_here_objtool times, $symtool $p_here_sym times (for that helper's objects)"
say "  client CPU an object, whole recipe against compile phase only: $(per "$r_cpu" "$r_objects") / $(per "$d_cpu" "$d_objects") ms = $(awk -v a="$r_cpu" -v b="$d_cpu" -v n="$r_objects" -v m="$d_objects" 'BEGIN { printf "%.2f", (a / n) / (b / m) }')"
say "  compiles on helper one: $ok1 ($(secs "$ms1") s job wall time), on helper two: $ok2 ($(secs "$ms2") s); total $((ok1 + ok2)) = $d_objects objects, no fallback"
say "  distcc build: $d_wall s wall, $d_cpu s CPU here (the helpers' compiles not included)"
say "  local build:  $l_wall s wall, $l_cpu s CPU"
[ "${MISMATCH:-1}" = 0 ] ||
	say "  with an older-table helper: it refused $no4 jobs (exit 200), all compiled here instead, $ok3 on the other; build equal to stock ($m_wall s wall)"
say PASS
