# kobjc.mk: run kobjc from an UNMODIFIED Linux tree whose per-object C
# recipe kobjc knows. Installed by make install; README: "With kbuild".
#
#   make MAKEFILES=/abs/path/kbuild/kobjc.mk KOBJC=path/to/kobjc ...
#
# GNU make reads the files named in MAKEFILES before each make's own
# makefiles, in the top make and in every sub-make (a command-line
# MAKEFILES is passed on in MAKEFLAGS and in the environment), so this
# path must be absolute: kbuild's sub-makes may run in another directory
# (O=). KOBJC may be relative: it is taken from the directory make was
# started in (see kobjc-abs).
#
# Which recipe: the tree's own text decides, not its version. Once per
# build the top make asks 'kobjc --kbuild=SRCTREE', which compares the
# stock definitions of scripts/Makefile.build and scripts/Makefile.lib
# with those each of its recipes stands for and prints the one that
# matches (or fails with one line naming the first definition that
# differs, and where). The answer and kobjc's absolute path are passed to
# every sub-make in the environment (KOBJC_KBUILD), so the question is
# asked once per build, not per directory, and any failure stops the
# build before its first object.
#
# Plain (global) definitions here would be replaced by kbuild's own, read
# later; command-line or 'override' definitions would replace kbuild's
# everywhere, also in Makefile.vmlinux, Makefile.modfinal and the tools/
# builds, which have their own cmd_cc_o_c/rule_cc_o_c. So the two
# variables kbuild's C rule reads, cmd_cc_o_c and rule_cc_o_c, are given
# PATTERN-SPECIFIC values for '$(obj)/%.o', only in the sub-makes that run
# scripts/Makefile.build (the ones with obj=DIR on their command line).
# A target-specific value beats the global one whatever the order they
# were read in (Makefile.build itself sets 'objtool-enabled' this way), so
# kbuild's definitions stay as they are for every other target and file.
# The whole kobjc command is cmd_cc_o_c, so it is what fixdep saves in the
# .cmd file and what if_changed_rule compares: switching KOBJC on or off
# rebuilds each object once.
#
# Nothing below depends on the kernel's version: the rule is written with
# kbuild's own definitions (cmd_and_fixdep, cmd, genksyms, gendwarfksyms,
# objtool-args...), and each step a generation does not have expands to
# nothing there; kobjc --kbuild has checked that those definitions are
# the ones the recipe stands for.
#
# auto.conf is read by Makefile.build after this file, so CONFIG_ options
# are tested when the recipe is expanded ($(if ...)), not with ifdef.

# make tries to remake each makefile it reads, these too: nothing makes
# this one (without it, make without -rR could 'link' it from a %.o rule,
# fail, and delete it)
$(lastword $(MAKEFILE_LIST)): ;

ifdef KOBJC

kobjc-empty :=

# --- once per build: which kobjc, which recipe -------------------------------

# KOBJC_KBUILD is 'KOBJC-ABSOLUTE-PATH RECIPE'. The top make (MAKELEVEL 0;
# any make that did not inherit a value) defines it as a value computed
# the first time it is expanded, which is when that make starts its first
# command (make expands exported variables for each command's
# environment; make 4.3 does not for $(shell)), after kbuild's top
# Makefile has set abs_srctree. Under O= the top make runs only the
# sub-make in the output directory, which inherits it, as every
# Makefile.build sub-make does. A make outside kbuild (no abs_srctree)
# leaves it unset for the kbuild make it runs.
ifeq ($(if $(filter-out 0,$(MAKELEVEL)),$(KOBJC_KBUILD)),)
KOBJC_KBUILD = $(if $(abs_srctree),$(eval KOBJC_KBUILD := $$(kobjc-query))$(KOBJC_KBUILD))
export KOBJC_KBUILD
endif

