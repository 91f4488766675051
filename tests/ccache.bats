#!/usr/bin/env bats
# KOBJC_CACHE=ccache with the real ccache (4.7.5) and Linux 6.1's real
# objtool and genksyms: a hit must give exactly what an uncached build
# gives, and every change that alters the result (or may: a new tool)
# must miss. Each test has its own CCACHE_DIR.
bats_require_minimum_version 1.5.0
load helper

# kobjc built from this tree's source, with -D... and an edit of kobjc.h
build_kobjc() {
	local dir=$1 define=$2 edit=$3
	mkdir -p "$dir/src"
	cp "$TOP/kobjc.c" "$TOP/kobjc.h" "$dir/src/"
	if [ -n "$edit" ]; then
		sed -i "$edit" "$dir/src/kobjc.h"
		! cmp -s "$TOP/kobjc.h" "$dir/src/kobjc.h" ||
			{ echo "build_kobjc: '$edit' changed nothing" >&2 && return 1; }
	fi
	cc -std=c11 -O2 -static $define -o "$dir/kobjc" "$dir/src/kobjc.c"
}

setup_file() {
	# the 6.1 recipe with one word changed: objtool runs with
	# "--stackval" instead of $OBJTOOL_ARGS (so no ORC: another object)
	build_kobjc "$BATS_FILE_TMPDIR/variant" '' \
		's/run \$OBJTOOL \$OBJTOOL_ARGS \$OUT/run $OBJTOOL --stackval $OUT/'
}

