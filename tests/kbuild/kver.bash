# What the kernel checks (kernel-check.sh, ccache-check.sh,
# distcc-check.sh, bench.sh) know about each kernel series, written once,
# sourced by each of them.
#
#   kver_facts KVER [IBT]   set the facts below for KVER (6.1, 6.6, 6.12,
#                           6.18, 7.2, 7.3; 6.6 and 6.18 have no Debian
#                           source here: kernel-check.sh KSRC=DIR);
#                           IBT is X86_KERNEL_IBT's value (default y).
#                           Prints a one-line error and returns 1 on any
#                           other KVER.
#   kbuild_identity         export the build identity every make of the
#                           checks runs with, and unset what a caller's
#                           environment could add to a kbuild
#   reset_copy BASE COPY    make COPY an exact copy of tree BASE
#
# The facts:
#   recipe          the kobjc recipe the tree's kbuild text maps to (what
#                   kobjc --kbuild=TREE must print): 7.2's per-object
#                   recipe is 7.3's text, so it is kbuild-7.3
#   dwarfksyms      1 where CONFIG_GENDWARFKSYMS exists (6.14 on)
#   config          symbols for scripts/config after defconfig: MODVERSIONS
#                   plus modules that export symbols, so that modversions
#                   runs on module objects: the CRC* (6.1, 6.12; 7.2, 7.3:
#                   CRC_ITU_T, selected by UDF_FS) and LIBCRC32C modules
#                   are single-object modules, fat.ko is multi-object.
#                   X86_KERNEL_IBT (off in 6.1's defconfig, on in 6.12's
#                   and 7.3's and in distribution kernels) runs objtool per
#                   object only on single-object modules and on vmlinux.o;
#                   IBT=n makes objtool run on every object instead. The
#                   order is part of kernel-check.sh's cache stamp.
#   obj src hdr     the self-test and matrix object: a single-object module
#                   that exports symbols (objtool runs on it with IBT too),
#                   its source and its header (an inline function using
#                   the exported table); objcmd: obj's .cmd file
#   kmake cfg       its Makefile and config symbol; selector: the symbol
#                   that selects cfg where cfg has no prompt (7.2, 7.3); desc:
#                   cfg's prompt text
#   inline_sed      a sed command that changes hdr's inline function
#   check_targets   kernel-check.sh's default targets, small enough for
#                   CI (a whole run, unpack and prepare included, took 5 to
#                   8.5 minutes per version on 2 cores). lib/ holds obj;
#                   naming obj as well races in 7.3's kbuild ('make lib/
#                   lib/crc/crc-itu-t.o' fails: lib/crc/modules.order
#                   missing).
#   distcc_targets  distcc-check.sh's: a directory with enough objects for
#                   two helpers, and obj alone (not its directory, whose
#                   other objects would only add time)

