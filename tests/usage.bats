#!/usr/bin/env bats
# Bad command lines: each exits 2 with exactly one line on stderr, starting
# "kobjc: ", nothing on stdout, and touches nothing: the directory (names,
# modes, sizes, mtimes, contents) and the existing foo.o and foo.c are as
# they were.
load helper

setup() {
	common_setup
	use_fakes
	cp answer.c foo.c
	stale_object foo.o
	mkdir adir
	mkfifo fifo.c
	ln foo.c hard.o
	ln -s foo.c link.o
	: >stock.o
	cat >.stock.o.cmd <<-'EOF'
		cmd_stock.o := gcc -Wp,-MMD,./.stock.o.d -O2 -DKBUILD_MODNAME='"stock"' -c -o stock.o stock.c

		source_stock.o := stock.c
	EOF
	: >broken.o
	cat >.broken.o.cmd <<-EOF
		cmd_broken.o := $KOBJC broken.o broken.c gcc '-DX=unterminated
	EOF
	: >noline.o
	echo 'source_noline.o := noline.c' >.noline.o.cmd
	: >nocmd.o
}

teardown() { common_teardown; }

# bad_usage ARGS...: kobjc ARGS must be refused as usage, touching nothing.
bad_usage() {
	local before
	before=$(snapshot)
	run --separate-stderr "$KOBJC" "$@"
	[ "$status" = 2 ] || fail "exit $status, not 2; stderr: $stderr"
	assert_output ''
	[ "$(printf '%s\n' "$stderr" | wc -l)" = 1 ] && [ -n "$stderr" ] ||
		fail "not one line: $stderr"
	[[ $stderr == "kobjc: "* ]] || fail "no 'kobjc: ': $stderr"
	assert_equal "$(snapshot)" "$before"
	assert_equal "$(cat foo.o)" "$(stale_object /dev/stdout)"
	cmp foo.c answer.c
	# no tool ran
	assert_equal "$(ls "$FAKE_LOG" 2>/dev/null)" ''
}

@test "no arguments" { bad_usage; }
@test "only OUT" { bad_usage foo.o; }
@test "OUT and IN but no compiler" { bad_usage foo.o foo.c; }
@test "only options" { bad_usage -v --time; }
@test "only --" { bad_usage --; }
@test "an unknown option" { bad_usage --bogus foo.o foo.c gcc; }
@test "an unknown option after good ones" { bad_usage --objtool=objtool -x foo.o foo.c gcc; }
@test "--objtool without =value" { bad_usage --objtool foo.o foo.c gcc; }
@test "--objtool= empty" { bad_usage --objtool= foo.o foo.c gcc; }
@test "--objtool=x given twice" { bad_usage --objtool=x --objtool=y foo.o foo.c gcc; }
@test "--genksyms given twice" { bad_usage --genksyms=x --genksyms=x foo.o foo.c gcc; }
@test "--symvers given twice" { bad_usage --symvers=a --symvers=b foo.o foo.c gcc; }
@test "--objtool-arg= without --objtool" { bad_usage --objtool-arg=--orc foo.o foo.c gcc; }
@test "--genksyms-arg= without --genksyms" { bad_usage --genksyms-arg=-r foo.o foo.c gcc; }
@test "--symvers= empty" { bad_usage --symvers= foo.o foo.c gcc; }
@test "output equal to input" { bad_usage foo.c foo.c gcc; }
@test "output equal to input, spelled ./foo.c" { bad_usage ./foo.c foo.c gcc; }
@test "output a hard link to the input" { bad_usage hard.o foo.c gcc; }
@test "output a symlink to the input" { bad_usage link.o foo.c gcc; }
@test "output directory missing" { bad_usage nodir/foo.o foo.c gcc; }
@test "output is a directory" { bad_usage adir foo.c gcc; }
@test "output is an empty name" { bad_usage '' foo.c gcc; }
@test "output ends in /" { bad_usage adir/ foo.c gcc; }
@test "source missing" { bad_usage foo.o missing.c gcc; }
@test "source is a directory" { bad_usage foo.o adir gcc; }
@test "source is a FIFO" { bad_usage foo.o fifo.c gcc; }
@test "an empty compiler word" { bad_usage foo.o foo.c ''; }
@test "an empty word inside the compiler command" { bad_usage foo.o foo.c ccache '' gcc -O2; }
@test "flags where the compiler should be: kobjc o.o a.c -O2" { bad_usage foo.o foo.c -O2; }
@test "--symvers= the source file" { bad_usage --symvers=foo.c foo.o foo.c gcc; }
@test "--symvers= the source file, spelled ./foo.c" { bad_usage --symvers=./foo.c foo.o foo.c gcc; }
@test "--symvers= the output" { bad_usage --symvers=foo.o foo.o foo.c gcc; }
@test "--symvers= a directory" { bad_usage --symvers=adir foo.o foo.c gcc; }
@test "--symvers= in a missing directory" { bad_usage --symvers=nodir/foo.symvers foo.o foo.c gcc; }
@test "--explain with no arguments" { bad_usage --explain; }
@test "--explain on an object with no .cmd file" { bad_usage --explain nocmd.o; }
@test "--explain on a stock kbuild .cmd" { bad_usage --explain stock.o; }
@test "--explain on a .cmd with no cmd_ line" { bad_usage --explain noline.o; }
@test "--explain on a .cmd with an unterminated quote" { bad_usage --explain broken.o; }
@test "--explain with a bad command line" { bad_usage --explain --objtool foo.o foo.c gcc; }
@test "--recipe-hash extra" { bad_usage --recipe-hash extra; }
@test "--recipe-dump extra" { bad_usage --recipe-dump extra; }
@test "--sha256 extra" { bad_usage --sha256 extra; }
@test "--help extra" { bad_usage --help extra; }
@test "--version extra" { bad_usage --version extra; }