setup() {
	common_setup
	unset KOBJC_CACHE KOBJC_CC_LAUNCHER KOBJC_LOG
	# shellcheck disable=SC2046 # variable names: words, on purpose
	unset $(compgen -e | grep '^CCACHE_') XDG_CACHE_HOME
	export CCACHE_DIR=$BATS_TEST_TMPDIR/ccache
	R=$BATS_TEST_TMPDIR/results
	# what the builds use; tests change these
	K=$KOBJC
	RECIPE=
	CCW=gcc
	FLAGS=(-O2 -fno-asynchronous-unwind-tables '-Wp,-MMD,.answer.o.d')
	OBJTOOL=$TOOLS/objtool
	OT_ARGS=(--orc)
	GENKSYMS=$TOOLS/genksyms
	GK_ARGS=(-r /dev/null)

	# answer.c with a header of its own. Only the symbol-version pass
	# (-D__GENKSYMS__) includes gk.h and sees struct knob's layout: the
	# compile sees both structs as incomplete types.
	cat >mine.h <<-'EOF'
		#ifndef MINE_H
		#define MINE_H
		#ifdef __GENKSYMS__
		#include "gk.h"
		struct knob { int turns; };
		#else
		struct cfg;
		struct knob;
		#endif
		#ifndef MINE_EXTRA
		#define MINE_EXTRA 0
		#endif
		#ifdef MODULE
		#define MINE_WHERE 100
		#else
		#define MINE_WHERE 200
		#endif
		#ifdef WRAP
		#define MINE_WRAP 1000
		#else
		#define MINE_WRAP 0
		#endif
		#define MINE_VALUE 7
		#endif
	EOF
	echo 'struct cfg { int a; };' >gk.h
	{
		echo '#include "mine.h"'
		cat "$TOP/tests/demo/answer.c"
		cat <<-'EOF'
			int cfg_peek(struct cfg *c) { return c != 0; }
			EXPORT_SYMBOL(cfg_peek);
			int knob_peek(struct knob *k) { return k != 0; }
			EXPORT_SYMBOL(knob_peek);
			int mine_value(void) { return MINE_VALUE + MINE_EXTRA + MINE_WHERE + MINE_WRAP; }
			EXPORT_SYMBOL(mine_value);
		EOF
	} >answer.c
	# older than any compile: ccache's direct mode does not record a
	# header it sees as "too new"
	touch -d '1 hour ago' ./*.c ./*.h
}

teardown() { common_teardown; }

# kobjc's arguments for the current settings, in ARGS
kobjc_args() {
	local a
	ARGS=(${RECIPE:+"--recipe=$RECIPE"})
	[ -z "$OBJTOOL" ] || ARGS+=(--objtool="$OBJTOOL")
	for a in "${OT_ARGS[@]}"; do
		ARGS+=(--objtool-arg="$a")
	done
	ARGS+=(--genksyms="$GENKSYMS")
	for a in "${GK_ARGS[@]}"; do
		ARGS+=(--genksyms-arg="$a")
	done
	# shellcheck disable=SC2206 # CCW is words: "ccache gcc"
	ARGS+=(--symvers=answer.sv answer.o answer.c $CCW "${FLAGS[@]}")
}

# run_kobjc cached|uncached [VAR=VALUE...]: build answer.o, .answer.o.d
# and answer.sv afresh; it must succeed and leave no temporaries.
run_kobjc() {
	local mode=$1
	shift
	rm -f answer.o .answer.o.d answer.sv
	kobjc_args
	[ "$mode" = cached ] && set -- KOBJC_CACHE=ccache "$@"
	run --separate-stderr env "$@" "$K" "${ARGS[@]}"
	assert_success
	[ -z "$output" ] || fail "stdout (only #SYMVER lines, and those go to --symvers): $output"
	[ -s answer.o ] && [ -s .answer.o.d ] && [ -s answer.sv ] ||
		fail "outputs missing: $(ls -A)"
	assert_no_temps
}

quiet() {
	[ -z "$stderr" ] || fail "stderr: $stderr"
}

# ccache's counter NAME in the current CCACHE_DIR
stat_of() {
	local v
	v=$(ccache --print-stats | awk -F'\t' -v k="$1" '$1 == k { print $2 }')
	echo "${v:-0}"
}

hits() {
	echo $(($(stat_of direct_cache_hit) + $(stat_of preprocessed_cache_hit)))
}

# Every ccache call so far was a hit or a miss: no counter of an
# uncacheable call (called_for_link, unsupported_compiler_option, ...).
assert_only_hits_and_misses() {
	local bad
	bad=$(ccache --print-stats | awk -f "$TOP/tests/ccache-uncacheable.awk")
	[ -z "$bad" ] || fail "ccache counted uncacheable calls: $bad"
}

# cached hit|miss [VAR=VALUE...]: a build through ccache that must be
# exactly one hit, or exactly one miss (and no hit: no stale result).
cached() {
	local want=$1 h0 m0 h1 m1
	shift
	h0=$(hits) m0=$(stat_of cache_miss)
	run_kobjc cached "$@"
	[ $# -gt 0 ] || quiet
	h1=$(hits) m1=$(stat_of cache_miss)
	case $want in
	hit) [ $((h1 - h0)) -eq 1 ] && [ "$m1" -eq "$m0" ] ||
		fail "expected a cache hit: hits $h0 -> $h1, misses $m0 -> $m1" ;;
	miss) [ "$h1" -eq "$h0" ] && [ $((m1 - m0)) -eq 1 ] ||
		fail "expected a cache miss: hits $h0 -> $h1, misses $m0 -> $m1" ;;
	esac
	assert_only_hits_and_misses
}

uncached() {
	run_kobjc uncached
	quiet
}

# Keep the current outputs as NAME; compare them with NAME's.
save() {
	mkdir -p "$R/$1"
	cp answer.o .answer.o.d answer.sv "$R/$1/"
}

assert_same_as() {
	local f
	for f in answer.o .answer.o.d answer.sv; do
		cmp -s "$f" "$R/$1/$f" ||
			fail "$f differs from the $1 build's$(
				[ "$f" = answer.o ] || printf ':\n%s' "$(diff "$R/$1/$f" "$f")")"
	done
}

# assert_outputs equal|differ A B FILE: FILE of saved builds A and B
assert_outputs() {
	if cmp -s "$R/$2/$4" "$R/$3/$4"; then
		[ "$1" = equal ] || fail "$4 is the same in the $2 and $3 builds"
	else
		[ "$1" = differ ] || fail "$4 differs between the $2 and $3 builds"
	fi
}

# change_misses NAME CHANGE...: with the current build cached, make the
# change (a command); an uncached build with it, saved as NAME, is the
# reference: a cached build must miss and give exactly that, the next hit.
change_misses() {
	local name=$1
	shift
	"$@"
	uncached
	save "$name"
	cached miss
	assert_same_as "$name"
	cached hit
	assert_same_as "$name"
}

# the base build, cached
prime() {
	cached miss
	save base
}

add_flags() { FLAGS+=("$@"); }
set_objtool_args() { OT_ARGS=("$@"); }
use_kobjc() { K=$1; }
# kbuild's part-of-module: -DMODULE in c_flags, --module for objtool
as_module() {
	FLAGS+=(-DMODULE)
	OT_ARGS+=(--module)
}
# $BATS_TEST_TMPDIR/cc/mygcc: gcc with the extra flags $1
write_mygcc() {
	printf '#!/bin/sh\nexec gcc %s"$@"\n' "$1" >"$BATS_TEST_TMPDIR/cc/mygcc"
	chmod 755 "$BATS_TEST_TMPDIR/cc/mygcc"
}

# ---------------------------------------------------------------- hits

@test "ccache: an unchanged rebuild hits and restores the uncached build's object, .d and #SYMVER lines" {
	uncached
	save want
	grep -q '^#SYMVER cfg_peek 0x' answer.sv
	grep -q '^answer.o: answer.c ' .answer.o.d
	cached miss
	assert_same_as want
	cached hit
	assert_same_as want
	[ "$(stat_of direct_cache_hit)" -eq 1 ] ||
		fail "not a direct-mode hit: $(ccache --print-stats | grep _hit)"

	# without --symvers the #SYMVER lines come on stdout, from the cache too
	local a args=()
	kobjc_args
	for a in "${ARGS[@]}"; do
		[ "$a" = --symvers=answer.sv ] || args+=("$a")
	done
	rm -f answer.o .answer.o.d answer.sv
	run --separate-stderr env KOBJC_CACHE=ccache "$K" "${args[@]}"
	assert_success
	assert_equal "$(hits)" 2
	assert_equal "$output" "$(cat "$R/want/answer.sv")"
	cmp answer.o "$R/want/answer.o"
	cmp .answer.o.d "$R/want/.answer.o.d"
	assert_no_temps
}

# Without KOBJC_CACHE, the compiler being ccache in some form: ccache gets
# the whole recipe as one entry, one miss and no uncacheable call (the
# -D__GENKSYMS__ pass is not a "called for preprocessing" of its own, as
# with a plain ccache gcc), then one hit; both give the want build.
ccache_cc_miss_then_hit() {
	run_kobjc uncached
	quiet
	assert_same_as want
	assert_equal "$(stat_of cache_miss)" 1
	assert_only_hits_and_misses
	run_kobjc uncached
	assert_equal "$(hits)" 1
	assert_same_as want
}

@test "ccache: CC='ccache gcc' gives ccache the whole recipe, the same entry as KOBJC_CACHE=ccache" {
	uncached
	save want
	# what a kernel developer used to ccache already writes: make CC="ccache gcc"
	CCW="ccache gcc"
	ccache_cc_miss_then_hit
	CCW=gcc
	cached hit
	assert_same_as want
	assert_equal "$(stat_of cache_miss)" 1
}

# ------------------------------------------------ changes that must miss

@test "ccache: a changed source misses" {
	prime
	change_misses want sed -i 's/return 42;/return 43;/' answer.c
	assert_outputs differ base want answer.o
}

@test "ccache: a changed header misses" {
	prime
	change_misses want sed -i 's/#define MINE_VALUE 7/#define MINE_VALUE 8/' mine.h
	assert_outputs differ base want answer.o
}

@test "ccache: a header only the __GENKSYMS__ pass includes misses; only the #SYMVER CRC changes" {
	prime
	change_misses want sed -i 's/int a;/int a; long b;/' gk.h
	# the trap: the compile does not read gk.h, so the object and .d are
	# the same; only genksyms' CRC of cfg_peek differs
	assert_outputs equal base want answer.o
	assert_outputs equal base want .answer.o.d
	assert_outputs differ base want answer.sv
	assert_equal "$(grep -v cfg_peek "$R/want/answer.sv")" \
		"$(grep -v cfg_peek "$R/base/answer.sv")"
	# the old header again: the old entry, with the old CRC
	sed -i 's/int a; long b;/int a;/' gk.h
	cached hit
	assert_same_as base
}

@test "ccache: a type only the __GENKSYMS__ pass sees misses; only the #SYMVER CRC changes" {
	prime
	change_misses want sed -i 's/struct knob { int turns; };/struct knob { long turns; };/' mine.h
	assert_outputs equal base want answer.o
	assert_outputs differ base want answer.sv
	assert_equal "$(grep -v knob_peek "$R/want/answer.sv")" \
		"$(grep -v knob_peek "$R/base/answer.sv")"
}

@test "ccache: a -D flag misses" {
	prime
	change_misses want add_flags -DMINE_EXTRA=5
	assert_outputs differ base want answer.o
}

@test "ccache: other objtool arguments miss" {
	prime
	change_misses want set_objtool_args --stackval
	assert_outputs differ base want answer.o
}

@test "ccache: module instead of built-in (-DMODULE, objtool --module) misses" {
	prime
	change_misses want as_module
	assert_outputs differ base want answer.o
}

# change_hits CHANGE...: with the current build cached, the change (a
# command) must still hit, and give the base build's outputs.
change_hits() {
	"$@"
	cached hit
	assert_same_as base
}

# tools/objtool and scripts/genksyms in DIR (default .), copies of the
# real ones, called by relative paths as kbuild calls its own
tree_tools() {
	local dir=${1:-.}
	mkdir -p "$dir/tools" "$dir/scripts"
	cp "$TOOLS/objtool" "$dir/tools/objtool"
	cp "$TOOLS/genksyms" "$dir/scripts/genksyms"
	OBJTOOL=tools/objtool GENKSYMS=scripts/genksyms
}

@test "ccache: objtool touched or built again the same hits; another objtool misses" {
	tree_tools
	prime
	# make clean and a rebuilt objtool: another inode and mtime, the same
	# program: the cache is keyed by content, not by the disk
	change_hits touch -d '2001-02-03 04:05:06' tools/objtool
	change_hits cp --remove-destination "$TOOLS/objtool" tools/objtool
	# another objtool: it only validates, writes no ORC
	rm tools/objtool
	cat >tools/objtool <<-EOF
		#!/bin/sh
		for obj; do :; done
		exec "$TOOLS/objtool" --stackval "\$obj"
	EOF
	chmod 755 tools/objtool
	change_misses replaced true
	assert_outputs differ base replaced answer.o
}

@test "ccache: genksyms touched or built again the same hits; another genksyms misses" {
	tree_tools
	prime
	change_hits touch -d '2001-02-03 04:05:06' scripts/genksyms
	change_hits cp --remove-destination "$TOOLS/genksyms" scripts/genksyms
	# another genksyms: another CRC for mine_value
	rm scripts/genksyms
	cat >scripts/genksyms <<-EOF
		#!/bin/sh
		"$TOOLS/genksyms" "\$@" | sed 's/^#SYMVER mine_value 0x.*/#SYMVER mine_value 0x00c0ffee/'
	EOF
	chmod 755 scripts/genksyms
	change_misses replaced true
	assert_outputs differ base replaced answer.sv
	grep -qx '#SYMVER mine_value 0x00c0ffee' "$R/replaced/answer.sv"
}

