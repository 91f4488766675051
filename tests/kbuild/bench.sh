#!/usr/bin/env bash
# make bench: stock kbuild against kobjc on the Linux trees that
# kernel-check.sh prepares (KVER=6.1, the default, 6.12, 7.2 or 7.3), measured
# side by side in one run (alternating runs, medians, ratios), never as
# timed assertions. Every kobjc make below also gets
# MAKEFILES=kbuild/kobjc.mk (the stock and kobjc trees are the same
# unmodified tree).
#
#   warm:    rebuild of DIR after 'rm DIR/*.o', both caches warm:
#            stock  make CC="ccache gcc"                  DIR/
#            kobjc  make KOBJC=... KOBJC_CACHE=ccache     DIR/
#   warm-cc: the same, kobjc as a ccache user would call it:
#            kobjc  make KOBJC=... CC="ccache gcc"        DIR/
#            (kbuild's own compiler calls, the option probes every make
#            runs, then go through ccache as in the stock build)
#   noop:    make DIR/ with nothing to rebuild: make's own cost, both
#            sides CC="ccache gcc" (kobjc: MAKEFILES=... KOBJC=...)
#   noop-kc: the same, kobjc with KOBJC_CACHE=ccache and plain gcc:
#            kbuild's option probes then run gcc, not ccache
#   hit:     one object on a ccache hit: 'ccache gcc ...' against
#            'KOBJC_CACHE=ccache kobjc ...', each as kbuild saved it
#   clean:   'make clean' (untimed), then make DIR/, both caches warm:
#            stock  make CC="ccache gcc"                  DIR/
#            kobjc  make KOBJC=... CC="ccache gcc"        DIR/
#   tree2:   a second tree, same caches: each run makes a fresh copy of
#            the prepared tree at another path ($cache/linux-KVER.N-bench-
#            tree2-stock, -kobjc), runs 'make prepare' there (untimed:
#            objtool is rebuilt, the copy is elsewhere), then times the
#            first make DIR/ of each DIR in it, as clean
#   cold:    the same rebuild without any cache: make / make KOBJC=...
#   distcc:  'rm DIR/*.o', then make DIR/ with two distccd helpers on
#            127.0.0.1 (2 slots each), no cache; the client's own CPU an
#            object (what decides a farm's speed) of
#            stock  make CC="distcc gcc"                  DIR/
#            kobjc  make KOBJC=... KOBJC_CC_LAUNCHER=distcc DIR/, helpers
#                   without a tool store: the compile phase there
#            kobjc  the same, helpers with kobjc --store-tools of the
#                   tree in KOBJC_TOOLS: the whole recipe there
#
# Environment: KVER, KINDS (default 'warm warm-cc noop noop-kc hit clean
# tree2 cold distcc': the rows to measure, in that order whatever the order given),
# DIRS (default 'fs/ext4 lib kernel'), RUNS (default 5), COLD_RUNS
# (default RUNS), HITS (default 40), HIT_OBJ (default fs/ext4/inode.o),
# KOBJC_BIN, KOBJC_KERNEL_CACHE, JOBS.
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
kinds=" ${KINDS:-warm warm-cc noop noop-kc hit clean tree2 cold distcc} "
kind_on() { [[ $kinds == *" $1 "* ]]; }
kver=${KVER:-6.1}
# shellcheck source=tests/kbuild/kver.bash
source "$here/kver.bash"
kver_facts "$kver" || exit 1

say() { printf 'bench: %s\n' "$*" >&2; }

# Fresh stock and kobjc copies of the prepared tree; kernel-check.sh's
# messages pass on to stderr through its descriptor (tee /dev/stderr would
# open it again and truncate the file a caller sent it to).
ready=$(PREPARE_ONLY=1 KVER=$kver KOBJC_BIN=$kobjc "$here/kernel-check.sh" 2>&1 |
	tee >(cat >&2) | sed -n 's/^kernel-check: trees ready: //p')
