/*
 * kobjc: kbuild's whole per-object ".c -> .o" recipe as one program.
 *
 * The recipes are the tables below: plain data, one per kbuild generation,
 * read by one interpreter in kobjc.c, which knows no tool, export marker or
 * kernel version by name. `kobjc --recipe=NAME` picks one (the kbuild
 * patch for each kernel series names its own); `kobjc --recipe-dump=NAME`
 * prints it as canonical text and `kobjc --recipe-hash=NAME` that text's
 * SHA-256, the version tag that ccache and distcc carry. Change a step and
 * the hash changes. `kobjc --recipe-check` validates every table.
 *
 * Words in an argv template are literal, except these variables:
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

/* Bump when a native step, a condition or a feed changes meaning. */
#define KOBJC_RECIPE_VERSION 2

/* Each list below has one more slot than its maximum: a NULL that ends it,
 * checked by recipe_check(), so no walk can run past it. */
#define STEP_MAX_PROCS	  2 /* processes in a step's pipeline */
#define STEP_MAX_WORDS	  8 /* words in one process's template */
#define STEP_MAX_CONDS	  2
#define STEP_MAX_FILES	  2
#define TOOL_MAX_ENV	  2
#define TOOL_MAX_OPT	  2
#define RECIPE_MAX_TOOLS  3
#define RECIPE_MAX_STEPS  5
#define RECIPE_MAX_KBUILD 16

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
};

/* ---------------------------------------------------------------- tools */

static const struct tool objtool = {
	.name = "objtool",
	.var = "$OBJTOOL",
	.args = "$OBJTOOL_ARGS",
	.env = { "OBJTOOL_ARGS" },
};

static const struct tool genksyms = {
	.name = "genksyms",
	.var = "$GENKSYMS",
	.args = "$GENKSYMS_ARGS",
	.readopt = { "-r" },  /* the .symref file (KBUILD_PRESERVE) */
	.writeopt = { "-T" }, /* the .symtypes file (KBUILD_SYMTYPES) */
};

static const struct tool gendwarfksyms = {
	.name = "gendwarfksyms",
	.var = "$GENDWARFKSYMS",
	.args = "$GENDWARFKSYMS_ARGS",
	.writeopt = { "--symtypes" },
};

/* Every tool, for the command line. */
static const struct tool *const all_tools[] = {
	&objtool,
	&genksyms,
	&gendwarfksyms,
	NULL,
};

/* ---------------------------------------------------------------- steps */

/* cmd_cc_o_c: $(CC) $(c_flags) -c -o $@ $< */
static const struct step compile = {
	.name = "compile",
	.tag = "CC",
	.phase = PHASE_COMPILE,
	.run = { { "$CC", "$FLAGS", "-c", "-o", "$OUT", "$IN" } },
	.in = { "$IN" },
	.out = { "$OUT" },
};

/* cmd_objtool: ; $(objtool) $(objtool-args) $@ */
static const struct step objtool_step = {
	.name = "objtool",
	.tag = "OBJTOOL",
	.phase = PHASE_LOCAL,
	.when = { { COND_GIVEN, "objtool", NULL } },
	.run = { { "$OBJTOOL", "$OBJTOOL_ARGS", "$OUT" } },
	.in = { "$OUT" },
	.out = { "$OUT" },
};

/* cmd_check_local_export (6.1): scripts/check-local-export $@ */
static const struct step local_export = {
	.name = "local-export check",
	.tag = "CHECK",
	.phase = PHASE_LOCAL,
	.native = NATIVE_LOCAL_EXPORT,
	.in = { "$OUT" },
};

/* gen_symversions (6.1): if $(NM) $@ | grep -q __ksymtab; then
 * $(CPP) -D__GENKSYMS__ $(c_flags) $< | $(genksyms) >> .cmd */
static const struct step genksyms_ksymtab = {
	.name = "symbol versions",
	.tag = "GENKSYMS",
	.phase = PHASE_LOCAL,
	.when = { { COND_GIVEN, "genksyms", NULL },
		  { COND_ELF_SYMBOL, "__ksymtab", "$OUT" } },
	.run = { { "$CC", "-E", "-D__GENKSYMS__", "$FLAGS_NODEP", "$IN" },
		 { "$GENKSYMS", "$GENKSYMS_ARGS" } },
	.prints = "#SYMVER",
	.in = { "$IN" },
};

/* gen_symversions (6.5 on): the test is nm | grep -q ' __export_symbol_' */
static const struct step genksyms_export = {
	.name = "symbol versions",
	.tag = "GENKSYMS",
	.phase = PHASE_LOCAL,
	.when = { { COND_GIVEN, "genksyms", NULL },
		  { COND_ELF_SYMBOL_PREFIX, "__export_symbol_", "$OUT" } },
	.run = { { "$CC", "-E", "-D__GENKSYMS__", "$FLAGS_NODEP", "$IN" },
		 { "$GENKSYMS", "$GENKSYMS_ARGS" } },
	.prints = "#SYMVER",
	.in = { "$IN" },
};

