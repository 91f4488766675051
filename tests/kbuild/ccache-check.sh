#!/usr/bin/env bash
# make KOBJC=... KOBJC_CACHE=ccache on the real Linux 6.1 tree with the real
# ccache: the kernel-tree version of tests/ccache.bats.
#
#   1.  cached build equals stock: kernel-check.sh with KOBJC_CACHE=ccache
#       and an empty CCACHE_DIR; every object kobjc builds is one miss,
#       and no call is uncacheable
#   2a. rebuild from hits equals stock: kernel-check.sh again (it resets
#       the kobjc copy and rebuilds it from scratch): every object a direct
#       hit, except those that run objtool if kernel-check.sh rebuilt it
#   2b. the same objects removed and rebuilt in that tree, objtool as it
#       is: every one a direct hit, and equal to stock's
#   3.  matrix on lib/crc7.o in that tree: each change must miss exactly
#       once and give byte for byte what an uncached build gives (object
#       and #SYMVER lines); reverted, it must hit and give the base back
#
# Environment: TARGETS (default 'fs/ext4/ lib/ fs/fat/'), KOBJC_BIN,
# KOBJC_KERNEL_CACHE, JOBS: as for kernel-check.sh, which this runs.
# ccache's directory is $KOBJC_KERNEL_CACHE/ccache, emptied at the start;
# logs and the matrix's objects go to $KOBJC_KERNEL_CACHE/ccache-check.logs.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${KOBJC_KERNEL_CACHE:-$HOME/.cache/kobjc}
kobjc=${KOBJC_BIN:-$repo/kobjc}
jobs=${JOBS:-$(nproc)}
targets=${TARGETS:-fs/ext4/ lib/ fs/fat/}
obj=lib/crc7.o # a single-object module exporting two symbols
objcmd=lib/.crc7.o.cmd
t_start=$(date +%s.%N)

# The same build identity as kernel-check.sh's makes.
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 1970'
export KBUILD_BUILD_USER=kobjc KBUILD_BUILD_HOST=kobjc KBUILD_BUILD_VERSION=1
export LC_ALL=C
unset MAKEFLAGS MAKELEVEL MFLAGS KOBJC KBUILD_OUTPUT KBUILD_SYMTYPES \
	KBUILD_PRESERVE KBUILD_EXTRA_SYMBOLS KCFLAGS KCPPFLAGS ARCH CROSS_COMPILE
# Only the caching asked for here: no launcher, no user ccache settings
# (a user's sloppiness would change what must miss), the default
# IBT=y config (objtool runs on crc7.o), the given targets.
unset KOBJC_CACHE KOBJC_CC_LAUNCHER KOBJC_LOG FULL KERNEL_IBT
while read -r v; do unset "$v"; done < <(compgen -e | grep '^CCACHE_' || true)
export CCACHE_DIR=$cache/ccache

