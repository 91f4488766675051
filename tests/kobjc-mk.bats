#!/usr/bin/env bats
# kbuild/kobjc.mk without a kernel: a makefile with kbuild's shape (a
# global cmd_cc_o_c, read after MAKEFILES, and a $(obj)/%.o target) shows
# which sub-makes and targets kobjc.mk takes over and which it leaves
# stock. make kernel-check VIA=mk runs it on real trees.
load helper

setup() {
	MK=$TOP/kbuild/kobjc.mk
	WORK=$BATS_TEST_TMPDIR/work
	mkdir -p "$WORK" && cd "$WORK" || return
	# kbuild's: the stock rule, defined after MAKEFILES is read
	cat >build.mk <<-'EOF'
		MAKEFLAGS += -rR
		cmd_cc_o_c = stock-cc -c -o $@
		$(obj)/%.o: FORCE ; @echo '$(cmd_cc_o_c)'
		other: FORCE ; @echo '$(cmd_cc_o_c)'
		FORCE:
	EOF
	grep -v MAKEFLAGS build.mk >plain.mk
	unset KOBJC VERSION PATCHLEVEL obj dir
}

# sub VERSION PATCHLEVEL MAKE-ARGS...: a Makefile.build-like sub-make
sub() {
	local v=$1 p=$2
	shift 2
	VERSION=$v PATCHLEVEL=$p make -s -f build.mk MAKEFILES="$MK" "$@"
}

# mk MAKE-ARGS...: the same without kbuild's -rR
mk() {
	VERSION=6 PATCHLEVEL=1 make -s -f plain.mk MAKEFILES="$MK" "$@"
}

@test "kobjc.mk: KOBJC set, a Makefile.build sub-make: \$(obj)/%.o runs kobjc with the tree's recipe" {
	run sub 6 12 KOBJC=/opt/kobjc obj=lib lib/crc7.o
	assert_success
	assert_output --regexp '^/opt/kobjc --recipe=kbuild-6\.12 .*lib/crc7\.o'
	run sub 7 3 KOBJC=/opt/kobjc obj=lib lib/crc/crc-itu-t.o
	assert_output --regexp '^/opt/kobjc --recipe=kbuild-7\.3 '
	run sub 6 1 KOBJC=/opt/kobjc obj=fs/fat fs/fat/inode.o
	assert_output --regexp '^/opt/kobjc --recipe=kbuild-6\.1 '
}

@test "kobjc.mk: other targets, tools/build's sub-makes (dir=) and builds without KOBJC stay stock" {
	run sub 6 1 KOBJC=/opt/kobjc obj=lib other
	assert_output 'stock-cc -c -o other'
	run sub 6 12 KOBJC=/opt/kobjc obj=lib dir=. lib/crc7.o
	assert_output 'stock-cc -c -o lib/crc7.o'
	run sub 6 1 obj=lib lib/crc7.o
	assert_output 'stock-cc -c -o lib/crc7.o'
	# the top make (no obj=) defines nothing either
	run sub 5 10 KOBJC=/opt/kobjc other
	assert_success
	assert_output 'stock-cc -c -o other'
}

@test "kobjc.mk: make's built-in rules never remake (and on failure delete) kobjc.mk" {
	cp "$MK" kobjc.mk
	MK=$WORK/kobjc.mk
	# with obj empty, \$(obj)/%.o and make's built-in '%: %.o' would
	# 'link' kobjc.mk from kobjc.mk.o
	run mk KOBJC=/opt/kobjc obj= other
	assert_output 'stock-cc -c -o other'
	cmp "$TOP/kbuild/kobjc.mk" kobjc.mk
}

@test "kobjc.mk: a tree of another version stops with one error naming it" {
	run sub 5 10 KOBJC=/opt/kobjc obj=lib lib/crc7.o
	assert_failure
	assert_output --partial 'kobjc.mk: Linux 6.1, 6.12 and 7.3 only, this tree is Linux 5.10'
	assert [ "${#lines[@]}" = 1 ]
	run sub 6 6 KOBJC=/opt/kobjc obj=lib lib/crc7.o
	assert_failure
	assert_output --partial 'this tree is Linux 6.6'
}
