# kobjc.mk: run kobjc from an UNMODIFIED Linux 6.1.y, 6.12.y or 7.3.y tree.
# Installed by make install beside the patches; README: "Without patching".
#
#   make MAKEFILES=/abs/path/kbuild/kobjc.mk KOBJC=/abs/path/kobjc ...
#
# GNU make reads the files named in MAKEFILES before each make's own
# makefiles, in the top make and in every sub-make (a command-line
# MAKEFILES is passed on in MAKEFLAGS and in the environment). Both paths
# must be absolute: kbuild's sub-makes may run in another directory (O=).
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
# The values are those of kbuild/linux-VERSION.patch; like the patch, the
# whole kobjc command is cmd_cc_o_c, so it is what fixdep saves in the
# .cmd file and what if_changed_rule compares: switching KOBJC on or off
# rebuilds each object once.
#
# auto.conf is read by Makefile.build after this file, so CONFIG_ options
# are tested when the recipe is expanded ($(if ...)), not with ifdef.

# make tries to remake each makefile it reads, these too: nothing makes
# this one (without it, make without -rR could 'link' it from a %.o rule,
# fail, and delete it)
$(lastword $(MAKEFILE_LIST)): ;

ifdef KOBJC
# obj=DIR on the command line: scripts/Makefile.build (or Makefile.clean,
# Makefile.asm-headers..., where nothing below is used). tools/build's
# Makefile.build is called with 'dir=. obj=DIR': leave it alone.
ifeq ($(origin obj),command line)
ifeq ($(origin dir),undefined)

# VERSION and PATCHLEVEL are exported by the top Makefile.
kobjc-version := $(VERSION).$(PATCHLEVEL)
ifeq ($(filter 6.1 6.12 7.3,$(kobjc-version)),)
$(error kobjc.mk: Linux 6.1, 6.12 and 7.3 only, this tree is Linux $(kobjc-version))
endif
kobjc-recipe := kbuild-$(kobjc-version)

kobjc-no-lto = $(if $(CONFIG_LTO_CLANG),$(error kobjc.mk: CONFIG_LTO_CLANG is not supported (cmd_ld_single is not a kobjc step); build without MAKEFILES/KOBJC))

kobjc-objtool = $(if $(CONFIG_OBJTOOL),$(if $(objtool-enabled),--objtool=$(objtool) \
	$(addprefix --objtool-arg=,$(objtool-args))))

# kobjc-tool,NAME,WORDS: --NAME=first word, --NAME-arg= each other word
kobjc-tool = --$(1)=$(firstword $(2)) $(addprefix --$(1)-arg=,$(wordlist 2,$(words $(2)),$(2)))

# Where kobjc saves the #SYMVER lines that go after fixdep's output.
kobjc-symvers = $(if $(CONFIG_MODVERSIONS),$(dot-target).symvers)

ifeq ($(kobjc-version),7.3)
kobjc-symtool = $(if $(CONFIG_GENDWARFKSYMS),$(if $(skip_gendwarfksyms),,$(call kobjc-tool,gendwarfksyms,$(gendwarfksyms))),$(call kobjc-tool,genksyms,$(genksyms)))
else
kobjc-symtool = $(call kobjc-tool,genksyms,$(call genksyms,$(KBUILD_SYMTYPES),$(@:.o=.symtypes)))
endif
kobjc-genksyms = $(if $(CONFIG_MODVERSIONS),$(kobjc-symtool) --symvers=$(kobjc-symvers))

# '; cmd' for each non-empty command, in stock order of their .cmd output
kobjc-then = $(foreach c,$(1),$(if $(strip $(cmd_$(c))),; $(cmd_$(c))))
# $(call cmd,x) only when cmd_x is set (6.1's 'cmd' always starts a shell)
kobjc-cmd = $(if $(strip $(cmd_$(1))),$(call cmd,$(1)))
# the #SYMVER lines, copied only when there are some; one rm for the .d
# and the .symvers file
kobjc-append = $(if $(kobjc-symvers),; [ ! -s $(kobjc-symvers) ] || cat $(kobjc-symvers) >> $(dot-target).cmd); rm -f $(depfile) $(kobjc-symvers)

kobjc-cmd_cc_o_c = $(kobjc-no-lto)$(KOBJC) --recipe=$(kobjc-recipe) $(kobjc-objtool) $(kobjc-genksyms) $@ $< $(CC) $(c_flags)

# What stock rule_cc_o_c runs after the compile, into the .cmd file after
# fixdep's output, and how it calls fixdep
kobjc-after-6.1 := gen_ksymdeps gen_objtooldep
kobjc-after-6.12 := gen_objtooldep
kobjc-after-7.3 := save_c_flags gen_objtooldep
kobjc-fixdep = $(if $(filter 7.3,$(kobjc-version)),$(objtree)/)scripts/basic/fixdep

# warn_shared_object is not in 6.1: kobjc-cmd skips the empty command
define kobjc-rule_cc_o_c
	$(call cmd,cc_o_c); $(kobjc-fixdep) $(depfile) $@ '$(call make-cmd,cc_o_c)' > $(dot-target).cmd$(call kobjc-then,$(kobjc-after-$(kobjc-version)))$(kobjc-append)
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
