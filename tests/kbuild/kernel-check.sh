#!/usr/bin/env bash
# Build Linux targets twice, with stock kbuild and with kobjc
# (kbuild/linux-$KVER.patch, make KOBJC=...), and fail on any difference in
# the outputs: objects, .cmd files (#SYMVER lines and dependencies),
# Module.symvers, vmlinux and modules.
#
# Environment:
#   KVER                kernel series: 6.1 (default), 6.12, 7.2 or 7.3; the
#                       source is Debian's linux-source-$KVER, made
#                       available by tests/kernel-source
#   GENDWARFKSYMS=1     (7.2, 7.3) symbol versions from gendwarfksyms, not
#                       genksyms: a second config with DEBUG_INFO_DWARF5
#   FULL=1              build 'vmlinux modules' instead of $TARGETS
#   VIA=mk              no patch: the kobjc copy stays unmodified and its
#                       makes get MAKEFILES=kbuild/kobjc.mk
#   TARGETS             default: 6.1 'fs/ext4/ lib/ fs/fat/';
#                       6.12 and 7.3 'fs/fat/ lib/' (holds the self-test
#                       object)
#   KOBJC_BIN           kobjc binary (default: the repo's ./kobjc)
#   KOBJC_KERNEL_CACHE  cache directory (default: ~/.cache/kobjc)
#   KERNEL_IBT=n        X86_KERNEL_IBT off (objtool on every object)
#   SELFTEST=0          skip the self-test: the self-test object (6.1 and
#                       6.12 lib/crc7.o, 7.3 lib/crc/crc-itu-t.o) rebuilt
#                       with kobjc wrappers that drop objtool or the
#                       symbol-version tool must differ, without KOBJC
#                       the patched tree must be stock, and every other
#                       series' patch must not apply or make KOBJC=...
#                       must stop with its error
#   REUSE_STOCK=1       keep the stock build of the same targets from an
#                       earlier run (when iterating on kobjc)
#   PREPARE_ONLY=1      only set up the cached trees, build nothing
#   JOBS                make -j (default: nproc)
# KOBJC_CACHE, KOBJC_CC_LAUNCHER... pass through to kobjc.
#
# Cache: $cache/linux-$KVER.N (N the sublevel; -gendwarfksyms and -ibt-n
# name the other configs) is the unpacked, configured and prepared tree,
# made once per tarball version and config; it is unpacked and prepared
# as $cache/linux-$KVER.N-build, the path every build runs at, so that
# nothing in it that holds its path (objtool's dependency files) is
# rebuilt in the copies. $cache/linux-$KVER.N-stock and -kobjc are its
# copies; every run resets them to it with 'rsync --delete' (or 'cp -a'
# without rsync), so all build outputs are fresh, FULL=1 included, and
# applies the current patch to the -kobjc copy. Each copy is built after
# renaming it to $cache/linux-$KVER.N-build: some objects (the x86
# realmode ones) and objtool's dependency files hold the tree's path.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
kver=${KVER:-6.1}
dwarf=${GENDWARFKSYMS:-0}
cache=${KOBJC_KERNEL_CACHE:-$HOME/.cache/kobjc}
kobjc=${KOBJC_BIN:-$repo/kobjc}
patchfile=$repo/kbuild/linux-$kver.patch
jobs=${JOBS:-$(nproc)}
ibt=${KERNEL_IBT:-y}

say() { printf 'kernel-check: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# shellcheck source=tests/kbuild/kver.bash
source "$here/kver.bash"
kver_facts "$kver" "$ibt" || exit 1
symtool=genksyms
case $dwarf in
0) ;;
1)
	[ "$dwarfksyms" = 1 ] || die "GENDWARFKSYMS=1 needs KVER=7.2 or later (gendwarfksyms came after $kver)"
	# gendwarfksyms reads the objects' DWARF: full debug info, not
	# reduced or split; GENKSYMS and GENDWARFKSYMS are a choice.
	config+=(DEBUG_INFO_NONE=n DEBUG_INFO_DWARF5=y DEBUG_INFO_REDUCED=n
		DEBUG_INFO_SPLIT=n GENKSYMS=n GENDWARFKSYMS=y)
	symtool=gendwarfksyms
	;;
*) die "GENDWARFKSYMS=$dwarf: 0 or 1" ;;
esac
targets=${TARGETS:-$check_targets}
[ "${FULL:-0}" = 1 ] && targets='vmlinux modules'

