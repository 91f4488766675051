#!/usr/bin/env bash
# make MAKEFILES=kbuild/kobjc.mk KOBJC=... with the real ccache on real
# Linux trees (6.1; KVER=6.12, 7.2 or 7.3 as for kernel-check.sh): the
# kernel-tree version of
# tests/ccache.bats. Every part prints its hit and miss counts; a summary
# follows.
#
#   1.  cached build equals stock: kernel-check.sh with KOBJC_CACHE=ccache
#       and an empty CCACHE_DIR: every object kobjc builds is one miss, no
#       call is uncacheable. This tree is machine 1 of part 7: its misses
#       also go to a redis remote storage.
#   2a. rebuild from hits equals stock: kernel-check.sh again (it resets
#       the kobjc copy and rebuilds it from scratch): every object a hit
#   2b. the same objects removed and rebuilt in that tree: every one a
#       direct hit, equal to stock's
#   2c. the same with KOBJC_CHECK=1 (no difference found), an uncached
#       rebuild for its time, and a stale entry planted on the self-test
#       object (a compiler wrapper reading a variable ccache does not
#       hash): check mode must catch it, and the next hit be right
#   2d. why a lookup missed: fs/fat/ and the self-test object rebuilt
#       after a header change, -DDEBUG, another objtool, OBJTOOL_ARGS
#       and a .config change: kobjc --explain names a cause for every
#       miss (want 100%)
#   3.  make clean, then the targets again, in the same tree, warm cache,
#       stock (CC="ccache gcc") against kobjc (KOBJC=... CC="ccache gcc"),
#       each compile's result read from ccache's stats log: kobjc may miss
#       only where stock misses; the outputs (objects, #SYMVER lines, and
#       modules-only.symvers of the targets' modules: see modpost below)
#       equal stock's
#   4.  matrix on the self-test object (lib/crc7.o; 7.3:
#       lib/crc/crc-itu-t.o): each change must miss exactly once and give
#       byte for byte what an uncached build gives (object and #SYMVER
#       lines); reverted, it must hit and give the base back. A rebuilt or
#       touched objtool or genksyms must hit. Some cases run in a state
#       (KBUILD_PRESERVE=1 with a symref file, a ccache masquerade
#       directory on PATH, a GCC plugin, CCACHE_DEPEND=1), set up and left
#       with a cached build each.
#   5.  O= build directories: two fresh trees at other paths (one unpacked,
#       one a copy of it), each built in O=TREE/obj-kobjc, a subdirectory
#       (kbuild then names the source tree '..': no absolute path), each
#       with its own objtool and genksyms: the second all hits
#   6.  a second tree (the first one of part 5), configured in place, its
#       own objtool and genksyms, same CCACHE_DIR: at least 99% hits
#       (want: all)
#   7.  two machines: machine 1 is the tree of parts 1-3, machine 2 the
#       second tree of part 5, prepared in place, with its own empty
#       CCACHE_DIR, sharing only the redis remote storage: the targets are
#       all hits from the remote, and the outputs equal stock's (part 3's)
#
# Environment: KVER (6.1, 6.12, 7.2, 7.3), TARGETS (default 'fs/fat/ lib/'),
# KOBJC_BIN, KOBJC_KERNEL_CACHE, JOBS: as for kernel-check.sh, which this
# runs. PARTS (default '1 2 3 4 5 6 7'; 1 and 2 always run, the others
# need what 1-3 leave). ccache's directory is $KOBJC_KERNEL_CACHE/ccache,
# emptied at the start (machine 2's: ccache-machine2); logs and the
# matrix's objects go to $KOBJC_KERNEL_CACHE/ccache-check.logs; the trees
# of parts 5-7 are $cache/linux-KVER.N-cc-tree2 and -cc-machine2, made
# afresh each run. Needs ccache 4.6 or later, redis-server (part 7), g++
# and gcc-12-plugin-dev (the plugin cases).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${KOBJC_KERNEL_CACHE:-$HOME/.cache/kobjc}
kobjc=${KOBJC_BIN:-$repo/kobjc}
jobs=${JOBS:-$(nproc)}
targets=${TARGETS:-fs/fat/ lib/}
parts=" ${PARTS:-1 2 3 4 5 6 7} "
kver=${KVER:-6.1}
# The matrix's object and its files: obj, objcmd, src, hdr, kmake, cfg,
# selector, desc, inline_sed (tests/kbuild/kver.bash).
# shellcheck source=tests/kbuild/kver.bash
source "$here/kver.bash"
kver_facts "$kver" || exit 1
t_start=$(date +%s.%N)

# The same build identity as kernel-check.sh's makes.
kbuild_identity
# Only the caching asked for here: no launcher, no user ccache settings
# (a user's sloppiness would change what must miss), the default
# IBT=y config (objtool runs on the matrix's object), the given targets.
unset KOBJC_CACHE KOBJC_CC_LAUNCHER KOBJC_LOG KOBJC_DIGESTS FULL KERNEL_IBT
while read -r v; do unset "$v"; done < <(compgen -e | grep '^CCACHE_' || true)
export CCACHE_DIR=$cache/ccache

say() { printf 'ccache-check: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
# no silent exit from set -e
set -E
trap 'say "failed (status $?) at line $LINENO: $BASH_COMMAND"' ERR
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
part() { [[ $parts == *" $1 "* ]]; }

command -v ccache >/dev/null || die "ccache missing; run: sudo apt-get install -y ccache"
# the real gcc, before any case puts a wrapper or a mask first on PATH
real_gcc=$(command -v gcc) || die "no gcc"
# ccache keeps a compiler's stdout (the #SYMVER lines) since 4.6
ccache_version=$(ccache --version | awk 'NR == 1 { print $3 }')
printf '%s\n' 4.6 "$ccache_version" | sort -V -C ||
	die "ccache $ccache_version is too old: 4.6 or later needed"
[ -x "$kobjc" ] || die "no kobjc binary at $kobjc (run make, or set KOBJC_BIN)"
# absolute, as kernel-check.sh makes it: the saved commands hold this path
kobjc=$(cd "$(dirname "$kobjc")" && pwd)/$(basename "$kobjc")
read -ra goals <<<"$targets"
dirs=()
for g in "${goals[@]}"; do dirs+=("${g%/}"); done

# ccache's counter NAME
stat_of() {
	ccache --print-stats | awk -F'\t' -v k="$1" '$1 == k { v = $2 } END { print v + 0 }'
}
hits() { echo $(($(stat_of direct_cache_hit) + $(stat_of preprocessed_cache_hit))); }
# every counter of a call that was neither a hit nor a miss, as NAME=N
uncacheable() { ccache --print-stats | awk -f "$repo/tests/ccache-uncacheable.awk"; }
counters() {
	echo "misses $(stat_of cache_miss), direct hits $(stat_of direct_cache_hit)," \
		"preprocessed hits $(stat_of preprocessed_cache_hit)," \
		"from remote $(stat_of remote_storage_hit)"
}

# ccache_results STATSLOG: one line per compile in ccache's stats log
# (CCACHE_STATSLOG, one '# SOURCE' record of result names per call,
# written at once: intact under make -j, which ccache's debug log is not):
# OBJECT RESULT [remote], OBJECT the source named .o, RESULT the first of
# direct_cache_hit, preprocessed_cache_hit, cache_miss, else the first
# result named (no_input_file...). Calls for preprocessing only (stock
# kbuild's cpp | genksyms) and for no C or assembler source (kbuild's
# option probes) are left out.
ccache_results() {
	awk '
	function out() {
		if (src !~ /\.[cS]$/ || r ~ / called_for_preprocessing( |$)/) return
		sub(/\.[cS]$/, ".o", src)
		k = "none"
		if (r ~ / direct_cache_hit( |$)/) k = "direct_cache_hit"
		else if (r ~ / preprocessed_cache_hit( |$)/) k = "preprocessed_cache_hit"
		else if (r ~ / cache_miss( |$)/) k = "cache_miss"
		else if (r != "") { split(r, w, " "); k = w[1] }
		print src, k, (r ~ / remote_storage_hit( |$)/) ? "remote" : ""
	}
	/^# / { if (n++) out(); src = substr($0, 3); r = ""; next }
	{ r = r " " $0 }
	END { if (n) out() }' "$1"
}
# tally RESULTS: "N objects: H hits (R from remote), M misses[, other]"
# of RESULTS (ccache_results lines)
tally() {
	awk '{
		n++
		if ($2 ~ /_cache_hit$/) { h++; if ($3 == "remote") r++ }
		else if ($2 == "cache_miss") m++
		else o[$2]++
	} END {
		printf "%d objects: %d hits (%d from remote), %d misses", n, h, r, m
		for (k in o) printf ", %s %d", k, o[k]
		print ""
	}' "$1"
}
# field RESULTS WHAT: hits, misses or objects of tally RESULTS
field() {
	tally "$1" | awk -v w="$2" '{ if (w == "objects") print $1; else if (w == "hits") print $3; else print $8 }'
}

