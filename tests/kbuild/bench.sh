#!/usr/bin/env bash
# make bench: stock kbuild against kobjc on the Linux 6.1 trees that
# kernel-check.sh prepares, measured side by side in one run (alternating
# runs, medians, ratios), never as timed assertions.
#
#   warm:    rebuild of DIR after 'rm DIR/*.o', both caches warm:
#            stock  make CC="ccache gcc"                  DIR/
#            kobjc  make KOBJC=... KOBJC_CACHE=ccache     DIR/
#   warm-cc: the same, kobjc as a ccache user would call it:
#            kobjc  make KOBJC=... CC="ccache gcc"        DIR/
#            (kbuild's own compiler calls, the option probes every make
#            runs, then go through ccache as in the stock build)
#   noop:    make DIR/ with nothing to rebuild, as warm: make's own cost
#   cold:    the same rebuild without any cache: make / make KOBJC=...
#   hit:     one object on a ccache hit: 'ccache gcc ...' against
#            'KOBJC_CACHE=ccache kobjc ...', each as kbuild saved it
#
# Environment: DIRS (default 'fs/ext4 lib kernel'), RUNS (default 5),
# COLD_RUNS (default RUNS), HITS (default 40), HIT_OBJ (default
# fs/ext4/inode.o), KOBJC_BIN, KOBJC_KERNEL_CACHE, JOBS, COLD=0 to skip
# the cold builds.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
dirs=${DIRS:-fs/ext4 lib kernel}
runs=${RUNS:-5}
cold_runs=${COLD_RUNS:-$runs}
hits=${HITS:-40}
hit_obj=${HIT_OBJ:-fs/ext4/inode.o}
jobs=${JOBS:-$(nproc)}
kobjc=${KOBJC_BIN:-$repo/kobjc}
kobjc=$(cd "$(dirname "$kobjc")" && pwd)/$(basename "$kobjc")
cache=${KOBJC_KERNEL_CACHE:-$HOME/.cache/kobjc}

say() { printf 'bench: %s\n' "$*" >&2; }

# Fresh stock and kobjc copies of the prepared tree.
ready=$(PREPARE_ONLY=1 KOBJC_BIN=$kobjc "$here/kernel-check.sh" 2>&1 |
	tee /dev/stderr | sed -n 's/^kernel-check: trees ready: //p')
read -r stock kob <<<"$ready"
[ -n "$kob" ] || { say "kernel-check.sh did not prepare the trees"; exit 1; }
grep -q KOBJC "$kob/scripts/Makefile.build" || { say "kbuild patch not applied in $kob"; exit 1; }
export CCACHE_DIR=$cache/bench-ccache
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 1970'
export KBUILD_BUILD_USER=kobjc KBUILD_BUILD_HOST=kobjc LC_ALL=C
unset MAKEFLAGS MAKELEVEL MFLAGS KOBJC KOBJC_CACHE KOBJC_CC_LAUNCHER
mkdir -p "$CCACHE_DIR"