# shellcheck disable=SC2034 # the facts: for the scripts that source this
kver_facts() {
	local ibt=${2:-y}
	selector='' recipe=kbuild-$1 dwarfksyms=0
	case $1 in
	6.1 | 6.6 | 6.12)
		# 6.6's per-object kbuild text is 6.12's
		[ "$1" != 6.6 ] || recipe=kbuild-6.12
		config=(MODVERSIONS=y X86_KERNEL_IBT="$ibt" CRC4=m CRC7=m CRC8=m
			CRC_ITU_T=m LIBCRC32C=m FAT_FS=m VFAT_FS=m MSDOS_FS=m)
		obj=lib/crc7.o src=lib/crc7.c hdr=include/linux/crc7.h kmake=lib/Makefile
		cfg=CRC7 desc='CRC7 calculations'
		inline_sed='s/\[crc ^ data\]/[crc ^ data ^ 0x5a]/'
		# distcc: fs/fat/ exports symbols (fs/ext4/ does not), so a
		# helper without genksyms has some to leave to the client
		check_targets='fs/ext4/ lib/ fs/fat/' distcc_targets="fs/fat/ $obj"
		[ "$1" = 6.1 ] || check_targets='fs/fat/ lib/'
		;;
	6.18 | 7.2 | 7.3)
		# 6.18's and 7.2's lib/crc, header and Kconfig are 7.3's; 6.18's
		# kbuild text is 7.3's but for rule_cc_o_c without save_c_flags:
		# recipe kbuild-6.18, kbuild-7.3's steps
		recipe=kbuild-7.3 dwarfksyms=1
		[ "$1" != 6.18 ] || recipe=kbuild-6.18
		config=(MODVERSIONS=y X86_KERNEL_IBT="$ibt" UDF_FS=m CRC_ITU_T=m
			FAT_FS=m VFAT_FS=m MSDOS_FS=m)
		obj=lib/crc/crc-itu-t.o src=lib/crc/crc-itu-t.c hdr=include/linux/crc-itu-t.h
		kmake=lib/crc/Makefile cfg=CRC_ITU_T selector=UDF_FS
		desc='CRC ITU-T V.41 calculations'
		inline_sed='s/((crc >> 8) ^ data) \& 0xff/((crc >> 8) ^ data ^ 0x5a) \& 0xff/'
		check_targets='fs/fat/ lib/' distcc_targets="fs/fat/ $obj"
		;;
	*)
		local me=${0##*/}
		echo "${me%.sh}: KVER=$1: unknown kernel series (known: 6.1 6.6 6.12 6.18 7.2 7.3; 6.6 and 6.18 with KSRC=)" >&2
		return 1
		;;
	esac
	objcmd=${obj%/*}/.${obj##*/}.cmd
}

kbuild_identity() {
	export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 1970'
	export KBUILD_BUILD_USER=kobjc KBUILD_BUILD_HOST=kobjc KBUILD_BUILD_VERSION=1
	export LC_ALL=C
	unset MAKEFLAGS MAKELEVEL MFLAGS MAKEFILES KOBJC KOBJC_KBUILD KBUILD_OUTPUT KBUILD_SYMTYPES \
		KBUILD_PRESERVE KBUILD_EXTRA_SYMBOLS KCFLAGS KCPPFLAGS ARCH \
		CROSS_COMPILE LLVM OBJTOOL_ARGS
}

reset_copy() {
	if command -v rsync >/dev/null; then
		rsync -a --delete "$1/" "$2/"
	else
		rm -rf "$2" && cp -a "$1" "$2"
	fi
}

# differs A B F: how file F of the kobjc build (B) differs from the stock
# build's (A), in one line, or nothing: a .cmd file by its #SYMVER lines
# and all but its saved command (which differs by design: 6.1 saves it as
# cmd_foo.o :=, 6.3 on as savedcmd_foo.o :=), anything else byte for byte
differs() {
	local a=$1 b=$2 f=$3
	case $f in
	*.cmd)
		if grep -q '^#SYMVER' "$a" "$b"; then
			cmp -s <(grep '^#SYMVER' "$a") <(grep '^#SYMVER' "$b") ||
				echo "#SYMVER lines differ: $f"
		fi
		cmp -s <(grep -Ev '^(saved)?cmd_' "$a") <(grep -Ev '^(saved)?cmd_' "$b") ||
			echo ".cmd content differs: $f"
		;;
	*) cmp -s "$a" "$b" || echo "differs: $f" ;;
	esac
}

# dropping_kobjc FILE KOBJC PATTERN: FILE, a kobjc wrapper that runs KOBJC
# without the options matching the case PATTERN (a self-test's wrong
# kobjc, which the comparison must catch)
dropping_kobjc() {
	cat >"$1" <<-EOF
		#!/usr/bin/env bash
		args=()
		for a; do case \$a in $3) ;; *) args+=("\$a") ;; esac; done
		exec $(printf %q "$2") "\${args[@]}"
	EOF
	chmod +x "$1"
}