status=0
fail() {
	say "FAILED: $*"
	status=1
}

tmp=$(mktemp -d)
logs=$cache/ccache-check.logs
rm -rf "$logs" && mkdir -p "$logs"

# --- cleanup: changes undone, tree back, redis stopped ------------------------

undos=() # reverts of changes in place, last first
entered= # the kobjc tree is at $work
# shellcheck source=tests/kbuild/redis.bash
source "$here/redis.bash"
cleanup() {
	local i
	for ((i = ${#undos[@]} - 1; i >= 0; i--)); do
		"${undos[i]}" || say "could not revert: ${undos[i]}"
	done
	undos=()
	[ -z "$entered" ] || mv "$work" "$kob"
	entered=
	redis_stop
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Part 7's remote storage, from the start: machine 1's builds fill it.
redis_start "$logs/redis"
say "redis-server pid $REDIS_PID on $REDIS_URL (no persistence)"

# --- parts 1 and 2: kernel-check.sh through ccache ---------------------------

check() { env KVER="$kver" KOBJC_BIN="$kobjc" TARGETS="$targets" JOBS="$jobs" "$here/kernel-check.sh"; }

# The cached trees (unpacked and prepared if need be); their paths.
log=$(mktemp)
PREPARE_ONLY=1 REUSE_STOCK=1 check 2>&1 | tee "$log" >&2 || { rm -f "$log"; exit 1; }
stock=$(sed -n 's/^kernel-check: trees ready: \(.*-stock\) .*-kobjc$/\1/p' "$log")
rm -f "$log"
[ -n "$stock" ] && [ -d "$stock" ] || die "kernel-check.sh named no stock tree"
base=${stock%-stock}
kob=$base-kobjc
work=$base-build # where kernel-check.sh builds: parts 2b-4 run there
[ -f "$base/.config" ] || die "no $base/.config"

# objects: the objects in $kob whose saved command is this kobjc's
objects() {
	(cd "$kob" && find . -path ./tools -prune -o -name '.*.o.cmd' -print0 |
		{ xargs -0 grep -lF " := $kobjc " || true; } |
		sed 's|^\./||; s|\.\([^/]*\)\.cmd$|\1|' | sort)
}
objtool_id() { stat -c '%s bytes, %y' "$kob/tools/objtool/objtool"; }

rm -rf "$CCACHE_DIR" && mkdir -p "$CCACHE_DIR"
say "part 1: a cached build with an empty cache (CCACHE_DIR=$CCACHE_DIR), also into $REDIS_URL"
t0=$(date +%s.%N)
CCACHE_REMOTE_STORAGE=$REDIS_URL KOBJC_CACHE=ccache SELFTEST=0 REUSE_STOCK=1 check ||
	fail "part 1: the cached build differs from stock"
part1_time=$(since "$t0")
n=$(objects | wc -l)
[ "$n" -gt 0 ] || die "part 1: no object was built by kobjc"
objtool1=$(objtool_id)
say "part 1: $n objects, $(counters) ($part1_time s)"
part1="$(stat_of cache_miss) misses, $(hits) hits for $n objects"
[ "$(stat_of cache_miss)" -eq "$n" ] && [ "$(hits)" -eq 0 ] ||
	fail "part 1: want $n misses and no hit: $(counters)"
bad=$(uncacheable)
[ -z "$bad" ] || fail "part 1: ccache counted uncacheable calls: $bad"

# kernel-check.sh resets the kobjc copy to the prepared tree and builds
# it again: all hits, even where objtool was rebuilt (kobjc's cache tag
# is the tool's content, not its path or mtime).
ccache -z >/dev/null
say "part 2a: the same build from the cache"
t0=$(date +%s.%N)
KOBJC_CACHE=ccache SELFTEST=0 REUSE_STOCK=1 check || fail "part 2a: the build from hits differs from stock"
part2_time=$(since "$t0")
n2=$(objects | wc -l)
ot=
[ "$(objtool_id)" = "$objtool1" ] || ot=", objtool rebuilt ($objtool1 -> $(objtool_id))"
say "part 2a: $n2 objects, $(counters) ($part2_time s)$ot"
part2="$(stat_of direct_cache_hit) direct hits, $(stat_of cache_miss) misses for $n2 objects$ot"
[ "$n2" -eq "$n" ] || fail "part 2a: $n2 objects built by kobjc, $n in part 1"
[ "$(stat_of direct_cache_hit)" -eq "$n2" ] && [ "$(stat_of preprocessed_cache_hit)" -eq 0 ] &&
	[ "$(stat_of cache_miss)" -eq 0 ] ||
	fail "part 2a: want $n2 direct hits, no miss: $(counters)"
bad=$(uncacheable)
[ -z "$bad" ] || fail "part 2a: ccache counted uncacheable calls: $bad"

# --- part 2b: rebuilt in place, at the path it was built at ---------------------

[ ! -e "$work" ] || die "$work exists: is a kernel-check.sh running on $cache?"
objects >"$logs/objects"
mv "$kob" "$work"
entered=1
cd "$work"

# mk LOG MAKE-ARGS...: make in the current directory, tail of the log on
# failure; mkin DIR LOG MAKE-ARGS...: the same in DIR. Every make reads
# kbuild/kobjc.mk, which does nothing without KOBJC.
mkin() {
	local dir=$1 log=$logs/$2
	shift 2
	make -C "$dir" -j"$jobs" MAKEFILES="$repo/kbuild/kobjc.mk" "$@" >"$log" 2>&1 || {
		tail -n 30 "$log" >&2
		die "make $* failed in $dir (log: $log)"
	}
}
mk() { mkin . "$@"; }

# There objtool stays as it is: every object kobjc built, removed and
# rebuilt, must be a direct hit and equal stock's (object, #SYMVER lines).
say "part 2b: the $n2 objects rebuilt in place from the cache"
xargs rm -f <"$logs/objects"
ccache -z >/dev/null
t0=$(date +%s.%N)
mk rebuild-in-place.log KOBJC="$kobjc" KOBJC_CACHE=ccache "${goals[@]}"
part2b_time=$(since "$t0")
n_diff=0
while IFS= read -r o; do
	c=$(dirname "$o")/.$(basename "$o").cmd
	if ! cmp -s "$o" "$stock/$o" ||
		! cmp -s <(grep '^#SYMVER' "$c") <(grep '^#SYMVER' "$stock/$c"); then
		say "part 2b: $o or its #SYMVER lines differ from stock's"
		n_diff=$((n_diff + 1))
	fi
done <"$logs/objects"
say "part 2b: $(counters), $n_diff differences from stock ($part2b_time s)"
part2b="$(stat_of direct_cache_hit) direct hits, $(stat_of cache_miss) misses for $n2 objects, $n_diff differ from stock"
[ "$(stat_of direct_cache_hit)" -eq "$n2" ] && [ "$(stat_of preprocessed_cache_hit)" -eq 0 ] &&
	[ "$(stat_of cache_miss)" -eq 0 ] ||
	fail "part 2b: want $n2 direct hits and nothing else: $(counters)"
bad=$(uncacheable)
[ -z "$bad" ] || fail "part 2b: ccache counted uncacheable calls: $bad"
[ "$n_diff" -eq 0 ] || fail "part 2b: $n_diff objects differ from stock"

# --- part 2c: check mode ----------------------------------------------------------

# The same objects removed and rebuilt with KOBJC_CHECK=1: every hit is
# built again, uncached, and compared: none may differ; then an uncached
# rebuild (no KOBJC_CACHE), for the time check mode costs against it. Then
# a stale entry made on purpose: a compiler wrapper whose output depends
# on a variable ccache does not hash. The plain build hits that entry and
# gets the wrong object; with KOBJC_CHECK=1 the build fails with kobjc's
# line naming the object, and the entry is made again: the next hit is
# right (the object stock builds).
say "part 2c: the $n2 objects rebuilt from the cache with KOBJC_CHECK=1"
xargs rm -f <"$logs/objects"
ccache -z >/dev/null
t0=$(date +%s.%N)
mk check-mode.log KOBJC="$kobjc" KOBJC_CACHE=ccache KOBJC_CHECK=1 "${goals[@]}"
part2c_time=$(since "$t0")
grep -q "check: the cache's result differs" "$logs/check-mode.log" &&
	fail "part 2c: check mode found a difference on a clean warm rebuild"
say "part 2c: $(counters) ($part2c_time s)"
xargs rm -f <"$logs/objects"
t0=$(date +%s.%N)
mk uncached.log KOBJC="$kobjc" "${goals[@]}"
part2c_uncached=$(since "$t0")
wrap=$tmp/wrap
mkdir -p "$wrap"
# (after the flags: kbuild's own -O2 or -g0 would override it before)
printf '#!/bin/sh\nexec gcc "$@" $KOBJC_TEST_EXTRA\n' >"$wrap/gcc"
chmod 755 "$wrap/gcc"
touch -d '1 hour ago' "$wrap/gcc"
rm -f "$obj"
mk stale-make.log KOBJC="$kobjc" KOBJC_CACHE=ccache CC="$wrap/gcc" \
	KOBJC_TEST_EXTRA=-g "$obj"
cp "$obj" "$logs/stale-g.o"
rm -f "$obj"
mk stale-hit.log KOBJC="$kobjc" KOBJC_CACHE=ccache CC="$wrap/gcc" "$obj"
if cmp -s "$obj" "$logs/stale-g.o" && ! cmp -s "$obj" "$stock/$obj"; then
	stale=caught
	rm -f "$obj"
	if make -j"$jobs" MAKEFILES="$repo/kbuild/kobjc.mk" KOBJC="$kobjc" \
		KOBJC_CACHE=ccache KOBJC_CHECK=1 CC="$wrap/gcc" "$obj" \
		>"$logs/stale-check.log" 2>&1 ||
		! grep -q "$obj: check: the cache's result differs" "$logs/stale-check.log"; then
		stale="NOT caught"
		fail "part 2c: check mode did not catch the stale entry (log: $logs/stale-check.log)"
	fi
	mk stale-after.log KOBJC="$kobjc" KOBJC_CACHE=ccache CC="$wrap/gcc" "$obj"
	cmp -s "$obj" "$stock/$obj" || fail "part 2c: after the check, $obj is not stock's"
	stale="$stale: $(grep -o "check: the cache's result differs.*" "$logs/stale-check.log" | head -n 1 || true)"
else
	stale="not planted: the wrapper's -g build was not hit, or not another object"
	fail "part 2c: $stale"
fi
part2c="$n2 hits checked in $part2c_time s against $part2b_time s unchecked and $part2c_uncached s uncached; a planted stale entry: $stale"
say "part 2c: $part2c"
# the tree as part 2b left it, for the parts that follow
xargs rm -f <"$logs/objects"
mk after-check.log KOBJC="$kobjc" KOBJC_CACHE=ccache "${goals[@]}"

# --- part 2d: why each object missed -------------------------------------------

# fs/fat/ and the self-test object, warm; then one cause at a time, each
# undone before the next: a header's content, -DDEBUG, objtool built
# again with other code, OBJTOOL_ARGS, a .config change. After each
# build, kobjc --why sums the misses by cause: every miss must name its
# cause (an input, a flag, a tool, a variable), not "nothing kobjc
# records changed" nor "no earlier record".
why_goals=(fs/fat/ "$obj")
why_build() {
	local name=$1 missed=0 explained=0 f
	shift
	rm -f fs/fat/*.o "$obj"
	mk "why-$name.log" KOBJC="$kobjc" KOBJC_CACHE=ccache "$@" "${why_goals[@]}"
	"$kobjc" --why=fs/fat >"$logs/why-$name.txt"
	# each object rebuilt: missed, and if so, is a cause named?
	for f in fs/fat/*.o "$obj"; do
		# (a module's linked object has no kobjc command)
		"$kobjc" --explain "$f" >"$logs/why-explain.txt" 2>/dev/null ||
			continue
		grep -q '^lookup   missed' "$logs/why-explain.txt" || continue
		missed=$((missed + 1))
		sed -n '/^lookup   missed/,/^$/p' "$logs/why-explain.txt" | sed 1d |
			grep -v -e 'nothing kobjc records' -e 'no earlier record' |
			grep -q '[a-z]' && explained=$((explained + 1))
	done
	why_rows+=("$(printf '%-14s %3d missed, %3d explained' "$name" "$missed" "$explained")")
	why_missed=$((why_missed + missed)) why_explained=$((why_explained + explained))
	[ "$missed" -gt 0 ] || fail "part 2d: $name: no object missed"
}
say "part 2d: why each object missed"
# its own cache: part 4 wants these same changes to miss
why_ccache_dir=$CCACHE_DIR
export CCACHE_DIR=$tmp/why-ccache
mkdir -p "$CCACHE_DIR"
why_rows=() why_missed=0 why_explained=0
rm -f fs/fat/*.o "$obj"
mk why-base.log KOBJC="$kobjc" KOBJC_CACHE=ccache "${why_goals[@]}"
cp "$hdr" "$tmp/why-hdr"
sed -i "$inline_sed" "$hdr"
why_build header
cp "$tmp/why-hdr" "$hdr"
touch -d '1 hour ago' "$hdr"
why_build debug KCFLAGS=-DDEBUG
cp -p tools/objtool/objtool "$tmp/why-objtool"
echo other >"$tmp/why-extra"
objcopy --add-section .kobjc_other="$tmp/why-extra" "$tmp/why-objtool" tools/objtool/objtool
# the old binary's time, not an earlier one: older than its objects, make
# would link objtool again and undo the change (a tree prepared within the
# hour)
touch -r "$tmp/why-objtool" tools/objtool/objtool
why_build objtool
cp -p "$tmp/why-objtool" tools/objtool/objtool
OBJTOOL_ARGS=--no-unreachable why_build objtool-args
cp .config "$tmp/why-config"
scripts/config --set-val FAT_DEFAULT_CODEPAGE 850
make -s olddefconfig MAKEFILES="$repo/kbuild/kobjc.mk" >/dev/null
why_build config
cp "$tmp/why-config" .config
make -s olddefconfig MAKEFILES="$repo/kbuild/kobjc.mk" >/dev/null
part2d="$why_explained of $why_missed misses explained ($(awk -v e="$why_explained" -v m="$why_missed" 'BEGIN { printf "%.0f", m ? 100 * e / m : 0 }')%)"
say "part 2d: $part2d"
[ "$why_explained" -eq "$why_missed" ] || fail "part 2d: $part2d"
export CCACHE_DIR=$why_ccache_dir
rm -f fs/fat/*.o "$obj"
mk why-after.log KOBJC="$kobjc" KOBJC_CACHE=ccache "${goals[@]}" fs/fat/

# --- outputs compared between trees -----------------------------------------------

# outputs: in the current directory, the objects under the targets'
# directories, one relative path a line
outputs() { find "${dirs[@]}" -name '*.o' ! -name '.tmp_*' -print | sed 's|^\./||' | sort; }
# modpost TREE: kbuild's modpost on the targets' modules (their
# modules.order files), as 'make modules' runs it without vmlinux.o (-w:
# their imports stay unresolved), writes TREE/modules-only.symvers: each
# exported symbol with its CRC, read from the objects' #SYMVER lines.
# ('make modules' itself would build all of vmlinux's objects too: with
# MODVERSIONS kbuild builds built-in objects for it.)
modpost() {
	(
		cd "$1"
		# kbuild's options for this config (6.12 on: -M; 7.3: -b, -x)
		args=(-m -w)
		[ "$kver" = 6.1 ] || args+=(-M)
		! grep -q '^CONFIG_BASIC_MODVERSIONS=y' .config || args+=(-b)
		! grep -q '^CONFIG_EXTENDED_MODVERSIONS=y' .config || args+=(-x)
		# a file, not '-': 7.3's modpost opens the name
		for d in "${dirs[@]}"; do cat "$d/modules.order"; done | sed 's/\.ko$/.o/' >"$tmp/modpost.list"
		scripts/mod/modpost "${args[@]}" -o modules-only.symvers -T "$tmp/modpost.list" 2>"$tmp/modpost.err" ||
			{ cat "$tmp/modpost.err" >&2; exit 1; }
	) || die "modpost failed in $1"
	[ -s "$1/modules-only.symvers" ] || die "modpost wrote no symbol in $1/modules-only.symvers"
}
# fingerprint TREE [symvers]: the SHA-256 of each of outputs, the #SYMVER
# lines of their .cmd files, and with 'symvers' the content of
# modules-only.symvers: two trees built alike have the same fingerprint.
fingerprint() {
	(
		cd "$1"
		outputs | while IFS= read -r f; do
			sha256sum "$f"
			c=$(dirname "$f")/.$(basename "$f").cmd
			[ ! -f "$c" ] || grep '^#SYMVER' "$c" | sed "s|^|$f: |" || true
		done
		if [ "${2:-}" = symvers ]; then
			sed 's|^|modules-only.symvers: |' modules-only.symvers
		fi
	)
}
# same_outputs A B WHAT: fingerprint files A and B are equal; else a
# failure naming WHAT and the first differences
same_outputs() {
	local d
	d=$(diff "$1" "$2" | grep '^[<>]' || true)
	if [ -n "$d" ]; then
		fail "$3: $(grep -c . <<<"$d") lines of the fingerprints differ ($1, $2): $(head -n 4 <<<"$d" | tr '\n' ' ')"
		return 1
	fi
}

# --- part 3: make clean, stock against kobjc, warm ----------------------------------

# clean_side NAME MAKE-ARGS...: the targets with those arguments (to warm
# the cache for this side), make clean, then the same build again with
# ccache's log: $logs/clean-NAME.results (per call), .fingerprint, and
# clean_time
clean_side() {
	local name=$1 t0
	shift
	mk "clean-$name-warm.log" "$@" "${goals[@]}"
	mk "clean-$name-clean.log" clean
	ccache -z >/dev/null
	rm -f "$logs/clean-$name.stats-log"
	t0=$(date +%s.%N)
	CCACHE_STATSLOG=$logs/clean-$name.stats-log mk "clean-$name.log" "$@" "${goals[@]}"
	clean_time=$(since "$t0")
	ccache_results "$logs/clean-$name.stats-log" >"$logs/clean-$name.results"
	modpost .
	fingerprint . symvers >"$logs/clean-$name.fingerprint"
	say "part 3, $name after make clean: $(tally "$logs/clean-$name.results") ($clean_time s; counters: $(counters))"
}

if part 3; then
	say "part 3: make clean, then the targets again: stock CC=\"ccache gcc\", then kobjc"
	export CCACHE_REMOTE_STORAGE=$REDIS_URL # machine 1 fills the remote
	clean_side stock CC="ccache gcc"
	clean_stock_time=$clean_time
	clean_side kobjc KOBJC="$kobjc" CC="ccache gcc"
	clean_kobjc_time=$clean_time
	unset CCACHE_REMOTE_STORAGE
	cp "$logs/clean-stock.fingerprint" "$logs/stock.fingerprint"
	same_outputs "$logs/clean-stock.fingerprint" "$logs/clean-kobjc.fingerprint" \
		"part 3: kobjc's outputs after make clean and stock's" || true
	# each object kobjc missed must be one stock missed too
	worse=$(awk 'NR == FNR { s[$1] = $2; next }
		$2 == "cache_miss" && s[$1] != "cache_miss" { print $1 " (stock: " (s[$1] ? s[$1] : "not built") ")" }' \
		"$logs/clean-stock.results" "$logs/clean-kobjc.results")
	part3="stock $(tally "$logs/clean-stock.results") ($clean_stock_time s); kobjc $(tally "$logs/clean-kobjc.results") ($clean_kobjc_time s)"
	[ -z "$worse" ] || fail "part 3: kobjc missed where stock did not: $(head -n 5 <<<"$worse" | tr '\n' ' ')"
fi

# --- part 4: the matrix on $obj ------------------------------------------------

# The matrix's kobjc: a copy at a path of its own, so that the recipe
# cases replace the file, not the path in kbuild's command (which would
# rebuild scripts/mod/empty.o too, a second ccache call).
mkdir "$tmp/bin"
cp -p "$kobjc" "$tmp/bin/kobjc"
cp -p "$kobjc" "$tmp/kobjc.orig"
K=$tmp/bin/kobjc

cache_mode=(KOBJC_CACHE=ccache) # what makes a build cached; a state may change it
nomask_path=                    # PATH for uncached builds, if not PATH
# build NAME cached|uncached: $obj afresh, log as NAME; it must be kobjc's
build() {
	local cacheit=()
	rm -f "$obj"
	if [ "$2" = cached ]; then
		cacheit=("${cache_mode[@]}")
		mk "$1.log" KOBJC="$K" "${cacheit[@]}" "$obj"
	else
		CCACHE_DISABLE=1 PATH=${nomask_path:-$PATH} mk "$1.log" KOBJC="$K" "$obj"
	fi
	grep -qF " := $K " "$objcmd" || die "$obj was not built by $K (see $objcmd)"
	grep -q '^#SYMVER' "$objcmd" || die "$objcmd has no #SYMVER lines"
}
# save NAME: keep the object and its #SYMVER lines
save() {
	mkdir -p "$logs/$1"
	cp "$obj" "$logs/$1/"
	grep '^#SYMVER' "$objcmd" >"$logs/$1/symvers"
}
# same NAME: the object and #SYMVER lines are NAME's
same() {
	cmp -s "$obj" "$logs/$1/${obj##*/}" &&
		cmp -s <(grep '^#SYMVER' "$objcmd") "$logs/$1/symvers"
}
# cached NAME: a build from zeroed counters; res is hit, miss or what it
# was, from ccache's stats log (the one call for $obj: KBUILD_PRESERVE
# rebuilds scripts/mod/empty.o too); and, when only kobjc calls ccache
# (KOBJC_CACHE), no call may be uncacheable
cached() {
	local r bad
	ccache -z >/dev/null
	rm -f "$logs/$1.stats-log"
	CCACHE_STATSLOG=$logs/$1.stats-log build "$1" cached
	r=$(ccache_results "$logs/$1.stats-log" | awk -v o="$obj" '$1 == o { print $2 }')
	bad=
	[ "${#cache_mode[@]}" = 0 ] || bad=$(uncacheable)
	if [ -n "$bad" ]; then res="uncacheable:$bad"
	elif [ "$(wc -w <<<"$r")" != 1 ]; then res="$(wc -w <<<"$r") calls for $obj"
	else
		case $r in
		*_cache_hit) res=hit ;;
		cache_miss) res=miss ;;
		*) res=$r ;;
		esac
	fi
}
# differs A B FILE: whether FILE of saved builds A and B differs
differs() { if cmp -s "$logs/$1/$3" "$logs/$2/$3"; then echo no; else echo yes; fi; }
# mark GOT WANT: GOT, and what was wanted unless it is GOT or -
mark() {
	if [ "$2" = - ] || [ "$1" = "$2" ]; then echo "$1"; else echo "$1 (want $2)"; fi
}