@test "ccache: a second tree at another path, with its own tools, hits every time" {
	local t
	for t in one two-at-another-path; do
		mkdir "$t"
		cp answer.c mine.h gk.h export.h "$t/"
		touch -d '1 hour ago' "$t"/*
		tree_tools "$t"
	done
	cd one
	prime
	cd ../two-at-another-path
	cached hit
	assert_same_as base
	assert_only_hits_and_misses
}

@test "ccache: a changed compiler (a wrapper on PATH) misses" {
	mkdir "$BATS_TEST_TMPDIR/cc"
	write_mygcc ''
	export PATH="$BATS_TEST_TMPDIR/cc:$PATH"
	CCW=mygcc
	prime
	# the same name, another compiler: it defines WRAP. The arguments
	# ccache hashes are the same; only kobjc's compiler check differs.
	change_misses wrapped write_mygcc '-DWRAP=1 '
	assert_outputs differ base wrapped answer.o
}

@test "ccache: another recipe (one word of the table changed) misses; the old one hits again" {
	local variant=$BATS_FILE_TMPDIR/variant/kobjc
	[ "$("$variant" --recipe-hash)" != "$("$KOBJC" --recipe-hash)" ]
	prime
	change_misses other use_kobjc "$variant"
	assert_outputs differ base other answer.o
	use_kobjc "$KOBJC"
	cached hit
	assert_same_as base
}

@test "ccache: kobjc copied elsewhere hits; a kobjc with other code, the same recipe, misses" {
	mkdir -p "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b" src
	cp "$KOBJC" "$BATS_TEST_TMPDIR/a/kobjc"
	use_kobjc "$BATS_TEST_TMPDIR/a/kobjc"
	prime
	cp "$KOBJC" "$BATS_TEST_TMPDIR/b/kobjc"
	touch -d '2001-02-03 04:05:06' "$BATS_TEST_TMPDIR/b/kobjc"
	change_hits use_kobjc "$BATS_TEST_TMPDIR/b/kobjc"
	# same recipe, other code: a fix in kobjc's own code (the ELF checks,
	# say) must not be hidden by an entry the old one made
	cp "$TOP/kobjc.c" "$TOP/kobjc.h" src/
	sed -i 's/"out of memory"/"out of memory!"/' src/kobjc.c
	cc -std=c11 -O2 -static -o "$BATS_TEST_TMPDIR/b/kobjc" src/kobjc.c
	assert_equal "$("$BATS_TEST_TMPDIR/b/kobjc" --recipe-hash)" "$("$KOBJC" --recipe-hash)"
	change_misses other true
	assert_outputs equal base other answer.o
}

# ------------------------------------------- inputs ccache does not hash

@test "ccache: OBJTOOL_ARGS, which objtool reads, misses when it changes" {
	set_objtool_args --stackval
	prime
	# objtool reads the variable itself: the arguments stay --stackval
	change_misses orc export OBJTOOL_ARGS=--orc
	assert_outputs differ base orc answer.o
	unset OBJTOOL_ARGS
	cached hit
	assert_same_as base
}

@test "ccache: the content of genksyms' -r symref file (KBUILD_PRESERVE) misses when it changes" {
	printf 's#question struct question { UNKNOWN } \n' >answer.symref
	GK_ARGS=(-p -r answer.symref)
	prime
	# an override line: other CRCs for answer and ask_twice, and a note
	printf 'override s#question struct question { int q ; } \n' >answer.symref
	run_kobjc uncached
	[[ $stderr == *"ignoring struct question modversion change"* ]]
	save override
	cached miss KBUILD_PRESERVE=1
	assert_same_as override
	assert_outputs differ base override answer.sv
	cached hit KBUILD_PRESERVE=1
	assert_same_as override
}

@test "ccache: a GCC plugin (-fplugin=FILE.so) rebuilt to do otherwise misses" {
	command -v g++ >/dev/null || skip "no g++ to build a GCC plugin"
	[ -d "$(gcc -print-file-name=plugin)/include" ] || skip "no gcc-12-plugin-dev"
	cat >plugin.c <<-'EOF'
		#include "gcc-plugin.h"
		#include "options.h"
		int plugin_is_GPL_compatible;
		int plugin_init(struct plugin_name_args *i, struct plugin_gcc_version *v)
		{
			(void)i, (void)v;
		#ifdef V2
			flag_no_ident = 1; /* no .comment: another object */
		#endif
			return 0;
		}
	EOF
	# shellcheck disable=SC2120 # change_misses passes -DV2
	build_plugin() {
		g++ -shared -fPIC -fno-rtti -O2 "$@" \
			-I"$(gcc -print-file-name=plugin)/include" -o plugin.so plugin.c
	}
	build_plugin
	add_flags -fplugin=./plugin.so
	prime
	# the same -E output, the same arguments: only the plugin differs
	change_misses v2 build_plugin -DV2
	assert_outputs differ base v2 answer.o
}

