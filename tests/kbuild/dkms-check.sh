#!/usr/bin/env bash
# An external module from a real Debian *-dkms package, built the way DKMS
# builds it, with stock kbuild and through kobjc, compared byte for byte
# (issue 19, item 3).
#
# The package: ddcci-dkms (DDC/CI monitor control; bookworm 0.4.2-4). It is
# small (two C files), needs nothing but CONFIG_I2C and
# CONFIG_BACKLIGHT_CLASS_DEVICE, which x86_64 defconfig has, and it covers
# what an external module can do: two modules, ddcci.ko EXPORTs symbols
# (genksyms runs, #SYMVER lines in .ddcci.o.cmd, ddcci/Module.symvers)
# and ddcci-backlight.ko uses them through KBUILD_EXTRA_SYMBOLS, so their
# CRCs end up in its __versions. Its source is taken from the package
# without installing it (nor dkms, nor linux-headers): 'apt-get download'
# and 'dpkg-deb -x', then /usr/src/ddcci-VERSION from the extraction.
#
# The kernel tree: the Linux 6.1 tree kernel-check.sh prepares (Debian's
# linux-source-6.1, defconfig + MODVERSIONS, 'make prepare
# modules_prepare'; made with 'KVER=6.1 PREPARE_ONLY=1 kernel-check.sh'
# when there is none), rsync'ed to a copy of our own; the cached tree is
# only read. The copy has no vmlinux, hence no Module.symvers: modpost
# warns that kernel symbols are unresolved, as it does for any tree
# without one (the same in every build).
#
# Three builds at the same module path, each from a fresh copy of the
# source, with dkms.conf's MAKE[0] command ('make KVER=... -C BUILDDIR',
# here with KDIR=TREE, which the package's Makefiles pass to
# 'make -C $(KDIR) M=$(src) modules'), -jJOBS as DKMS adds it:
#   stock    no kobjc
#   env      MAKEFILES=kbuild/kobjc.mk KOBJC=kobjc in the environment (how
#            DKMS passes them: 'export MAKEFILES KOBJC')
#   cmdline  the same two on the make command line
# Then every file of env and cmdline is compared with stock's: objects,
# .ko, .mod.c, modules.order and Module.symvers with cmp; .cmd files by
# their #SYMVER lines and by all their lines but the saved command (which
# differs by design). Not compared: the .ddcci.o.d file stock kbuild
# leaves (6.1's genksyms step runs cpp with c_flags, whose -Wp,-MMD writes
# the .d file fixdep has just removed; kobjc.mk removes it after kobjc's
# genksyms step); it is no output, its dependencies are in the .cmd file.
# The kobjc builds' module objects must have kobjc as
# their saved command (stock's must not), a second, no-op make of each
# module through kobjc must compile nothing, and the kernel tree copy
# must be left as it was (a listing of paths, types, sizes, modes and
# mtimes before and after). Any difference fails, one line each.
# Self-test: the cmdline build with a kobjc wrapper that drops the objtool
# options, then one that drops the genksyms options, must differ.
#
# Environment:
#   KOBJC_BIN           kobjc binary (default: the repo's ./kobjc)
#   KOBJC_KERNEL_CACHE  cache directory (default: ~/.cache/kobjc); the
#                       work directory is $cache/dkms-check
#   KERNEL_TREE         a prepared Linux 6.1 tree to use instead of the
#                       cached one (only read)
#   JOBS                make -j (default: nproc)
#   SELFTEST=0          skip the self-test
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${KOBJC_KERNEL_CACHE:-$HOME/.cache/kobjc}
kobjc=${KOBJC_BIN:-$repo/kobjc}
mk=$repo/kbuild/kobjc.mk
jobs=${JOBS:-$(nproc)}
pkg=ddcci-dkms
work=$cache/dkms-check
logs=$work/logs