# Nothing from a calling make or the user's kbuild settings leaks in.
kbuild_identity

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# run LOG DIR MAKE-ARGS...: make in DIR, output to LOG, tail of it on failure
run() {
	local log=$1 dir=$2
	shift 2
	if ! make -C "$dir" -j"$jobs" "$@" >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		die "make $* failed in $dir (log: $log)"
	fi
}

# --- source and cached trees ------------------------------------------------

# Debian's linux-source-$kver: the installed 6.1 package, the others
# fetched into the cache (their directory is named after the version).
tarball=$("$repo/tests/kernel-source" "$kver") || die "no linux-source-$kver tarball (tests/kernel-source $kver failed)"
if [ "$kver" = 6.1 ]; then
	version=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)
else
	version=${tarball%/usr/src/*}
	version=${version##*/linux-source-"$kver"_}
fi
case $version in
"$kver".[0-9]*) ;;
*) version=$(tar -xJOf "$tarball" "linux-source-$kver/Makefile" |
	awk -v k="$kver" '$1 == "SUBLEVEL" { print k "." $3 }') ;;
esac
sublevel=${version#"$kver".}
sublevel=${sublevel%%[!0-9]*}
[ -n "$sublevel" ] || die "cannot tell the sublevel of $tarball (version '$version')"
base=$cache/linux-$kver.$sublevel
[ "$dwarf" = 0 ] || base=$base-gendwarfksyms
[ "$ibt" = y ] || base=$base-ibt-$ibt
# 'prepared-as-build': trees prepared at their own path (before) re-prepare.
stamp="$version $(stat -c '%s %Y' "$tarball") ${config[*]} $(gcc --version | head -n 1) prepared-as-build"
stock=$base-stock
kob=$base-kobjc
work=$base-build
logs=$base.logs
mkdir -p "$logs"
rm -rf "$work" # left by a killed run

if [ "$(cat "$base/.kobjc-stamp" 2>/dev/null)" != "$stamp" ]; then
	say "unpacking and preparing $base (once per tarball and config)"
	t0=$(now)
	rm -rf "$base" "$stock" "$kob"
	# Prepared at $work, where every build runs, then moved to $base.
	mkdir -p "$work"
	tar -xJf "$tarball" -C "$work" --strip-components=1
	run "$logs/config.log" "$work" defconfig
	for opt in "${config[@]}"; do
		case $opt in
		*=y) "$work/scripts/config" --file "$work/.config" -e "${opt%=y}" ;;
		*=m) "$work/scripts/config" --file "$work/.config" -m "${opt%=m}" ;;
		*=n) "$work/scripts/config" --file "$work/.config" -d "${opt%=n}" ;;
		esac
	done
	run "$logs/config.log" "$work" olddefconfig
	for opt in "${config[@]}"; do
		case $opt in
		*=n) ! grep -q "^CONFIG_${opt%=n}=" "$work/.config" ;;
		*) grep -qx "CONFIG_$opt" "$work/.config" ;;
		esac || die "CONFIG_$opt did not stick"
	done
	run "$logs/prepare.log" "$work" prepare modules_prepare
	echo "$stamp" >"$work/.kobjc-stamp"
	mv "$work" "$base"
	say "prepared in $(since "$t0") s"
fi

# REUSE_STOCK=1 keeps the stock copy if it was built for these targets.
stock_built="$targets $stamp"
copies=("$stock" "$kob")
if [ "${REUSE_STOCK:-0}" = 1 ] &&
	[ "$(cat "$stock/.kobjc-built" 2>/dev/null)" = "$stock_built" ]; then
	copies=("$kob")
fi
for copy in "${copies[@]}"; do
	reset_copy "$base" "$copy"
done
# via: what every make of the kobjc copy gets besides KOBJC=; how: the
# integration, in messages
case ${VIA:-patch} in
patch)
	via=() how=$patchfile
	patch -d "$kob" -p1 -s --no-backup-if-mismatch <"$patchfile" ||
		die "$patchfile does not apply to $base"
	;;
mk)
	via=(MAKEFILES="$repo/kbuild/kobjc.mk") how=${via[0]}
	;;
*) die "VIA=$VIA: unknown (known: patch, mk)" ;;
esac
[ "${PREPARE_ONLY:-0}" = 1 ] && { say "trees ready: $stock $kob"; exit 0; }

[ -x "$kobjc" ] || die "no kobjc binary at $kobjc (run make, or set KOBJC_BIN)"
kobjc=$(cd "$(dirname "$kobjc")" && pwd)/$(basename "$kobjc")