@test "ccache: a compiler behind a ccache masquerade directory is ccache for the whole recipe, and a change behind it misses" {
	local real_gcc
	real_gcc=$(command -v gcc)
	mkdir "$BATS_TEST_TMPDIR/mask" "$BATS_TEST_TMPDIR/cc"
	ln -s "$(command -v ccache)" "$BATS_TEST_TMPDIR/mask/gcc"
	printf '#!/bin/sh\nexec %s "$@"\n' "$real_gcc" >"$BATS_TEST_TMPDIR/cc/gcc"
	chmod 755 "$BATS_TEST_TMPDIR/cc/gcc"
	uncached
	save want
	export PATH="$BATS_TEST_TMPDIR/mask:$BATS_TEST_TMPDIR/cc:$PATH"
	# no KOBJC_CACHE: gcc on PATH is ccache
	ccache_cc_miss_then_hit
	# the compiler behind the mask changes: a miss, as a changed gcc
	printf '#!/bin/sh\nexec %s -fno-ident "$@"\n' "$real_gcc" >"$BATS_TEST_TMPDIR/cc/gcc"
	run_kobjc uncached
	assert_equal "$(stat_of cache_miss)" 2
	assert_equal "$(hits)" 1
	save noident
	assert_outputs differ want noident answer.o
	assert_only_hits_and_misses
}

# ------------------------------------------------------- ccache settings

@test "ccache: CCACHE_DEPEND=1 builds, and a header only the __GENKSYMS__ pass reads still misses" {
	export CCACHE_DEPEND=1
	uncached
	save want
	cached miss
	assert_same_as want
	cached hit
	save base
	change_misses gk sed -i 's/int a;/int a; long b;/' gk.h
	assert_outputs differ base gk answer.sv
}

@test "ccache: CCACHE_NOCPP2=1 builds the source, not kobjc's -E answer" {
	export CCACHE_NOCPP2=1
	uncached
	save want
	cached miss
	assert_same_as want
	cached hit
	assert_same_as want
}

# the object's DW_AT_dwo_name
dwo_name() {
	readelf --debug-dump=info "$1" | awk '/DW_AT_dwo_name/ { print $NF }'
}

@test "ccache: side files gcc names after -o (.dwo, .su) are the object's, as stock's, and a clean rebuild hits and restores them" {
	add_flags -g -gsplit-dwarf -fstack-usage
	gcc "${FLAGS[@]}" -c -o answer.o answer.c
	mkdir -p "$R/stock"
	cp answer.dwo answer.su "$R/stock/"
	local name
	name=$(dwo_name answer.o)
	[[ $name == *answer.dwo ]] || fail "stock gcc's dwo name: $name"
	rm -f answer.o answer.dwo answer.su
	uncached
	save want
	cmp answer.dwo "$R/stock/answer.dwo"
	cmp answer.su "$R/stock/answer.su"
	assert_equal "$(dwo_name answer.o)" "$name"
	rm -f answer.dwo answer.su
	cached miss
	assert_same_as want
	cmp answer.dwo "$R/stock/answer.dwo"
	# make clean: the side files go too; a hit brings them back
	rm -f answer.dwo answer.su
	cached hit
	assert_same_as want
	cmp answer.dwo "$R/stock/answer.dwo"
	cmp answer.su "$R/stock/answer.su"
}

@test "ccache: side files clang names after -o (.dwo, .su, .gcno and the .gcda path) are the object's, as stock clang's, and a clean rebuild hits and restores them" {
	command -v clang >/dev/null || skip "no clang"
	CCW=clang
	add_flags -g -gsplit-dwarf -fstack-usage --coverage
	local f name
	clang "${FLAGS[@]}" -c -o answer.o answer.c
	mkdir -p "$R/stock"
	cp answer.o answer.dwo answer.su answer.gcno "$R/stock/"
	name=$(dwo_name answer.o)
	[[ $name == *answer.dwo ]] || fail "stock clang's dwo name: $name"
	grep -qaF "$PWD/answer.gcda" answer.o || fail "stock clang names another .gcda"
	rm -f answer.o answer.dwo answer.su answer.gcno
	uncached
	save want
	# the object has objtool's work too: the names in it are stock's
	assert_equal "$(dwo_name answer.o)" "$name"
	grep -qaF "$PWD/answer.gcda" answer.o || fail "the object names another .gcda"
	for f in dwo su gcno; do
		cmp "answer.$f" "$R/stock/answer.$f"
	done
	[ -z "$(find . -name '.tmp_*')" ] || fail "left: $(find . -name '.tmp_*')"
	rm -f answer.dwo answer.su answer.gcno
	cached miss
	assert_same_as want
	cmp answer.dwo "$R/stock/answer.dwo"
	rm -f answer.dwo answer.su answer.gcno
	cached hit
	assert_same_as want
	for f in dwo su gcno; do
		cmp "answer.$f" "$R/stock/answer.$f"
	done
}

@test "ccache: gcov's .gcno and .gcda are named after the object, and a clean rebuild hits and restores the .gcno" {
	add_flags --coverage
	uncached
	[ -s answer.gcno ] || fail "no answer.gcno: $(ls -A)"
	grep -qaF "$PWD/answer.gcda" answer.o || fail "the object names another .gcda"
	rm -f answer.gcno
	cached miss
	# gcc stamps each compile: the cached build is the reference
	save miss
	cp answer.gcno "$R/miss/"
	rm -f answer.gcno
	cached hit
	assert_same_as miss
	cmp answer.gcno "$R/miss/answer.gcno"
}