/* 7.x CONFIG_GENDWARFKSYMS: $(call getexportsymbols,\1) | $(gendwarfksyms)
 * $@; it reads the object's DWARF, not the source */
static const struct step gendwarfksyms_step = {
	.name = "symbol versions (DWARF)",
	.tag = "GENDWARFKSYMS",
	.phase = PHASE_LOCAL,
	.when = { { COND_GIVEN, "gendwarfksyms", NULL },
		  { COND_ELF_SYMBOL_PREFIX, "__export_symbol_", "$OUT" } },
	.feed = FEED_EXPORT_NAMES,
	.run = { { "$GENDWARFKSYMS", "$GENDWARFKSYMS_ARGS", "$OUT" } },
	.prints = "#SYMVER",
	.in = { "$OUT" },
};

/* The 2009 two-step recipe (commit ad7a953c): cc -S, then assemble. */
static const struct step compile_s = {
	.name = "compile to assembler",
	.tag = "CC",
	.phase = PHASE_COMPILE,
	.run = { { "$CC", "$FLAGS", "-S", "-o", "$S", "$IN" } },
	.in = { "$IN" },
	.out = { "$S" },
};

static const struct step assemble = {
	.name = "assemble",
	.tag = "AS",
	.phase = PHASE_COMPILE,
	.run = { { "$CC", "$FLAGS_NODEP", "-c", "-o", "$OUT", "$S" } },
	.in = { "$S" },
	.out = { "$OUT" },
};

static const struct step genksyms_text = {
	.name = "symbol versions",
	.tag = "GENKSYMS",
	.phase = PHASE_LOCAL,
	.when = { { COND_GIVEN, "genksyms", NULL },
		  { COND_TEXT, "__ksymtab", "$S" } },
	.run = { { "$CC", "-E", "-D__GENKSYMS__", "$FLAGS_NODEP", "$IN" },
		 { "$GENKSYMS", "$GENKSYMS_ARGS" } },
	.prints = "#SYMVER",
	.in = { "$IN" },
};

/* ---------------------------------------------------------------- recipes */

static const struct recipe kbuild_6_1 = {
	.name = "kbuild-6.1",
	.about = "Linux 6.1 scripts/Makefile.build rule_cc_o_c",
	.exports = "__ksymtab_",
	.saved = "cmd_",
	.tools = { &objtool, &genksyms },
	.steps = { &compile, &objtool_step, &local_export, &genksyms_ksymtab },
	/* stock kbuild's definitions (whitespace-normalised SHA-256) */
	.kbuild = {
		"Makefile.build rule_cc_o_c 9477d07480bd7a472045d7190098deee9362d1fa3a587bb29d68ced5af75f42a",
		"Makefile.build cmd_cc_o_c dbd79ad28182f2ad7b94b9e75336e98c936f06341a02c6de41e29c701f2d57bc",
		"Makefile.build cmd_ld_single_m d8a381d568723e99c5f7c764128e9224ff10cbb00802cf02c1adef7d9fd717b8",
		"Makefile.lib cmd_objtool e121c750cd044a9f027bd24f2304b5f880e345eeb3bcea38b4cb80ed3e5b8e52",
		"Makefile.build cmd_check_local_export 607175be540b64664910c728e23ba038cae0b6f7f49ee9dc0cd565de1eb16ebf",
		"Makefile.build cmd_gen_ksymdeps 3fb4ac5629c9ca10fffcede85492386f08dd97b9aeb8cc6b7f2a02aa88d24953",
		"Makefile.lib cmd_gen_objtooldep e272b9ce97a016501c9177385c8d9688953d69b57fee4702ca6a6afa98e91316",
		"Makefile.build gen_symversions cd7cca374613fd6938555c7607f9da8f0ffcd3f5ed72836a3be7496deb28d38a",
		"Makefile.build cmd_gen_symversions_c c730d6aeba139e70010e226d84e286a7c04f3dbc145316d0d7d630592719691d",
		"Makefile.build cmd_gensymtypes_c 7bec06c38c58915bc220dd3258eb0af089c9fbbe6ad188891e478fe265849a9b",
		"Makefile.build genksyms ee23a85289d1bace49637c822ca947e2b6eb9e79ff21b1f270883488f0b307a8",
		"Makefile.build rule:$(obj)/%.o:%.c 5f91fae14aeb13560e27facb0f9962c6e548fd4aa920792ff371814254ef8b23",
		"Kbuild.include cmd_and_fixdep 8256306b91479fd798b1ca2618076bf79bee463c211468ec30a1d8313046ba2b",
	},
};

