#!/usr/bin/env bash
# Build Linux targets twice, with stock kbuild and with kobjc (the
# unmodified tree with make MAKEFILES=kbuild/kobjc.mk KOBJC=...), at the
# same path, and fail on any difference in the outputs: objects, .cmd
# files (#SYMVER lines and dependencies), Module.symvers, vmlinux and
# modules.
#
# Environment:
#   KVER                kernel series: 6.1 (default), 6.12, 7.2 or 7.3; the
#                       source is Debian's linux-source-$KVER, made
#                       available by tests/kernel-source
#   GENDWARFKSYMS=1     (7.2, 7.3) symbol versions from gendwarfksyms, not
#                       genksyms: a second config with DEBUG_INFO_DWARF5
#   FULL=1              build 'vmlinux modules' instead of $TARGETS
#   ARCH, CROSS_COMPILE, LLVM
#                       passed to every make (and part of the cached
#                       tree's name): ARCH=arm64
#                       CROSS_COMPILE=aarch64-linux-gnu- (Debian's
#                       gcc-aarch64-linux-gnu), LLVM=1 (clang, lld and
#                       the llvm tools; Debian 12's LLVM 14 builds 6.1 and
#                       6.12, not 7.2 on, which need 17.0.1: refused
#                       before unpacking). objtool runs only where the
#                       config has CONFIG_OBJTOOL (x86; not arm64)
#   TARGETS             default: 6.1 'fs/ext4/ lib/ fs/fat/';
#                       6.12, 7.2 and 7.3 'fs/fat/ lib/' (holds the
#                       self-test object)
#   KSRC=DIR            build a copy of the Linux source tree DIR (of
#                       series KVER: 6.6 and 6.18 have facts in
#                       kver.bash, no Debian package here), not Debian's
#                       tarball; its cached trees are named -ksrc
#   KOBJC_BIN           kobjc binary (default: the repo's ./kobjc)
#   KOBJC_KERNEL_CACHE  cache directory (default: ~/.cache/kobjc)
#   KERNEL_IBT=n        X86_KERNEL_IBT off (objtool on every object)
#   SELFTEST=0          skip the self-test: the self-test object (6.1 and
#                       6.12 lib/crc7.o, 7.2 and 7.3 lib/crc/crc-itu-t.o)
#                       rebuilt with kobjc wrappers that drop objtool
#                       (where it runs) or the symbol-version tool must
#                       differ; without KOBJC the tree must be stock; a
#                       relative KOBJC under make -C must be the same
#                       kobjc; a tree whose rule_cc_o_c has one more
#                       line must stop before building with kobjc's line
#                       naming it
#   REUSE_STOCK=1       keep the stock build of the same targets from an
#                       earlier run (when iterating on kobjc)
#   PREPARE_ONLY=1      only set up the cached trees, build nothing
#   COMPARE_DEBUG=0     objects may differ in their debug information
#                       (.debug_* sections) only: distcc compiles cpp's
#                       output, whose macro expansions have other column
#                       numbers (as with stock distcc); counted, not failed
#   GCC_PLUGIN=1        a config with a GCC plugin (STACKLEAK) on every
#                       object; its trees are named -plugin
#   KOBJC_BUILD_TRACE=FILE  the kobjc build under strace: every program
#                       it runs here (execve) into FILE
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
# without rsync), so all build outputs are fresh, FULL=1 included. Each
# copy is built after renaming it to $cache/linux-$KVER.N-build: the
# objects' debug info (arm64's defconfig has DEBUG_INFO), some objects
# (the x86 realmode ones) and objtool's dependency files hold the tree's
# path. -arm64 and -llvm name the toolchain's trees.
#
# The build through kobjc must print kobjc.mk's '  KOBJC   RECIPE ...' line
# once, with the recipe tests/kbuild/kver.bash expects for KVER (which
# kobjc --kbuild found from the tree's text).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
kver=${KVER:-6.1}
dwarf=${GENDWARFKSYMS:-0}
cache=${KOBJC_KERNEL_CACHE:-$HOME/.cache/kobjc}
kobjc=${KOBJC_BIN:-$repo/kobjc}
jobs=${JOBS:-$(nproc)}
ibt=${KERNEL_IBT:-y}
# The toolchain, read before kbuild_identity clears the environment; tc:
# what every make gets
arch=${ARCH:-} cross=${CROSS_COMPILE:-} llvm=${LLVM:-}
tc=()
[ -z "$arch" ] || tc+=(ARCH="$arch")
[ -z "$cross" ] || tc+=(CROSS_COMPILE="$cross")
[ -z "$llvm" ] || tc+=(LLVM="$llvm")
mk=$repo/kbuild/kobjc.mk
case ${VIA:-mk} in
mk) ;;
*) echo "kernel-check: VIA=$VIA: kbuild/kobjc.mk (VIA=mk) is the only integration" >&2; exit 1 ;;
esac

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
# GCC_PLUGIN=1: a GCC plugin on every object, as distribution configs
# have: STACKLEAK (kbuild passes -fplugin=./scripts/gcc-plugins/...)
plugin=${GCC_PLUGIN:-0}
case $plugin in
0) ;;
1) config+=(GCC_PLUGINS=y GCC_PLUGIN_STACKLEAK=y) ;;
*) die "GCC_PLUGIN=$plugin: 0 or 1" ;;
esac
# X86_KERNEL_IBT is x86's (other architectures have no such symbol); on
# those, a module may be built in (arm64's defconfig selects CRC7 and
# CRC8 =y): objtool does not run there, and genksyms runs on built-in
# objects too
also_y=
case $arch in
'' | x86 | x86_64 | i386) ;;
*)
	also_y='|y'
	cfg=()
	for opt in "${config[@]}"; do
		[[ $opt == X86_KERNEL_IBT=* ]] || cfg+=("$opt")
	done
	config=("${cfg[@]}")
	;;