# enter COPY: rename COPY to $work, where all its makes run; leave: back.
current=
leave() {
	[ -z "$current" ] || mv "$work" "$current"
	current=
}
enter() {
	leave
	mv "$1" "$work"
	current=$1
}
trap leave EXIT

# timed WHAT LOG MAKE-ARGS...: make in $work, print WHAT's wall and CPU time
timed() {
	local what=$1 log=$2 t0 c0
	shift 2
	times >"$logs/times"
	c0=$(cpu_seconds)
	t0=$(now)
	run "$log" "$work" "$@"
	times >"$logs/times"
	say "$what: $(since "$t0") s wall, $(awk -v a="$c0" -v b="$(cpu_seconds)" \
		'BEGIN { printf "%.1f", b - a }') s CPU"
}
# user + system seconds of finished children, from the output of 'times'
cpu_seconds() {
	awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, /[ms]/)
		s += t[1] * 60 + t[2] } print s }' "$logs/times"
}

# --- comparison ---------------------------------------------------------------

# outputs: the build outputs in both copies, one relative path a line
outputs() {
	local t
	for t in "$stock" "$kob"; do
		(cd "$t" && find . -path ./tools -prune -o -type f \
			\( -name '*.o' -o -name '*.ko' -o -name '.*.o.cmd' \
			-o -name '.*.ko.cmd' -o -name vmlinux -o -name Module.symvers \) \
			-print)
	done | sed 's|^\./||' | sort -u
}

# compare LIST: compare the files named in LIST between $stock and $kob;
# print the differences (all in LIST.diff) and counts, return 1 on any.
compare() {
	local list=$1 out=$1.diff f a b n_o=0 n_sym=0 n_diff
	while IFS= read -r f; do
		a=$stock/$f b=$kob/$f
		if [ ! -e "$a" ] || [ ! -e "$b" ]; then
			[ -e "$a" ] || echo "only in kobjc build: $f"
			[ -e "$b" ] || echo "only in stock build: $f"
			continue
		fi
		case $f in
		*.cmd)
			# The saved command differs by design, the rest must not.
			if grep -q '^#SYMVER' "$a" "$b"; then
				n_sym=$((n_sym + 1))
				cmp -s <(grep '^#SYMVER' "$a") <(grep '^#SYMVER' "$b") ||
					echo "#SYMVER lines differ: $f"
			fi
			# (6.1 saves it as cmd_foo.o :=, 6.3 on as savedcmd_foo.o :=)
			cmp -s <(grep -Ev '^(saved)?cmd_' "$a") <(grep -Ev '^(saved)?cmd_' "$b") ||
				echo ".cmd content differs: $f"
			;;
		*)
			case $f in *.o) n_o=$((n_o + 1)) ;; esac
			cmp -s "$a" "$b" || echo "differs: $f"
			;;
		esac
	done <"$list" >"$out"
	n_diff=$(wc -l <"$out")
	head -n 50 "$out"
	[ "$n_diff" -le 50 ] || echo "... $((n_diff - 50)) more, see $out"
	say "compared $n_o objects, $n_sym .cmd files with #SYMVER lines: $n_diff differences"
	[ "$n_diff" -eq 0 ]
}

# --- builds -------------------------------------------------------------------

say "Linux $version ($symtool); targets: $targets; kobjc: $kobjc; make -j$jobs"
read -ra goals <<<"$targets"
status=0
if [ "${#copies[@]}" = 2 ]; then
	enter "$stock"
	run "$logs/prepare-stock.log" "$work" prepare modules_prepare
	timed "stock build" "$logs/build-stock.log" "${goals[@]}"
	echo "$stock_built" >"$work/.kobjc-built"
else
	say "stock build: reused from an earlier run (REUSE_STOCK=1)"
fi
enter "$kob"
run "$logs/prepare-kobjc.log" "$work" KOBJC="$kobjc" "${via[@]}" prepare modules_prepare
timed "kobjc build" "$logs/build-kobjc.log" KOBJC="$kobjc" "${via[@]}" "${goals[@]}"
# The saved kobjc commands must read back equal: nothing is rebuilt.
timed "kobjc no-op make" "$logs/noop-kobjc.log" KOBJC="$kobjc" "${via[@]}" "${goals[@]}"
if grep -E '^  CC( \[M\])? +[^ ]+\.o$' "$logs/noop-kobjc.log"; then
	say "objects above were rebuilt by a second, no-op make"
	status=1
fi
leave

outputs >"$logs/outputs"
n_kobjc=$(cd "$kob" && find . -path ./tools -prune -o -name '.*.o.cmd' -print0 |
	xargs -0 grep -lF " := $kobjc " | wc -l)
