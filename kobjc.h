/*
 * kobjc: kbuild's whole per-object ".c -> .o" recipe as one program.
 *
 * The recipes are the texts at the end of this file, one per kbuild
 * generation, read by one interpreter in kobjc.c, which knows no tool,
 * export marker or kernel version by name. `kobjc --recipe=NAME` picks
 * one; `kobjc --kbuild=SRCTREE` names the one a kernel tree's own kbuild
 * text stands for; `kobjc --recipe-dump=NAME` prints its text and
 * `kobjc --recipe-hash=NAME` that text's SHA-256, the version tag that
 * ccache and distcc carry. Change a word and the hash changes. `make`
 * runs `kobjc --recipe-check`, which parses and checks every text.
 *
 * Words in a step's run and pipe lines are literal, except these:
 *   $CC            the compiler command (one or more words, e.g. "gcc")
 *   $FLAGS         the compiler flags given on kobjc's command line
 *   $FLAGS_NODEP   $FLAGS without dependency-file options (-Wp,-MMD,f ...)
 *   $IN            the source file
 *   $OUT           the object: a temporary file renamed into place at the end
 *   $S             a scratch assembler file, removed at the end
 *   and each tool's own two, from its options (struct tool).
 */
#ifndef KOBJC_H
#define KOBJC_H

/* Bump when a native step, a condition or a feed changes meaning: every
 * text says "recipe NAME version N", so the hashes change with it. */
#define KOBJC_RECIPE_VERSION 3

/* Each list below has one more slot than its maximum: a NULL that ends it,
 * kept by the parser, so no walk can run past it. */
#define STEP_MAX_PROCS	  2 /* processes in a step's pipeline */
#define STEP_MAX_WORDS	  8 /* words in one process's template */
#define STEP_MAX_CONDS	  2
#define STEP_MAX_FILES	  2
#define TOOL_MAX_ENV	  2
#define TOOL_MAX_OPT	  2
#define RECIPE_MAX_TOOLS  3
#define RECIPE_MAX_STEPS  5
#define RECIPE_MAX_KBUILD 16
#define RECIPE_MAX_BORROW 4 /* recipes whose tools or steps it names */
#define MAX_RECIPES	  8

enum phase {
	PHASE_COMPILE, /* needs only the compiler toolchain: may run remotely */
	PHASE_LOCAL,   /* needs the kernel tree's own tools or kobjc itself */
};

/* The kinds of condition (kobjc.c: conds[], with what each means). */
enum cond_op {
	COND_NONE,	 /* the end of the list: a step with none always runs */
	COND_GIVEN,	 /* the tool ARG was given (--ARG=PATH) */
	COND_ELF_SYMBOL, /* FILE has an nm-visible symbol whose name contains
			    ARG: `nm FILE | grep -q ARG` */
	COND_ELF_SYMBOL_PREFIX, /* ... whose name starts with ARG:
				   `nm FILE | grep -q ' ARG'` */
	COND_TEXT,		/* FILE contains the text ARG */
};

/* Steps kobjc runs itself (kobjc.c: natives[]). */
enum native {
	NATIVE_NONE,
	NATIVE_LOCAL_EXPORT, /* scripts/check-local-export, read from the ELF */
};

/* What a step's first process reads on stdin (kobjc.c: feeds[]). */
enum feed {
	FEED_NONE,	   /* kobjc's own stdin */
	FEED_EXPORT_NAMES, /* `nm $OUT | sed -n 's/.* EXPORT\(.*\)/\1/p'` */
};

struct cond {
	enum cond_op op;
	const char *arg;  /* tool name, symbol name part or text */
	const char *file; /* the file tested, a variable such as "$OUT" */
};

/* An external tool a recipe runs: --NAME=PATH, --NAME-arg=ARG (repeat).
 * The same list gives the argv variables, what ccache's tag identifies and
 * what kobjc passes on to itself under ccache. */
