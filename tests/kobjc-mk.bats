#!/usr/bin/env bats
# kbuild/kobjc.mk without a kernel: makefiles with kbuild's shape (a top
# make that sets abs_srctree and runs sub-makes; a Makefile.build-like
# sub-make with obj= and a global cmd_cc_o_c read after MAKEFILES) show
# which makes and targets kobjc.mk takes over, that it asks
# 'kobjc --kbuild=' once per build, and how it stops. make kernel-check
# runs it on real trees.
load helper

setup() {
	MK=$TOP/kbuild/kobjc.mk
	WORK=$BATS_TEST_TMPDIR/work
	mkdir -p "$WORK/src" "$WORK/bin" && cd "$WORK" || return
	# kbuild's: the stock rule, defined after MAKEFILES is read
	cat >build.mk <<-'EOF2'
		MAKEFLAGS += -rR
		cmd_cc_o_c = stock-cc -c -o $@
		$(obj)/%.o: FORCE ; @echo '$(cmd_cc_o_c)'
		other: FORCE ; @echo '$(cmd_cc_o_c)'
		FORCE:
	EOF2
	grep -v MAKEFLAGS build.mk >plain.mk
	# kbuild's top Makefile: abs_srctree, then sub-makes (two dirs)
	cat >top.mk <<-EOF2
		abs_srctree := $WORK/src
		export abs_srctree
		all: ; @\$(MAKE) -f $WORK/build.mk obj=a a/x.o && \$(MAKE) -f $WORK/build.mk obj=b b/y.o
	EOF2
	# a kobjc stand-in: --kbuild prints $ANSWER (and logs the call)
	cat >bin/kobjc <<-'EOF2'
		#!/bin/sh
		case $1 in --kbuild=*) echo "$1" >>"${0%/*}/asked" ;; esac
		case $ANSWER in fail) echo "kobjc: ${1#--kbuild=}/scripts/Makefile.build:234: rule_cc_o_c differs from recipe kbuild-6.1's" >&2; exit 1 ;; esac
		echo "$ANSWER"
	EOF2
	chmod +x bin/kobjc
	export ANSWER=kbuild-6.12
	unset KOBJC KOBJC_KBUILD obj dir MAKEFLAGS MAKELEVEL
}

# sub KOBJC_KBUILD MAKE-ARGS...: a Makefile.build-like sub-make that
# inherited KOBJC_KBUILD from its top make
sub() {
	local k=$1
	shift
	KOBJC_KBUILD=$k MAKELEVEL=1 make -s -f build.mk MAKEFILES="$MK" "$@"
}

@test "kobjc.mk: a Makefile.build sub-make runs the kobjc and recipe its top make found" {
	run sub "/opt/kobjc kbuild-6.12" KOBJC=whatever obj=lib lib/crc7.o
	assert_success
	assert_output --regexp '^/opt/kobjc --recipe=kbuild-6\.12 .*lib/crc7\.o'
}

@test "kobjc.mk: other targets, tools/build's sub-makes (dir=) and builds without KOBJC stay stock" {
	run sub "/opt/kobjc kbuild-6.1" KOBJC=/opt/kobjc obj=lib other
	assert_output 'stock-cc -c -o other'
	run sub "/opt/kobjc kbuild-6.1" KOBJC=/opt/kobjc obj=lib dir=. lib/crc7.o
	assert_output 'stock-cc -c -o lib/crc7.o'
	run sub "/opt/kobjc kbuild-6.1" obj=lib lib/crc7.o
	assert_output 'stock-cc -c -o lib/crc7.o'
}