@test "ccache: a tool's warning names the object, never a temporary, on a miss and on every hit" {
	# objtool that warns as objtool does: "FILE: warning: objtool: ..."
	printf '#!/bin/sh\n%s "$@" && for f; do :; done && echo "$f: warning: objtool: noisy" >&2\n' \
		"$OBJTOOL" >"$BATS_TEST_TMPDIR/objtool"
	chmod 755 "$BATS_TEST_TMPDIR/objtool"
	OBJTOOL=$BATS_TEST_TMPDIR/objtool
	local want="answer.o: warning: objtool: noisy" _
	run_kobjc uncached
	assert_equal "$stderr" "$want"
	for _ in miss hit hit; do
		run_kobjc cached
		assert_equal "$stderr" "$want"
	done
	assert_equal "$(hits)" 2
}

@test "ccache: --explain says an object restored from a hit was restored, and one built again ran" {
	cached miss
	kobjc_args
	run --separate-stderr "$K" --explain "${ARGS[@]}"
	refute_line --partial "restored from ccache"
	assert_line --partial "   status ran"
	cached hit
	run --separate-stderr "$K" --explain "${ARGS[@]}"
	assert_line "status   restored from ccache: none of the steps ran"
	refute_line "   status ran"
	uncached
	run --separate-stderr "$K" --explain "${ARGS[@]}"
	refute_line --partial "restored from ccache"
}

@test "ccache: KBUILD_SYMTYPES (genksyms -T FILE) is not cached: the .symtypes file is always written" {
	GK_ARGS+=(-T answer.symtypes)
	uncached
	save want
	cp answer.symtypes "$R/want/"
	local _
	for _ in 1 2; do
		rm -f answer.symtypes
		run_kobjc cached
		assert_same_as want
		cmp answer.symtypes "$R/want/answer.symtypes"
	done
	assert_equal "$(hits)" 0
	assert_equal "$(stat_of cache_miss)" 0
	# --explain says why
	kobjc_args
	run --separate-stderr env KOBJC_CACHE=ccache "$K" --explain "${ARGS[@]}"
	assert_line "cache    ccache not used: genksyms -T writes a file ccache would not restore"
}

@test "ccache: the compiler type is the compiler's: clang for CC=clang" {
	command -v clang >/dev/null || skip "no clang"
	CCW=clang
	uncached
	save want
	run --separate-stderr env KOBJC_CACHE=ccache KBUILD_VERBOSE=1 "$K" "${ARGS[@]}"
	assert_success
	[[ $stderr == *"CCACHE_COMPILERTYPE=clang "* ]] || fail "$stderr"
	assert_same_as want
	cached hit
	assert_same_as want
}

# ---------------------------------------------------------------- 2009

@test "ccache: the 2009 two-step recipe is cached whole: no 'called for link', hits, same result" {
	RECIPE=2009-two-step OBJTOOL='' OT_ARGS=()
	uncached
	save want
	cached miss
	assert_same_as want
	cached hit
	assert_same_as want
	assert_equal "$(stat_of called_for_link)" 0
	assert_equal "$(stat_of files_in_cache)" 2
}

# ---------------------------------------------------------------- verbose

@test "ccache: KBUILD_VERBOSE=1 shows a miss's steps, a hit shows none, and none are cached" {
	local steps="^($OBJTOOL |gcc |# local-export check)| \\| $GENKSYMS -r /dev/null$"
	cached miss KBUILD_VERBOSE=1
	grep -qE "^$OBJTOOL --orc " <<<"$stderr" || fail "no objtool line: $stderr"
	grep -qE " \\| $GENKSYMS -r /dev/null$" <<<"$stderr" ||
		fail "no genksyms pipe line: $stderr"
	grep -q '^# local-export check: ' <<<"$stderr" ||
		fail "no local-export check line: $stderr"
	save want

	cached hit KBUILD_VERBOSE=1
	! grep -E "$steps" <<<"$stderr" || fail "a hit printed steps: $stderr"
	grep -q '^CCACHE_COMPILERTYPE=gcc .*ccache ' <<<"$stderr" ||
		fail "no ccache command line: $stderr"
	assert_same_as want

	# the cached stderr holds none of the miss's step lines
	cached hit
	assert_same_as want
}

# ---------------------------------------------------------------- setup, errors

@test "ccache: entries land in the user's CCACHE_DIR and nowhere else" {
	export HOME=$BATS_TEST_TMPDIR/home
	mkdir "$HOME"
	export CCACHE_DIR=$BATS_TEST_TMPDIR/user-cache
	cached miss
	assert_equal "$(stat_of files_in_cache)" 2
	[ -n "$(find "$CCACHE_DIR" -type f -name '*R')" ] ||
		fail "no result file in $CCACHE_DIR: $(find "$CCACHE_DIR")"
	[ -z "$(ls -A "$HOME")" ] || fail "written under HOME: $(find "$HOME")"
	[ ! -e "$BATS_TEST_TMPDIR/ccache" ] || fail "the default test cache was used"
	cached hit
	# an empty cache elsewhere has none of it
	CCACHE_DIR=$BATS_TEST_TMPDIR/other-cache cached miss
	[ -d "$BATS_TEST_TMPDIR/other-cache" ]
}

@test "ccache: a failing compile exits as uncached, with gcc's error once, and leaves no object" {
	local want_status uncached_stderr
	uncached
	echo 'int broken(void) { return 1 }' >>answer.c
	kobjc_args
	run --separate-stderr "$K" "${ARGS[@]}"
	assert_failure
	want_status=$status
	# the stale outputs of the earlier build were removed
	assert_absent answer.o answer.sv

	uncached_stderr=$stderr
	run --separate-stderr env KOBJC_CACHE=ccache "$K" "${ARGS[@]}"
	assert_failure "$want_status"
	assert_output ''
	# gcc's error line, once, as an uncached build prints it
	assert_equal "$(grep -E '^answer\.c:[0-9]+:[0-9]+: error: ' <<<"$stderr")" \
		"$(grep -E '^answer\.c:[0-9]+:[0-9]+: error: ' <<<"$uncached_stderr")"
	assert_equal "$(grep -cE '^answer\.c:[0-9]+:[0-9]+: error: ' <<<"$stderr")" 1
	# and one short kobjc line, as without ccache
	assert_equal "$(grep '^kobjc' <<<"$stderr")" "kobjc: answer.o: compile failed (exit 1)"
	assert_equal "$(grep '^kobjc' <<<"$uncached_stderr")" "kobjc: answer.o: compile failed (exit 1)"
	assert_absent answer.o answer.sv
	assert_no_temps
	assert_equal "$(stat_of compile_failed)" 1
	assert_equal "$(hits)" 0
	# nothing of it was cached: it fails again
	run --separate-stderr env KOBJC_CACHE=ccache "$K" "${ARGS[@]}"
	assert_failure "$want_status"
	assert_equal "$(stat_of compile_failed)" 2
	assert_absent answer.o answer.sv
	assert_no_temps
}