# KOBJC made absolute: relative to the directory make was started in.
# make -C and kbuild's O= sub-make change CURDIR but not the environment's
# PWD, which the shell that started make set; CURDIR when there is none.
kobjc-start-dir = $(or $(PWD),$(CURDIR))
kobjc-abs = $(if $(filter /%,$(KOBJC)),$(KOBJC),$(abspath $(kobjc-start-dir)/$(KOBJC)))

# kobjc-query: 'PATH RECIPE', or stop with one line. The shell prints
# kobjc's answer (stdout and stderr) and then 'kobjc-exit=STATUS', or
# 'kobjc-exit=none' when PATH is not an executable file.
kobjc-query = $(call kobjc-answer,$(kobjc-abs),$(shell k='$(kobjc-abs)'; \
	if [ -f "$$k" ] && [ -x "$$k" ]; then "$$k" --kbuild='$(abs_srctree)' 2>&1; \
	echo " kobjc-exit=$$?"; else echo kobjc-exit=none; fi))

# kobjc-answer,PATH,OUTPUT: exit status 0 and one word kbuild-*: the
# recipe; status 1 and 'kobjc: ...': no recipe matches the tree, kobjc's
# line says which definition differs, and where; anything else: not a
# kobjc, or one without --kbuild
kobjc-answer = $(strip \
	$(if $(filter kobjc-exit=none,$(2)),$(error KOBJC=$(KOBJC): $(1) is not an executable file$(if $(filter /%,$(KOBJC)),, (a relative KOBJC is taken from $(kobjc-start-dir))))) \
	$(if $(filter kobjc-exit=0,$(2)),$(if $(filter-out 1,$(words $(filter-out kobjc-exit=0,$(2))))$(filter-out kbuild-%,$(firstword $(2))),$(kobjc-not-kobjc)),$(if $(filter kobjc-exit=1,$(2)),$(if $(filter kobjc:,$(firstword $(2))),$(error $(filter-out kobjc-exit=%,$(2))))$(kobjc-not-kobjc),$(kobjc-not-kobjc))) \
	$(call kobjc-say,$(1),$(firstword $(2))) $(1) $(firstword $(2)))
kobjc-not-kobjc = $(error KOBJC=$(KOBJC): $(1) is not a kobjc that knows --kbuild=SRCTREE (it printed '$(filter-out kobjc-exit=%,$(2))', exit status $(patsubst kobjc-exit=%,%,$(lastword $(2)))))

# One line per build in kbuild's quiet output (not under make -s): kobjc
# is on, with which recipe and cache. kobjc caches the whole recipe
# through ccache when CC's first word is ccache or KOBJC_CACHE=ccache.
kobjc-cache = $(if $(or $(filter ccache %/ccache,$(firstword $(CC))),$(filter ccache,$(KOBJC_CACHE))),ccache: whole recipe,no cache)$(if $(KOBJC_CC_LAUNCHER),; $(KOBJC_CC_LAUNCHER): compile phase)
# A make that restarts after remaking a makefile it read (kbuild's
# include/config/auto.conf) said it before: MAKE_RESTARTS is set then.
kobjc-say = $(if $(findstring s,$(firstword -$(MAKEFLAGS)))$(MAKE_RESTARTS),,$(info $(kobjc-empty)  KOBJC   $(2) ($(kobjc-cache)) $(1)))

# --- the C rule in Makefile.build sub-makes ----------------------------------

# obj=DIR on the command line: scripts/Makefile.build (or Makefile.clean,
# Makefile.asm-headers..., where nothing below is used). tools/build's
# Makefile.build is called with 'dir=. obj=DIR': leave it alone.
ifeq ($(origin obj),command line)
ifeq ($(origin dir),undefined)

kobjc-bin = $(firstword $(KOBJC_KBUILD))
kobjc-recipe = $(lastword $(KOBJC_KBUILD))

kobjc-no-lto = $(if $(CONFIG_LTO_CLANG),$(error kobjc.mk: CONFIG_LTO_CLANG is not supported (cmd_ld_single is not a kobjc step); build without MAKEFILES/KOBJC))

