/*
 * kobjc: kbuild's whole per-object ".c -> .o" recipe as one program.
 *
 * The recipe is the table below: plain data, read by one interpreter in
 * kobjc.c. `kobjc --recipe-dump` prints it as canonical text and
 * `kobjc --recipe-hash` prints that text's SHA-256, the version tag that
 * ccache and distcc carry. Change a step and the hash changes.
 *
 * Words in an argv template are literal, except these variables:
 *   $CC            the compiler command (one or more words, e.g. "ccache gcc")
 *   $FLAGS         the compiler flags given on kobjc's command line
 *   $FLAGS_NODEP   $FLAGS without dependency-file options (-Wp,-MMD,f ...)
 *   $IN            the source file
 *   $OUT           the object: a temporary file renamed into place at the end
 *   $S             a scratch assembler file, removed at the end
 *   $OBJTOOL $OBJTOOL_ARGS $GENKSYMS $GENKSYMS_ARGS   from kobjc's options
 */
#ifndef KOBJC_H
#define KOBJC_H

/* Bump when a native step or a condition changes meaning: it is hashed. */
#define KOBJC_RECIPE_VERSION 1

#define STEP_MAX_WORDS 8
#define STEP_MAX_CONDS 2
#define STEP_MAX_FILES 2

enum phase {
	PHASE_COMPILE, /* needs only the compiler toolchain: may run remotely */
	PHASE_LOCAL,   /* needs the kernel tree's own tools or kobjc itself */
};

enum cond_op {
	COND_NONE,	 /* an unused slot: a step with none always runs */
	COND_GIVEN,	 /* kobjc's option --ARG=... was given */
	COND_ELF_SYMBOL, /* FILE has an nm-visible symbol whose name contains
			    ARG */
	COND_TEXT,	 /* FILE contains the text ARG */
};

enum native {
	NATIVE_NONE,
	NATIVE_LOCAL_EXPORT, /* scripts/check-local-export, read from the ELF */
};

enum capture {
	CAPTURE_NONE,	 /* the step's stdout goes to kobjc's stderr */
	CAPTURE_SYMVERS, /* the step's stdout is the #SYMVER lines for kbuild */
};

struct cond {
	enum cond_op op;
	const char *arg;  /* option name, symbol substring or text */
	const char *file; /* the file tested, a variable such as "$OUT" */
};

struct step {
	const char *name; /* what messages call it */
	const char *tag;  /* kbuild-style short tag */
	enum phase phase;
	struct cond when[STEP_MAX_CONDS]; /* all must hold */
	const char *argv[STEP_MAX_WORDS]; /* the command; empty for native */
	const char *pipe[STEP_MAX_WORDS]; /* reads argv's stdout, if any */
	enum native native;		  /* run in kobjc instead of argv */
	enum capture capture;		  /* what the last stdout is */
	const char *in[STEP_MAX_FILES];	  /* files read */
	const char *out[STEP_MAX_FILES];  /* files written; $OUT is checked */
};

#ifndef KOBJC_RECIPE_2009
/* Linux 6.1 scripts/Makefile.build rule_cc_o_c, x86_64, MODVERSIONS. */
static const char recipe_name[] = "kbuild-6.1";
static const struct step recipe[] = {
	{
		.name = "compile",
		.tag = "CC",
		.phase = PHASE_COMPILE,
		.argv = { "$CC", "$FLAGS", "-c", "-o", "$OUT", "$IN" },
		.in = { "$IN" },
		.out = { "$OUT" },
	},
	{
		.name = "objtool",
		.tag = "OBJTOOL",
		.phase = PHASE_LOCAL,
		.when = { { COND_GIVEN, "objtool", NULL } },
		.argv = { "$OBJTOOL", "$OBJTOOL_ARGS", "$OUT" },
		.in = { "$OUT" },
		.out = { "$OUT" },
	},
	{
		.name = "local-export check",
		.tag = "CHECK",
		.phase = PHASE_LOCAL,
		.native = NATIVE_LOCAL_EXPORT,
		.in = { "$OUT" },
	},
	{
		.name = "symbol versions",
		.tag = "GENKSYMS",
		.phase = PHASE_LOCAL,
		.when = { { COND_GIVEN, "genksyms", NULL },
			  { COND_ELF_SYMBOL, "__ksymtab", "$OUT" } },
		.argv = { "$CC", "-E", "-D__GENKSYMS__", "$FLAGS_NODEP",
			  "$IN" },
		.pipe = { "$GENKSYMS", "$GENKSYMS_ARGS" },
		.capture = CAPTURE_SYMVERS,
		.in = { "$IN" },
	},
};
#else
/* The 2009 two-step recipe (commit ad7a953c): cc -S, then assemble. */
static const char recipe_name[] = "2009-two-step";
static const struct step recipe[] = {
	{
		.name = "compile to assembler",
		.tag = "CC",
		.phase = PHASE_COMPILE,
		.argv = { "$CC", "$FLAGS", "-S", "-o", "$S", "$IN" },
		.in = { "$IN" },
		.out = { "$S" },
	},
	{
		.name = "assemble",
		.tag = "AS",
		.phase = PHASE_COMPILE,
		.argv = { "$CC", "$FLAGS_NODEP", "-c", "-o", "$OUT", "$S" },
		.in = { "$S" },
		.out = { "$OUT" },
	},
	{
		.name = "local-export check",
		.tag = "CHECK",
		.phase = PHASE_LOCAL,
		.native = NATIVE_LOCAL_EXPORT,
		.in = { "$OUT" },
	},
	{
		.name = "symbol versions",
		.tag = "GENKSYMS",
		.phase = PHASE_LOCAL,
		.when = { { COND_GIVEN, "genksyms", NULL },
			  { COND_TEXT, "__ksymtab", "$S" } },
		.argv = { "$CC", "-E", "-D__GENKSYMS__", "$FLAGS_NODEP",
			  "$IN" },
		.pipe = { "$GENKSYMS", "$GENKSYMS_ARGS" },
		.capture = CAPTURE_SYMVERS,
		.in = { "$IN" },
	},
};
#endif

#endif