# cached_fault STEP MODE: with the fakes on PATH, STEP misbehaves as MODE
# under ccache: kobjc fails, leaves nothing, and caches nothing: the same
# build without the fault then misses and equals an uncached build.
cached_fault() {
	local step=$1 mode=$2
	CCW=$FAKEBIN/gcc OBJTOOL=$FAKEBIN/objtool GENKSYMS=$FAKEBIN/genksyms
	run_kobjc uncached
	save uncached
	stale_object answer.o
	kobjc_args
	run --separate-stderr env KOBJC_CACHE=ccache FAKE_FAULT="$step:$mode" "$K" "${ARGS[@]}"
	[ "$status" -ne 0 ] || fail "$step:$mode under ccache: exit 0"
	[[ $stderr == *"kobjc: "* ]] || fail "no kobjc: message: $stderr"
	[ ! -e answer.o ] && [ ! -e answer.sv ] || fail "left answer.o or answer.sv"
	assert_no_temps
	ccache -z >/dev/null # the failed call counted as compile_failed
	cached miss
	assert_same_as uncached
}

@test "ccache: a failing step is never cached (compile, objtool, cpp, genksyms x exit 1, SIGSEGV, no output)" {
	local step mode
	use_fakes
	for step in compile objtool cpp genksyms; do
		for mode in exit=1 segv nothing; do
			rm -rf "$CCACHE_DIR" "$FAKE_LOG"
			cached_fault "$step" "$mode"
		done
	done
}

# ---------------------------------------------------------------- trust

# The digest file's size in bytes.
digests_size() { stat -c %s "$CCACHE_DIR/kobjc-digests"; }

@test "ccache: a digest file over 128 KiB (here 2 MiB) is compacted, and a hit then appends nothing (no slow path for good)" {
	prime
	cached hit
	[ -s "$CCACHE_DIR/kobjc-digests" ] || fail "no digest file"
	# 2 MiB of lines for files long gone, as fresh trees and -j leave
	awk 'BEGIN { for (i = 0; i < 17000; i++)
		printf "sha256 fd01 %x 1234 1700000000.000000000 1700000000.000000000 %064x\n", i, i }' \
		>>"$CCACHE_DIR/kobjc-digests"
	[ "$(digests_size)" -gt $((2 * 1024 * 1024)) ] || fail "not 2 MiB"
	cached hit
	assert_same_as base
	[ "$(digests_size)" -le $((128 * 1024)) ] ||
		fail "digest file not compacted: $(digests_size) bytes"
	local before
	before=$(digests_size)
	cached hit
	cached hit
	assert_equal "$(digests_size)" "$before"
	# one line per key: the last one
	[ -z "$(awk '{ $NF = ""; print }' "$CCACHE_DIR/kobjc-digests" | sort | uniq -d)" ] ||
		fail "duplicate keys left"
}

@test "ccache: a digest file that is a FIFO, or a link to /dev/zero, is not used: the build neither hangs nor fills memory" {
	prime
	rm -f "$CCACHE_DIR/kobjc-digests"
	mkfifo "$CCACHE_DIR/kobjc-digests"
	kobjc_args
	rm -f answer.o
	run timeout 30 env KOBJC_CACHE=ccache "$K" "${ARGS[@]}"
	assert_success
	cmp answer.o "$R/base/answer.o"
	[ -p "$CCACHE_DIR/kobjc-digests" ] || fail "the FIFO was replaced"
	rm -f "$CCACHE_DIR/kobjc-digests" answer.o
	ln -s /dev/zero "$CCACHE_DIR/kobjc-digests"
	# a bound on memory, but not under ASan, which maps terabytes
	# of shadow: there a short timeout bounds it
	if [ -n "${ASAN_OPTIONS:-}" ]; then
		run timeout 10 env KOBJC_CACHE=ccache "$K" "${ARGS[@]}"
	else
		run timeout 30 bash -c 'ulimit -v 2000000; exec env KOBJC_CACHE=ccache "$@"' \
			- "$K" "${ARGS[@]}"
	fi
	assert_success
	cmp answer.o "$R/base/answer.o"
	[ -L "$CCACHE_DIR/kobjc-digests" ] || fail "the link was replaced"
}

@test "ccache: the digest file is created with ccache's umask, so every user of a shared cache can record digests" {
	(
		umask 077
		export CCACHE_UMASK=002
		cached miss
	)
	[ -f "$CCACHE_DIR/kobjc-digests" ] || fail "no digest file"
	assert_equal "$(stat -c %a "$CCACHE_DIR/kobjc-digests")" 664
}

@test "ccache: a -specs= file (gcc) is tagged by content: another file, or the same file edited, misses" {
	printf '*cc1_options:\n+ -O0\n\n' >a.specs
	printf '*cc1_options:\n+ -O1\n\n' >b.specs
	touch -d '1 hour ago' a.specs b.specs
	add_flags -specs=a.specs
	prime
	cached hit
	FLAGS=("${FLAGS[@]/-specs=a.specs/-specs=b.specs}")
	change_misses b :
	assert_outputs differ base b answer.o
	FLAGS=("${FLAGS[@]/-specs=b.specs/-specs=a.specs}")
	cached hit
	assert_same_as base
	change_misses edited eval "printf '*cc1_options:\n+ -O2\n\n' >a.specs"
	assert_outputs differ base edited answer.o
}