kobjc-objtool = $(if $(CONFIG_OBJTOOL),$(if $(objtool-enabled),--objtool=$(objtool) \
	$(addprefix --objtool-arg=,$(objtool-args))))

# kobjc-tool,NAME,WORDS: --NAME=first word, --NAME-arg= each other word
kobjc-tool = --$(1)=$(firstword $(2)) $(addprefix --$(1)-arg=,$(wordlist 2,$(words $(2)),$(2)))

# Where kobjc saves the #SYMVER lines that go after fixdep's output.
kobjc-symvers = $(if $(CONFIG_MODVERSIONS),$(dot-target).symvers)

# genksyms is a function of (KBUILD_SYMTYPES, the .symtypes file) up to
# 6.12 and a plain variable from 6.18 (which ignores the arguments);
# CONFIG_GENDWARFKSYMS exists from 6.14.
kobjc-symtool = $(if $(CONFIG_GENDWARFKSYMS),$(if $(skip_gendwarfksyms),,$(call kobjc-tool,gendwarfksyms,$(gendwarfksyms))),$(call kobjc-tool,genksyms,$(call genksyms,$(KBUILD_SYMTYPES),$(@:.o=.symtypes))))
kobjc-genksyms = $(if $(CONFIG_MODVERSIONS),$(kobjc-symtool) --symvers=$(kobjc-symvers))

# '; cmd' for each non-empty command, in stock order of their .cmd output
kobjc-then = $(foreach c,$(1),$(if $(strip $(cmd_$(c))),; $(cmd_$(c))))
# $(call cmd,x) only when cmd_x is set (6.1's 'cmd' always starts a shell)
kobjc-cmd = $(if $(strip $(cmd_$(1))),$(call cmd,$(1)))
# the #SYMVER lines, copied only when there are some
kobjc-append = $(if $(kobjc-symvers),; [ ! -s $(kobjc-symvers) ] || cat $(kobjc-symvers) >> $(dot-target).cmd; rm -f $(kobjc-symvers))

kobjc-cmd_cc_o_c = $(kobjc-no-lto)$(kobjc-bin) --recipe=$(kobjc-recipe) $(kobjc-objtool) $(kobjc-genksyms) $@ $< $(CC) $(c_flags)

# What stock rule_cc_o_c appends to the .cmd file after fixdep's output,
# in its order: gen_ksymdeps (6.1, TRIM_UNUSED_KSYMS), save_c_flags (7.2
# on, LTO_CLANG_THIN_DIST), gen_objtooldep; a generation without one has
# no cmd_ for it, and kobjc-then skips it. check_local_export (6.1) and
# gen_symversions_c are kobjc's own steps. One shell for all of it, where
# stock starts one per step: kbuild's own cmd_and_fixdep (its fixdep path
# and its 'rm -f $(depfile)'), then the rest on the same line.
# checksrc, checkdoc, record_mcount and warn_shared_object (6.6 on) write
# no .cmd output and run as stock runs them; kobjc-cmd skips the unset.
define kobjc-rule_cc_o_c
	$(call cmd_and_fixdep,cc_o_c)$(call kobjc-then,gen_ksymdeps save_c_flags gen_objtooldep)$(kobjc-append)
	$(call kobjc-cmd,checksrc)
	$(call kobjc-cmd,checkdoc)
	$(call kobjc-cmd,record_mcount)
	$(call kobjc-cmd,warn_shared_object)
endef

# The only two definitions kbuild sees; every $(obj)/%.o built from C
# (kbuild's pattern rule and the directory Makefiles' own if_changed_rule,
# cc_o_c rules) uses them. .S (rule_as_o_S), Rust and linked objects use
# other variables and stay stock.
$(obj)/%.o: cmd_cc_o_c = $(kobjc-cmd_cc_o_c)
$(obj)/%.o: rule_cc_o_c = $(kobjc-rule_cc_o_c)

endif # dir
endif # obj
endif # KOBJC