read -r stock kob <<<"$ready"
[ -n "$kob" ] || { say "kernel-check.sh did not prepare the trees"; exit 1; }
base=${stock%-stock} # the prepared tree both are copies of
tree2=$base-bench-tree2
# the kobjc side: the unmodified tree with kbuild/kobjc.mk
mkf=MAKEFILES=$repo/kbuild/kobjc.mk
export CCACHE_DIR=$cache/bench-ccache
kbuild_identity
unset KOBJC_CACHE KOBJC_CC_LAUNCHER
mkdir -p "$CCACHE_DIR"

now() { date +%s.%N; }
# median [COLUMN]: of the numbers in COLUMN (default 1) of stdin
median() { awk -v c="${1:-1}" '{ print $c }' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# quiet TREE MAKE-ARGS...: an untimed make in TREE, its errors on failure
quiet() {
	local tree=$1
	shift
	make -C "$tree" -s -j"$jobs" "$@" >/dev/null 2>"$tree/bench.err" ||
		{ cat "$tree/bench.err" >&2; exit 1; }
}
# build TREE DIR MAKE-ARGS...: first, untimed, rm DIR/*.o (warm, cold),
# make clean (clean) or nothing (noop, tree2); then make DIR/, print its
# wall and CPU (user + system, make and all it ran) seconds
build() {
	local tree=$1 dir=$2 t TIMEFORMAT='%R %U %S'
	shift 2
	case $kind in
	noop | noop-kc | tree2) ;;
	distcc) rm -f "$tree/$dir"/*.o ;;
	clean) quiet "$tree" clean ;;
	*) rm -f "$tree/$dir"/*.o ;;
	esac
	t=$({ time make -C "$tree" -s -j"$jobs" "$@" "$dir/" >/dev/null \
		2>"$tree/bench.err"; } 2>&1) || { cat "$tree/bench.err" >&2; exit 1; }
	awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' <<<"$t"
}

# make arguments of each side of each kind (compare reads them by name).
# noop: make's fixed cost, nothing to rebuild, like with like: both sides
# CC="ccache gcc", so kbuild's option probes go through ccache on both
# (KOBJC_CACHE=ccache would run them with plain gcc).
# shellcheck disable=SC2034
declare -a stock_warm=(CC="ccache gcc") \
	kobjc_warm=("$mkf" KOBJC="$kobjc" KOBJC_CACHE=ccache) \
	kobjc_warm_cc=("$mkf" KOBJC="$kobjc" CC="ccache gcc") \
	stock_cold=() kobjc_cold=("$mkf" KOBJC="$kobjc") \
	stock_noop=(CC="ccache gcc") kobjc_noop=("$mkf" KOBJC="$kobjc" CC="ccache gcc") \
	kobjc_noop_kc=("$mkf" KOBJC="$kobjc" KOBJC_CACHE=ccache) \
	stock_clean=(CC="ccache gcc") kobjc_clean=("$mkf" KOBJC="$kobjc" CC="ccache gcc") \
	stock_tree2=(CC="ccache gcc") kobjc_tree2=("$mkf" KOBJC="$kobjc" CC="ccache gcc")
read -ra goals <<<"$(printf '%s/ ' $dirs)"
read -ra dir_list <<<"$dirs"

# row KIND DIR A B TREE: adds "kind dir objects medians ratios" to the
# table from the "wall CPU" lines of files A (stock) and B (kobjc); the
# objects (and those exporting) are counted in TREE, stock's
table=()
row() {
	local kind=$1 dir=$2 a=$3 b=$4 tree=$5 ta tb ca cb objs e
	ta=$(median 1 <"$a") tb=$(median 1 <"$b")
	ca=$(median 2 <"$a") cb=$(median 2 <"$b")
	objs=$(find "$tree/$dir" -maxdepth 1 -name '*.o' | wc -l)
	e=$( (grep -l '^#SYMVER' "$tree/$dir"/.*.o.cmd 2>/dev/null || true) | wc -l)
	table+=("$(printf '%-7s %-9s %4d (%3d) %8.2f s %8.2f s %6.2f %8.2f s %8.2f s %6.2f' \
		"$kind" "$dir/" "$objs" "$e" "$ta" "$tb" \
		"$(awk -v a="$ta" -v b="$tb" 'BEGIN { print b / a }')" "$ca" "$cb" \
		"$(awk -v a="$ca" -v b="$cb" 'BEGIN { print b / a }')")")
	say "${table[-1]}  [wall, CPU: stock: $(awk '{ printf "%s/%s ", $1, $2 }' "$a")| kobjc: $(awk '{ printf "%s/%s ", $1, $2 }' "$b")]"
}

# compare KIND: for each dir, RUNS alternating rebuilds (stock, kobjc),
# and a table row
compare() {
	local dir i n=$runs
	kind=$1
	local -n a_args=stock_${kind%-*} b_args=kobjc_${kind//-/_}
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
		row "$kind" "$dir" "$cache/bench.a" "$cache/bench.b" "$stock"
	done
}

# compare_tree2: RUNS times, alternating sides, a fresh copy of the
# prepared tree at another path, 'make prepare' there, then each DIR's
# first build in it; a table row per dir
compare_tree2() {
	local i side t2 d args=()
	kind=tree2
	for ((d = 0; d < ${#dir_list[@]}; d++)); do
		: >"$cache/bench.tree2.$d.a" && : >"$cache/bench.tree2.$d.b"
	done
	for ((i = 0; i < runs; i++)); do
		for side in a b; do
			if [ $side = a ]; then
				t2=$tree2-stock args=("${stock_tree2[@]}")
			else
				t2=$tree2-kobjc args=("${kobjc_tree2[@]}")
			fi
			reset_copy "$base" "$t2"
			quiet "$t2" "${args[@]}" prepare
			for ((d = 0; d < ${#dir_list[@]}; d++)); do
				build "$t2" "${dir_list[d]}" "${args[@]}" >>"$cache/bench.tree2.$d.$side"
			done
		done
	done
	for ((d = 0; d < ${#dir_list[@]}; d++)); do
		row tree2 "${dir_list[d]}" "$cache/bench.tree2.$d.a" "$cache/bench.tree2.$d.b" "$tree2-stock"
	done
	rm -rf "$tree2-stock" "$tree2-kobjc"
}

# #SYMVER lines of DIR's .cmd files, as modpost reads them
symvers() { (cd "$1" && for d in $dirs; do grep -H '^#SYMVER' "$d"/.*.o.cmd || true; done) | LC_ALL=C sort; }

say "warming both caches (and building every other object once)"
make -C "$stock" -s -j"$jobs" "${stock_warm[@]}" "${goals[@]}" "$hit_obj" >/dev/null
make -C "$kob" -s -j"$jobs" "${kobjc_warm[@]}" "${goals[@]}" "$hit_obj" >/dev/null
ccache -z >/dev/null
kind_on warm && compare warm
kind_on warm-cc && compare warm-cc
kind_on noop && compare noop
kind_on noop-kc && compare noop-kc
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
hit_line=
if kind_on hit; then
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
	hit_line=$(printf 'ccache hit on %s (median of %d, sh -c included): ccache gcc %.1f ms, kobjc %.1f ms, kobjc overhead %.1f ms' \
		"$hit_obj" "$hits" "$(awk -v a="$ha" 'BEGIN { print a * 1000 }')" \
		"$(awk -v a="$hb" 'BEGIN { print a * 1000 }')" \
		"$(awk -v a="$ha" -v b="$hb" 'BEGIN { print (b - a) * 1000 }')")
	say "$hit_line"
fi

kind_on clean && compare clean
kind_on tree2 && compare_tree2
kind_on cold && compare cold

# compare_distcc: for each dir, RUNS rounds of the three distcc builds;
# a table row of the client's CPU an object
compare_distcc() {
	local dir i bare full n cpu=() d
	kind=distcc
	# shellcheck source=tests/distccd.bash
	source "$repo/tests/distccd.bash"
	# shellcheck disable=SC2034 # read by tests/distccd.bash
	DISTCCD_ERROR=say
	d=$(mktemp -d "${TMPDIR:-/tmp}/bench-distcc.XXXXXX")
	trap 'distccd_stop; rm -rf "$d"' EXIT
	distccd_setup "$d" refuse "set TMPDIR to another directory" || exit 1
	"$kobjc" --store-tools="$d/store" "$kob" >/dev/null
	chmod -R a+rX "$d/store"
	distccd_start bare1 "$kobjc" && distccd_start bare2 "$kobjc" || exit 1
	KOBJC_TOOLS=$d/store distccd_start full1 "$kobjc" || exit 1
	KOBJC_TOOLS=$d/store distccd_start full2 "$kobjc" || exit 1
	bare="127.0.0.1:${DISTCCD_PORT[bare1]}/2 127.0.0.1:${DISTCCD_PORT[bare2]}/2"
	full="127.0.0.1:${DISTCCD_PORT[full1]}/2 127.0.0.1:${DISTCCD_PORT[full2]}/2"
	mkdir "$d/client"
	export DISTCC_DIR=$d/client
	local -a st=(CC="distcc gcc") ko=("$mkf" KOBJC="$kobjc" KOBJC_CC_LAUNCHER=distcc)
	for dir in $dirs; do
		: >"$cache/bench.a" && : >"$cache/bench.b" && : >"$cache/bench.c"
		# untimed: another CC rebuilds everything once
		DISTCC_HOSTS=$bare build "$stock" "$dir" "${st[@]}" >/dev/null
		DISTCC_HOSTS=$full build "$kob" "$dir" "${ko[@]}" >/dev/null
		for ((i = 0; i < runs; i++)); do
			DISTCC_HOSTS=$bare build "$stock" "$dir" "${st[@]}" >>"$cache/bench.a"
			DISTCC_HOSTS=$bare build "$kob" "$dir" "${ko[@]}" >>"$cache/bench.b"
			DISTCC_HOSTS=$full build "$kob" "$dir" "${ko[@]}" >>"$cache/bench.c"
		done
		n=$(find "$stock/$dir" -maxdepth 1 -name '*.o' | wc -l)
		cpu=("$(median 2 <"$cache/bench.a")" "$(median 2 <"$cache/bench.b")" "$(median 2 <"$cache/bench.c")")
		distcc_table+=("$(awk -v d="$dir/" -v n="$n" -v a="${cpu[0]}" -v b="${cpu[1]}" -v c="${cpu[2]}" 'BEGIN {
			printf "distcc  %-9s %4d %9.1f ms %9.1f ms %9.1f ms %6.2f %6.2f", d, n,
				1000 * a / n, 1000 * b / n, 1000 * c / n, c / b, c / a }')")
		say "${distcc_table[-1]}  [CPU: stock $(awk '{ printf "%s ", $2 }' "$cache/bench.a")| compile phase $(awk '{ printf "%s ", $2 }' "$cache/bench.b")| whole recipe $(awk '{ printf "%s ", $2 }' "$cache/bench.c")]"
	done
	distccd_stop
	rm -rf "$d"
	trap - EXIT
	unset DISTCC_DIR
}
distcc_table=()
kind_on distcc && compare_distcc

printf '\n%-7s %-9s %-10s %10s %10s %6s %10s %10s %6s\n' kind dir 'objs(exp)' \
	'wall:stock' kobjc ratio 'CPU:stock' kobjc ratio
printf '%s\n' "${table[@]}"
[ -z "$hit_line" ] || printf '\n%s\n' "$hit_line"
if [ "${#distcc_table[@]}" -gt 0 ]; then
	printf '\nclient CPU an object (rm DIR/*.o, make DIR/, two helpers on 127.0.0.1):\n'
	printf '%-7s %-9s %4s %12s %12s %12s %6s %6s\n' kind dir objs 'stock distcc' 'compile only' 'whole recipe' 'w/c' 'w/s'
	printf '%s\n' "${distcc_table[@]}"
fi
printf '#SYMVER lines of %s: stock and kobjc %s\n' "$dirs" "$symver_check"