esac
targets=${TARGETS:-$check_targets}
[ "${FULL:-0}" = 1 ] && targets='vmlinux modules'

# Nothing from a calling make or the user's kbuild settings leaks in.
kbuild_identity

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# run LOG DIR MAKE-ARGS...: make in DIR, output to LOG, tail of it on failure;
# under the command in the array run_prefix, if any
run_prefix=()
run() {
	local log=$1 dir=$2
	shift 2
	if ! "${run_prefix[@]}" make -C "$dir" -j"$jobs" "${tc[@]}" "$@" >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		die "make $* failed in $dir (log: $log)"
	fi
}

# --- source and cached trees ------------------------------------------------

# srcfile NAME: the file NAME of the source, on stdout
if [ -n "${KSRC:-}" ]; then
	# a source tree of the user's (no Debian package of its series)
	ksrc=$(cd "$KSRC" && pwd) || die "KSRC=$KSRC: no such directory"
	srcfile() { cat "$ksrc/$1"; }
	[ -f "$ksrc/Makefile" ] && [ -f "$ksrc/scripts/Makefile.build" ] ||
		die "KSRC=$KSRC: not a Linux source tree"
	tree=$(awk '$1 == "VERSION" { v = $3 } $1 == "PATCHLEVEL" { p = $3 } END { print v "." p }' "$ksrc/Makefile")
	[ "$tree" = "$kver" ] || die "KSRC=$KSRC is Linux $tree, not KVER=$kver"
	version=$(awk -v k="$kver" '$1 == "SUBLEVEL" { print k "." $3 }' "$ksrc/Makefile")-ksrc
	source_id="ksrc=$ksrc $(stat -c '%Y' "$ksrc/Makefile")"
else
	# Debian's linux-source-$kver: the installed 6.1 package, the others
	# fetched into the cache (their directory is named after the version).
	tarball=$("$repo/tests/kernel-source" "$kver") || die "no linux-source-$kver tarball (tests/kernel-source $kver failed)"
	srcfile() { tar -xJOf "$tarball" "linux-source-$kver/$1"; }
	if [ "$kver" = 6.1 ]; then
		version=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)
	else
		version=${tarball%/usr/src/*}
		version=${version##*/linux-source-"$kver"_}
	fi
	case $version in
	"$kver".[0-9]*) ;;
	*) version=$(srcfile Makefile | awk -v k="$kver" '$1 == "SUBLEVEL" { print k "." $3 }') ;;
	esac
	source_id=$(stat -c '%s %Y' "$tarball")
fi
# LLVM=1: the tree's minimum LLVM (scripts/min-tool-version.sh) against
# this machine's clang, before anything is unpacked
if [ -n "$llvm" ]; then
	need=$(srcfile scripts/min-tool-version.sh | SRCARCH=${arch:-x86} sh -s llvm) ||
		die "cannot read the minimum LLVM version of Linux $version"
	have=$(clang -dumpversion 2>/dev/null) || die "LLVM=$llvm: no clang (apt-get install clang lld llvm)"
	[ "$(printf '%s\n' "$need" "$have" | sort -V | head -n 1)" = "$need" ] ||
		die "LLVM=$llvm: Linux $kver needs LLVM $need or later, this machine's clang is $have (Debian 12's LLVM 14 covers 6.1 and 6.12)"