struct tool {
	const char *name;
	const char *var;			/* its path, e.g. "$OBJTOOL" */
	const char *args;			/* its --NAME-arg words */
	const char *env[TOOL_MAX_ENV + 1];	/* variables it reads */
	const char *readopt[TOOL_MAX_OPT + 1];	/* ARG FILE: reads FILE */
	const char *writeopt[TOOL_MAX_OPT + 1]; /* ARG FILE: writes FILE */
};

struct step {
	const char *name; /* what messages call it */
	const char *tag;  /* kbuild-style short tag */
	enum phase phase;
	struct cond when[STEP_MAX_CONDS + 1]; /* all must hold */
	/* the command: a pipeline of processes; none for a native step */
	const char *run[STEP_MAX_PROCS][STEP_MAX_WORDS + 1];
	enum native native; /* run in kobjc instead */
	enum feed feed;	    /* the first process's stdin */
	const char *prints; /* its stdout is "PRINTS NAME 0xCRC" lines for
			       kbuild; NULL: the stdout goes to stderr */
	const char *in[STEP_MAX_FILES + 1]; /* files read */
	const char
		*out[STEP_MAX_FILES + 1]; /* files written; $OUT is checked */
};

struct recipe {
	const char *name;    /* --recipe=NAME */
	const char *about;   /* where it comes from */
	const char *exports; /* an object exports NAME if it defines EXPORTS
				NAME */
	const char *saved;   /* .foo.o.cmd saves the command as SAVED foo.o */
	const struct tool *tools[RECIPE_MAX_TOOLS + 1];
	const struct step *steps[RECIPE_MAX_STEPS + 1];
	/* the stock kbuild definitions it stands for: "FILE NAME SHA256",
	 * FILE in scripts/ (kobjc.c: kbuild_compare) */
	const char *kbuild[RECIPE_MAX_KBUILD + 1];
	const char *text; /* its source, as recipe_texts[] has it */
	const struct recipe *borrows[RECIPE_MAX_BORROW + 1];
};

/* ---------------------------------------------------------------- recipes */

/*
 * One text per kbuild generation, in the line language kobjc.c's parser
 * reads (recipe_parse): unindented lines name the recipe and declare its
 * tools, steps and stock kbuild definitions; a tab-indented line under a
 * tool or step gives one of its attributes; "# " starts a comment. A tool
 * or step the same as an earlier recipe's says so: "step NAME as RECIPE".
 * `kobjc --recipe-dump=NAME` prints the text (and the texts it borrows
 * from), byte for byte; `--recipe-hash=NAME` is that dump's SHA-256.
 * The first is the default. A line of text, a line of source:
 */