say() { printf 'ccache-check: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
# no silent exit from set -e
set -E
trap 'say "failed (status $?) at line $LINENO: $BASH_COMMAND"' ERR
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

command -v ccache >/dev/null || die "ccache missing; run: sudo apt-get install -y ccache"
# ccache keeps a compiler's stdout (the #SYMVER lines) since 4.6
ccache_version=$(ccache --version | awk 'NR == 1 { print $3 }')
printf '%s\n' 4.6 "$ccache_version" | sort -V -C ||
	die "ccache $ccache_version is too old: 4.6 or later needed"
[ -x "$kobjc" ] || die "no kobjc binary at $kobjc (run make, or set KOBJC_BIN)"
# absolute, as kernel-check.sh makes it: the saved commands hold this path
kobjc=$(cd "$(dirname "$kobjc")" && pwd)/$(basename "$kobjc")

# ccache's counter NAME
stat_of() {
	ccache --print-stats | awk -F'\t' -v k="$1" '$1 == k { v = $2 } END { print v + 0 }'
}
hits() { echo $(($(stat_of direct_cache_hit) + $(stat_of preprocessed_cache_hit))); }
# every counter of a call that was neither a hit nor a miss, as NAME=N
uncacheable() { ccache --print-stats | awk -f "$repo/tests/ccache-uncacheable.awk"; }
counters() {
	echo "misses $(stat_of cache_miss), direct hits $(stat_of direct_cache_hit)," \
		"preprocessed hits $(stat_of preprocessed_cache_hit)"
}

status=0
fail() {
	say "FAILED: $*"
	status=1
}

# --- parts 1 and 2: kernel-check.sh through ccache ---------------------------

check() { env KOBJC_BIN="$kobjc" TARGETS="$targets" JOBS="$jobs" "$here/kernel-check.sh"; }

# The cached trees (unpacked and prepared if need be); their paths.
log=$(mktemp)
PREPARE_ONLY=1 REUSE_STOCK=1 check 2>&1 | tee "$log" >&2 || { rm -f "$log"; exit 1; }
stock=$(sed -n 's/^kernel-check: trees ready: \(.*-stock\) .*-kobjc$/\1/p' "$log")
rm -f "$log"
[ -n "$stock" ] && [ -d "$stock" ] || die "kernel-check.sh named no stock tree"
base=${stock%-stock}
kob=$base-kobjc
work=$base-build # where kernel-check.sh builds: parts 2b and 3 run there
logs=$cache/ccache-check.logs
rm -rf "$logs" && mkdir -p "$logs"

# objects: the objects in $kob whose saved command is this kobjc's
objects() {
	(cd "$kob" && find . -path ./tools -prune -o -name '.*.o.cmd' -print0 |
		{ xargs -0 grep -lF " := $kobjc " || true; } |
		sed 's|^\./||; s|\.\([^/]*\)\.cmd$|\1|' | sort)
}
# those of them that ran objtool
objtool_objects() {
	local o
	while IFS= read -r o; do
		if grep -Eq "^(saved)?cmd_$o := .* --objtool=" "$kob/$(dirname "$o")/.$(basename "$o").cmd"; then
			echo "$o"
		fi
	done < <(objects)
}
objtool_id() { stat -c '%s bytes, %y' "$kob/tools/objtool/objtool"; }

rm -rf "$CCACHE_DIR" && mkdir -p "$CCACHE_DIR"
say "part 1: a cached build with an empty cache (CCACHE_DIR=$CCACHE_DIR)"
t0=$(date +%s.%N)
KOBJC_CACHE=ccache SELFTEST=0 REUSE_STOCK=1 check || fail "part 1: the cached build differs from stock"
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

# kernel-check.sh resets the kobjc copy to the prepared tree, which was
# built at another path: objtool's dependency files name that path, so
# objtool is rebuilt every run, and a rebuilt objtool is another tool to
# kobjc. The objects that run it must miss then; every other is a hit.
ccache -z >/dev/null
say "part 2a: the same build from the cache"
t0=$(date +%s.%N)
KOBJC_CACHE=ccache SELFTEST=0 REUSE_STOCK=1 check || fail "part 2a: the build from hits differs from stock"
part2_time=$(since "$t0")
n2=$(objects | wc -l)
n_ot=0
if [ "$(objtool_id)" != "$objtool1" ]; then
	n_ot=$(objtool_objects | wc -l)
	say "part 2a: objtool was rebuilt ($objtool1 -> $(objtool_id)): $n_ot objects run it"
fi
say "part 2a: $n2 objects, $(counters) ($part2_time s)"
part2="$(stat_of direct_cache_hit) direct hits, $(stat_of cache_miss) misses for $n2 objects, $n_ot with a rebuilt objtool"
[ "$n2" -eq "$n" ] || fail "part 2a: $n2 objects built by kobjc, $n in part 1"
[ "$(stat_of direct_cache_hit)" -eq $((n2 - n_ot)) ] && [ "$(stat_of preprocessed_cache_hit)" -eq 0 ] &&
	[ "$(stat_of cache_miss)" -eq "$n_ot" ] ||
	fail "part 2a: want $((n2 - n_ot)) direct hits and $n_ot misses: $(counters)"
bad=$(uncacheable)
[ -z "$bad" ] || fail "part 2a: ccache counted uncacheable calls: $bad"

# --- part 2b: rebuilt in place, at the path it was built at ---------------------

tmp=$(mktemp -d)
undo=    # the revert of the change in place, if any
entered= # the kobjc tree is at $work
cleanup() {
	if [ -n "$entered" ]; then
		[ -z "$undo" ] || "$undo" || say "could not revert: $undo"
		mv "$work" "$kob"
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
[ ! -e "$work" ] || die "$work exists: is a kernel-check.sh running on $cache?"
objects >"$logs/objects"
mv "$kob" "$work"
entered=1
cd "$work"

# mk LOG MAKE-ARGS...: make in the tree, tail of the log on failure
mk() {
	local log=$logs/$1
	shift
	make -j"$jobs" "$@" >"$log" 2>&1 || {
		tail -n 30 "$log" >&2
		die "make $* failed in $work (log: $log)"
	}
}

# There objtool stays as it is: every object kobjc built, removed and
# rebuilt, must be a direct hit and equal stock's (object, #SYMVER lines).
say "part 2b: the $n2 objects rebuilt in place from the cache"
read -ra goals <<<"$targets"
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

# --- part 3: the matrix on lib/crc7.o ----------------------------------------

# The matrix's kobjc: a copy at a path of its own, so that the recipe
# cases replace the file, not the path in kbuild's command (which would
# rebuild scripts/mod/empty.o too, a second ccache call).
mkdir "$tmp/bin"
cp -p "$kobjc" "$tmp/bin/kobjc"
cp -p "$kobjc" "$tmp/kobjc.orig"
K=$tmp/bin/kobjc

# build NAME cached|uncached: $obj afresh, log as NAME; it must be kobjc's
build() {
	local cacheit=()
	[ "$2" = cached ] && cacheit=(KOBJC_CACHE=ccache)
	rm -f "$obj"
	mk "$1.log" KOBJC="$K" "${cacheit[@]}" "$obj"
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
# cached NAME: a build from zeroed counters; res is hit, miss or what it was
cached() {
	ccache -z >/dev/null
	build "$1" cached
	local h m bad
	h=$(hits) m=$(stat_of cache_miss) bad=$(uncacheable)
	if [ -n "$bad" ]; then res="uncacheable:$bad"
	elif [ "$h" = 1 ] && [ "$m" = 0 ]; then res=hit
	elif [ "$h" = 0 ] && [ "$m" = 1 ]; then res=miss
	else res="$h hits+$m misses"
	fi
}
# differs A B FILE: whether FILE of saved builds A and B differs
differs() { if cmp -s "$logs/$1/$3" "$logs/$2/$3"; then echo no; else echo yes; fi; }
# mark GOT WANT: GOT, and what was wanted unless it is GOT or -
mark() {
	if [ "$2" = - ] || [ "$1" = "$2" ]; then echo "$1"; else echo "$1 (want $2)"; fi
}

# Steady state first: prepare with the matrix's kobjc (scripts/mod/empty.o
# is rebuilt: another KOBJC), so that nothing but $obj changes in the
# builds below; then the base build, cached: a miss (another kobjc file).
mk prepare.log KOBJC="$K" prepare modules_prepare
cached base
say "part 3: $obj in $work, base build: $res"
save base

rows=()
row='%-17s %-8s %-9s %-12s %-15s %s'
# case NAME WANT WANT_OBJ WANT_SYMVER CHANGE REVERT: make the change; a
# cached build must be WANT (hit or miss) and equal an uncached one; its
# object and #SYMVER lines differ from base's as WANT_OBJ, WANT_SYMVER say
# (yes, no, -: either); reverted, a cached build hits and equals base.
case_() {
	local name=$1 want=$2 want_obj=$3 want_sym=$4 change=$5 revert=$6
	local got eq d_obj d_sym back=-
	say "case $name"
	undo=$revert
	$change
	cached "$name"
	got=$res
	save "$name"
	build "$name-uncached" uncached
	if same "$name"; then eq=yes; else eq=no; fi
	d_obj=$(differs base "$name" "${obj##*/}")
	d_sym=$(differs base "$name" symvers)
	$revert
	undo=
	if [ "$want" = miss ]; then
		cached "$name-reverted"
		back=$res
		[ "$back" != hit ] || same base || back="hit, differs"
	fi
	rows+=("$(printf "$row" "$name" \
		"$(mark "$got" "$want")" "$(mark "$eq" yes)" "$(mark "$d_obj" "$want_obj")" \
		"$(mark "$d_sym" "$want_sym")" "$(mark "$back" "$([ "$want" = miss ] && echo hit || echo -)")")")
	[[ ${rows[-1]} != *'(want '* ]] || fail "case $name: ${rows[-1]}"
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

change_source() { edit lib/crc7.c 's/MODULE_DESCRIPTION("CRC7 calculations")/MODULE_DESCRIPTION("CRC7 calculations, changed")/'; }
revert_source() { restore lib/crc7.c; }

# the inline crc7_be_byte(), which crc7_be() uses: other code
change_header() { edit include/linux/crc7.h 's/\[crc ^ data\]/[crc ^ data ^ 0x5a]/'; }
revert_header() { restore include/linux/crc7.h; }

# Only the -D__GENKSYMS__ pass sees it: crc7_be()'s len becomes another
# type, so its CRC changes; the compile, and the object, do not.
change_genksyms_type() {
	edit include/linux/crc7.h '/^#include <linux\/types.h>$/a\
#ifdef __GENKSYMS__\
typedef unsigned int kobjc_crc7_len_t;\
#define size_t kobjc_crc7_len_t\
#endif'
}
revert_genksyms_type() { restore include/linux/crc7.h; }

# kbuild's per-object flags, with the usual -DDEBUG: it changes the
# preprocessed source (pr_debug() in a header's inline), not the object.
# (A -D that changes neither, e.g. -DUNUSED, is rightly a preprocessed-mode
# hit; KCFLAGS would rebuild scripts/mod/empty.o too, a second call.)
change_define() { edit lib/Makefile '$a\
CFLAGS_crc7.o += -DDEBUG'; }
revert_define() { restore lib/Makefile; }

# kbuild 6.1's per-object objtool switch: no --objtool=/--objtool-arg=
# options at all, the compiler flags unchanged
change_objtool_off() { edit lib/Makefile '$a\
OBJECT_FILES_NON_STANDARD_crc7.o := y'; }
revert_objtool_off() { restore lib/Makefile; }

# A newer mtime: the same binary, but kobjc cannot know. Newer than its
# prerequisites, so make does not rebuild it; back to the old mtime after.
change_objtool_touched() { touch -r tools/objtool/objtool "$tmp/objtool.mtime" && touch tools/objtool/objtool; }
revert_objtool_touched() { touch -r "$tmp/objtool.mtime" tools/objtool/objtool; }
change_genksyms_touched() { touch -r scripts/genksyms/genksyms "$tmp/genksyms.mtime" && touch scripts/genksyms/genksyms; }
revert_genksyms_touched() { touch -r "$tmp/genksyms.mtime" scripts/genksyms/genksyms; }

# Another gcc first on PATH: -fno-ident drops .comment; -E output and
# --version (kbuild's CC_VERSION_TEXT) stay the same, so only kobjc's
# compiler check can tell.
change_compiler() {
	mkdir -p "$tmp/cc"
	printf '#!/bin/sh\nexec %s -fno-ident "$@"\n' "$(command -v gcc)" >"$tmp/cc/gcc"
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
	[ "$("$dir/kobjc" --recipe-hash)" != "$("$kobjc" --recipe-hash)" ] ||
		die "kobjc $1 has the same recipe hash as $kobjc"
}
# the 2009 two-step recipe: cc -S, assemble, no objtool. $K becomes a
# wrapper that asks this kobjc for it instead of kbuild-6.1.
change_recipe_2009() {
	cat >"$K" <<-EOF
		#!/usr/bin/env bash
		args=()
		for a; do
			case \$a in
			--recipe=kbuild-6.1) args+=(--recipe=2009-two-step) ;;
			--objtool=*|--objtool-arg=*) ;;
			*) args+=("\$a") ;;
			esac
		done
		exec $(printf %q "$tmp/kobjc.orig") "\${args[@]}"
	EOF
}
# one word of the table: objtool gets --stackval, not $OBJTOOL_ARGS
change_recipe_word() {
	build_kobjc word '' 's/"\$OBJTOOL", "\$OBJTOOL_ARGS"/"$OBJTOOL", "--stackval"/' &&
		cp "$tmp/word/kobjc" "$K"
}
# the same file again: same size and mtime
revert_recipe() { cp -p "$tmp/kobjc.orig" "$K"; }

# CONFIG_CRC7=y: no -DMODULE, and with IBT no objtool until vmlinux.o
set_crc7() {
	scripts/config --file .config "$1" CRC7
	mk "config$1.log" olddefconfig
	grep -qx "CONFIG_CRC7=$2" .config || die "CONFIG_CRC7=$2 did not stick"
}
change_builtin() { set_crc7 -e y; }
revert_builtin() { set_crc7 -m m; }

#     name              want  obj   SYMVER  change                  revert
case_ nothing           hit   no    no      none                    none
case_ source            miss  yes   no      change_source           revert_source
case_ header            miss  yes   no      change_header           revert_header
case_ genksyms-type     miss  no    yes     change_genksyms_type    revert_genksyms_type
case_ cflags-DDEBUG     miss  -     no      change_define           revert_define
case_ objtool-off       miss  yes   no      change_objtool_off      revert_objtool_off
case_ objtool-touched   miss  no    no      change_objtool_touched  revert_objtool_touched
case_ genksyms-touched  miss  no    no      change_genksyms_touched revert_genksyms_touched
case_ gcc-fno-ident     miss  yes   no      change_compiler         revert_compiler
case_ recipe-2009       miss  yes   no      change_recipe_2009      revert_recipe
case_ recipe-word       miss  yes   no      change_recipe_word      revert_recipe
case_ CRC7=y-builtin    miss  yes   no      change_builtin          revert_builtin

# --- result ---------------------------------------------------------------------

printf '\npart 1, cached build = stock:   %s (%s s)\n' "$part1" "$part1_time"
printf 'part 2a, rebuild from hits:     %s (%s s)\n' "$part2" "$part2_time"
printf 'part 2b, the same in place:     %s (%s s)\n' "$part2b" "$part2b_time"
printf '\n%s: a change must miss, equal the uncached build, and hit again reverted\n' "$obj"
printf "$row\n" case cached =uncached obj-differs SYMVER-differs reverted
printf '%s\n' "${rows[@]}"
printf '(obj-, SYMVER-differs: from the base build; logs and objects: %s)\n\n' "$logs"
say "total $(since "$t_start") s"
if [ "$status" = 0 ]; then say PASS; else say "FAIL (logs: $logs)"; fi
exit "$status"