fi
sublevel=${version#"$kver".}
sublevel=${sublevel%%[!0-9]*}
[ -n "$sublevel" ] || die "cannot tell the sublevel of Linux $kver (version '$version')"
base=$cache/linux-$kver.$sublevel
[ -z "${ksrc:-}" ] || base=$base-ksrc
[ "$dwarf" = 0 ] || base=$base-gendwarfksyms
[ "$plugin" = 0 ] || base=$base-plugin
[ "$ibt" = y ] || base=$base-ibt-$ibt
[ -z "$arch" ] || base=$base-$arch
[ -z "$llvm" ] || base=$base-llvm
if [ -n "$llvm" ]; then compiler=clang; else compiler=${cross}gcc; fi
# 'prepared-as-build': trees prepared at their own path (before) re-prepare.
stamp="$version $source_id ${config[*]} ${tc[*]} $("$compiler" --version | head -n 1) prepared-as-build"
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
	if [ -n "${ksrc:-}" ]; then
		cp -a "$ksrc/." "$work/"
	else
		tar -xJf "$tarball" -C "$work" --strip-components=1
	fi
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
		*=m) grep -qxE "CONFIG_${opt%=m}=(m$also_y)" "$work/.config" ;;
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
# via: what every make of the kobjc copy gets besides KOBJC=
via=(MAKEFILES="$mk")
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
	local list=$1 out=$1.diff f a b n_o=0 n_sym=0 n_diff line
	while IFS= read -r f; do
		a=$stock/$f b=$kob/$f
		if [ ! -e "$a" ] || [ ! -e "$b" ]; then
			[ -e "$a" ] || echo "only in kobjc build: $f"
			[ -e "$b" ] || echo "only in stock build: $f"
			continue
		fi
		case $f in
		*.cmd) grep -q '^#SYMVER' "$a" "$b" && n_sym=$((n_sym + 1)) ;;
		*.o) n_o=$((n_o + 1)) ;;
		esac
		line=$(differs "$a" "$b" "$f")
		if [ "$line" = "differs: $f" ] && [ "${COMPARE_DEBUG:-1}" = 0 ] &&
			[[ $f == *.o ]] && objcopy --strip-debug "$a" "$out.a" &&
			objcopy --strip-debug "$b" "$out.b" && cmp -s "$out.a" "$out.b"; then
			echo "$f" >>"$out.debug-only"
		elif [ -n "$line" ]; then
			echo "$line"
		fi
	done <"$list" >"$out"
	n_diff=$(wc -l <"$out")
	head -n 50 "$out"
	[ "$n_diff" -le 50 ] || echo "... $((n_diff - 50)) more, see $out"
	say "compared $n_o objects, $n_sym .cmd files with #SYMVER lines: $n_diff differences"
	if [ -s "$out.debug-only" ]; then
		say "COMPARE_DEBUG=0: $(wc -l <"$out.debug-only") objects differ in their debug information only (list: $out.debug-only)"
	fi
	rm -f "$out.debug-only" "$out.a" "$out.b"
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
# KOBJC_BUILD_TRACE=FILE: every program the kobjc build runs on this
# machine, in FILE (strace's execve lines; distcc-check.sh reads them)
[ -z "${KOBJC_BUILD_TRACE:-}" ] ||
	run_prefix=(strace -f --seccomp-bpf -qq -e trace=execve -e signal=none -o "$KOBJC_BUILD_TRACE")
timed "kobjc build" "$logs/build-kobjc.log" KOBJC="$kobjc" "${via[@]}" "${goals[@]}"
run_prefix=()
# kobjc.mk's one line per build, with the recipe kobjc --kbuild chose
said=$(grep -c '^  KOBJC   ' "$logs/build-kobjc.log" || true)
got=$(sed -n 's/^  KOBJC   \([^ ]*\) .*/\1/p' "$logs/build-kobjc.log" | head -n 1)
if [ "$said" = 1 ] && [ "$got" = "$recipe" ]; then
	say "the tree's kbuild text maps to $got (kobjc --kbuild, once per build)"
else
	say "FAILED: want one '  KOBJC   $recipe ...' line in the build's output, got $said ($got)"
	status=1
fi
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
[ "$n_kobjc" -gt 0 ] || die "kobjc was not used: is ${via[0]} effective?"
compare "$logs/outputs" || status=1

# --- self-test: a wrong kobjc must be caught -----------------------------------