/* clang-format off */
static const char *const recipe_texts[] = {

	/* kbuild-6.1 */
	"recipe kbuild-6.1 version 3\n"
	"about Linux 6.1 scripts/Makefile.build rule_cc_o_c\n"
	"exports __ksymtab_\n"
	"saved cmd_\n"
	"\n"
	"# objtool and genksyms: --NAME=PATH, --NAME-arg=ARG (repeat)\n"
	"tool objtool $OBJTOOL $OBJTOOL_ARGS\n"
	"\tenv OBJTOOL_ARGS\n"
	"tool genksyms $GENKSYMS $GENKSYMS_ARGS\n"
	"\treads-file-after -r\n"
	"\twrites-file-after -T\n"
	"\n"
	"# cmd_cc_o_c: $(CC) $(c_flags) -c -o $@ $<\n"
	"step compile\n"
	"\ttag CC\n"
	"\tphase compile\n"
	"\trun $CC $FLAGS -c -o $OUT $IN\n"
	"\tin $IN\n"
	"\tout $OUT\n"
	"\n"
	"# cmd_objtool: ; $(objtool) $(objtool-args) $@\n"
	"step objtool\n"
	"\ttag OBJTOOL\n"
	"\tphase local\n"
	"\twhen given objtool\n"
	"\trun $OBJTOOL $OBJTOOL_ARGS $OUT\n"
	"\tin $OUT\n"
	"\tout $OUT\n"
	"\n"
	"# cmd_check_local_export: scripts/check-local-export $@\n"
	"step local-export check\n"
	"\ttag CHECK\n"
	"\tphase local\n"
	"\tnative check-local-export\n"
	"\tin $OUT\n"
	"\n"
	"# gen_symversions: if $(NM) $@ | grep -q __ksymtab; then\n"
	"#   $(CPP) -D__GENKSYMS__ $(c_flags) $< | $(genksyms) >> .cmd\n"
	"step symbol versions\n"
	"\ttag GENKSYMS\n"
	"\tphase local\n"
	"\twhen given genksyms\n"
	"\twhen elf-symbol __ksymtab $OUT\n"
	"\trun $CC -E -D__GENKSYMS__ $FLAGS_NODEP $IN\n"
	"\tpipe $GENKSYMS $GENKSYMS_ARGS\n"
	"\tprints #SYMVER\n"
	"\tin $IN\n"
	"\n"
	"# the stock definitions this recipe stands for (kobjc --kbuild)\n"
	"kbuild Makefile.build rule_cc_o_c 9477d07480bd7a472045d7190098deee9362d1fa3a587bb29d68ced5af75f42a\n"
	"kbuild Makefile.build cmd_cc_o_c dbd79ad28182f2ad7b94b9e75336e98c936f06341a02c6de41e29c701f2d57bc\n"
	"kbuild Makefile.build cmd_ld_single_m d8a381d568723e99c5f7c764128e9224ff10cbb00802cf02c1adef7d9fd717b8\n"
	"kbuild Makefile.lib cmd_objtool e121c750cd044a9f027bd24f2304b5f880e345eeb3bcea38b4cb80ed3e5b8e52\n"
	"kbuild Makefile.build cmd_check_local_export 607175be540b64664910c728e23ba038cae0b6f7f49ee9dc0cd565de1eb16ebf\n"
	"kbuild Makefile.build cmd_gen_ksymdeps 3fb4ac5629c9ca10fffcede85492386f08dd97b9aeb8cc6b7f2a02aa88d24953\n"
	"kbuild Makefile.lib cmd_gen_objtooldep e272b9ce97a016501c9177385c8d9688953d69b57fee4702ca6a6afa98e91316\n"
	"kbuild Makefile.build gen_symversions cd7cca374613fd6938555c7607f9da8f0ffcd3f5ed72836a3be7496deb28d38a\n"
	"kbuild Makefile.build cmd_gen_symversions_c c730d6aeba139e70010e226d84e286a7c04f3dbc145316d0d7d630592719691d\n"
	"kbuild Makefile.build cmd_gensymtypes_c 7bec06c38c58915bc220dd3258eb0af089c9fbbe6ad188891e478fe265849a9b\n"
	"kbuild Makefile.build genksyms ee23a85289d1bace49637c822ca947e2b6eb9e79ff21b1f270883488f0b307a8\n"
	"kbuild Makefile.build rule:$(obj)/%.o:%.c 5f91fae14aeb13560e27facb0f9962c6e548fd4aa920792ff371814254ef8b23\n"
	"kbuild Kbuild.include cmd_and_fixdep 8256306b91479fd798b1ca2618076bf79bee463c211468ec30a1d8313046ba2b\n",

	/* kbuild-6.12 */
	"recipe kbuild-6.12 version 3\n"
	"about Linux 6.12 scripts/Makefile.build rule_cc_o_c\n"
	"exports __export_symbol_\n"
	"saved savedcmd_\n"
	"\n"
	"tool objtool as kbuild-6.1\n"
	"tool genksyms as kbuild-6.1\n"
	"\n"
	"step compile as kbuild-6.1\n"
	"step objtool as kbuild-6.1\n"
	"# no local-export check: modpost does it\n"
	"\n"
	"# gen_symversions (6.5 on): the test is nm | grep -q ' __export_symbol_'\n"
	"step symbol versions\n"
	"\ttag GENKSYMS\n"
	"\tphase local\n"
	"\twhen given genksyms\n"
	"\twhen elf-symbol-prefix __export_symbol_ $OUT\n"
	"\trun $CC -E -D__GENKSYMS__ $FLAGS_NODEP $IN\n"
	"\tpipe $GENKSYMS $GENKSYMS_ARGS\n"
	"\tprints #SYMVER\n"
	"\tin $IN\n"
	"\n"
	"kbuild Makefile.build rule_cc_o_c 1d2edf20513eaebd0354d4bdbe863f65e943b7057fe850cbe12a8218cdb7ea13\n"
	"kbuild Makefile.build cmd_cc_o_c dbd79ad28182f2ad7b94b9e75336e98c936f06341a02c6de41e29c701f2d57bc\n"
	"kbuild Makefile.build cmd_ld_single_m d8a381d568723e99c5f7c764128e9224ff10cbb00802cf02c1adef7d9fd717b8\n"
	"kbuild Makefile.lib cmd_objtool e121c750cd044a9f027bd24f2304b5f880e345eeb3bcea38b4cb80ed3e5b8e52\n"
	"kbuild Makefile.lib cmd_gen_objtooldep e272b9ce97a016501c9177385c8d9688953d69b57fee4702ca6a6afa98e91316\n"
	"kbuild Makefile.build gen_symversions 4f7272235a2190683013f6fc029de5604956aec0c67943d443d597d2a110cf41\n"
	"kbuild Makefile.build cmd_gen_symversions_c c730d6aeba139e70010e226d84e286a7c04f3dbc145316d0d7d630592719691d\n"
	"kbuild Makefile.build cmd_gensymtypes_c 7bec06c38c58915bc220dd3258eb0af089c9fbbe6ad188891e478fe265849a9b\n"
	"kbuild Makefile.build genksyms ee23a85289d1bace49637c822ca947e2b6eb9e79ff21b1f270883488f0b307a8\n"
	"kbuild Makefile.build rule:$(obj)/%.o:%.c 5f91fae14aeb13560e27facb0f9962c6e548fd4aa920792ff371814254ef8b23\n"
	"kbuild Kbuild.include cmd_and_fixdep 8256306b91479fd798b1ca2618076bf79bee463c211468ec30a1d8313046ba2b\n",

	/* kbuild-7.3 */
	"recipe kbuild-7.3 version 3\n"
	"about Linux 7.3 scripts/Makefile.lib rule_cc_o_c\n"
	"exports __export_symbol_\n"
	"saved savedcmd_\n"
	"\n"
	"# CONFIG_MODVERSIONS chooses genksyms or gendwarfksyms: kbuild passes one\n"
	"tool objtool as kbuild-6.1\n"
	"tool genksyms as kbuild-6.1\n"
	"tool gendwarfksyms $GENDWARFKSYMS $GENDWARFKSYMS_ARGS\n"
	"\twrites-file-after --symtypes\n"
	"\n"
	"step compile as kbuild-6.1\n"
	"step objtool as kbuild-6.1\n"
	"step symbol versions as kbuild-6.12\n"
	"\n"
	"# CONFIG_GENDWARFKSYMS: $(call getexportsymbols,\\1) | $(gendwarfksyms) $@\n"
	"# reads the object's DWARF, not the source\n"
	"step symbol versions (DWARF)\n"
	"\ttag GENDWARFKSYMS\n"
	"\tphase local\n"
	"\twhen given gendwarfksyms\n"
	"\twhen elf-symbol-prefix __export_symbol_ $OUT\n"
	"\tstdin export-names\n"
	"\trun $GENDWARFKSYMS $GENDWARFKSYMS_ARGS $OUT\n"
	"\tprints #SYMVER\n"
	"\tin $OUT\n"
	"\n"
	"kbuild Makefile.lib rule_cc_o_c 2c554ac069ddbd931849ca3ebe5aaa120b077f22bd350faffc8d1e9326608acf\n"
	"kbuild Makefile.lib cmd_cc_o_c 7921f1f380e8a19c02b4d115b1d0723cdf0fe1aeae048f07ef5bf544d4523886\n"
	"kbuild Makefile.lib cmd_ld_single 3e3b79be4a55629c5f0c179134ddc92a3eb1c97c8a716759e23b9d83fbc3aacc\n"
	"kbuild Makefile.lib cmd_save_c_flags 0a6a3bdedec83792ff818478ab21bc21f5025a2344572d187db1e0a0dcbeed87\n"
	"kbuild Makefile.lib cmd_objtool e121c750cd044a9f027bd24f2304b5f880e345eeb3bcea38b4cb80ed3e5b8e52\n"
	"kbuild Makefile.lib cmd_gen_objtooldep e272b9ce97a016501c9177385c8d9688953d69b57fee4702ca6a6afa98e91316\n"
	"kbuild Makefile.build gen_symversions f0adbdcc43413b0642e1507512f8e71b724ee2558cfbb016ebdae76ea93959de\n"
	"kbuild Makefile.build cmd_gen_symversions_c c730d6aeba139e70010e226d84e286a7c04f3dbc145316d0d7d630592719691d\n"
	"kbuild Makefile.build cmd_gensymtypes_c d457a8317b0ede5075802e7b34a4c5080de6756441e2a66cf4fb76b1f1ae1c19\n"
	"kbuild Makefile.build genksyms cc1416f959ab6e2cfcd0e7c64e85aff93597106976492c831f238345fd280cbd\n"
	"kbuild Makefile.build getexportsymbols 2a2ad1829bd55c5ea68d8bbaa3d5a512af1cdb448614b751fd138fe890b95890\n"
	"kbuild Makefile.build gendwarfksyms a76bbe2ae40972cc4819dd64cef24736613ab0c24edb86eedc23d840b20f7fb2\n"
	"kbuild Makefile.build rule:$(obj)/%.o:%.c 5f91fae14aeb13560e27facb0f9962c6e548fd4aa920792ff371814254ef8b23\n"
	"kbuild Kbuild.include cmd_and_fixdep a4352203451beebcef56952d6e21111536baab9cf3c2b43c79a21dbf56ad1e89\n",

	/* 2009-two-step */
	"recipe 2009-two-step version 3\n"
	"about kbuild of January 2009, commit ad7a953c: cc -S, then as\n"
	"exports __ksymtab_\n"
	"saved cmd_\n"
	"\n"
	"tool genksyms as kbuild-6.1\n"
	"\n"
	"step compile to assembler\n"
	"\ttag CC\n"
	"\tphase compile\n"
	"\trun $CC $FLAGS -S -o $S $IN\n"
	"\tin $IN\n"
	"\tout $S\n"
	"\n"
	"step assemble\n"
	"\ttag AS\n"
	"\tphase compile\n"
	"\trun $CC $FLAGS_NODEP -c -o $OUT $S\n"
	"\tin $S\n"
	"\tout $OUT\n"
	"\n"
	"step local-export check as kbuild-6.1\n"
	"\n"
	"step symbol versions\n"
	"\ttag GENKSYMS\n"
	"\tphase local\n"
	"\twhen given genksyms\n"
	"\twhen text __ksymtab $S\n"
	"\trun $CC -E -D__GENKSYMS__ $FLAGS_NODEP $IN\n"
	"\tpipe $GENKSYMS $GENKSYMS_ARGS\n"
	"\tprints #SYMVER\n"
	"\tin $IN\n",
	NULL,
};
/* clang-format on */

#endif