now() { date +%s.%N; }
# median [COLUMN]: of the numbers in COLUMN (default 1) of stdin
median() { awk -v c="${1:-1}" '{ print $c }' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# build TREE DIR MAKE-ARGS...: rm DIR/*.o (not for noop), make DIR/,
# print its wall and CPU (user + system, make and all it ran) seconds
build() {
	local tree=$1 dir=$2 t TIMEFORMAT='%R %U %S'
	shift 2
	[ "$kind" = noop ] || rm -f "$tree/$dir"/*.o
	t=$({ time make -C "$tree" -s -j"$jobs" "$@" "$dir/" >/dev/null \
		2>"$tree/bench.err"; } 2>&1) || { cat "$tree/bench.err" >&2; exit 1; }
	awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' <<<"$t"
}

# make arguments of each side of each kind (compare reads them by name).
# noop: make's fixed cost, nothing to rebuild, as warm: kbuild's option
# probes run gcc on the kobjc side, ccache on the stock side.
# shellcheck disable=SC2034
declare -a stock_warm=(CC="ccache gcc") \
	kobjc_warm=(KOBJC="$kobjc" KOBJC_CACHE=ccache) \
	kobjc_warm_cc=(KOBJC="$kobjc" CC="ccache gcc") \
	stock_cold=() kobjc_cold=(KOBJC="$kobjc") \
	stock_noop=(CC="ccache gcc") kobjc_noop=(KOBJC="$kobjc" KOBJC_CACHE=ccache)
read -ra goals <<<"$(printf '%s/ ' $dirs)"

# compare KIND: for each dir, RUNS alternating rebuilds (stock, kobjc);
# adds "kind dir objects median-stock median-kobjc ratio" to the table
table=()
compare() {
	local dir ta tb i n=$runs
	kind=$1
	local -n a_args=stock_${kind%-cc} b_args=kobjc_${kind//-/_}
	[ "$kind" = cold ] && n=$cold_runs
	for dir in $dirs; do
		: >"$cache/bench.a" && : >"$cache/bench.b"
		# one untimed run each: a CC other than the last make's reruns
		# syncconfig once (too costly to repeat for cold builds)
		if [ "$kind" != cold ]; then
			build "$stock" "$dir" "${a_args[@]}" >/dev/null
			build "$kob" "$dir" "${b_args[@]}" >/dev/null
		fi
		for ((i = 0; i < n; i++)); do
			build "$stock" "$dir" "${a_args[@]}" >>"$cache/bench.a"
			build "$kob" "$dir" "${b_args[@]}" >>"$cache/bench.b"
		done
		ta=$(median 1 <"$cache/bench.a") tb=$(median 1 <"$cache/bench.b")
		ca=$(median 2 <"$cache/bench.a") cb=$(median 2 <"$cache/bench.b")
		objs=$(ls "$stock/$dir"/*.o | wc -l)
		e=$( (grep -l '^#SYMVER' "$stock/$dir"/.*.o.cmd 2>/dev/null || true) | wc -l)
		table+=("$(printf '%-7s %-9s %4d (%3d) %8.2f s %8.2f s %6.2f %8.2f s %8.2f s %6.2f' \
			"$kind" "$dir/" "$objs" "$e" "$ta" "$tb" \
			"$(awk -v a="$ta" -v b="$tb" 'BEGIN { print b / a }')" "$ca" "$cb" \
			"$(awk -v a="$ca" -v b="$cb" 'BEGIN { print b / a }')")")
		say "${table[-1]}  [wall, CPU: stock: $(awk '{ printf "%s/%s ", $1, $2 }' "$cache/bench.a")| kobjc: $(awk '{ printf "%s/%s ", $1, $2 }' "$cache/bench.b")]"
	done
}

# #SYMVER lines of DIR's .cmd files, as modpost reads them
symvers() { (cd "$1" && for d in $dirs; do grep -H '^#SYMVER' "$d"/.*.o.cmd || true; done) | LC_ALL=C sort; }

say "warming both caches (and building every other object once)"
make -C "$stock" -s -j"$jobs" "${stock_warm[@]}" "${goals[@]}" "$hit_obj" >/dev/null
make -C "$kob" -s -j"$jobs" "${kobjc_warm[@]}" "${goals[@]}" "$hit_obj" >/dev/null
ccache -z >/dev/null
compare warm
compare warm-cc
compare noop
ccache --print-stats | awk '$1 ~ /^(direct_cache_hit|preprocessed_cache_hit|cache_miss)$/' | tr '\n' ' ' >&2
echo >&2
if cmp -s <(symvers "$stock") <(symvers "$kob"); then
	symver_check="equal ($(symvers "$stock" | wc -l) lines)"
else
	symver_check="DIFFERENT"
fi
# One object on a ccache hit, each command exactly as kbuild saved it
# (by the warm builds above).
saved() { sed -En "s/^(saved)?cmd_$(echo "$hit_obj" | sed 's|/|\\/|g') := //p" "$1/$(dirname "$hit_obj")/.$(basename "$hit_obj").cmd" | sed 's/\$\$/$/g'; }
hit_stock=$(saved "$stock")
hit_kobjc=$(saved "$kob")
: >"$cache/bench.a" && : >"$cache/bench.b"
for ((i = 0; i < hits; i++)); do
	for side in a b; do
		if [ $side = a ]; then tree=$stock cmd=$hit_stock; else tree=$kob cmd=$hit_kobjc; fi
		t0=$(now)
		(cd "$tree" && KOBJC_CACHE=ccache eval "$cmd" >/dev/null)
		awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.5f\n", b - a }' >>"$cache/bench.$side"
	done
done
ha=$(median <"$cache/bench.a")
hb=$(median <"$cache/bench.b")

[ "${COLD:-1}" = 0 ] || compare cold

printf '\n%-7s %-9s %-10s %10s %10s %6s %10s %10s %6s\n' kind dir 'objs(exp)' \
	'wall:stock' kobjc ratio 'CPU:stock' kobjc ratio
printf '%s\n' "${table[@]}"
printf '\nccache hit on %s (median of %d, sh -c included): ccache gcc %.1f ms, kobjc %.1f ms, kobjc overhead %.1f ms\n' \
	"$hit_obj" "$hits" "$(awk -v a="$ha" 'BEGIN { print a * 1000 }')" \
	"$(awk -v a="$hb" 'BEGIN { print a * 1000 }')" \
	"$(awk -v a="$ha" -v b="$hb" 'BEGIN { print (b - a) * 1000 }')"
printf '#SYMVER lines of %s: stock and kobjc %s\n' "$dirs" "$symver_check"