@test "--help: usage on stdout, exit 0, the exit codes documented" {
	run --separate-stderr "$KOBJC" --help
	assert_success
	assert_equal "$stderr" ''
	assert_line --index 0 --partial 'usage: kobjc [options] [--] OUT.o IN.c CC [CFLAGS...]'
	assert_output --partial '126/127'
	assert_output --partial '128+N'
	assert_output --partial '2 bad usage'
}

@test "-h and --help: every option and variable a user sets, the man page named" {
	local o
	run --separate-stderr "$KOBJC" -h
	assert_success
	local h=$output
	run --separate-stderr "$KOBJC" --help
	assert_equal "$output" "$h"
	for o in --recipe= --objtool= --objtool-arg= --genksyms= --genksyms-arg= \
		--gendwarfksyms= --gendwarfksyms-arg= --symvers= -v --time \
		--explain --recipe-hash= --phase=compile --recipes --recipe-dump \
		--recipe-check --sha256 --version --check --kbuild= --why= \
		KBUILD_VERBOSE KOBJC_TIME KOBJC_CHECK \
		KOBJC_CACHE KOBJC_CC_LAUNCHER KOBJC_DIGESTS OBJTOOL_ARGS 'kobjc(1)' \
		'200 another recipe'; do
		[[ $h == *"$o"* ]] || fail "--help does not mention $o"
	done
	[[ $h != *"KBUILD_VERBOSE=2"* ]] || fail "--help still ties timings to V=2"
}

@test "--version: the version and every recipe's hash" {
	run --separate-stderr "$KOBJC" --version
	assert_success
	assert_line --index 0 --regexp '^kobjc [0-9]'
	assert_line --regexp "^kbuild-6\.1 +$("$KOBJC" --recipe-hash=kbuild-6.1) "
	assert_line --regexp "^kbuild-7\.3 +$("$KOBJC" --recipe-hash=kbuild-7.3) "
}

# --- make install, make uninstall

# ./src: a copy of the tree's Makefile, sources, man page and kbuild files,
# with $KOBJC as its kobjc, newer than its sources: make builds nothing.
install_tree() {
	mkdir src
	cp -R "$TOP/Makefile" "$TOP/kobjc.c" "$TOP/kobjc.h" "$TOP/kobjc.1" \
		"$TOP/kbuild" src/
	cp "$KOBJC" src/kobjc
	touch src/kobjc
}

# lint_page FILE: mandoc finds nothing to warn about (when installed)
lint_page() {
	if command -v mandoc >/dev/null; then
		mandoc -Tlint -W warning "$1"
	fi
}