# selftest NAME PATTERN: rebuild $obj with a kobjc wrapper that drops the
# options matching PATTERN; the comparison must fail.
selftest() {
	local wrapper=$logs/kobjc-without-$1
	dropping_kobjc "$wrapper" "$kobjc" "$2"
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
	# objtool runs only with CONFIG_OBJTOOL (not on arm64)
	if grep -q '^CONFIG_OBJTOOL=y' "$base/.config"; then
		selftest objtool '--objtool=*|--objtool-arg=*' || status=1
	else
		say "self-test: no CONFIG_OBJTOOL in this config: objtool never runs"
	fi
	selftest "$symtool" "--$symtool=*|--$symtool-arg=*" || status=1
	enter "$kob"
	rm -f "$work/$obj"
	run "$logs/selftest-kobjc.log" "$work" KOBJC="$kobjc" "${via[@]}" "$obj"
	leave
	compare "$logs/selftest-list" >/dev/null 2>&1 || {
		say "SELF-TEST FAILED: $obj differs even with the real kobjc"
		status=1
	}
	# Without KOBJC, kobjc.mk leaves the tree stock kbuild: the
	# changed command rebuilds the object, and object and .cmd come out
	# as stock's.
	enter "$kob"
	run "$logs/selftest-nokobjc.log" "$work" "${via[@]}" "$obj"
	leave
	if grep -q "^  CC .*$obj\$" "$logs/selftest-nokobjc.log" &&
		cmp -s "$stock/$obj" "$kob/$obj" && cmp -s "$stock/$objcmd" "$kob/$objcmd"; then
		say "self-test: without KOBJC the tree (with ${via[0]}) rebuilds $obj as stock does"
	else
		say "SELF-TEST FAILED: without KOBJC, $obj was not rebuilt as stock"
		status=1
	fi
	# A relative KOBJC under make -C is taken from the directory make
	# was started in: from kobjc's own directory, './kobjc' is the same
	# kobjc, so the object is rebuilt (the command changed from stock's)
	# as before, and a make with the absolute path then rebuilds nothing.
	enter "$kob"
	rel=./${kobjc##*/}
	if (cd "${kobjc%/*}" && make -C "$work" "${tc[@]}" KOBJC="$rel" "${via[@]}" "$obj") \
		>"$logs/selftest-relative.log" 2>&1 &&
		grep -qF " := $kobjc " "$work/$objcmd" &&
		run "$logs/selftest-relative-again.log" "$work" KOBJC="$kobjc" "${via[@]}" "$obj" &&
		! grep -q "^  CC .*$obj\$" "$logs/selftest-relative-again.log"; then
		result=ok
	else
		result=failed
	fi
	leave
	if [ "$result" = ok ] && cmp -s "$stock/$obj" "$kob/$obj"; then
		say "self-test: make -C TREE KOBJC=$rel from ${kobjc%/*} runs $kobjc"
	else
		say "SELF-TEST FAILED: a relative KOBJC under make -C (log: $logs/selftest-relative.log)"
		status=1
	fi
	# One more line in the tree's rule_cc_o_c: kobjc --kbuild finds no
	# recipe, and the build stops before its first object with kobjc's
	# one line naming rule_cc_o_c and where it is.
	enter "$kob"
	rulefile=$(grep -l '^define rule_cc_o_c' "$work/scripts/Makefile.build" "$work/scripts/Makefile.lib" | head -n 1)
	cp -p "$rulefile" "$logs/rulefile.orig"
	sed -i '/^define rule_cc_o_c/,/^endef/ s/^\t$(call cmd_and_fixdep,cc_o_c)$/&\n\t$(call cmd,checksrc)/' "$rulefile"
	rm -f "$work/$obj"
	if cmp -s "$rulefile" "$logs/rulefile.orig"; then
		result="no line added to $rulefile"
	elif make -C "$work" "${tc[@]}" KOBJC="$kobjc" "${via[@]}" "$obj" >"$logs/selftest-edited.log" 2>&1; then
		result="built: NOT REFUSED"
	elif refusal=$(grep -oE '\*\*\* kobjc: [^ ]*/scripts/Makefile\.(build|lib):[0-9]+: rule_cc_o_c differs from recipe .*' \
		"$logs/selftest-edited.log") && [ ! -e "$work/$obj" ] &&
		! grep -q '^  CC ' "$logs/selftest-edited.log"; then
		refusal=${refusal#\*\*\* }
		result="stops before building: '${refusal%.  Stop.}'"
	else
		result="fails otherwise (log: $logs/selftest-edited.log): NOT REFUSED"
	fi
	cp -p "$logs/rulefile.orig" "$rulefile"
	leave
	say "self-test: rule_cc_o_c with one more line: $result"
	[[ $result == "stops before building"* ]] || status=1
fi

if [ "$status" = 0 ]; then say PASS; else say "FAIL (logs: $logs)"; fi
exit "$status"
