# kobjc: see README.md. `make` builds ./kobjc, `make check` runs the tests.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
# The kbuild integration: kbuild/kobjc.mk.
PATCHDIR ?= $(PREFIX)/share/kobjc
# make install strips the installed kobjc with this; STRIP= keeps symbols.
STRIP ?= strip
CFLAGS ?= -O2 -g
# Always on, whatever CFLAGS the user gives.
KOBJC_CFLAGS = -std=c11 -Wall -Wextra -Werror
KOBJC_LDFLAGS = -static

all: kobjc

# The recipe texts are checked once, here: a bad one fails the build.
kobjc: kobjc.c kobjc.h
	$(CC) $(KOBJC_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(KOBJC_LDFLAGS) $(LDFLAGS) -o $@ kobjc.c
	./$@ --recipe-check >/dev/null || { rm -f $@; exit 1; }

# The README's main job: the recipe on sample objects, explained.
demo: kobjc
	tests/demo/run

# bats prints TAP, which run_bats shows as it comes and counts, in the C
# locale (the order of tests/*.bats too). tests/helper.bash keeps what a
# calling make exports (make -C DIR's w, MAKELEVEL) from the tests.
BATS = LC_ALL=C bats --formatter tap

# $(call run_bats,ENV...): $(BATS) tests with ENV, its TAP output kept in
# the file $$tap; leaves bats' exit status in $$s.
run_bats = tap=$$(mktemp) && exec 3>&1 && \
	s=$$( { { $(1) $(BATS) tests; echo $$? >&4; } | tee "$$tap" >&3; } 4>&1 )

# $(call bats_summary,NAME): the last line, counted from $$tap: "make
# NAME: N tests, N failures, N skipped"; then exit with bats' status.
bats_summary = awk '/^ok / { n++; if (/ \# skip( |$$)/) k++ } \
		/^not ok / { n++; f++ } \
		END { printf "make $(1): %d tests, %d failures, %d skipped\n", \
			n, f, k }' "$$tap"; rm -f "$$tap"; exit $$s

check: kobjc
	tests/need-packages bats bats-assert bats-support gcc ccache distcc python3 e2fsprogs
	@echo '$(BATS) tests'
	@$(call run_bats); $(call bats_summary,check)

# The ELF reader under libFuzzer for FUZZ_TIME seconds; what it finds
# interesting is merged, minimised, into tests/fuzz/corpus (replayed by
# make check).
FUZZ_CC ?= clang
FUZZ_TIME ?= 600

fuzz:
	FUZZ_CC=$(FUZZ_CC) FUZZ_TIME=$(FUZZ_TIME) tests/fuzz/fuzz

# The whole suite against kobjc built with ASan and UBSan (dynamic: ASan
# cannot link -static). Named kobjc so that messages read "kobjc: ...".
SAN_CFLAGS = -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all

kobjc-san/kobjc: kobjc.c kobjc.h
	mkdir -p kobjc-san
	$(CC) $(KOBJC_CFLAGS) $(CPPFLAGS) $(SAN_CFLAGS) $(LDFLAGS) -o $@ kobjc.c

SAN_LOG = log_path=$(CURDIR)/kobjc-san/report
SAN_ENV = ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:$(SAN_LOG) \
	UBSAN_OPTIONS=print_stacktrace=1:abort_on_error=1:$(SAN_LOG)

check-sanitize: kobjc-san/kobjc
	tests/need-packages bats bats-assert bats-support gcc ccache distcc python3 e2fsprogs
	rm -f kobjc-san/report.*
	@echo '$(SAN_ENV) KOBJC=$(CURDIR)/kobjc-san/kobjc $(BATS) tests'
	@$(call run_bats,$(SAN_ENV) KOBJC=$(CURDIR)/kobjc-san/kobjc); \
	if ls kobjc-san/report.* >/dev/null 2>&1; then \
		cat kobjc-san/report.*; \
		echo "check-sanitize: sanitizer reports above" >&2; s=1; \
	fi; $(call bats_summary,check-sanitize)

# Linux KVER (6.1, 6.12, 7.2 or 7.3; Debian's linux-source-KVER, or
# KSRC=DIR a tree of yours) built with stock kbuild and through kobjc
# (MAKEFILES=kbuild/kobjc.mk), compared (in CI); GENDWARFKSYMS=1 (7.x) the
# gendwarfksyms config; GCC_PLUGIN=1 a GCC plugin (STACKLEAK) on every
# object; FULL=1: vmlinux and modules; ARCH=arm64
# CROSS_COMPILE=aarch64-linux-gnu- and LLVM=1 pass through.
# tests/kbuild/kernel-check.sh says more.
KVER ?= 6.1
KERNEL_PACKAGES = bison flex libelf-dev libdw-dev libssl-dev bc rsync \
	xz-utils $(if $(LLVM),clang lld llvm) \
	$(if $(filter aarch64-linux-gnu-,$(CROSS_COMPILE)),gcc-aarch64-linux-gnu)
kernel-check: kobjc
	tests/need-packages $(KERNEL_PACKAGES)
	KVER=$(KVER) GENDWARFKSYMS=$(GENDWARFKSYMS) GCC_PLUGIN=$(GCC_PLUGIN) FULL=$(FULL) tests/kbuild/kernel-check.sh

# The same comparison with the whole recipe cached by ccache (misses, then
# hits), make clean, a second tree, O=, two machines over redis, and the
# ccache matrix on the self-test object; tests/kbuild/ccache-check.sh.
# KVER as above; TARGETS (default fs/fat/ lib/) to build fewer.
kernel-check-ccache: kobjc
	tests/need-packages bison flex libelf-dev libdw-dev libssl-dev bc rsync xz-utils ccache redis-server
	KVER=$(KVER) TARGETS='$(TARGETS)' tests/kbuild/ccache-check.sh

# The whole recipe, then the compile phase only, on two distccd on
# 127.0.0.1, each with its own tool store (6.1: fs/fat/ and lib/crc7.o);
# tests/kbuild/distcc-check.sh. GENDWARFKSYMS=1, GCC_PLUGIN=1 as
# kernel-check.
kernel-check-distcc: kobjc
	tests/need-packages bison flex libelf-dev libdw-dev libssl-dev bc rsync xz-utils distcc strace
	KVER=$(KVER) TARGETS='$(TARGETS)' GENDWARFKSYMS=$(GENDWARFKSYMS) GCC_PLUGIN=$(GCC_PLUGIN) tests/kbuild/distcc-check.sh

# Debian's ddcci-dkms (two modules, exported symbols) built as an external
# module as DKMS does (make -C TREE M=DIR modules) against kernel-check's
# Linux 6.1 tree, stock and through kbuild/kobjc.mk (MAKEFILES and KOBJC in
# the environment, then on the command line), compared byte for byte;
# tests/kbuild/dkms-check.sh.
kernel-check-dkms: kobjc
	tests/need-packages bison flex libelf-dev libdw-dev libssl-dev bc rsync xz-utils
	tests/kbuild/dkms-check.sh

# Stock ccache against kobjc+ccache on fs/ext4, lib, kernel: medians and
# ratios of alternating runs (not in CI); KVER=6.12, 7.2 or 7.3 for another
# tree.
bench: kobjc
	tests/need-packages bison flex libelf-dev libdw-dev libssl-dev bc rsync xz-utils ccache distcc
	KVER=$(KVER) tests/kbuild/bench.sh

# One ccache hit's instructions (callgrind) with a fresh digest file and
# with one grown to 2 MiB, side by side, and their ratio.
bench-digests: kobjc
	tests/need-packages gcc ccache valgrind
	tests/digests-bench.sh

# Static checks, in CI after make check: formatting (check only), cppcheck,
# clang-tidy (.clang-tidy), the man page, the shell scripts, and duplicates,
# a report that never fails, skipped when it is not installed. cppcheck's
# variableScope is off: kobjc declares at the top of a block, kernel style.
# shellcheck at severity warning: its info and style notes (words split on
# purpose, functions called by name) are not errors. lint only checks: the
# tools must be installed (.ci/run installs them).
SHELL_SCRIPTS = .ci/run tests/demo/run tests/fakes/tool tests/fuzz/fuzz \
	tests/fuzz/seeds $(wildcard tests/kbuild/*.sh) tests/kernel-source \
	tests/kernel-tools tests/need-packages tests/digests-bench.sh
# Sourced by the bats tests and the kernel checks, without a #! line; -x
# follows each "shellcheck source=" to the file it names.
SHELL_LIBS = tests/helper.bash tests/distcc-helper.bash tests/distccd.bash \
	$(wildcard tests/kbuild/*.bash)
# The tests: shellcheck reads bats from their #!/usr/bin/env bats line.
BATS_FILES = $(wildcard tests/*.bats)

LINT_TOOLS = clang-format cppcheck clang-tidy mandoc shellcheck

lint:
	@for t in $(LINT_TOOLS); do command -v $$t >/dev/null || { \
		echo "lint: $$t is not installed; tests/need-packages $(LINT_TOOLS) installs them" >&2; \
		exit 1; }; done
	clang-format --dry-run -Werror kobjc.c kobjc.h
	cppcheck --error-exitcode=1 --quiet \
		--enable=warning,style,performance,portability --std=c11 \
		--suppress=variableScope kobjc.c
	clang-tidy --quiet --warnings-as-errors='*' kobjc.c -- -std=c11
	mandoc -Tlint -W warning kobjc.1
	shellcheck -x -S warning $(SHELL_SCRIPTS)
	shellcheck -x -S warning -s bash $(SHELL_LIBS)
	shellcheck -x -S warning $(BATS_FILES)
	@if command -v duplicates >/dev/null; then duplicates; \
	else echo "lint: duplicates is not installed: skipped"; fi

# install and uninstall name the same files: the binary, the man page and
# kbuild/kobjc.mk; uninstall also removes PATCHDIR once it is empty, and
# says so when there is nothing to remove. (The per-series patches of
# earlier versions go too.)
KBUILD_FILES = kobjc.mk
OLD_KBUILD_FILES = linux-6.1.patch linux-6.12.patch linux-7.3.patch
INSTALLED = $(DESTDIR)$(BINDIR)/kobjc $(DESTDIR)$(MANDIR)/man1/kobjc.1 \
	$(addprefix $(DESTDIR)$(PATCHDIR)/,$(KBUILD_FILES) $(OLD_KBUILD_FILES))
# kobjc.1 names the default directories; the installed page names these.
MAN_DIRS = -e 's|/usr/local/share/kobjc|$(PATCHDIR)|g' \
	-e 's|/usr/local/bin/kobjc|$(BINDIR)/kobjc|g'

install: kobjc
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(PATCHDIR)
	cp kobjc $(DESTDIR)$(BINDIR)/kobjc
	$(if $(STRIP),$(STRIP) $(DESTDIR)$(BINDIR)/kobjc)
	chmod 755 $(DESTDIR)$(BINDIR)/kobjc
	sed $(MAN_DIRS) kobjc.1 >$(DESTDIR)$(MANDIR)/man1/kobjc.1
	chmod 644 $(DESTDIR)$(MANDIR)/man1/kobjc.1
	for p in $(KBUILD_FILES); do \
		cp kbuild/$$p $(DESTDIR)$(PATCHDIR)/$$p && \
		chmod 644 $(DESTDIR)$(PATCHDIR)/$$p || exit; \
	done

uninstall:
	$(if $(wildcard $(INSTALLED)),rm -f $(INSTALLED),@echo \
		"uninstall: nothing installed under $(DESTDIR)$(PREFIX)")
	$(if $(wildcard $(DESTDIR)$(PATCHDIR)),rmdir $(DESTDIR)$(PATCHDIR) \
		2>/dev/null || \
		echo "uninstall: $(DESTDIR)$(PATCHDIR) is not empty: kept")

clean:
	rm -rf kobjc-san
	rm -f kobjc tests/demo/*.o tests/demo/.*.d

.PHONY: all demo check fuzz check-sanitize kernel-check kernel-check-ccache \
	kernel-check-distcc kernel-check-dkms bench bench-digests lint install \
	uninstall clean