@test "make install PREFIX=... DESTDIR=...: the installed man page names the directories kobjc and kobjc.mk went to" {
	install_tree
	run make -s -C src install PREFIX=/opt/k DESTDIR="$WORK/root" STRIP=
	assert_success
	local page=root/opt/k/share/man/man1/kobjc.1
	[ -f root/opt/k/share/kobjc/kobjc.mk ] && [ -x root/opt/k/bin/kobjc ]
	grep -q '^\.It Pa /opt/k/share/kobjc/kobjc\.mk$' "$page" ||
		fail "FILES does not name /opt/k/share/kobjc/kobjc.mk"
	grep -q '^make MAKEFILES=/opt/k/share/kobjc/kobjc\.mk ' "$page" ||
		fail "EXAMPLES do not name /opt/k/share/kobjc"
	grep -q '^    KOBJC=/opt/k/bin/kobjc ' "$page" ||
		fail "EXAMPLES do not name /opt/k/bin/kobjc"
	if grep -n "/usr/local\|$WORK" "$page"; then
		fail "the installed page names another directory"
	fi
	lint_page "$page"
	# the page in the tree is unchanged
	cmp src/kobjc.1 "$TOP/kobjc.1"

	# PATCHDIR and BINDIR of their own, and the default PREFIX
	run make -s -C src install DESTDIR="$WORK/r2" PATCHDIR=/srv/kp \
		BINDIR=/srv/bin STRIP=
	assert_success
	page=r2/usr/local/share/man/man1/kobjc.1
	grep -q '^\.It Pa /srv/kp/kobjc\.mk$' "$page" ||
		fail "FILES does not name /srv/kp"
	grep -q '^\.Pa /srv/bin/kobjc$' "$page" ||
		fail "FILES does not name /srv/bin/kobjc"
	if grep -n '/usr/local/share/kobjc\|/usr/local/bin' "$page"; then
		fail "the installed page names another directory"
	fi
	lint_page "$page"
}

@test "make uninstall: one line when nothing is installed, else exactly what make install put there" {
	local d=$WORK/root
	install_tree
	cd src
	run make uninstall PREFIX=/opt/k DESTDIR="$d"
	assert_success
	assert_output "uninstall: nothing installed under $d/opt/k"
	assert_absent "$d"

	make -s install PREFIX=/opt/k DESTDIR="$d" STRIP=
	# someone else's files beside kobjc's stay
	touch "$d/opt/k/bin/other" "$d/opt/k/share/kobjc/local.patch"
	run make uninstall PREFIX=/opt/k DESTDIR="$d"
	assert_success
	assert_line "uninstall: $d/opt/k/share/kobjc is not empty: kept"
	assert_equal "$(cd "$d" && find . -type f | LC_ALL=C sort)" \
		"./opt/k/bin/other
./opt/k/share/kobjc/local.patch"

	# with PATCHDIR left empty, it goes too
	rm "$d/opt/k/share/kobjc/local.patch"
	make -s install PREFIX=/opt/k DESTDIR="$d" STRIP=
	run make -s uninstall PREFIX=/opt/k DESTDIR="$d"
	assert_success
	assert_output ''
	assert_absent "$d/opt/k/share/kobjc"
	assert_equal "$(cd "$d" && find . -type f)" "./opt/k/bin/other"
	run make uninstall PREFIX=/opt/k DESTDIR="$d"
	assert_output "uninstall: nothing installed under $d/opt/k"
}

# --help and the parser read one option table: every option --help lists
# is one a command line may give (--explain runs nothing).
@test "every option --help lists is one the parser takes" {
	local line word opt n=0
	run "$KOBJC" --help
	assert_success
	while IFS= read -r line; do
		word=${line#  }
		word=${word%% *}
		word=${word%,}
		[[ $word == -* && $word != -- ]] || continue
		opt=$word
		# a value --help spells out is given as it is, a placeholder as x
		[[ $word == *=* && ! ${word#*=} =~ ^[a-z]+$ ]] && opt=${word%%=*}=x
		run --separate-stderr "$KOBJC" --explain "$opt" foo.o foo.c gcc
		[[ $stderr != *"unknown option"* ]] ||
			fail "--help lists $word, the parser refuses it: $stderr"
		n=$((n + 1))
	done < <(sed -n '/^options:/,/^$/p' <<<"$output")
	# the build options, and each tool's two
	[ "$n" -ge 10 ] || fail "only $n options in --help"
}