say "$n_kobjc objects were built by kobjc"
[ "$n_kobjc" -gt 0 ] || die "kobjc was not used: is $how effective?"
compare "$logs/outputs" || status=1

# --- self-test: a wrong kobjc must be caught -----------------------------------

# selftest NAME PATTERN: rebuild $obj with a kobjc wrapper that drops the
# options matching PATTERN; the comparison must fail.
selftest() {
	local wrapper=$logs/kobjc-without-$1
	cat >"$wrapper" <<-EOF
		#!/usr/bin/env bash
		args=()
		for a; do case \$a in $2) ;; *) args+=("\$a") ;; esac; done
		exec $(printf %q "$kobjc") "\${args[@]}"
	EOF
	chmod +x "$wrapper"
	enter "$kob"
	rm -f "$work/$obj"
	run "$logs/selftest-$1.log" "$work" KOBJC="$wrapper" "${via[@]}" "$obj"
	leave
	if compare "$logs/selftest-list" >/dev/null 2>&1; then
		say "SELF-TEST FAILED: a kobjc without $1 was not caught"
		return 1
	fi
	say "self-test: a kobjc without $1 is caught ($(head -n 1 "$logs/selftest-list.diff"))"
}

if [ "${SELFTEST:-1}" = 1 ]; then
	enter "$stock"
	run "$logs/selftest-stock.log" "$work" "$obj"
	printf '%s\n' "$obj" "$objcmd" >"$logs/selftest-list"
	selftest objtool '--objtool=*|--objtool-arg=*' || status=1
	selftest "$symtool" "--$symtool=*|--$symtool-arg=*" || status=1
	enter "$kob"
	rm -f "$work/$obj"
	run "$logs/selftest-kobjc.log" "$work" KOBJC="$kobjc" "${via[@]}" "$obj"
	leave
	compare "$logs/selftest-list" >/dev/null 2>&1 || {
		say "SELF-TEST FAILED: $obj differs even with the real kobjc"
		status=1
	}
	# Without KOBJC the patched tree (or kobjc.mk) is stock kbuild: the
	# changed command rebuilds the object, and object and .cmd come out
	# as stock's.
	enter "$kob"
	run "$logs/selftest-nokobjc.log" "$work" "${via[@]}" "$obj"
	leave
	if grep -q "^  CC .*$obj\$" "$logs/selftest-nokobjc.log" &&
		cmp -s "$stock/$obj" "$kob/$obj" && cmp -s "$stock/$objcmd" "$kob/$objcmd"; then
		say "self-test: without KOBJC the tree (VIA=${VIA:-patch}) rebuilds $obj as stock does"
	else
		say "SELF-TEST FAILED: without KOBJC, $obj was not rebuilt as stock"
		status=1
	fi
	# Every other series' patch on this tree: either it does not apply,
	# or make KOBJC=... stops at once with its one-line error (6.1's
	# applies to 6.12's and 7.3's Makefile.build with an offset). The
	# kobjc copy's own patched Makefile.build is put back after each.
	[ "${VIA:-patch}" != patch ] || for other in "$repo"/kbuild/linux-*.patch; do
		[ "$other" != "$patchfile" ] || continue
		oname=${other##*/} oser=${oname#linux-} oser=${oser%.patch}
		refusal="kobjc: kbuild/$oname is for Linux $oser, this tree is Linux $kver;"
		enter "$kob"
		cp -p "$work/scripts/Makefile.build" "$logs/Makefile.build.kobjc"
		cp -p "$stock/scripts/Makefile.build" "$work/scripts/Makefile.build"
		if ! patch -d "$work" -p1 -s --no-backup-if-mismatch <"$other" >"$logs/other-$oser.log" 2>&1; then
			result="does not apply"
		elif make -C "$work" KOBJC="$kobjc" "$obj" >>"$logs/other-$oser.log" 2>&1; then
			result="builds: NOT REFUSED"
		elif grep -qF "*** $refusal" "$logs/other-$oser.log"; then
			result="applies; make KOBJC=... stops: '$refusal'"
		else
			result="fails without its error (log: $logs/other-$oser.log): NOT REFUSED"
		fi
		cp -p "$logs/Makefile.build.kobjc" "$work/scripts/Makefile.build"
		rm -f "$work/scripts/Makefile.build.rej"
		leave
		say "self-test: $oname on this tree: $result"
		[[ $result != *"NOT REFUSED" ]] || status=1
	done
fi

if [ "$status" = 0 ]; then say PASS; else say "FAIL (logs: $logs)"; fi
exit "$status"