@test "ccache: a plugin loaded with -Xclang -load -Xclang FILE is tagged by content, as -fplugin= is" {
	command -v clang >/dev/null || skip "no clang"
	# any file will do for the tag, which V=1 prints before the build
	# (that then fails: p.so is no plugin): the same words, another file
	CCW=clang
	echo one >p.so
	touch -d '1 hour ago' p.so
	kobjc_args
	run env KOBJC_CACHE=ccache KBUILD_VERBOSE=1 "$K" "${ARGS[@]}" -Xclang -load -Xclang p.so
	local tag1 tag2
	tag1=$(grep -o 'cache tag [0-9a-f]*' <<<"$output")
	[[ $output == *"plugin "* ]] || fail "p.so not in the tag: $output"
	echo two >p.so
	touch -d '2 hours ago' p.so
	run env KOBJC_CACHE=ccache KBUILD_VERBOSE=1 "$K" "${ARGS[@]}" -Xclang -load -Xclang p.so
	tag2=$(grep -o 'cache tag [0-9a-f]*' <<<"$output")
	[ -n "$tag1" ] && [ "$tag1" != "$tag2" ] || fail "same tag for another p.so: $tag1"
}

# $BATS_TEST_TMPDIR/alt/gcc: gcc that defines WRAP (answer.o then differs)
alt_gcc() {
	mkdir -p "$BATS_TEST_TMPDIR/alt"
	printf '#!/bin/sh\nexec %s -DWRAP "$@"\n' "$(command -v gcc)" >"$BATS_TEST_TMPDIR/alt/gcc"
	chmod 755 "$BATS_TEST_TMPDIR/alt/gcc"
	touch -d '1 hour ago' "$BATS_TEST_TMPDIR/alt/gcc"
}

@test "ccache: ccache's path (CCACHE_PATH, or path = in ccache.conf) finds the compiler, as stock ccache's does" {
	alt_gcc
	CCW=$BATS_TEST_TMPDIR/alt/gcc
	uncached
	save alt
	CCW=gcc
	uncached
	save plain
	assert_outputs differ alt plain answer.o
	cached miss CCACHE_PATH="$BATS_TEST_TMPDIR/alt"
	assert_same_as alt
	CCW="ccache gcc"
	cached hit CCACHE_PATH="$BATS_TEST_TMPDIR/alt"
	assert_same_as alt
	CCW=gcc
	cached miss
	assert_same_as plain
	echo "path = $BATS_TEST_TMPDIR/alt" >"$CCACHE_DIR/ccache.conf"
	cached hit
	assert_same_as alt
}

@test "ccache: ccache's compiler setting (CCACHE_COMPILER, compiler = in ccache.conf) is the compiler, and kobjc still runs" {
	alt_gcc
	CCW=$BATS_TEST_TMPDIR/alt/gcc
	uncached
	save alt
	CCW=gcc
	cached miss CCACHE_COMPILER="$BATS_TEST_TMPDIR/alt/gcc"
	assert_same_as alt
	mkdir -p "$CCACHE_DIR"
	echo "compiler = $BATS_TEST_TMPDIR/alt/gcc" >"$CCACHE_DIR/ccache.conf"
	CCW="ccache gcc"
	cached hit
	assert_same_as alt
}

@test "ccache: a ccache older than 4.6 (no stdout kept: #SYMVER lines lost on a hit) is refused with one line, nothing touched" {
	mkdir -p "$BATS_TEST_TMPDIR/old"
	printf '#!/bin/sh\n[ "$1" != --version ] || { echo "ccache version 4.5.1"; exit 0; }\nexec %s "$@"\n' \
		"$(command -v ccache)" >"$BATS_TEST_TMPDIR/old/ccache"
	chmod 755 "$BATS_TEST_TMPDIR/old/ccache"
	stale_object answer.o
	local before
	before=$(snapshot)
	kobjc_args
	run --separate-stderr env KOBJC_CACHE="$BATS_TEST_TMPDIR/old/ccache" "$K" "${ARGS[@]}"
	assert_failure 2
	[[ $stderr == *"ccache 4.5.1"*"4.6"* ]] || fail "no version message: $stderr"
	assert_equal "$(wc -l <<<"$stderr")" 1
	assert_equal "$(snapshot)" "$before"
}

# The cache tag a V=1 build prints (it fails or not: the tag comes first)
tag_of() {
	kobjc_args
	run env KOBJC_CACHE=ccache KBUILD_VERBOSE=1 "$K" "${ARGS[@]}"
	grep -o 'cache tag [0-9a-f]*' <<<"$output" || true
}

@test "ccache: a tool's bytes outside its loaded sections are part of the tag; its debug information is not" {
	command -v objcopy >/dev/null || skip "no objcopy"
	mkdir -p "$BATS_TEST_TMPDIR/t"
	cp "$TOOLS/objtool" "$BATS_TEST_TMPDIR/t/objtool"
	touch -d '1 hour ago' "$BATS_TEST_TMPDIR/t/objtool"
	OBJTOOL=$BATS_TEST_TMPDIR/t/objtool
	local plain stripped added
	plain=$(tag_of)
	[ -n "$plain" ] || fail "no tag: $output"
	# as if built in another directory: other debug information
	objcopy -R .debug_aranges -R .debug_line_str "$TOOLS/objtool" "$OBJTOOL"
	touch -d '1 hour ago' "$OBJTOOL"
	stripped=$(tag_of)
	assert_equal "$stripped" "$plain"
	echo 'data a self-reading tool reads' >"$BATS_TEST_TMPDIR/t/extra"
	objcopy --add-section .kobjc_extra="$BATS_TEST_TMPDIR/t/extra" "$TOOLS/objtool" "$OBJTOOL"
	touch -d '1 hour ago' "$OBJTOOL"
	added=$(tag_of)
	[ "$added" != "$plain" ] || fail "a new non-loaded section left the tag as it was"
}

@test "ccache: a tool that is a wrapper script is followed to the program it names: another target misses, the same one rebuilt hits" {
	command -v objcopy >/dev/null || skip "no objcopy"
	local t=$BATS_TEST_TMPDIR/t first same other
	mkdir -p "$t"
	cp "$TOOLS/objtool" "$t/objtool.real"
	printf '#!/bin/sh\nexec %s/objtool.real "$@"\n' "$t" >"$t/objtool"
	chmod 755 "$t/objtool"
	touch -d '1 hour ago' "$t/objtool" "$t/objtool.real"
	OBJTOOL=$t/objtool
	first=$(tag_of)
	[ -n "$first" ] || fail "no tag: $output"
	# the same program copied again: another inode and mtime, the same tag
	cp --remove-destination "$TOOLS/objtool" "$t/objtool.real"
	touch -d '2 hours ago' "$t/objtool.real"
	same=$(tag_of)
	assert_equal "$same" "$first"
	# another program behind the same script text
	echo 'another program' >"$t/extra"
	objcopy --add-section .kobjc_extra="$t/extra" "$TOOLS/objtool" \
		"$t/objtool.real"
	touch -d '1 hour ago' "$t/objtool.real"
	other=$(tag_of)
	[ "$other" != "$first" ] || fail "a wrapper's new target kept the tag"
	run --separate-stderr "$K" --explain --objtool="$OBJTOOL" \
		--genksyms="$GENKSYMS" answer.o answer.c gcc -O2
	assert_success
	assert_line "script   objtool $t/objtool is tagged by its text and what it names: /bin/sh $t/objtool.real; a program it finds on PATH or through a variable is not followed"
}