rows=()
row='%-22s %-8s %-9s %-12s %-15s %s'
cbase=base # the build changes are compared with: base, or the state's
# case_ NAME WANT WANT_OBJ WANT_SYMVER CHANGE REVERT: make the change; a
# cached build must be WANT (hit or miss) and equal an uncached one; its
# object and #SYMVER lines differ from $cbase's as WANT_OBJ, WANT_SYMVER
# say (yes, no, -: either); reverted, a cached build hits and equals
# $cbase.
case_() {
	local name=$1 want=$2 want_obj=$3 want_sym=$4 change=$5 revert=$6
	local got eq d_obj d_sym back=-
	undos+=("$revert")
	$change
	cached "$name"
	got=$res
	save "$name"
	build "$name-uncached" uncached
	if same "$name"; then eq=yes; else eq=no; fi
	d_obj=$(differs "$cbase" "$name" "${obj##*/}")
	d_sym=$(differs "$cbase" "$name" symvers)
	$revert
	unset 'undos[-1]'
	if [ "$want" = miss ]; then
		cached "$name-reverted"
		back=$res
		[ "$back" != hit ] || same "$cbase" || back="hit, differs"
	fi
	rows+=("$(printf "$row" "$name" \
		"$(mark "$got" "$want")" "$(mark "$eq" yes)" "$(mark "$d_obj" "$want_obj")" \
		"$(mark "$d_sym" "$want_sym")" "$(mark "$back" "$([ "$want" = miss ] && echo hit || echo -)")")")
	check_row "case $name"
}
# check_row WHAT: say the row just added, a failure if it has a '(want'
check_row() {
	if [[ ${rows[-1]} == *'(want '* ]]; then fail "$1: ${rows[-1]}"; else say "$1: ${rows[-1]}"; fi
}
# state NAME WANT WANT_OBJ WANT_SYMVER ENTER LEAVE: enter a state the
# next cases run in (and compare with): its cached build must be WANT and
# equal an uncached one. end_state: leave it; a cached build must hit and
# give the outer state's build back.
states=()
state() {
	local name=$1 want=$2 want_obj=$3 want_sym=$4 enter=$5 leave=$6 eq d_obj d_sym
	undos+=("$leave")
	$enter
	cached "$name"
	save "$name"
	build "$name-uncached" uncached
	if same "$name"; then eq=yes; else eq=no; fi
	d_obj=$(differs "$cbase" "$name" "${obj##*/}")
	d_sym=$(differs "$cbase" "$name" symvers)
	rows+=("$(printf "$row" "[$name" \
		"$(mark "$res" "$want")" "$(mark "$eq" yes)" "$(mark "$d_obj" "$want_obj")" \
		"$(mark "$d_sym" "$want_sym")" "")")
	check_row "state $name"
	states+=("$cbase")
	cbase=$name
}
end_state() {
	local name=$cbase back
	"${undos[-1]}"
	unset 'undos[-1]'
	cbase=${states[-1]}
	unset 'states[-1]'
	cached "$name-left"
	back=$res
	[ "$back" != hit ] || same "$cbase" || back="hit, differs"
	rows+=("$(printf "$row" "$name]" "" "" "" "" "$(mark "$back" hit)")")
	check_row "leaving state $name"
}