@test "kobjc.mk: the top make asks kobjc --kbuild=SRCTREE once per build, says so once, passes it down" {
	run make -f top.mk MAKEFILES="$MK" KOBJC="$WORK/bin/kobjc" --no-print-directory
	assert_success
	assert_line --index 0 "  KOBJC   kbuild-6.12 (no cache) $WORK/bin/kobjc"
	assert_line --index 1 --regexp "^$WORK/bin/kobjc --recipe=kbuild-6\\.12 .*a/x\\.o"
	assert_line --index 2 --regexp "^$WORK/bin/kobjc --recipe=kbuild-6\\.12 .*b/y\\.o"
	assert [ "${#lines[@]}" = 3 ]
	assert_equal "$(cat bin/asked)" "--kbuild=$WORK/src"
	# the cache it will use; nothing under make -s
	run make -f top.mk MAKEFILES="$MK" KOBJC="$WORK/bin/kobjc" CC="ccache gcc" --no-print-directory
	assert_line --index 0 "  KOBJC   kbuild-6.12 (ccache: whole recipe) $WORK/bin/kobjc"
	run make -s -f top.mk MAKEFILES="$MK" KOBJC="$WORK/bin/kobjc"
	refute_output --partial 'KOBJC '
}

@test "kobjc.mk: a top make that restarts after remaking a makefile it reads (kbuild's auto.conf) says KOBJC once" {
	# conf.mk is remade by a command, as syncconfig remakes auto.conf
	{
		echo '.DEFAULT_GOAL := all'
		echo 'include conf.mk'
		echo 'conf.mk: ; @echo "made := 1" >$@'
		cat top.mk
	} >restart.mk
	run make -f restart.mk MAKEFILES="$MK" KOBJC="$WORK/bin/kobjc" --no-print-directory
	assert_success
	assert_equal "$(grep -c '^  KOBJC   ' <<<"$output")" 1
	assert_line --regexp "^$WORK/bin/kobjc --recipe=kbuild-6\\.12 .*b/y\\.o"
}

@test "kobjc.mk: a relative KOBJC is taken from where make was started, under -C too" {
	mkdir -p elsewhere
	run make -C "$WORK/elsewhere" -f ../top.mk MAKEFILES="$MK" KOBJC=bin/kobjc --no-print-directory
	assert_success
	assert_line --index 0 "  KOBJC   kbuild-6.12 (no cache) $WORK/bin/kobjc"
	assert_line --index 1 --regexp "^$WORK/bin/kobjc --recipe="
}

@test "kobjc.mk: no recipe for the tree, or a KOBJC that is not a kobjc: one line, nothing built" {
	ANSWER=fail run make -s -f top.mk MAKEFILES="$MK" KOBJC="$WORK/bin/kobjc"
	assert_failure
	assert_output --regexp "\\*\\*\\* kobjc: $WORK/src/scripts/Makefile.build:234: rule_cc_o_c differs from recipe kbuild-6.1's"
	assert [ "${#lines[@]}" = 1 ]
	run make -s -f top.mk MAKEFILES="$MK" KOBJC=kobjc/kobjc
	assert_failure
	assert_output --partial "KOBJC=kobjc/kobjc: $WORK/kobjc/kobjc is not an executable file (a relative KOBJC is taken from $WORK)"
	assert [ "${#lines[@]}" = 1 ]
	run make -s -f top.mk MAKEFILES="$MK" KOBJC=/bin/echo
	assert_failure
	assert_output --partial 'KOBJC=/bin/echo: /bin/echo is not a kobjc that knows --kbuild=SRCTREE'
	assert [ "${#lines[@]}" = 1 ]
}

@test "kobjc.mk: no VERSION or PATCHLEVEL test" {
	run grep -E '\$[({](VERSION|PATCHLEVEL)[)}]' "$MK"
	assert_failure
}

@test "kobjc.mk: make's built-in rules never remake (and on failure delete) kobjc.mk" {
	cp "$MK" kobjc.mk
	MK=$WORK/kobjc.mk
	# with obj empty, \$(obj)/%.o and make's built-in '%: %.o' would
	# 'link' kobjc.mk from kobjc.mk.o
	run env KOBJC_KBUILD="/opt/kobjc kbuild-6.1" MAKELEVEL=1 make -s -f plain.mk MAKEFILES="$MK" KOBJC=/opt/kobjc obj= other
	assert_output 'stock-cc -c -o other'
	cmp "$TOP/kbuild/kobjc.mk" kobjc.mk
}