# A filesystem image (ext2, made reproducibly) holding DIR's files, with
# every file's ctime fixed too: images of the same names and sizes give
# every file the same inode, size, mtime and ctime.
reproducible_image() {
	local dir=$1 img=$2 f uuid=6b6f626a-0000-4000-8000-000000000001
	touch -d '2001-02-03 04:05:06' "$dir"/* "$dir"
	mke2fs -q -t ext2 -b 1024 -d "$dir" -U "$uuid" -E "hash_seed=$uuid" \
		"$img" 1M || fail "mke2fs"
	for f in "$dir"/*; do
		debugfs -w -R "sif /${f##*/} ctime 20010203040506" "$img" \
			2>/dev/null || fail "debugfs"
	done
}

# Attach IMG to loop device DEV (read-only) and mount it on DIR, undone by
# common_teardown.
mount_image() {
	local dev=$1 img=$2 dir=$3
	losetup -r "$dev" "$img" || fail "losetup $dev $img"
	echo "$dir" >>"$BATS_TEST_TMPDIR/mounts"
	mount -r "$dev" "$dir" || fail "mount $dev"
}

@test "ccache: a tool on a filesystem image mounted in place of another, with the same device, inode, size, mtime and ctime, is digested again" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount an image"
	command -v mke2fs >/dev/null && command -v debugfs >/dev/null ||
		skip "no e2fsprogs"
	local d=$BATS_TEST_TMPDIR/img v dev first second tag_a tag_b
	mkdir -p "$d/a" "$d/b" "$d/mnt"
	# two objtools of one size: a wrapper with another comment
	for v in a b; do
		printf '#!/bin/sh\n# image %s\nexec "%s" "$@"\n' "$v" \
			"$TOOLS/objtool" >"$d/$v/objtool"
		chmod 755 "$d/$v/objtool"
		reproducible_image "$d/$v" "$d/$v.img"
	done
	dev=$(losetup -f) || skip "no free loop device"
	losetup -r "$dev" "$d/a.img" 2>/dev/null && losetup -d "$dev" ||
		skip "cannot attach a loop device here"
	OBJTOOL=$d/mnt/objtool
	mount_image "$dev" "$d/a.img" "$d/mnt"
	first=$(stat -c '%d %i %s %Y %Z' "$OBJTOOL")
	tag_a=$(tag_of)
	[ -n "$tag_a" ] || fail "no tag: $output"
	umount "$d/mnt"
	losetup -d "$dev"
	mount_image "$dev" "$d/b.img" "$d/mnt"
	second=$(stat -c '%d %i %s %Y %Z' "$OBJTOOL")
	tag_b=$(tag_of)
	umount "$d/mnt"
	losetup -d "$dev"
	# what stat says is the same; the program is not
	assert_equal "$second" "$first"
	[ "$tag_b" != "$tag_a" ] || fail "the second image's objtool kept the first's digest"
}

# ---------------------------------------------------------------- check mode

@test "check mode: KOBJC_CHECK=1 on a good hit builds again, finds no difference, and keeps the hit's result" {
	prime
	cached hit KOBJC_CHECK=1
	assert_same_as base
	kobjc_args
	rm -f answer.o
	run --separate-stderr env KOBJC_CACHE=ccache KOBJC_CHECK=1 KBUILD_VERBOSE=1 "$K" "${ARGS[@]}"
	assert_success
	[[ $stderr == *"# check: answer.o: the cache gave what the recipe gives"* ]] || fail "$stderr"
	assert_same_as base
	assert_no_temps
}

@test "check mode: a stale entry (a compiler wrapper reading a variable ccache does not hash) is caught, named, and made again" {
	mkdir -p "$BATS_TEST_TMPDIR/cc"
	printf '#!/bin/sh\nexec gcc $KOBJC_TEST_EXTRA "$@"\n' >"$BATS_TEST_TMPDIR/cc/mygcc"
	chmod 755 "$BATS_TEST_TMPDIR/cc/mygcc"
	touch -d '1 hour ago' "$BATS_TEST_TMPDIR/cc/mygcc"
	CCW=$BATS_TEST_TMPDIR/cc/mygcc
	uncached
	save plain
	cached miss KOBJC_TEST_EXTRA=-DWRAP
	save wrap
	assert_outputs differ plain wrap answer.o
	# stale: the hit gives the -DWRAP object to a build without it
	cached hit
	assert_same_as wrap
	kobjc_args
	rm -f answer.o
	run --separate-stderr env KOBJC_CACHE=ccache KOBJC_CHECK=1 "$K" "${ARGS[@]}"
	assert_failure 1
	assert_equal "$stderr" "kobjc: answer.o: check: the cache's result differs from the recipe's in section .text; the cache entry is made again"
	assert_no_temps
	# the entry was made again (ccache counts a recache): a plain hit now
	# gives the right object
	ccache -z >/dev/null
	cached hit
	assert_same_as plain
}

@test "check mode: KOBJC_CHECK=N% checks the same share of objects every time; a bad value is refused" {
	prime
	local pct checked=() n
	for pct in 0% 100%; do
		kobjc_args
		rm -f answer.o
		run --separate-stderr env KOBJC_CACHE=ccache KOBJC_CHECK=$pct KBUILD_VERBOSE=1 "$K" "${ARGS[@]}"
		assert_success
		n=$(grep -c '^# check: answer.o came from the cache' <<<"$stderr" || true)
		checked+=("$n")
	done
	assert_equal "${checked[*]}" "0 1"
	kobjc_args
	run --separate-stderr env KOBJC_CACHE=ccache KOBJC_CHECK=lots "$K" "${ARGS[@]}"
	assert_failure 2
	[[ $stderr == "kobjc: KOBJC_CHECK=lots: 1, or N% "* ]] || fail "$stderr"
}