say() { printf 'dkms-check: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 1
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
t_start=$(now)

[ -x "$kobjc" ] || die "no kobjc binary at $kobjc (run make, or set KOBJC_BIN)"
kobjc=$(cd "$(dirname "$kobjc")" && pwd)/$(basename "$kobjc")
[ -f "$mk" ] || die "no $mk"

# The build identity kernel-check.sh uses (kver.bash's kbuild_identity;
# its differs compares the files), and nothing from a calling make or the
# environment reaches the builds: MAKEFILES and KOBJC too, set below for
# the kobjc builds only.
# shellcheck source=tests/kbuild/kver.bash
source "$here/kver.bash"
kbuild_identity
unset KBUILD_EXTMOD KOBJC_CACHE KOBJC_CC_LAUNCHER KOBJC_CHECK

mkdir -p "$logs"

# --- the kernel tree ------------------------------------------------------------

# prepared: the newest prepared x86 6.1 tree in the cache (linux-6.1.N)
prepared() {
	local d
	for d in "$cache"/linux-6.1.*; do
		[[ ${d##*/} =~ ^linux-6\.1\.[0-9]+$ ]] || continue
		[ -f "$d/.kobjc-stamp" ] && [ -f "$d/include/config/auto.conf" ] &&
			echo "$d"
	done | sort -V | tail -n 1
}
base=${KERNEL_TREE:-$(prepared)}
if [ -z "$base" ]; then
	say "no prepared Linux 6.1 tree in $cache: kernel-check.sh KVER=6.1 PREPARE_ONLY=1"
	KVER=6.1 PREPARE_ONLY=1 "$here/kernel-check.sh" >"$logs/prepare.log" 2>&1 || {
		tail -n 20 "$logs/prepare.log" >&2
		die "preparing the Linux 6.1 tree failed (log: $logs/prepare.log)"
	}
	base=$(prepared)
	[ -n "$base" ] || die "kernel-check.sh made no tree $cache/linux-6.1.N"
fi
base=$(cd "$base" && pwd)
for opt in X86_64=y MODVERSIONS=y I2C=y BACKLIGHT_CLASS_DEVICE=y; do
	grep -qx "CONFIG_$opt" "$base/.config" || die "$base: CONFIG_$opt is not set"
done
krel=$(cat "$base/include/config/kernel.release")
case $krel in 6.1.*) ;; *) die "$base is Linux $krel, not 6.1" ;; esac

# Our copy of it, where every build runs (at the same path); rsync makes
# it equal to the cached tree again on each run.
tree=$work/linux
t0=$(now)
if command -v rsync >/dev/null; then
	rsync -a --delete "$base/" "$tree/"
else
	rm -rf "$tree" && cp -a "$base" "$tree"
fi
say "kernel tree: $base (Linux $krel), copied to $tree in $(since "$t0") s"
listing() {
	(cd "$tree" && find . -printf '%y %m %s %T@ %p\n' | sort -k5)
}
listing >"$logs/tree-before"

# --- the module source ------------------------------------------------------------

version=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null |
	awk '$1 == "Version:" { print $2; exit }')
[ -n "$version" ] || die "apt knows no package $pkg (apt-get update?)"
deb=$work/deb/${pkg}_${version//:/%3a}_all.deb
if [ ! -f "$deb" ]; then
	mkdir -p "$work/deb"
	# (as root under /root, apt warns that it downloads unsandboxed)
	(cd "$work/deb" && apt-get download -q "$pkg=$version") >"$logs/download.log" 2>&1 || {
		cat "$logs/download.log" >&2
		die "apt-get download $pkg=$version failed"
	}
	[ -f "$deb" ] || die "apt-get download made no $deb"
fi
rm -rf "$work/pkg"
dpkg-deb -x "$deb" "$work/pkg"
conf=$(echo "$work"/pkg/usr/src/*/dkms.conf)
[ -f "$conf" ] || die "$deb: no (or more than one) /usr/src/*/dkms.conf"
src=${conf%/dkms.conf}
name=${src##*/}
say "module source: $pkg $version, /usr/src/$name ($(grep -c '^BUILT_MODULE_NAME' "$conf") modules)"

# --- the builds -------------------------------------------------------------------

# DKMS builds in /var/lib/dkms/NAME/VERSION/build; here, every build in
# $moddir, renamed to $work/out/VARIANT afterwards.
moddir=$work/build/$name
rm -rf "$work/build" "$work/out"
mkdir -p "$work/build" "$work/out"

# build VARIANT [VAR=VALUE...]: build a fresh copy of the source at $moddir
# with dkms.conf's MAKE[0] command, the VAR=VALUE words in the environment
# (env) or on the make command line (cmdline) or none (stock)
build() {
	local variant=$1 t0 log=$logs/build-$1.log
	shift
	local envv=() argv=()
	case $variant in
	env) envv=("$@") ;;
	*) argv=("$@") ;;
	esac
	cp -a "$src" "$moddir"
	t0=$(now)
	if ! env ${envv[@]+"${envv[@]}"} make -j"$jobs" KVER="$krel" -C "$moddir" \
		KDIR="$tree" ${argv[@]+"${argv[@]}"} >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		die "$variant build failed (log: $log)"
	fi
	say "$variant build: $(since "$t0") s, $(grep -c '^  CC \[M\]' "$log") compiles"
	# A second make of each module, directly as kbuild, compiles nothing.
	if [ "$variant" != stock ]; then
		local d
		for d in "$moddir"/*/Makefile; do
			d=${d%/Makefile}
			env ${envv[@]+"${envv[@]}"} make -j"$jobs" -C "$tree" M="$d" \
				${argv[@]+"${argv[@]}"} modules >>"$logs/noop-$variant.log" 2>&1 ||
				die "$variant: no-op make in $d failed (log: $logs/noop-$variant.log)"
		done
		if grep '^  CC' "$logs/noop-$variant.log" >"$logs/noop-$variant.cc"; then
			sed "s/^/$variant: rebuilt by a second, no-op make: /" "$logs/noop-$variant.cc"
			status=1
		fi
	fi
	mv "$moddir" "$work/out/$variant"
}

status=0
build stock
build env MAKEFILES="$mk" KOBJC="$kobjc"
build cmdline MAKEFILES="$mk" KOBJC="$kobjc"

listing >"$logs/tree-after"
if ! diff "$logs/tree-before" "$logs/tree-after" >"$logs/tree.diff"; then
	grep '^[<>]' "$logs/tree.diff" | sed 's/^</kernel tree changed: before:/; s/^>/kernel tree changed: after: /'
	status=1
fi
say "kernel tree: $(wc -l <"$logs/tree-after") entries, $(grep -c '^[<>]' "$logs/tree.diff" || true) changed"

# --- did kobjc run? ---------------------------------------------------------------

# kobjc_objects VARIANT: the module objects (not the .mod.o that
# Makefile.modfinal compiles, which stays stock kbuild's) whose saved
# command is kobjc, and those whose saved command is not
kobjc_objects() {
	local f
	while IFS= read -r f; do
		if grep -qF " := $kobjc " "$f"; then
			echo "kobjc ${f#"$work/out/$1/"}"
		else
			echo "stock ${f#"$work/out/$1/"}"
		fi
	done < <(find "$work/out/$1" -name '.*.o.cmd' ! -name '.*.mod.o.cmd' | sort)
}
n_objs=$(kobjc_objects stock | grep -c . || true)
[ "$n_objs" -gt 0 ] || die "the stock build has no module objects"
if kobjc_objects stock | grep '^kobjc'; then
	echo "stock: the objects above were built by kobjc"
	status=1
fi
for variant in env cmdline; do
	kobjc_objects "$variant" | grep '^stock' | sed "s/^stock /$variant: not built by kobjc: /" || true
	n=$(kobjc_objects "$variant" | grep -c '^kobjc' || true)
	say "$variant: $n of $n_objs module objects built by kobjc"
	[ "$n" = "$n_objs" ] || status=1
done

# --- comparison -------------------------------------------------------------------

# compare VARIANT: every file of the stock and VARIANT builds, one line per
# difference; counts on stderr
compare() {
	local a b f n_o=0 n_ko=0 n_sv=0 n_cmd=0 n_sym=0 n_diff=0 line
	while IFS= read -r f; do
		a=$work/out/stock/$f b=$work/out/$1/$f
		if [ ! -e "$a" ] || [ ! -e "$b" ]; then
			[ -e "$a" ] || echo "$1: only in the kobjc build: $f"
			[ -e "$b" ] || echo "$1: only in the stock build: $f"
			continue
		fi
		case $f in
		*.cmd)
			if grep -q '^#SYMVER' "$a" "$b"; then
				n_cmd=$((n_cmd + 1))
				n_sym=$((n_sym + $(grep -c '^#SYMVER' "$a")))
			fi
			;;
		*.o) n_o=$((n_o + 1)) ;;
		*.ko) n_ko=$((n_ko + 1)) ;;
		*Module.symvers) n_sv=$((n_sv + 1)) ;;
		esac
		line=$(differs "$a" "$b" "$f")
		[ -z "$line" ] || echo "$1: $line"
	done < <(for d in stock "$1"; do (cd "$work/out/$d" && find . -type f ! -name '.*.o.d'); done |
		sed 's|^\./||' | sort -u) >"$logs/compare-$1"
	while IFS= read -r line; do
		echo "$line"
		n_diff=$((n_diff + 1))
	done <"$logs/compare-$1"
	say "$1 against stock: $n_o objects, $n_ko .ko, $n_sv Module.symvers, $n_cmd .cmd files with $n_sym #SYMVER lines: $n_diff differences"
	[ "$n_diff" = 0 ]
}
compare env || status=1
compare cmdline || status=1

# --- self-test: a wrong kobjc must be caught ----------------------------------------

# selftest NAME PATTERN: the cmdline build with a kobjc wrapper that drops the
# options matching PATTERN must differ from stock
selftest() {
	local wrapper=$work/kobjc-without-$1 first
	dropping_kobjc "$wrapper" "$kobjc" "$2"
	build "without-$1" MAKEFILES="$mk" KOBJC="$wrapper"
	if compare "without-$1" >/dev/null 2>&1; then
		echo "SELF-TEST FAILED: a kobjc without $1 was not caught"
		return 1
	fi
	first=$(head -n 1 "$logs/compare-without-$1")
	say "self-test: a kobjc without $1 is caught ($(wc -l <"$logs/compare-without-$1") differences: ${first#without-"$1": }...)"
}
if [ "${SELFTEST:-1}" = 1 ]; then
	selftest objtool '--objtool=*|--objtool-arg=*' || status=1
	selftest genksyms '--genksyms=*|--genksyms-arg=*' || status=1
fi

if [ "$status" = 0 ]; then
	say "PASS in $(since "$t_start") s"
else
	say "FAIL in $(since "$t_start") s (logs: $logs)"
fi
exit "$status"