/* 6.12: no local-export check (modpost does it), __export_symbol_NAME. */
static const struct recipe kbuild_6_12 = {
	.name = "kbuild-6.12",
	.about = "Linux 6.12 scripts/Makefile.build rule_cc_o_c",
	.exports = "__export_symbol_",
	.saved = "savedcmd_",
	.tools = { &objtool, &genksyms },
	.steps = { &compile, &objtool_step, &genksyms_export },
	/* stock kbuild's definitions (whitespace-normalised SHA-256) */
	.kbuild = {
		"Makefile.build rule_cc_o_c 1d2edf20513eaebd0354d4bdbe863f65e943b7057fe850cbe12a8218cdb7ea13",
		"Makefile.build cmd_cc_o_c dbd79ad28182f2ad7b94b9e75336e98c936f06341a02c6de41e29c701f2d57bc",
		"Makefile.build cmd_ld_single_m d8a381d568723e99c5f7c764128e9224ff10cbb00802cf02c1adef7d9fd717b8",
		"Makefile.lib cmd_objtool e121c750cd044a9f027bd24f2304b5f880e345eeb3bcea38b4cb80ed3e5b8e52",
		"Makefile.lib cmd_gen_objtooldep e272b9ce97a016501c9177385c8d9688953d69b57fee4702ca6a6afa98e91316",
		"Makefile.build gen_symversions 4f7272235a2190683013f6fc029de5604956aec0c67943d443d597d2a110cf41",
		"Makefile.build cmd_gen_symversions_c c730d6aeba139e70010e226d84e286a7c04f3dbc145316d0d7d630592719691d",
		"Makefile.build cmd_gensymtypes_c 7bec06c38c58915bc220dd3258eb0af089c9fbbe6ad188891e478fe265849a9b",
		"Makefile.build genksyms ee23a85289d1bace49637c822ca947e2b6eb9e79ff21b1f270883488f0b307a8",
		"Makefile.build rule:$(obj)/%.o:%.c 5f91fae14aeb13560e27facb0f9962c6e548fd4aa920792ff371814254ef8b23",
		"Kbuild.include cmd_and_fixdep 8256306b91479fd798b1ca2618076bf79bee463c211468ec30a1d8313046ba2b",
	},
};

/* 7.3: MODVERSIONS chooses genksyms or gendwarfksyms; the patch passes
 * the one the kernel's config chose. */
static const struct recipe kbuild_7_3 = {
	.name = "kbuild-7.3",
	.about = "Linux 7.3 scripts/Makefile.lib rule_cc_o_c",
	.exports = "__export_symbol_",
	.saved = "savedcmd_",
	.tools = { &objtool, &genksyms, &gendwarfksyms },
	.steps = { &compile, &objtool_step, &genksyms_export,
		   &gendwarfksyms_step },
	/* stock kbuild's definitions (whitespace-normalised SHA-256) */
	.kbuild = {
		"Makefile.lib rule_cc_o_c 2c554ac069ddbd931849ca3ebe5aaa120b077f22bd350faffc8d1e9326608acf",
		"Makefile.lib cmd_cc_o_c 7921f1f380e8a19c02b4d115b1d0723cdf0fe1aeae048f07ef5bf544d4523886",
		"Makefile.lib cmd_ld_single 3e3b79be4a55629c5f0c179134ddc92a3eb1c97c8a716759e23b9d83fbc3aacc",
		"Makefile.lib cmd_save_c_flags 0a6a3bdedec83792ff818478ab21bc21f5025a2344572d187db1e0a0dcbeed87",
		"Makefile.lib cmd_objtool e121c750cd044a9f027bd24f2304b5f880e345eeb3bcea38b4cb80ed3e5b8e52",
		"Makefile.lib cmd_gen_objtooldep e272b9ce97a016501c9177385c8d9688953d69b57fee4702ca6a6afa98e91316",
		"Makefile.build gen_symversions f0adbdcc43413b0642e1507512f8e71b724ee2558cfbb016ebdae76ea93959de",
		"Makefile.build cmd_gen_symversions_c c730d6aeba139e70010e226d84e286a7c04f3dbc145316d0d7d630592719691d",
		"Makefile.build cmd_gensymtypes_c d457a8317b0ede5075802e7b34a4c5080de6756441e2a66cf4fb76b1f1ae1c19",
		"Makefile.build genksyms cc1416f959ab6e2cfcd0e7c64e85aff93597106976492c831f238345fd280cbd",
		"Makefile.build getexportsymbols 2a2ad1829bd55c5ea68d8bbaa3d5a512af1cdb448614b751fd138fe890b95890",
		"Makefile.build gendwarfksyms a76bbe2ae40972cc4819dd64cef24736613ab0c24edb86eedc23d840b20f7fb2",
		"Makefile.build rule:$(obj)/%.o:%.c 5f91fae14aeb13560e27facb0f9962c6e548fd4aa920792ff371814254ef8b23",
		"Kbuild.include cmd_and_fixdep a4352203451beebcef56952d6e21111536baab9cf3c2b43c79a21dbf56ad1e89",
	},
};

static const struct recipe two_step_2009 = {
	.name = "2009-two-step",
	.about = "kbuild of January 2009, commit ad7a953c: cc -S, then as",
	.exports = "__ksymtab_",
	.saved = "cmd_",
	.tools = { &genksyms },
	.steps = { &compile_s, &assemble, &local_export, &genksyms_text },
};

/* The first is the default. */
static const struct recipe *const recipes[] = {
	&kbuild_6_1, &kbuild_6_12, &kbuild_7_3, &two_step_2009, NULL,
};

#endif