none() { :; }
# edit FILE SED: change FILE, keeping the original for restore FILE
edit() {
	mkdir -p "$tmp/orig/$(dirname "$1")"
	cp -p "$1" "$tmp/orig/$1"
	sed -i "$2" "$1"
	! cmp -s "$1" "$tmp/orig/$1" || die "edit: '$2' changed nothing in $1"
}
restore() { cp "$tmp/orig/$1" "$1"; }

change_source() { edit "$src" "s/MODULE_DESCRIPTION(\"$desc\")/MODULE_DESCRIPTION(\"$desc, changed\")/"; }
revert_source() { restore "$src"; }

# the header's inline function (crc7_be_byte()), which the exported one
# (crc7_be()) uses: other code
change_header() { edit "$hdr" "$inline_sed"; }
revert_header() { restore "$hdr"; }

# Only the -D__GENKSYMS__ pass sees it: the exported function's size_t
# len becomes another type, so its CRC changes; the compile, and the
# object, do not.
change_genksyms_type() {
	edit "$hdr" '/^#include <linux\/types.h>$/a\
#ifdef __GENKSYMS__\
typedef unsigned int kobjc_len_t;\
#define size_t kobjc_len_t\
#endif'
}
revert_genksyms_type() { restore "$hdr"; }

# kbuild's per-object flags, with the usual -DDEBUG: it changes the
# preprocessed source (pr_debug() in a header's inline), not the object.
# (A -D that changes neither, e.g. -DUNUSED, is rightly a preprocessed-mode
# hit; KCFLAGS would rebuild scripts/mod/empty.o too, a second call.)
change_define() { edit "$kmake" "\$a\\
CFLAGS_${obj##*/} += -DDEBUG"; }
revert_define() { restore "$kmake"; }

# kbuild's per-object objtool switch: no --objtool=/--objtool-arg=
# options at all, the compiler flags unchanged
change_objtool_off() { edit "$kmake" "\$a\\
OBJECT_FILES_NON_STANDARD_${obj##*/} := y"; }
revert_objtool_off() { restore "$kmake"; }

# A newer mtime, the same binary: the same tool (its content is in the
# cache tag). Newer than its prerequisites, so make does not rebuild it;
# back to the old mtime after.
change_objtool_touched() { touch -r tools/objtool/objtool "$tmp/objtool.mtime" && touch tools/objtool/objtool; }
revert_objtool_touched() { touch -r "$tmp/objtool.mtime" tools/objtool/objtool; }
change_genksyms_touched() { touch -r scripts/genksyms/genksyms "$tmp/genksyms.mtime" && touch scripts/genksyms/genksyms; }
revert_genksyms_touched() { touch -r "$tmp/genksyms.mtime" scripts/genksyms/genksyms; }

# Built again from the same source, every object of it: another file
# (inode, mtime, build ID), the same program.
change_objtool_rebuilt() {
	find tools/objtool -name '*.o' -delete
	rm -f tools/objtool/objtool
	mk objtool-rebuilt.log KOBJC="$K" prepare
	[ -x tools/objtool/objtool ] || die "objtool was not rebuilt"
}
change_genksyms_rebuilt() {
	rm -f scripts/genksyms/*.o scripts/genksyms/genksyms
	mk genksyms-rebuilt.log KOBJC="$K" prepare
	[ -x scripts/genksyms/genksyms ] || die "genksyms was not rebuilt"
}

# objtool reads OBJTOOL_ARGS itself, before its arguments: --dry-run
# writes nothing (no ORC, no IBT seal), with kbuild's command unchanged
change_objtool_args() { export OBJTOOL_ARGS=--dry-run; }
revert_objtool_args() { unset OBJTOOL_ARGS; }

# Another gcc first on PATH: -fno-ident drops .comment; -E output and
# --version (kbuild's CC_VERSION_TEXT) stay the same, so only kobjc's
# compiler check can tell.
change_compiler() {
	mkdir -p "$tmp/cc"
	printf '#!/bin/sh\nexec %s -fno-ident "$@"\n' "$real_gcc" >"$tmp/cc/gcc"
	chmod 755 "$tmp/cc/gcc"
	saved_path=$PATH
	PATH=$tmp/cc:$PATH
}
revert_compiler() { PATH=$saved_path; }

# kobjc built from this repo's source into $tmp/NAME, with -D... and an
# edit of kobjc.h (as tests/ccache.bats does)
build_kobjc() {
	local dir=$tmp/$1 define=$2 edit=$3
	mkdir -p "$dir/src"
	cp "$repo/kobjc.c" "$repo/kobjc.h" "$dir/src/"
	if [ -n "$edit" ]; then
		sed -i "$edit" "$dir/src/kobjc.h"
		! cmp -s "$repo/kobjc.h" "$dir/src/kobjc.h" || die "build_kobjc: '$edit' changed nothing"
	fi
	cc -std=c11 -O2 -static $define -o "$dir/kobjc" "$dir/src/kobjc.c" ||
		die "could not build kobjc $1"
	[ "$("$dir/kobjc" --recipe="$recipe" --recipe-hash)" != "$("$kobjc" --recipe="$recipe" --recipe-hash)" ] ||
		die "kobjc $1 has the same recipe hash as $kobjc"
}
# the 2009 two-step recipe: cc -S, assemble, no objtool. $K becomes a
# wrapper that asks this kobjc for it instead of kbuild-6.1 (6.1 only:
# later kernels mark exports with __export_symbol_, not __ksymtab).
change_recipe_2009() {
	cat >"$K" <<-EOF
		#!/usr/bin/env bash
		args=()
		for a; do
			case \$a in
			--recipe=$recipe) args+=(--recipe=2009-two-step) ;;
			--objtool=*|--objtool-arg=*) ;;
			*) args+=("\$a") ;;
			esac
		done
		exec $(printf %q "$tmp/kobjc.orig") "\${args[@]}"
	EOF
}
# one word of the table: objtool gets --stackval, not $OBJTOOL_ARGS
change_recipe_word() {
	build_kobjc word '' 's/run \$OBJTOOL \$OBJTOOL_ARGS \$OUT/run $OBJTOOL --stackval $OUT/' &&
		cp "$tmp/word/kobjc" "$K"
}
# the same file again: same size and mtime
revert_recipe() { cp -p "$tmp/kobjc.orig" "$K"; }

# CONFIG_CRC7=y (7.3: CRC_ITU_T): no -DMODULE, and with IBT no objtool
# until vmlinux.o
set_cfg() {
	scripts/config --file .config "$1" "$cfg" ${selector:+"$1" "$selector"}
	mk "config$1.log" olddefconfig
	grep -qx "CONFIG_$cfg=$2" .config || die "CONFIG_$cfg=$2 did not stick"
}
change_builtin() { set_cfg -e y; }
revert_builtin() { set_cfg -m m; }

# State: KBUILD_PRESERVE=1 and lib/crc7.symref, a reference file with an
# override line, which genksyms -p -r reads (6.1: '-p -r
# $(wildcard foo.symref)'); the case changes that line only: another CRC,
# the same kbuild command.
symref() { printf 'override t#size_t typedef unsigned %s size_t \n' "$1" >"${obj%.o}.symref"; }
enter_symref() {
	symref int
	export KBUILD_PRESERVE=1
}
leave_symref() {
	rm -f "${obj%.o}.symref"
	unset KBUILD_PRESERVE
}
change_symref() { symref long; }
revert_symref() { symref int; }

# State: a ccache masquerade directory first on PATH (gcc -> ccache), a
# plain gcc wrapper behind it, and no KOBJC_CACHE: kobjc takes that gcc
# for ccache and the wrapper for the compiler. The case rewrites the
# wrapper in place (-fno-ident): the same path and arguments, another
# compiler. Uncached builds run without the masquerade directory.
write_gcc() {
	printf '#!/bin/sh\nexec %s %s"$@"\n' "$real_gcc" "$1" >"$tmp/behind/gcc"
	chmod 755 "$tmp/behind/gcc"
}
enter_masquerade() {
	mkdir -p "$tmp/mask" "$tmp/behind"
	ln -sf "$(command -v ccache)" "$tmp/mask/gcc"
	write_gcc ''
	masq_saved_path=$PATH
	nomask_path=$tmp/behind:$PATH
	PATH=$tmp/mask:$tmp/behind:$PATH
	cache_mode=()
}
leave_masquerade() {
	PATH=$masq_saved_path
	nomask_path=
	cache_mode=(KOBJC_CACHE=ccache)
}
change_masked_gcc() { write_gcc '-fno-ident '; }
revert_masked_gcc() { write_gcc ''; }

# State: a GCC plugin (tests/kbuild/test-plugin.cc) on the object's command
# line (-fplugin=, as kbuild passes its own plugins; per object, as
# KCFLAGS would rebuild scripts/mod/empty.o too); the case builds it
# again at the same path with -DV2, which drops .comment.
plugin=$tmp/plugin/kobjc-test-plugin.so
build_plugin() {
	mkdir -p "$tmp/plugin"
	g++ -shared -fPIC -fno-rtti -O2 "$@" -I"$(gcc -print-file-name=plugin)/include" \
		-o "$plugin" "$here/test-plugin.cc" || die "could not build the test plugin"
}
enter_plugin() {
	build_plugin
	edit "$kmake" "\$a\\
CFLAGS_${obj##*/} += -fplugin=$plugin"
}
leave_plugin() { restore "$kmake"; }
change_plugin() { build_plugin -DV2; }
revert_plugin() { build_plugin; }

# States: CCACHE_DEPEND=1 (depend mode builds its manifest from the .d
# file: kobjc must not use it), then a header that only the
# -D__GENKSYMS__ pass includes; the case changes a type in that header.
enter_depend() { export CCACHE_DEPEND=1; }
leave_depend() { unset CCACHE_DEPEND; }
gk_header() { printf 'typedef unsigned %s kobjc_gk_len_t;\n#define size_t kobjc_gk_len_t\n' "$1" >include/linux/kobjc-gk.h; }
enter_gk_header() {
	gk_header long
	edit "$hdr" '/^#include <linux\/types.h>$/a\
#ifdef __GENKSYMS__\
#include <linux/kobjc-gk.h>\
#endif'
}
leave_gk_header() {
	restore "$hdr"
	rm -f include/linux/kobjc-gk.h
}
change_gk_header() { gk_header int; }
revert_gk_header() { gk_header long; }

if part 4; then
	# Steady state first: prepare with the matrix's kobjc (scripts/mod/empty.o
	# is rebuilt: another KOBJC), so that nothing but $obj changes in the
	# builds below; then the base build, cached: a miss (another kobjc file).
	mk prepare.log KOBJC="$K" prepare modules_prepare
	cached base
	say "part 4: $obj in $work, base build: $res"
	save base
	t0=$(date +%s.%N)

	#     name              want  obj   SYMVER  change                  revert
	case_ nothing           hit   no    no      none                    none
	case_ source            miss  yes   no      change_source           revert_source
	case_ header            miss  yes   no      change_header           revert_header
	case_ genksyms-type     miss  no    yes     change_genksyms_type    revert_genksyms_type
	case_ cflags-DDEBUG     miss  -     no      change_define           revert_define
	case_ objtool-off       miss  yes   no      change_objtool_off      revert_objtool_off
	case_ objtool-touched   hit   no    no      change_objtool_touched  revert_objtool_touched
	case_ genksyms-touched  hit   no    no      change_genksyms_touched revert_genksyms_touched
	case_ objtool-rebuilt   hit   no    no      change_objtool_rebuilt  none
	case_ genksyms-rebuilt  hit   no    no      change_genksyms_rebuilt none
	case_ OBJTOOL_ARGS      miss  yes   no      change_objtool_args     revert_objtool_args
	case_ gcc-fno-ident     miss  yes   no      change_compiler         revert_compiler
	[ "$kver" != 6.1 ] ||
	case_ recipe-2009       miss  yes   no      change_recipe_2009      revert_recipe
	case_ recipe-word       miss  yes   no      change_recipe_word      revert_recipe
	case_ "$cfg=y-builtin"  miss  yes   no      change_builtin          revert_builtin
	state KBUILD_PRESERVE   miss  no    yes     enter_symref            leave_symref
	case_ symref-override   miss  no    yes     change_symref           revert_symref
	end_state
	state masquerade        -     no    no      enter_masquerade        leave_masquerade
	case_ masked-gcc        miss  yes   no      change_masked_gcc       revert_masked_gcc
	end_state
	if command -v g++ >/dev/null && [ -d "$(gcc -print-file-name=plugin)/include" ]; then
		state plugin        miss  no    no      enter_plugin            leave_plugin
		case_ plugin-v2     miss  yes   no      change_plugin           revert_plugin
		end_state
	else
		fail "no g++ or gcc plugin headers: run sudo apt-get install -y g++ gcc-12-plugin-dev"
	fi
	state CCACHE_DEPEND     hit   no    no      enter_depend            leave_depend
	state gk-only-header    miss  no    yes     enter_gk_header         leave_gk_header
	case_ gk-header-type    miss  no    yes     change_gk_header        revert_gk_header
	end_state
	end_state
	part4_time=$(since "$t0")
fi

# The kobjc tree back where kernel-check.sh keeps it.
cd "$cache"
mv "$work" "$kob"
entered=

# --- parts 5-7: other trees -------------------------------------------------------

tree2=$base-cc-tree2
machine2=$base-cc-machine2

# fresh DIR: the tarball unpacked afresh in DIR (unmodified: every make
# here reads kbuild/kobjc.mk, see mkin)
fresh() {
	local tarball
	tarball=$("$repo/tests/kernel-source" "$kver") || die "no linux-source-$kver tarball"
	rm -rf "$1" && mkdir -p "$1"
	tar -xJf "$tarball" -C "$1" --strip-components=1
}
# configure LOG MAKE-DIR [O=...]: $base's .config, olddefconfig, prepare
# (objtool, genksyms... built there), all with kobjc and KOBJC_CACHE
configure() {
	local log=$1 dir=$2 out=$2
	shift 2
	[ $# = 0 ] || out=${1#O=}
	mkdir -p "$out"
	cp "$base/.config" "$out/.config"
	mkin "$dir" "$log-config.log" "$@" olddefconfig
	mkin "$dir" "$log-prepare.log" "$@" KOBJC="$kobjc" KOBJC_CACHE=ccache prepare modules_prepare
	[ -x "$out/tools/objtool/objtool" ] && [ -x "$out/scripts/genksyms/genksyms" ] ||
		die "no objtool or genksyms built in $out"
}
# counted NAME DIR MAKE-ARGS...: a make from zeroed counters, with
# ccache's log; sets got (tally) and its time
counted() {
	local name=$1 dir=$2 t0
	shift 2
	ccache -z >/dev/null
	rm -f "$logs/$name.stats-log"
	t0=$(date +%s.%N)
	CCACHE_STATSLOG=$logs/$name.stats-log mkin "$dir" "$name.log" "$@"
	got_time=$(since "$t0")
	ccache_results "$logs/$name.stats-log" >"$logs/$name.results"
	got=$(tally "$logs/$name.results")
	say "$name: $got ($got_time s; counters: $(counters))"
	bad=$(uncacheable)
	[ -z "$bad" ] || fail "$name: ccache counted uncacheable calls: $bad"
}

if part 5 || part 6 || part 7; then
	t0=$(date +%s.%N)
	say "two trees afresh: $tree2 unpacked, $machine2 a copy of it"
	fresh "$tree2"
	# nothing is configured or built in either yet: a copy is as fresh
	# as a second unpack, and quicker
	rm -rf "$machine2" && cp -a "$tree2" "$machine2"
	unpack_time=$(since "$t0")
fi

if part 5; then
	# O=TREE/obj-kobjc: kbuild names the source tree '..', every path in a
	# command is relative, so another tree's build directory hits too
	say "part 5: O= build directories in both trees"
	configure objdir1 "$tree2" O="$tree2/obj-kobjc"
	counted objdir1 "$tree2" O="$tree2/obj-kobjc" KOBJC="$kobjc" KOBJC_CACHE=ccache "${goals[@]}"
	part5a="first: $got ($got_time s)"
	configure objdir2 "$machine2" O="$machine2/obj-kobjc"
	counted objdir2 "$machine2" O="$machine2/obj-kobjc" KOBJC="$kobjc" KOBJC_CACHE=ccache "${goals[@]}"
	part5b="second: $got ($got_time s)"
	[ "$(field "$logs/objdir2.results" misses)" = 0 ] &&
		[ "$(field "$logs/objdir2.results" hits)" = "$(field "$logs/objdir2.results" objects)" ] ||
		fail "part 5: the second O= directory did not hit every object: $got"
	fingerprint "$tree2/obj-kobjc" >"$logs/objdir1.fingerprint"
	fingerprint "$machine2/obj-kobjc" >"$logs/objdir2.fingerprint"
	fingerprint "$stock" >"$logs/stock-targets.fingerprint"
	same_outputs "$logs/objdir1.fingerprint" "$logs/objdir2.fingerprint" "part 5: the O= directories' outputs" || true
	# (an O= build need not equal an in-tree one: said, not failed)
	if cmp -s "$logs/stock-targets.fingerprint" "$logs/objdir2.fingerprint"; then
		part5c="outputs equal to each other's and to stock's in-tree build"
	else
		part5c="outputs equal to each other's; not to stock's in-tree build ($(diff "$logs/stock-targets.fingerprint" "$logs/objdir2.fingerprint" | grep -c '^>') lines differ)"
	fi
	rm -rf "$tree2/obj-kobjc" "$machine2/obj-kobjc"
fi

if part 6; then
	say "part 6: a second tree at $tree2, same CCACHE_DIR"
	configure tree2 "$tree2"
	counted tree2 "$tree2" KOBJC="$kobjc" KOBJC_CACHE=ccache "${goals[@]}"
	part6="$got ($got_time s)"
	h=$(field "$logs/tree2.results" hits) n6=$(field "$logs/tree2.results" objects)
	[ "$n6" -gt 0 ] && [ $((h * 100)) -ge $((n6 * 99)) ] || fail "part 6: under 99% hits: $got"
	[ "$h" = "$n6" ] || say "part 6: not every object hit: $got"
	fingerprint "$tree2" >"$logs/tree2.fingerprint"
	[ -f "$logs/stock-targets.fingerprint" ] || fingerprint "$stock" >"$logs/stock-targets.fingerprint"
	same_outputs "$logs/stock-targets.fingerprint" "$logs/tree2.fingerprint" "part 6: the second tree's outputs and stock's" || true
fi

if part 7; then
	say "part 7: machine 2 at $machine2, own empty CCACHE_DIR, remote $REDIS_URL"
	export CCACHE_DIR=$cache/ccache-machine2 CCACHE_REMOTE_STORAGE=$REDIS_URL
	rm -rf "$CCACHE_DIR" && mkdir -p "$CCACHE_DIR"
	configure machine2 "$machine2"
	counted machine2 "$machine2" KOBJC="$kobjc" KOBJC_CACHE=ccache "${goals[@]}"
	part7="$got ($got_time s)"
	[ "$(field "$logs/machine2.results" misses)" = 0 ] &&
		[ "$(awk '$2 !~ /_cache_hit$/ || $3 != "remote"' "$logs/machine2.results" | wc -l)" = 0 ] ||
		fail "part 7: not all hits from the remote: $got"
	modpost "$machine2"
	fingerprint "$machine2" symvers >"$logs/machine2.fingerprint"
	if [ -f "$logs/stock.fingerprint" ]; then
		same_outputs "$logs/stock.fingerprint" "$logs/machine2.fingerprint" "part 7: machine 2's outputs and stock's" || true
	else
		say "part 7: no stock fingerprint (part 3 skipped): outputs not compared"
	fi
	export CCACHE_DIR=$cache/ccache
	unset CCACHE_REMOTE_STORAGE
fi

# --- result ---------------------------------------------------------------------

printf '\nTargets: %s (Linux %s, %s)\n' "$targets" "$kver" "$(basename "$base")"
printf 'part 1, cached build = stock:   %s (%s s)\n' "$part1" "$part1_time"
printf 'part 2a, rebuild from hits:     %s (%s s)\n' "$part2" "$part2_time"
printf 'part 2b, the same in place:     %s (%s s)\n' "$part2b" "$part2b_time"
printf 'part 2c, check mode:            %s\n' "$part2c"
printf 'part 2d, why each miss:         %s\n' "$part2d"
printf '  %s\n' "${why_rows[@]}"
! part 3 || printf 'part 3, after make clean:       %s\n' "$part3"
if part 4; then
	printf '\npart 4, %s: a change must miss, equal the uncached build, and hit again reverted (%s s)\n' "$obj" "$part4_time"
	printf "$row\n" case cached =uncached obj-differs SYMVER-differs reverted
	printf '%s\n' "${rows[@]}"
	printf '([NAME ... NAME]: the cases between run in state NAME; differs: from the base or state build)\n'
fi
! part 5 || printf 'part 5, O= directories:         %s; %s; %s\n' "$part5a" "$part5b" "$part5c"
! part 6 || printf 'part 6, second tree:            %s\n' "$part6"
! part 7 || printf 'part 7, machine 2 from redis:   %s\n' "$part7"
[ -z "${unpack_time:-}" ] || printf '(the two trees unpacked and copied in %s s)\n' "$unpack_time"
printf '(logs and objects: %s)\n\n' "$logs"
say "total $(since "$t_start") s"
if [ "$status" = 0 ]; then say PASS; else say "FAIL (logs: $logs)"; fi
exit "$status"
