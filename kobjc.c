/*
 * kobjc: build one kernel object the way kbuild does, in one process.
 *
 * kbuild turns foo.c into foo.o with a chain of shell macros: the compile,
 * objtool, scripts/check-local-export (sh + nm + awk), and for MODVERSIONS
 * "nm | grep __ksymtab" followed by "cpp -D__GENKSYMS__ | genksyms" whose
 * #SYMVER lines end up in .foo.o.cmd. ccache can cache only the first of
 * those commands and distcc can ship only that one. kobjc holds the whole
 * chain as text in kobjc.h, one recipe per kbuild generation, so one kobjc
 * call is the unit that gets cached or shipped, and the SHA-256 of the
 * recipe's text is its version tag.
 *
 * It is invoked as
 *
 *   kobjc [options] [--] OUT.o IN.c CC [CFLAGS...]
 *
 * CC is the leading words after IN.c up to the first one starting with
 * '-'; the rest are the compiler flags (kbuild's $(c_flags)). Outputs go to
 * a temporary name in OUT's directory and are renamed into place only when
 * every step succeeded; on failure nothing is left and a stale OUT is
 * removed, as kbuild's delete-on-interrupt would.
 *
 * Exit status: 0 success; 1 a check or kobjc itself failed; 2 bad usage;
 * the failed step's own status; 126/127 a tool could not be run / found;
 * 128+N a step (or kobjc) died of signal N.
 *
 * The sections, each using those above it (the few calls the other way
 * are declared ahead, in globals and where they are needed):
 *
 *   globals, errors, buffers, sha256, ELF, quoting, programs, ccache:
 *           what everything reads, and the files and programs it reads;
 *   the job: the command line and environment, resolved once;
 *   running: the interpreter: variables, conditions, processes, steps;
 *   digests: tools and files by content, remembered by stat;
 *   cache and launcher, check mode, the object's record, why, building:
 *           the cache tag, the call backs from ccache and distcc, and
 *           what a build proves, records and installs;
 *   remote: the recipe's half on a distcc helper;
 *   the walk: the recipe first to last, for build, --explain and -E;
 *   recipe: the recipe texts of kobjc.h parsed, and checked at build;
 *   explain, kbuild, main: the commands, and main.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "kobjc.h"

#define KOBJC_VERSION "0.2"
#define MAX_TOOLS     8 /* entries of all_tools[] */

extern char **environ;

/* ---------------------------------------------------------------- globals */

/* The job as the command line gives it, the recipes, what must go on a
 * failure, and the signal state: what every section below reads. */

struct strv {
	char **v;
	size_t n, cap;
};

struct buf {
	char *s;
	size_t n, cap;
};

/* A tool as given: --NAME=PATH and its --NAME-arg=ARG words. */
struct tool_use {
	const char *path;
	struct strv args;
};

struct job {
	const struct recipe *recipe;
	char hash[65];		 /* the recipe's (check_options) */
	const char *recipe_name; /* --recipe=NAME; then the recipe's */
	const char *out;	 /* final object path */
	const char *in;		 /* source path */
	struct strv cc;		 /* compiler command words */
	char *cc_path;		 /* the compiler, found on PATH once */
	char *cc_real;		 /* and its real path */
	struct strv flags;
	struct strv plugins; /* --plugin=sha256:HEX:PATH, on a helper */
	struct tool_use tool[MAX_TOOLS]; /* indexed as all_tools[] */
	const char *symvers;   /* --symvers=FILE, or NULL for stdout */
	const char *want_hash; /* --recipe-hash=H: refuse another; then hash */
	const char *phase;     /* --phase=compile: only the compile phase */
	const char *ccache;    /* CC="ccache gcc": ccache, for the recipe */
	const char *cache;     /* what takes the whole recipe (job_wrappers) */
	const char *launcher;  /* and what its compile phase goes through */
	int clang;	       /* the compiler is clang (its options, its .d) */
	int side_files;	       /* gcc names files after -o: .dwo, .su... */
	char action;	       /* compiler mode (--cc=): 'c' or 'E' */
	int check;	       /* --check: prove a cache hit (KOBJC_CHECK) */
	int out_exists;	       /* check_job: lstat found OUT, into out_st */
	struct stat out_st;
	char *out_real; /* OUT, absolute, its directory resolved (check_job) */
};

/* The recipes parsed from recipe_texts[] (recipe_load), the first the
 * default, and every tool they name, for the command line. */
static const struct recipe *recipes[MAX_RECIPES + 1];
static const struct tool *all_tools[MAX_TOOLS + 1];

static struct log {
	int verbose;
	int time;
	FILE *log; /* where -v and --time print: stderr, or KOBJC_LOG's fd */
} opt;

/* Exit status for a kobjc asked to run another recipe: >= 128, so that
 * distcc falls back to a local build. */
#define EXIT_OTHER_RECIPE 200

/* On each object kobjc installs, for --explain: "ran MODE PATH" or
 * "restored MODE PATH" (from a ccache hit), MODE its permission bits then
 * (octal), PATH its own absolute path, so that a record on an inode shared
 * with another object (ccache's hard_link) is never taken for that one's */
#define RECORD_XATTR "user.kobjc"

static const char *argv0 = "kobjc", *argv0_full = "kobjc";
static const char *object_name = "?"; /* OUT, as messages name it */
static int quiet_compile_phase;	      /* --phase=compile: the caller tells */
static int stdout_closed;	      /* kobjc started with fd 1 closed */

static void recipe_hash(const struct recipe *rc, char hex[65]);
static const char *recipe_prints(const struct recipe *rc);

/* What must go if kobjc fails: temporaries always, outputs once started. */
static struct {
	char *tmp[4];
	size_t ntmp;
	const char *out[2];
	size_t nout;
	int started;
} trash;

static volatile sig_atomic_t caught;
static volatile sig_atomic_t forward_as_term; /* the step is ccache */
static volatile pid_t running[STEP_MAX_PROCS];
static sigset_t orig_mask;
static const int handled[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM };

/* ---------------------------------------------------------------- errors */

/* warn, fatal, usage_error, die: a message naming kobjc, then cleanup. */

static void
vwarn(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", argv0);
	vfprintf(stderr, fmt, ap);
	if (fmt[0] && fmt[strlen(fmt) - 1] == ':')
		fprintf(stderr, " %s", strerror(errno));
	fputc('\n', stderr);
}

static void
warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

static void
cleanup(void)
{
	size_t i;

	for (i = 0; i < STEP_MAX_PROCS; i++)
		if (running[i] > 0) {
			kill(running[i], SIGKILL);
			waitpid(running[i], NULL, 0);
			running[i] = 0;
		}

	for (i = 0; i < trash.ntmp; i++)
		unlink(trash.tmp[i]);
	trash.ntmp = 0;
	if (trash.started)
		for (i = 0; i < trash.nout; i++)
			unlink(trash.out[i]);
}

/* Clean up and exit with status. */
static void __attribute__((noreturn)) die(int status)
{
	cleanup();
	exit(status);
}

static void __attribute__((noreturn, format(printf, 2, 3)))
fatal(int status, const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	errno = e;
	vwarn(fmt, ap);
	va_end(ap);
	die(status);
}

#define usage_error(...) fatal(2, __VA_ARGS__)

/* Die of sig after cleaning up, so that make sees the signal. */
static void __attribute__((noreturn)) die_of_signal(int sig)
{
	sigset_t set;

	cleanup();
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	/* cppcheck-suppress unreachableCode ; if sig is blocked or ignored */
	exit(128 + sig);
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		fatal(1, "out of memory");
	return p;
}

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		fatal(1, "out of memory");
	return p;
}

static char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

static char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return strndup(path, slash - path);
}

static const char *
base_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* ---------------------------------------------------------------- buffers */

/* Growing word lists (strv) and byte buffers (buf); whole-file reads. */

static void
strv_push(struct strv *sv, const char *s)
{
	if (sv->n + 2 > sv->cap) {
		sv->cap = sv->cap ? 2 * sv->cap : 16;
		sv->v = xrealloc(sv->v, sv->cap * sizeof(*sv->v));
	}
	sv->v[sv->n++] = (char *)s;
	sv->v[sv->n] = NULL;
}

/* Free a list's words and the list. */
static void
strv_free(struct strv *sv)
{
	while (sv->n)
		free(sv->v[--sv->n]);
	free(sv->v);
	sv->v = NULL;
	sv->cap = 0;
}

/* Make room for n more bytes and a NUL. */
static void
buf_reserve(struct buf *b, size_t n)
{
	if (b->n + n + 1 <= b->cap)
		return;
	b->cap = b->cap ? b->cap : 256;
	while (b->n + n + 1 > b->cap)
		b->cap *= 2;
	b->s = xrealloc(b->s, b->cap);
}

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Formatted into the room b has; formatted again only when it needs more. */
static void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list again;
	size_t room;
	int n;

	buf_reserve(b, 0);
	room = b->cap - b->n;
	va_copy(again, ap);
	n = vsnprintf(b->s + b->n, room, fmt, ap);
	if (n < 0)
		fatal(1, "formatting failed");
	if ((size_t)n >= room) {
		buf_reserve(b, n);
		vsnprintf(b->s + b->n, n + 1, fmt, again);
	}
	va_end(again);
	b->n += n;
}

static void __attribute__((format(printf, 2, 3)))
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

static char *__attribute__((format(printf, 1, 2)))
xasprintf(const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return b.s;
}

/* The start of the line after the one at p (p..e), or e. */
static const char *
line_end(const char *p, const char *e)
{
	const char *nl = memchr(p, '\n', e - p);

	return nl ? nl + 1 : e;
}

/* Append everything readable from fd to b; returns -1 with errno set. */
static int
read_fd(int fd, struct buf *b)
{
	char chunk[65536];

	for (;;) {
		ssize_t r = read(fd, chunk, sizeof(chunk));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		buf_add(b, chunk, r);
	}
	buf_add(b, "", 0);
	return 0;
}

/* Read a whole file; returns -1 with errno set on failure. */
static int
read_file(const char *path, struct buf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r, e;

	if (fd < 0)
		return -1;
	r = read_fd(fd, b);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

static int
write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		s += w;
		n -= w;
	}
	return 0;
}

/* ---------------------------------------------------------------- sha256 */

/* FIPS 180-4, section 6.2. */
struct sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char block[64];
	size_t fill;
};

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void
sha256_init(struct sha256 *c)
{
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(c->h, h0, sizeof(h0));
	c->len = 0;
	c->fill = 0;
}

static void
sha256_block(struct sha256 *c, const unsigned char *p)
{
	uint32_t w[64], a, b, d, e, f, g, h, cc;
	size_t i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 64; i++)
		w[i] = (ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^
			(w[i - 2] >> 10)) +
		       w[i - 7] +
		       (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^
			(w[i - 15] >> 3)) +
		       w[i - 16];
	a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3];
	e = c->h[4], f = c->h[5], g = c->h[6], h = c->h[7];
	for (i = 0; i < 64; i++) {
		uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
			      ((e & f) ^ (~e & g)) + sha256_k[i] + w[i];
		uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
			      ((a & b) ^ (a & cc) ^ (b & cc));
		h = g, g = f, f = e, e = d + t1;
		d = cc, cc = b, b = a, a = t1 + t2;
	}
	c->h[0] += a, c->h[1] += b, c->h[2] += cc, c->h[3] += d;
	c->h[4] += e, c->h[5] += f, c->h[6] += g, c->h[7] += h;
}

static void
sha256_update(struct sha256 *c, const void *data, size_t n)
{
	const unsigned char *p = data;

	c->len += n;
	while (n > 0) {
		size_t k = 64 - c->fill < n ? 64 - c->fill : n;
		memcpy(c->block + c->fill, p, k);
		c->fill += k, p += k, n -= k;
		if (c->fill == 64) {
			sha256_block(c, c->block);
			c->fill = 0;
		}
	}
}

/* Writes the digest as 64 lowercase hex digits and a NUL to hex. */
static void
sha256_final(struct sha256 *c, char hex[65])
{
	uint64_t bits = c->len * 8;
	unsigned char pad = 0x80, len[8];
	size_t i;

	sha256_update(c, &pad, 1);
	pad = 0;
	while (c->fill != 56)
		sha256_update(c, &pad, 1);
	for (i = 0; i < 8; i++)
		len[i] = bits >> (56 - 8 * i);
	sha256_update(c, len, 8);
	for (i = 0; i < 8; i++)
		snprintf(hex + 8 * i, 9, "%08x", (unsigned)c->h[i]);
}

/* ---------------------------------------------------------------- ELF */

/*
 * A bounds-checked reader for what the native steps need: the symbol table
 * of a relocatable object, ELF32 or ELF64, either byte order. Every offset
 * is checked against the file's size before it is read.
 */
struct elf {
	const unsigned char *p;
	size_t size;
	int is64, msb;
	size_t shoff, shnum, shentsize;
	size_t symoff, symsize, symentsize;
	size_t stroff, strsize;
	size_t shstrndx; /* the section names' string table */
};

struct elf_sym {
	const char *name;
	unsigned bind, type, shndx;
};

static uint64_t
elf_get(const struct elf *e, size_t off, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)e->p[off + (e->msb ? n - 1 - i : i)] << (8 * i);
	return v;
}

/* Does [off, off + len) lie within the file? */
static int
elf_within(const struct elf *e, uint64_t off, uint64_t len)
{
	return off <= e->size && len <= e->size - off;
}

/* Field of section header i: 32-bit offset o32 / 64-bit o64, width w32/w64. */
static uint64_t
elf_shdr(const struct elf *e, size_t i, int o32, int w32, int o64, int w64)
{
	size_t base = e->shoff + i * e->shentsize;

	return e->is64 ? elf_get(e, base + o64, w64)
		       : elf_get(e, base + o32, w32);
}

#define SH_TYPE(e, i)	 elf_shdr(e, i, 4, 4, 4, 4)
#define SH_OFFSET(e, i)	 elf_shdr(e, i, 16, 4, 24, 8)
#define SH_SIZE(e, i)	 elf_shdr(e, i, 20, 4, 32, 8)
#define SH_LINK(e, i)	 elf_shdr(e, i, 24, 4, 40, 4)
#define SH_ENTSIZE(e, i) elf_shdr(e, i, 36, 4, 56, 8)

static const char *elf_symtab(struct elf *e, size_t i);

/* Parse p[0..size); returns NULL or a description of what is wrong. */
static const char *
elf_parse(struct elf *e, const unsigned char *p, size_t size)
{
	size_t i, symtab = 0;
	uint64_t off;

	memset(e, 0, sizeof(*e));
	e->p = p;
	e->size = size;
	if (size < EI_NIDENT || memcmp(p, ELFMAG, SELFMAG) != 0)
		return "not an ELF file";
	if (p[EI_CLASS] != ELFCLASS32 && p[EI_CLASS] != ELFCLASS64)
		return "unknown ELF class";
	if (p[EI_DATA] != ELFDATA2LSB && p[EI_DATA] != ELFDATA2MSB)
		return "unknown ELF byte order";
	e->is64 = p[EI_CLASS] == ELFCLASS64;
	e->msb = p[EI_DATA] == ELFDATA2MSB;
	if (size < (e->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
		return "truncated ELF header";
	off = e->is64 ? elf_get(e, 40, 8) : elf_get(e, 32, 4);
	e->shentsize = e->is64 ? elf_get(e, 58, 2) : elf_get(e, 46, 2);
	e->shnum = e->is64 ? elf_get(e, 60, 2) : elf_get(e, 48, 2);
	if (off == 0)
		return "no section headers";
	if (e->shentsize != (e->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)))
		return "bad section header size";
	if (!elf_within(e, off, e->shentsize))
		return "section headers past the end of the file";
	e->shoff = off;
	if (e->shnum == 0) /* extended numbering: the count is in section 0 */
		e->shnum = SH_SIZE(e, 0);
	if (e->shnum == 0 || e->shnum > (e->size - off) / e->shentsize)
		return "section headers past the end of the file";
	e->shstrndx = e->is64 ? elf_get(e, 62, 2) : elf_get(e, 50, 2);
	if (e->shstrndx == SHN_XINDEX)
		e->shstrndx = SH_LINK(e, 0);
	for (i = 1; i < e->shnum; i++) {
		if (SH_TYPE(e, i) == SHT_NOBITS)
			continue;
		if (!elf_within(e, SH_OFFSET(e, i), SH_SIZE(e, i)))
			return "section data past the end of the file";
		if (SH_TYPE(e, i) == SHT_SYMTAB && !symtab)
			symtab = i;
	}
	return symtab ? elf_symtab(e, symtab) : NULL; /* nm: no symbols */
}

/* The symbol table, section i, and its strings; NULL or what is wrong. */
static const char *
elf_symtab(struct elf *e, size_t i)
{
	uint64_t len;

	e->symoff = SH_OFFSET(e, i);
	e->symsize = SH_SIZE(e, i);
	e->symentsize = SH_ENTSIZE(e, i);
	if (e->symentsize != (e->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym)))
		return "bad symbol table entry size";
	i = SH_LINK(e, i);
	if (i == 0 || i >= e->shnum || SH_TYPE(e, i) != SHT_STRTAB)
		return "symbol table has no string table";
	e->stroff = SH_OFFSET(e, i);
	len = SH_SIZE(e, i);
	if (e->stroff < e->symoff + e->symsize && e->symoff < e->stroff + len)
		return "symbol table overlaps its string table";
	if (len == 0 || e->p[e->stroff + len - 1] != '\0')
		return "string table not terminated";
	e->strsize = len;
	for (i = 1; i < e->symsize / e->symentsize; i++)
		if (elf_get(e, e->symoff + i * e->symentsize, 4) >= len)
			return "symbol name past the end of the string table";
	return NULL;
}

static size_t
elf_nsyms(const struct elf *e)
{
	return e->symentsize ? e->symsize / e->symentsize : 0;
}

/* Symbol i; returns NULL or a description of what is wrong. */
static const char *
elf_symbol(const struct elf *e, size_t i, struct elf_sym *s)
{
	size_t base = e->symoff + i * e->symentsize;
	uint64_t name;
	unsigned info;

	name = elf_get(e, base, 4);
	info = e->p[base + (e->is64 ? 4 : 12)];
	s->shndx = elf_get(e, base + (e->is64 ? 6 : 14), 2);
	s->bind = info >> 4;
	s->type = info & 0xf;
	if (name >= e->strsize)
		return "symbol name past the end of the string table";
	s->name = (const char *)e->p + e->stroff + name;
	return NULL;
}

/* Section i's name; "" if it has none. */
static const char *
elf_section_name(const struct elf *e, size_t i)
{
	size_t s = e->shstrndx, name = elf_shdr(e, i, 0, 4, 0, 4), len;
	const char *t;

	if (!s || s >= e->shnum || SH_TYPE(e, s) != SHT_STRTAB)
		return "";
	t = (const char *)e->p + SH_OFFSET(e, s);
	len = SH_SIZE(e, s);
	return name < len && memchr(t + name, '\0', len - name) ? t + name : "";
}

/* Symbols nm(1) lists without -a: not the null, section or file ones. */
static int
nm_visible(const struct elf_sym *s)
{
	return s->name[0] && s->type != STT_SECTION && s->type != STT_FILE;
}

/* nm's letter for a defined symbol is lowercase: local, unique or ifunc. */
static int
nm_lowercase(const struct elf_sym *s)
{
	return s->bind == STB_LOCAL || s->bind == STB_GNU_UNIQUE ||
	       s->type == STT_GNU_IFUNC;
}

/* An object file loaded and parsed; path names it in messages. */
struct object {
	const char *path;
	struct buf data;
	struct elf elf;
};

/* Load path; returns NULL or a description of what is wrong. */
static const char *
object_load(struct object *o, const char *path)
{
	struct stat st;
	const char *err;

	o->path = path;
	o->data.n = 0;
	if (stat(path, &st) < 0)
		return strerror(errno);
	if (!S_ISREG(st.st_mode)) /* a FIFO would block, /dev/zero never end */
		return "not a regular file";
	if (read_file(path, &o->data) < 0)
		return strerror(errno);
	if (o->data.n == 0)
		return "empty file";
	err = elf_parse(&o->elf, (const unsigned char *)o->data.s, o->data.n);
	if (err)
		return err;
	return NULL;
}

/* Is there an nm-visible symbol whose name contains needle (or, with
 * prefix, starts with it)? */
static const char *
object_has_symbol(const struct object *o, const char *needle, int prefix,
		  int *found)
{
	struct elf_sym s;
	size_t i;

	*found = 0;
	for (i = 1; i < elf_nsyms(&o->elf); i++) {
		const char *err = elf_symbol(&o->elf, i, &s);

		if (err)
			return err;
		if (nm_visible(&s) &&
		    (prefix ? !strncmp(s.name, needle, strlen(needle))
			    : strstr(s.name, needle) != NULL)) {
			*found = 1;
			break;
		}
	}
	return NULL;
}

struct defsym {
	const char *name;
	int local;
};

static int
defsym_cmp(const void *a, const void *b)
{
	return strcmp(((const struct defsym *)a)->name,
		      ((const struct defsym *)b)->name);
}

/*
 * scripts/check-local-export: every EXPORTNAME (__ksymtab_NAME in 6.1)
 * must not name a symbol that nm prints in lowercase. Undefined symbols are
 * ignored, as the awk script skips nm lines without a value. Prints kbuild's
 * message for each offender as `shown: error: local symbol NAME was exported`;
 * returns the number of offenders, or -1 after printing a description of bad
 * input.
 */
static int
check_local_export(const struct object *o, const char *shown,
		   const char *exports, size_t *nexports)
{
	size_t plen = strlen(exports);
	struct defsym *defs, key, *hit;
	struct elf_sym s;
	size_t i, j, n = 0, nsyms = elf_nsyms(&o->elf);
	int bad = 0;

	*nexports = 0;
	defs = xmalloc(nsyms * sizeof(*defs));
	for (i = 1; i < nsyms; i++) {
		const char *err = elf_symbol(&o->elf, i, &s);

		if (err) {
			warn("%s: %s", shown, err);
			free(defs);
			return -1;
		}
		if (nm_visible(&s) && s.shndx != SHN_UNDEF) {
			defs[n].name = s.name;
			defs[n++].local = nm_lowercase(&s);
		}
	}
	qsort(defs, n, sizeof(*defs), defsym_cmp);
	/* a name is local if any of its definitions is: mark them all */
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && !strcmp(defs[j].name, defs[i].name);
		     j++)
			defs[i].local |= defs[j].local;
		while (++i < j)
			defs[i].local = defs[i - 1].local;
	}
	for (i = 0; i < n; i++) {
		if (strncmp(defs[i].name, exports, plen) != 0)
			continue;
		++*nexports;
		key.name = defs[i].name + plen;
		hit = bsearch(&key, defs, n, sizeof(*defs), defsym_cmp);
		if (hit && hit->local) {
			fprintf(stderr,
				"%s: error: local symbol %s was exported\n",
				shown, key.name);
			bad++;
		}
	}
	free(defs);
	return bad;
}

/* ---------------------------------------------------------------- quoting */

/* Commands as sh reads them: quoted for V=1, split from a .cmd file. */

/* Append word to b quoted for sh, only where it needs it. */
static void
shell_quote(struct buf *b, const char *w)
{
	const char *p;

	if (*w &&
	    strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789_-+=./,:@%^") == strlen(w)) {
		buf_puts(b, w);
		return;
	}
	buf_puts(b, "'");
	for (p = w; *p; p++) {
		if (*p == '\'')
			buf_puts(b, "'\\''");
		else
			buf_add(b, p, 1);
	}
	buf_puts(b, "'");
}

static void
shell_join(struct buf *b, char *const *argv)
{
	size_t i;

	for (i = 0; argv && argv[i]; i++) {
		if (i)
			buf_puts(b, " ");
		shell_quote(b, argv[i]);
	}
}

/*
 * Split a saved kbuild command into words as sh would: quotes and
 * backslashes, no expansions. Stops at an unquoted ; | & < > or newline.
 * Returns NULL or a description of what is wrong.
 */
static const char *
shell_split(const char *s, struct strv *words)
{
	struct buf w = { 0 };
	int inword = 0;

	for (;; s++) {
		if (!*s || strchr(" \t\n;|&<>", *s)) {
			if (inword) {
				strv_push(words, xstrdup(w.s));
				w.n = 0;
				inword = 0;
			}
			if (!*s || (*s != ' ' && *s != '\t'))
				break;
			continue;
		}
		inword = 1;
		buf_add(&w, "", 0);
		if (*s == '\'') {
			const char *e = strchr(s + 1, '\'');

			if (!e)
				return "unterminated ' quote";
			buf_add(&w, s + 1, e - s - 1);
			s = e;
		} else if (*s == '"') {
			for (s++; *s && *s != '"'; s++) {
				if (*s == '\\' && s[1] &&
				    strchr("$`\"\\\n", s[1]))
					s++;
				buf_add(&w, s, 1);
			}
			if (!*s)
				return "unterminated \" quote";
		} else if (*s == '\\' && s[1]) {
			buf_add(&w, ++s, 1);
		} else {
			buf_add(&w, s, 1);
		}
	}
	free(w.s);
	return NULL;
}

/* ---------------------------------------------------------------- programs */

/* Programs found on PATH (past ccache's and distcc's masquerade links),
 * this kobjc's own path, the cache in front of CC. */

/* "ccache" or "distcc" when file is one of them, under any name: a
 * masquerade link such as /usr/lib/ccache/gcc; NULL otherwise. Its real
 * path in *real if asked for. */
static const char *
wrapper_of(const char *file, char **real)
{
	static const char *const wrappers[] = { "ccache", "distcc", NULL };
	char *r = realpath(file, NULL);
	const char *w = NULL;
	size_t i;

	for (i = 0; r && wrappers[i]; i++)
		if (!strcmp(base_of(r), wrappers[i]))
			w = wrappers[i];
	if (real)
		*real = r;
	else
		free(r);
	return w;
}

/* The file exec would run for name, searching PATH; NULL if none. With
 * skip_wrappers, ccache or distcc under another name is passed over, as
 * ccache finds the compiler behind its own masquerade link. */
static char *
find_program_in(const char *name, int skip_wrappers, const char *path)
{
	const char *p, *e;
	struct stat st;
	char *f = NULL;

	if (strchr(name, '/'))
		return xstrdup(name);
	for (p = path ? path : "/usr/bin:/bin"; *p; p = *e ? e + 1 : e) {
		e = strchr(p, ':');
		if (!e)
			e = p + strlen(p);
		f = xasprintf("%.*s%s%s", (int)(e - p), p, e > p ? "/" : "",
			      name);
		if (stat(f, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(f, X_OK) == 0 &&
		    !(skip_wrappers && wrapper_of(f, NULL)))
			break;
		free(f);
		f = NULL;
	}
	return f;
}

static char *
find_program(const char *name, int skip_wrappers)
{
	return find_program_in(name, skip_wrappers, getenv("PATH"));
}

/* This kobjc's own path, for ccache and distcc to call back. */
static const char *
self_path(void)
{
	static char path[PATH_MAX];
	static ssize_t n;

	if (!n) /* once: the tag, the callback and the launcher ask */
		n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0 || (size_t)n >= sizeof(path) - 1)
		return argv0_full;
	path[n] = '\0';
	return path;
}

static const char *
getenv_set(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* Is the cache command ccache? */
static int
is_ccache(const char *cache)
{
	size_t n = strcspn(cache, " \t");
	const char *slash = memrchr(cache, '/', n);

	n -= slash ? (size_t)(slash + 1 - cache) : 0;
	return n == 6 && !strncmp(slash ? slash + 1 : cache, "ccache", 6);
}

/* ---------------------------------------------------------------- ccache */

/*
 * The few ccache settings that change what kobjc must do, read as ccache
 * 4.x reads them: CCACHE_CONFIGPATH alone, or /etc/ccache.conf and then
 * the primary ccache.conf (in CCACHE_DIR, cache_dir, ~/.ccache or the XDG
 * config directory); a CCACHE_* variable, even empty, wins over both.
 */
enum { CC_PATH, CC_COMPILER, CC_PREFIX, CC_UMASK, CC_DIR, CC_NKEYS };

static const char *const ccache_keys[][2] = {
	[CC_PATH] = { "path", "CCACHE_PATH" },
	[CC_COMPILER] = { "compiler", "CCACHE_COMPILER" },
	[CC_PREFIX] = { "prefix_command", "CCACHE_PREFIX" },
	[CC_UMASK] = { "umask", "CCACHE_UMASK" },
	[CC_DIR] = { "cache_dir", "CCACHE_DIR" },
};

static struct {
	int read;
	char *value[CC_NKEYS];
} ccache_conf;

static char *
trim(char *s)
{
	char *e = s + strlen(s);

	s += strspn(s, " \t");
	while (e > s && strchr(" \t\r", e[-1]))
		*--e = '\0';
	return s;
}

static void
ccache_conf_file(const char *file)
{
	struct buf text = { 0 };
	char *line, *next, *eq;
	struct stat st;
	size_t k;

	if (stat(file, &st) < 0 || !S_ISREG(st.st_mode) ||
	    read_file(file, &text) < 0)
		return;
	for (line = text.s; line; line = next) {
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		line = trim(line);
		if (*line == '#' || !(eq = strchr(line, '=')))
			continue;
		*eq = '\0';
		for (k = 0; k < CC_NKEYS; k++)
			if (!strcmp(trim(line), ccache_keys[k][0])) {
				free(ccache_conf.value[k]);
				ccache_conf.value[k] = xstrdup(trim(eq + 1));
			}
	}
	free(text.s);
}

/* ccache's setting k, or NULL when it is unset or empty. */
static const char *
ccache_setting(int k)
{
	const char *v, *home = getenv("HOME");
	char *f, *legacy;
	struct stat st;
	size_t i;

	if (!ccache_conf.read++) {
		if ((v = getenv("CCACHE_CONFIGPATH"))) {
			ccache_conf_file(v);
		} else {
			ccache_conf_file("/etc/ccache.conf");
			legacy = xasprintf("%s/.ccache", home ? home : "");
			if (((v = getenv("CCACHE_DIR")) && *v) ||
			    ((v = ccache_conf.value[CC_DIR]) && *v))
				f = xasprintf("%s/ccache.conf", v);
			else if (stat(legacy, &st) == 0 && S_ISDIR(st.st_mode))
				f = xasprintf("%s/ccache.conf", legacy);
			else if ((v = getenv("XDG_CONFIG_HOME")) && *v)
				f = xasprintf("%s/ccache/ccache.conf", v);
			else
				f = xasprintf("%s/.config/ccache/ccache.conf",
					      home ? home : "");
			ccache_conf_file(f);
			free(f);
			free(legacy);
		}
		for (i = 0; i < CC_NKEYS; i++)
			if ((v = getenv(ccache_keys[i][1]))) {
				free(ccache_conf.value[i]);
				ccache_conf.value[i] = xstrdup(v);
			}
	}
	v = ccache_conf.value[k];
	return v && *v ? v : NULL;
}

/* The umask ccache creates its files with: kobjc's digest file is shared
 * with the same users. */
static mode_t
ccache_umask(void)
{
	const char *v = ccache_setting(CC_UMASK);
	mode_t mask = umask(0);

	umask(mask);
	return v ? (mode_t)strtoul(v, NULL, 8) & 0777 : mask;
}

/* ---------------------------------------------------------------- the job */

/* The command line and environment into a job: options, operands, the
 * compiler behind any wrapper, its flags and side files; checked before
 * anything is touched. */

static const char *
opt_value(const char *arg, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(arg, name, n) != 0)
		return NULL;
	if (arg[n] == '\0')
		usage_error("option %s needs a value: %s=VALUE", name, name);
	if (arg[n] != '=')
		return NULL;
	if (arg[n + 1] == '\0')
		usage_error("option %s has an empty value", name);
	return arg + n + 1;
}

static void
set_once(const char **slot, const char *value, const char *name)
{
	if (*slot)
		usage_error("option %s given twice", name);
	*slot = value;
}

/* --NAME=PATH or --NAME-arg=ARG of one of all_tools[]; 0 if neither. */
static int
parse_tool_option(struct job *j, const char *a)
{
	char name[64];
	size_t i;

	for (i = 0; all_tools[i]; i++) {
		const char *v;

		snprintf(name, sizeof(name), "--%s", all_tools[i]->name);
		if ((v = opt_value(a, name))) {
			set_once(&j->tool[i].path, v, name);
			return 1;
		}
		snprintf(name, sizeof(name), "--%s-arg", all_tools[i]->name);
		if ((v = opt_value(a, name))) {
			strv_push(&j->tool[i].args, v);
			return 1;
		}
	}
	return 0;
}

/* A path a helper can make in a directory of its own: relative, without
 * "..". */
static int
plain_relative(const char *p)
{
	return *p && *p != '/' && !strstr(p, "..");
}

static int is_digest(const char *v);

/* "sha256:" and 64 hex digits (is_digest) */
#define DIGEST_LEN (7 + 64)

/* The PATH of a --plugin=sha256:HEX:PATH value (add_plugin checked it). */
static const char *
plugin_path(const char *v)
{
	return v + DIGEST_LEN + 1;
}

/* --plugin=sha256:HEX:PATH (a client's kobjc sends it to a helper for
 * -fplugin=PATH, in its place among the flags): -fplugin=PATH, the
 * plugin found by digest in the helper's tool store (remote_half). */
static void
add_plugin(struct job *j, const char *v)
{
	char *d = strndup(v, DIGEST_LEN);

	if (!is_digest(d) || v[DIGEST_LEN] != ':' ||
	    !plain_relative(plugin_path(v)))
		usage_error("--plugin=%s: not sha256:DIGEST:RELATIVE-PATH", v);
	free(d);
	strv_push(&j->plugins, v);
	strv_push(&j->flags, xasprintf("-fplugin=%s", plugin_path(v)));
}

/*
 * kobjc's own options, one row each: parse_option reads it, --help prints
 * it, and a wrapper's call back is given again the ones marked forward, as
 * the job resolved them (callback_options). The tools' --NAME and
 * --NAME-arg come from the recipes (parse_tool_option).
 */
enum opt_kind {
	OPT_FLAG,   /* an int of the job */
	OPT_LOG,    /* an int of opt: where -v and --time print */
	OPT_ONCE,   /* a const char * of the job, given at most once */
	OPT_LIST,   /* a struct strv of the job, one word each time */
	OPT_PLUGIN, /* add_plugin */
};

#define IN_JOB(f) offsetof(struct job, f)
#define IN_OPT(f) offsetof(struct log, f)

static const struct option {
	/* arg: what --help shows as its value (a row each for some); help
	 * NULL: --help shows it only as another name of the row before */
	const char *name, *arg, *help;
	size_t off;
	enum opt_kind kind;
	int forward;
} options[] = {
	{ "--cc", "WORD", NULL, IN_JOB(cc), OPT_LIST, 1 },
	{ "--recipe", "NAME", "the kbuild generation", IN_JOB(recipe_name),
	  OPT_ONCE, 1 },
	{ "--symvers", "FILE", "write #SYMVER lines to FILE, not stdout",
	  IN_JOB(symvers), OPT_ONCE, 0 },
	{ "-v", NULL, "print every step as a shell command", IN_OPT(verbose),
	  OPT_LOG, 0 },
	{ "--verbose", NULL, NULL, IN_OPT(verbose), OPT_LOG, 0 },
	{ "--time", NULL, "print each step's wall time", IN_OPT(time), OPT_LOG,
	  0 },
	{ "--check", NULL, "build a cache hit again, uncached, and compare",
	  IN_JOB(check), OPT_FLAG, 0 },
	{ "--recipe-hash", "HEX",
	  "run only if the recipe's hash is HEX (exit 200)", IN_JOB(want_hash),
	  OPT_ONCE, 1 },
	{ "--phase", "compile", "only the compile phase (distcc's side)",
	  IN_JOB(phase), OPT_ONCE, 0 },
	{ "--phase", "remote", "a distcc helper's side of the whole recipe",
	  IN_JOB(phase), OPT_ONCE, 0 },
	{ "--plugin", "sha256:HEX:PATH", NULL, 0, OPT_PLUGIN, 0 },
};

/* One of kobjc's own options; returns 0 if a is not one. */
static int
parse_option(struct job *j, const char *a)
{
	const struct option *o;
	size_t i;

	for (i = 0; i < sizeof(options) / sizeof(*options); i++) {
		const char *v;
		char *at;

		o = &options[i];
		at = (o->kind == OPT_LOG ? (char *)&opt : (char *)j) + o->off;
		if (!o->arg && !strcmp(a, o->name)) {
			*(int *)(void *)at = 1; /* OPT_FLAG, OPT_LOG */
			return 1;
		}
		if (!o->arg || !(v = opt_value(a, o->name)))
			continue;
		if (o->kind == OPT_ONCE)
			set_once((const char **)(void *)at, v, o->name);
		else if (o->kind == OPT_LIST)
			strv_push((struct strv *)(void *)at, v);
		else
			add_plugin(j, v);
		return 1;
	}
	return parse_tool_option(j, a);
}

/* The recipe called name; NULL for the default. */
static const struct recipe *
find_recipe(const char *name)
{
	struct buf known = { 0 };
	size_t i;

	if (!name)
		return recipes[0];
	for (i = 0; recipes[i]; i++) {
		if (!strcmp(recipes[i]->name, name))
			return recipes[i];
		buf_printf(&known, "%s%s", i ? ", " : "", recipes[i]->name);
	}
	usage_error("unknown recipe '%s' (this kobjc has %s)", name, known.s);
}

/* Does recipe rc run all_tools[i]? */
static int
recipe_runs(const struct recipe *rc, size_t i)
{
	size_t k;

	for (k = 0; k < RECIPE_MAX_TOOLS && rc->tools[k]; k++)
		if (rc->tools[k] == all_tools[i])
			return 1;
	return 0;
}

static void
check_options(struct job *j)
{
	size_t i;

	j->recipe = find_recipe(j->recipe_name);
	recipe_hash(j->recipe, j->hash);
	/* as a call back is given them (options[].forward) */
	j->recipe_name = j->recipe->name;
	if (!j->want_hash)
		j->want_hash = j->hash;
	for (i = 0; all_tools[i]; i++) {
		const char *name = all_tools[i]->name;

		if (j->tool[i].args.n && !j->tool[i].path)
			usage_error("--%s-arg given without --%s", name, name);
		if (j->tool[i].path && !recipe_runs(j->recipe, i))
			usage_error("--%s given, but recipe %s runs no %s",
				    name, j->recipe->name, name);
	}
	if (j->phase && strcmp(j->phase, "compile") != 0 &&
	    strcmp(j->phase, "remote") != 0)
		usage_error("unknown phase '%s' (--phase=compile or remote)",
			    j->phase);
}

/* Is the compiler clang (as ccache's compiler_type tells, by its name)? */
static int
is_clang(const struct job *j)
{
	return !!strstr(base_of(j->cc_real ? j->cc_real : j->cc.v[j->cc.n - 1]),
			"clang");
}

/* The dependency-file options, as dep_option tells them. */
enum dep { DEP_NONE, DEP_MD, DEP_MP, DEP_WP, DEP_MF, DEP_MT };

/*
 * The dependency-file option flags[i] is, if any: -MD or -MMD, -MP,
 * -Wp,-MD,F or -Wp,-MMD,F, -MF[F], -MT[T] or -MQ[T]. *skip is 1 when
 * its value is the next word; the file it names (or NULL) goes into *file
 * if file is not NULL.
 */
static enum dep
dep_option(char *const *flags, size_t i, const char **file, size_t *skip)
{
	const char *f = flags[i], *ignored;

	if (!file)
		file = &ignored;
	*file = NULL;
	*skip = 0;
	if (!strcmp(f, "-MD") || !strcmp(f, "-MMD"))
		return DEP_MD;
	if (!strcmp(f, "-MP"))
		return DEP_MP;
	if (!strncmp(f, "-Wp,-MD,", 8) || !strncmp(f, "-Wp,-MMD,", 9)) {
		*file = strchr(f + 4, ',') + 1;
		return DEP_WP;
	}
	if (f[0] != '-' || f[1] != 'M' || !f[2] || !strchr("FTQ", f[2]))
		return DEP_NONE;
	*skip = !f[3] && flags[i + 1];
	if (f[2] != 'F')
		return DEP_MT;
	*file = f[3] ? f + 3 : *skip ? flags[i + 1] : NULL;
	return DEP_MF;
}

/* The compiler flags less the dependency-file options, into out. */
static void
flags_nodep(const struct job *j, struct strv *out)
{
	size_t i, skip;

	for (i = 0; i < j->flags.n; i++)
		if (dep_option(j->flags.v, i, NULL, &skip))
			i += skip;
		else
			strv_push(out, j->flags.v[i]);
}

/*
 * With driver-level -MD/-MMD, gcc names the .d file and its target after
 * -o, which for kobjc is a temporary. Give them the names a direct compile
 * has: -MF OUT.d -MQ OUT. In compiler mode, where distcc has turned
 * kbuild's -Wp,-MMD,F into -MMD -MF F, the target -Wp,-MMD gives:
 * "foo.o" for dir/foo.c. clang names the target of -Wp,-MMD,F after -o
 * too: -MQ OUT.
 */
static void
fix_dep_flags(struct job *j, int compiler_mode)
{
	const char *name = compiler_mode ? base_of(j->in) : j->out;
	const char *dot = strrchr(base_of(name), '.');
	int len = dot ? (int)(dot - name) : (int)strlen(name);
	int seen[DEP_MT + 1] = { 0 };
	size_t i, skip;

	for (i = 0; i < j->flags.n; i++)
		seen[dep_option(j->flags.v, i, NULL, &skip)] = 1;
	if (seen[DEP_WP] && !seen[DEP_MD] && !seen[DEP_MT] && !compiler_mode &&
	    j->clang) {
		strv_push(&j->flags, "-MQ");
		strv_push(&j->flags, j->out);
	}
	if (!seen[DEP_MD])
		return;
	if (!seen[DEP_MF] && !compiler_mode) {
		strv_push(&j->flags, "-MF");
		strv_push(&j->flags, xasprintf("%.*s.d", len, name));
	}
	if (!seen[DEP_MT]) {
		strv_push(&j->flags, "-MQ");
		strv_push(&j->flags, compiler_mode
					     ? xasprintf("%.*s.o", len, name)
					     : name);
	}
}

/* path, absolute: from the working directory if it is relative */
static char *
absolute(const char *path)
{
	char *cwd, *abs;

	if (path[0] == '/')
		return xstrdup(path);
	if (!(cwd = getcwd(NULL, 0)))
		fatal(1, "the working directory:");
	abs = xasprintf("%s/%s", cwd, path);
	free(cwd);
	return abs;
}

/* OUT as --explain's record and --why name it: absolute, its directory
 * resolved; NULL if that cannot be resolved. */
static char *
record_path(const char *out)
{
	char *d = dir_of(out), *real = realpath(d, NULL), *p = NULL;

	if (real)
		p = xasprintf("%s%s%s", real, strcmp(real, "/") ? "/" : "",
			      base_of(out));
	free(real);
	free(d);
	return p;
}

/* Give clang's compiler proper (-Xclang) the name of a side file. */
static void
clang_side_file(struct job *j, const char *option, char *name)
{
	strv_push(&j->flags, "-Xclang");
	strv_push(&j->flags, option);
	strv_push(&j->flags, "-Xclang");
	strv_push(&j->flags, name);
}

/*
 * clang has no -dumpbase (before clang 17, no -dumpdir either): its driver
 * names side files after -o, so kobjc names them after OUT (stem: OUT
 * less its suffix) to its compiler proper, as clang's driver would for a
 * direct compile: split DWARF's .dwo (-gsplit-dwarf=single: the object
 * itself), -fstack-usage's .su, gcov's .gcno and .gcda (made absolute).
 * -save-temps' files are not renamed.
 */
static void
clang_side_files(struct job *j, char *stem)
{
	int debug = 0, split = 0, stack_usage = 0, notes = 0, data = 0;
	char *abs = absolute(stem);
	size_t i;

	for (i = 0; i < j->flags.n; i++) {
		const char *f = j->flags.v[i];

		if (!strncmp(f, "-g", 2) && !strncmp(f, "-gsplit-dwarf", 13))
			split = strcmp(f, "-gsplit-dwarf=single") ? 1 : 2;
		else if (!strcmp(f, "-gno-split-dwarf"))
			split = 0;
		else if (!strcmp(f, "-g0"))
			debug = 0;
		else if (!strcmp(f, "-g") || !strncmp(f, "-ggdb", 5) ||
			 !strncmp(f, "-gdwarf", 7) ||
			 (f[0] == '-' && f[1] == 'g' && strchr("123", f[2]) &&
			  f[2] && !f[3]) ||
			 !strcmp(f, "-gline-tables-only") ||
			 !strcmp(f, "-gmlt"))
			debug = 1;
		stack_usage |= !strcmp(f, "-fstack-usage");
		notes |= !strcmp(f, "-ftest-coverage");
		data |= !strcmp(f, "--coverage") ||
			!strcmp(f, "-fprofile-arcs");
	}
	if (debug && split == 2)
		clang_side_file(j, "-split-dwarf-file", xstrdup(j->out));
	if (debug && split == 1) {
		clang_side_file(j, "-split-dwarf-file",
				xasprintf("%s.dwo", stem));
		clang_side_file(j, "-split-dwarf-output",
				xasprintf("%s.dwo", stem));
	}
	if (stack_usage)
		clang_side_file(j, "-stack-usage-file",
				xasprintf("%s.su", stem));
	if (notes || data)
		clang_side_file(j, "-coverage-notes-file",
				xasprintf("%s.gcno", abs));
	if (data)
		clang_side_file(j, "-coverage-data-file",
				xasprintf("%s.gcda", abs));
	free(abs);
	free(stem);
}

/*
 * Flags with which gcc writes files named after -o: split DWARF (.dwo,
 * also named in the object), -fstack-usage (.su), gcov (.gcno, and the
 * .gcda path in the object), -save-temps, dumps. kobjc's -o is a
 * temporary; -dumpbase STEM names them as a direct compile to OUT would
 * (gcc takes their directory from -o, which is OUT's); clang's are
 * named by clang_side_files.
 */
static void
name_side_files(struct job *j)
{
	static const char *const flags[] = {
		"-gsplit-dwarf",    "-fstack-usage",
		"-ftest-coverage",  "--coverage",
		"-fprofile-arcs",   "-fprofile-generate",
		"-save-temps",	    "-fdump-",
		"-fcallgraph-info", NULL,
	};
	const char *base = base_of(j->out), *dot = strrchr(base, '.');
	size_t i, k;

	for (i = 0; i < j->flags.n; i++) {
		const char *f = j->flags.v[i];

		if (!strcmp(f, "-dumpbase") || !strcmp(f, "-dumpdir"))
			return; /* the user's names */
		for (k = 0; flags[k]; k++)
			j->side_files |=
				!strncmp(f, flags[k], strlen(flags[k]));
	}
	if (!j->side_files)
		return;
	if (j->clang) {
		clang_side_files(j, strndup(j->out, dot ? (size_t)(dot - j->out)
							: strlen(j->out)));
		return;
	}
	strv_push(&j->flags, "-dumpbase");
	strv_push(&j->flags,
		  dot ? xasprintf("%.*s", (int)(dot - base), base) : base);
}

/* --phase=remote: the job is a distcc helper's half of the recipe. */
static int
is_remote(const struct job *j)
{
	return j->phase && !strcmp(j->phase, "remote");
}

/* The cache that takes the whole recipe, KOBJC_CACHE or the ccache in
 * front of CC (CC="ccache gcc", a masquerade link): none in compiler mode
 * or on a helper; and the launcher its compile phase goes through,
 * KOBJC_CC_LAUNCHER: none for a phase or an -E call back. Blank is bad
 * usage. */
static void
job_wrappers(struct job *j)
{
	const char *c = getenv_set("KOBJC_CACHE"), *l = NULL;

	if (j->action || is_remote(j))
		c = NULL;
	else if (!c)
		c = j->ccache;
	if (!j->phase && j->action != 'E')
		l = getenv_set("KOBJC_CC_LAUNCHER");
	if (c && !c[strspn(c, " \t")])
		usage_error("KOBJC_CACHE is blank");
	if (l && !l[strspn(l, " \t")])
		usage_error("KOBJC_CC_LAUNCHER is blank");
	j->cache = c;
	j->launcher = l;
}

/*
 * CC=/usr/lib/ccache/gcc, or gcc found in a ccache masquerade directory
 * on PATH: that is ccache too, for the whole recipe, and the compiler is
 * the one behind it, found as ccache finds it. A distcc masquerade link
 * makes distcc the launcher (KOBJC_CC_LAUNCHER), for the compiler behind
 * it, unless a launcher is set.
 */
static void
unmask_compiler(struct job *j)
{
	char *f = find_program(j->cc.v[0], 0), *real = NULL;
	const char *w = f ? wrapper_of(f, &real) : NULL;

	if (w && !strcmp(w, "ccache") && real) {
		if (!j->ccache)
			j->ccache = real;
		else
			free(real);
		free(f);
		f = find_program_in(base_of(j->cc.v[0]), 1,
				    ccache_setting(CC_PATH) ?: getenv("PATH"));
		if (!f)
			usage_error("%s is ccache; no %s behind it on PATH",
				    j->cc.v[0], base_of(j->cc.v[0]));
		j->cc.v[0] = f;
		return;
	}
	/* distcc's masquerade directory: distcc is the launcher, as
	 * KOBJC_CC_LAUNCHER=distcc, for the compiler behind it */
	if (w && !strcmp(w, "distcc") && real && j->cc.n == 1 &&
	    !getenv_set("KOBJC_CC_LAUNCHER")) {
		free(f);
		f = find_program(base_of(j->cc.v[0]), 1);
		if (!f)
			usage_error("%s is distcc; no %s behind it on PATH",
				    j->cc.v[0], base_of(j->cc.v[0]));
		setenv("KOBJC_CC_LAUNCHER", real, 1);
		free(real);
		j->cc.v[0] = xstrdup(f);
		real = realpath(f, NULL);
		w = NULL;
	}
	/* the compiler itself, found once (no wrapper to pass over) */
	if (j->cc.n == 1 && !w) {
		j->cc_path = f;
		j->cc_real = real;
	} else {
		free(f);
		free(real);
	}
}

/*
 * Under ccache, the compiler is the one ccache would run: its `compiler`
 * setting, else CC, found on its `path` when that is set. (The kobjc
 * ccache calls back is the compiler ccache runs: call_back.)
 */
static void
ccache_compiler(struct job *j)
{
	const char *cache = j->cache, *v;
	char *f;

	if (!cache || !is_ccache(cache))
		return;
	if ((v = ccache_setting(CC_COMPILER)))
		j->cc.v[0] = (char *)v;
	if ((v = ccache_setting(CC_PATH)) && !strchr(j->cc.v[0], '/')) {
		if (!(f = find_program_in(j->cc.v[0], 1, v)))
			usage_error("no %s on ccache's path (%s)", j->cc.v[0],
				    v);
		j->cc.v[0] = f;
	}
}

/* Parse a build command line from argv[i]: options, then OUT IN CC FLAGS. */
static void
parse_job(struct job *j, int argc, char **argv, int i)
{
	const char *word;

	for (; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (!strncmp(a, "--cc=", 5) || !parse_option(j, a))
			usage_error("unknown option '%s' (see %s --help)", a,
				    argv0);
	}
	if (i >= argc)
		usage_error("missing operands: OUT.o IN.c CC [CFLAGS...]");
	j->out = argv[i++];
	if (i >= argc)
		usage_error("missing operands after '%s': IN.c CC [CFLAGS...]",
			    j->out);
	j->in = argv[i++];
	for (; i < argc && argv[i][0] != '-'; i++) {
		if (!argv[i][0])
			usage_error("empty word in the compiler command");
		strv_push(&j->cc, argv[i]);
	}
	if (j->cc.n == 0)
		usage_error("no compiler command after '%s'", j->in);
	/* CC="ccache gcc": ccache would cache only the compile; give it the
	 * whole recipe instead, as KOBJC_CACHE=ccache does. */
	if (j->cc.n > 1 && !strcmp(base_of(j->cc.v[0]), "ccache")) {
		j->ccache = j->cc.v[0];
		memmove(j->cc.v, j->cc.v + 1, j->cc.n-- * sizeof(*j->cc.v));
	}
	unmask_compiler(j);
	job_wrappers(j);
	word = j->cc.v[0];
	ccache_compiler(j);
	if (!j->cc_path || j->cc.v[0] != word) { /* unmask's, if still it */
		j->cc_path = find_program(j->cc.v[j->cc.n - 1], 1);
		j->cc_real = j->cc_path ? realpath(j->cc_path, NULL) : NULL;
	}
	j->clang = is_clang(j);
	for (; i < argc; i++)
		strv_push(&j->flags, argv[i]);
	check_options(j);
	fix_dep_flags(j, 0);
	name_side_files(j);
}

/*
 * Compiler mode: how ccache and distcc call kobjc, as if it were the
 * compiler: kobjc's options including --cc=WORD, the compiler flags, -c or
 * -E, -o FILE, and the source last (both put it last). The order of the
 * rest is theirs.
 */
static void
parse_compiler_mode(struct job *j, int argc, char **argv)
{
	const char *a;
	int i;

	for (i = 1; i < argc; i++) {
		a = argv[i];
		/* only kobjc's --name=value options: -v and the rest are the
		 * compiler's (ccache and distcc pass a user's flags on) */
		if (!strncmp(a, "--", 2) && strchr(a, '=') &&
		    parse_option(j, a))
			continue;
		if (!strcmp(a, "-c") || !strcmp(a, "-E"))
			j->action = a[1];
		else if (!strcmp(a, "-o") && i + 2 < argc)
			j->out = argv[++i];
		else if (i == argc - 1 && a[0] != '-')
			j->in = a;
		else
			strv_push(&j->flags, a);
	}
	if (!j->in)
		usage_error("compiler mode: no source file last");
	fix_dep_flags(j, 1);
	if (!j->action)
		usage_error("compiler mode: neither -c nor -E");
	if (j->action == 'c' && !j->out)
		usage_error("compiler mode: -c without -o OUT");
	check_options(j);
	job_wrappers(j);
}

/* Does the file start with magic (an object: ELF)? Then kobjc could have
 * made it, and may replace it. */
static int
looks_made(const char *path, const char *magic)
{
	char head[16] = { 0 };
	size_t n = magic ? strlen(magic) : 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ok;

	if (fd < 0)
		return 1; /* unreadable: the rename decides */
	ok = read(fd, head, sizeof(head)) >= (ssize_t)n && n &&
	     !memcmp(head, magic, n);
	close(fd);
	return ok;
}

/* An existing output file (what; st what lstat says of it, NULL for none)
 * must be one kobjc could have made: a regular file, empty or starting
 * with magic. */
static void
check_replaceable(const char *what, const char *path, const char *magic,
		  const struct stat *st)
{
	if (!st || S_ISDIR(st->st_mode))
		return;
	if (!S_ISREG(st->st_mode))
		usage_error(
			"%s '%s' is not a regular file (%s); kobjc replaces "
			"only files it makes",
			what, path,
			S_ISLNK(st->st_mode)	? "a symbolic link"
			: S_ISFIFO(st->st_mode) ? "a FIFO"
			: S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)
				? "a device"
				: "a socket");
	if (st->st_size > 0 && !looks_made(path, magic))
		usage_error("%s '%s' exists and is not %s; not replacing it "
			    "(operands: OUT.o IN.c CC [CFLAGS...])",
			    what, path,
			    strcmp(magic, ELFMAG) ? "a file of #SYMVER lines"
						  : "an object file");
}

static int
same_inode(const struct stat *a, const struct stat *b)
{
	return a && b && a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* An output file (what; st as for check_replaceable, which it passed, so
 * no link) must be a file in an existing directory (not checked again if
 * it is other's), and not the source, nor the same file as other. */
static void
check_output(const char *what, const char *path, const struct stat *st,
	     const struct stat *in, const char *other,
	     const struct stat *other_st)
{
	struct stat dst;
	char *d, *od;

	if (!*path || !*base_of(path))
		usage_error("%s '%s' is not a file name", what, path);
	if (same_inode(st, in))
		usage_error("%s '%s' is the source file", what, path);
	if (other && (!strcmp(path, other) || same_inode(st, other_st)))
		usage_error("%s '%s' is the output", what, path);
	d = dir_of(path);
	od = other ? dir_of(other) : NULL;
	if ((!od || strcmp(d, od) != 0) &&
	    (stat(d, &dst) < 0 || !S_ISDIR(dst.st_mode)))
		usage_error("%s directory '%s' does not exist", what, d);
	free(d);
	free(od);
	if (st && S_ISDIR(st->st_mode))
		usage_error("%s '%s' is a directory", what, path);
}

/* Check the operands before anything is touched: bad ones are usage.
 * Each output is lstat'ed once; OUT's stat is kept in j->out_st. */
static void
check_job(struct job *j)
{
	struct stat in, symvers_st;
	const char *prints = recipe_prints(j->recipe);
	const struct stat *ost, *sst = NULL;

	ost = lstat(j->out, &j->out_st) == 0 ? &j->out_st : NULL;
	if (j->symvers && lstat(j->symvers, &symvers_st) == 0)
		sst = &symvers_st;
	/* first: an OUT that is a source says the operands are swapped */
	check_replaceable("output", j->out, ELFMAG, ost);
	if (j->symvers)
		check_replaceable("--symvers file", j->symvers,
				  prints ? prints : "#", sst);
	if (stat(j->in, &in) < 0)
		usage_error("source '%s':", j->in);
	if (!S_ISREG(in.st_mode))
		usage_error("source '%s' is not a regular file", j->in);
	if (!strcmp(j->in, j->out))
		usage_error("output '%s' is the source file", j->out);
	check_output("output", j->out, ost, &in, NULL, NULL);
	if (j->symvers)
		check_output("--symvers file", j->symvers, sst, &in, j->out,
			     ost);
	j->out_exists = ost != NULL;
	j->out_real = record_path(j->out);
}

/* ---------------------------------------------------------------- running */

/* The interpreter: a recipe's variables, conditions, processes and
 * pipelines, feeds and native steps; one run_step for build and explain. */

/* The files and values the recipe's variables stand for, for one run. */
struct run {
	struct job *job;
	int explain;	   /* name final files instead of temporaries */
	int preprocess;	   /* answering -E: object conditions are unknown */
	char *tmpout;	   /* $OUT while running */
	char *tmps;	   /* $S, made on first use */
	int direct;	   /* ccache wrote OUT itself, not tmpout */
	const char *prog;  /* the last process run: who printed */
	int nstep;	   /* --explain: steps told so far */
	int built;	   /* --explain: the object exists */
	int restored;	   /* OUT came from a ccache hit: no step ran */
	char unknown[512]; /* --explain: why it cannot tell ran from restored */
	struct object obj; /* $OUT as last loaded */
	int obj_loaded;
	struct buf symvers;
};

/*
 * A pipeline kobjc starts, as data: av[0] | ... | av[n - 1], for step s,
 * which names it in messages. The first reads in (0, -1: kobjc's stdin);
 * the last writes into *into if set, else to out, else into r->symvers
 * when s prints #SYMVER lines, else where their messages go: stderr, or
 * the memfd pass_stderr passes on while OUT is a temporary. run_pipeline
 * runs every process kobjc starts: steps, passes, call backs, probes.
 */
struct child {
	const struct step *s;
	struct strv *av;
	int n;
	int in, out;
	struct buf *into;
	const char *env; /* V=1: the environment it is given, as sh says it */
	int quiet;	 /* a probe's: not shown, and its failure is no news */
};

/* A temporary named after final in final's directory; it exists on return. */
static char *
make_temp(const char *final, const char *suffix)
{
	struct buf b = { 0 };
	mode_t mask;
	int fd;

	/* final's directory as final spells it (gcc names side files after
	 * -o's directory: "foo.dwo", not "./foo.dwo") */
	/* and short enough for any name OUT can have: ".tmp_" and
	 * ".XXXXXX" cut into the base, not past NAME_MAX */
	buf_printf(&b, "%.*s.tmp_%.*s.XXXXXX%s", (int)(base_of(final) - final),
		   final, (int)(NAME_MAX - 12 - strlen(suffix)), base_of(final),
		   suffix);
	fd = mkostemps(b.s, strlen(suffix), O_CLOEXEC);
	if (fd < 0)
		fatal(1, "cannot create a temporary file for '%s':", final);
	trash.tmp[trash.ntmp++] = b.s;
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	close(fd);
	return b.s;
}

/* A path as an argument: one starting with '-' must not read as an option. */
static const char *
path_arg(const char *path)
{
	struct buf b = { 0 };

	if (path[0] != '-')
		return path;
	buf_printf(&b, "./%s", path);
	return b.s;
}

/* The value of a file variable such as $OUT; NULL if it is not one. */
static const char *
file_var(struct run *r, const char *var)
{
	if (!strcmp(var, "$IN"))
		return r->job->in;
	if (!strcmp(var, "$OUT"))
		return r->explain || r->direct ? r->job->out : r->tmpout;
	if (!strcmp(var, "$S")) {
		if (r->explain)
			return "<scratch .s>";
		if (!r->tmps)
			r->tmps = make_temp(r->job->out, ".s");
		return r->tmps;
	}
	return NULL;
}

/* The all_tools[] index of a tool's variable, its path or (*is_args) its
 * arguments; MAX_TOOLS if var is neither. */
static size_t
tool_var(const char *var, int *is_args)
{
	size_t i;

	for (i = 0; all_tools[i]; i++) {
		*is_args = !strcmp(var, all_tools[i]->args);
		if (*is_args || !strcmp(var, all_tools[i]->var))
			return i;
	}
	return MAX_TOOLS;
}

/* The all_tools[] index of the tool called name; MAX_TOOLS if none. */
static size_t
tool_index(const char *name)
{
	size_t i;

	for (i = 0; all_tools[i]; i++)
		if (!strcmp(all_tools[i]->name, name))
			return i;
	return MAX_TOOLS;
}

/* Expand a template into argv. */
static void
expand(struct run *r, const char *const *tmpl, struct strv *argv)
{
	struct job *j = r->job;
	const char *f;
	size_t k;
	int is_args;

	if (!j) /* for the analyzer: file_var() may not be seen to keep it */
		abort();
	for (; *tmpl; tmpl++) {
		const char *w = *tmpl;
		const struct strv *list = NULL;

		if (w[0] != '$') {
			strv_push(argv, w);
		} else if ((f = file_var(r, w))) {
			strv_push(argv, path_arg(f));
		} else if (!strcmp(w, "$CC")) {
			list = &j->cc;
		} else if (!strcmp(w, "$FLAGS")) {
			list = &j->flags;
		} else if (!strcmp(w, "$FLAGS_NODEP")) {
			flags_nodep(j, argv);
		} else if ((k = tool_var(w, &is_args)) < MAX_TOOLS) {
			if (is_args)
				list = &j->tool[k].args;
			else if (j->tool[k].path)
				strv_push(argv, j->tool[k].path);
			else /* a step runs only when its tool is given */
				fatal(1, "recipe: %s, but no --%s", w,
				      all_tools[k]->name);
		} else {
			fatal(1, "recipe: unknown variable %s", w);
		}
		for (k = 0; list && k < list->n; k++)
			strv_push(argv, list->v[k]);
	}
}

/* Load $OUT if a step changed it; returns NULL or what is wrong with it. */
static const char *
load_out(struct run *r)
{
	const char *path = file_var(r, "$OUT"), *err;

	if (r->obj_loaded)
		return NULL;
	if ((err = object_load(&r->obj, path)))
		return err;
	r->obj_loaded = 1;
	return NULL;
}

enum verdict { NO, YES, UNKNOWN };

/*
 * The condition kinds. Each test puts the reason in words into why;
 * UNKNOWN is for --explain before the object exists, and for an answer to
 * -E, where the object is not made yet.
 */
static enum verdict
cond_given(struct run *r, const struct cond *c, struct buf *why)
{
	size_t i = tool_index(c->arg);
	int found = i < MAX_TOOLS && r->job->tool[i].path;

	buf_printf(why, "--%s %s", c->arg, found ? "given" : "not given");
	if (!found && i < MAX_TOOLS && all_tools[i]->config)
		buf_printf(why, " (kbuild gives it with %s: off?)",
			   all_tools[i]->config);
	return found ? YES : NO;
}

static enum verdict
cond_elf_symbol(struct run *r, const struct cond *c, struct buf *why)
{
	const char *path = file_var(r, c->file), *err;
	int found;

	if (r->preprocess)
		return UNKNOWN; /* decided after the compile */
	if ((err = load_out(r))) {
		if (r->explain) {
			buf_printf(why, "%s: %s", path, err);
			return UNKNOWN;
		}
		fatal(1, "%s: %s", path, err);
	}
	if ((err = object_has_symbol(&r->obj, c->arg,
				     c->op == COND_ELF_SYMBOL_PREFIX, &found)))
		fatal(1, "%s: %s", path, err);
	buf_printf(why, "%s has %s%s%s symbols", r->job->out,
		   found ? "" : "no ", c->arg,
		   c->op == COND_ELF_SYMBOL_PREFIX ? "*" : "");
	return found ? YES : NO;
}

static enum verdict
cond_text(struct run *r, const struct cond *c, struct buf *why)
{
	const char *path = file_var(r, c->file);
	struct buf text = { 0 };
	int found;

	if (r->preprocess)
		return UNKNOWN;
	if (r->explain) {
		buf_printf(why, "%s will contain %s?", path, c->arg);
		return UNKNOWN;
	}
	if (read_file(path, &text) < 0)
		fatal(1, "%s:", path);
	found = memmem(text.s, text.n, c->arg, strlen(c->arg)) != NULL;
	free(text.s);
	buf_printf(why, "%s %s %s", c->file,
		   found ? "contains" : "does not contain", c->arg);
	return found ? YES : NO;
}

static const char *const phase_names[] = {
	[PHASE_COMPILE] = "compile",
	[PHASE_LOCAL] = "local",
};

static const struct {
	const char *name;
	const char *about;
	enum verdict (*test)(struct run *, const struct cond *, struct buf *);
	int on_object; /* tests the object: FILE must be $OUT */
} conds[] = {
	[COND_NONE] = { "always", "", NULL, 0 },
	[COND_GIVEN] = { "given", "--ARG=PATH was given", cond_given, 0 },
	[COND_ELF_SYMBOL] = { "elf-symbol", "nm FILE | grep -q ARG",
			      cond_elf_symbol, 1 },
	[COND_ELF_SYMBOL_PREFIX] = { "elf-symbol-prefix",
				     "nm FILE | grep -q ' ARG'",
				     cond_elf_symbol, 1 },
	[COND_TEXT] = { "text", "FILE contains ARG", cond_text, 0 },
};

/* All of a step's conditions; stops at the first that fails. */
static enum verdict
eval_step(struct run *r, const struct step *s, struct buf *why)
{
	enum verdict v = YES;
	size_t i;

	for (i = 0; i < STEP_MAX_CONDS && s->when[i].op != COND_NONE; i++) {
		enum verdict c;

		if (why->n)
			buf_puts(why, ", ");
		c = conds[s->when[i].op].test(r, &s->when[i], why);
		if (c == NO)
			return NO;
		if (c == UNKNOWN)
			v = UNKNOWN;
	}
	return v;
}

static void
on_signal(int sig)
{
	int e = errno;

	caught = sig;
	/* ccache passes on only SIGTERM to the kobjc it runs (it leaves the
	 * others to the terminal's process group) */
	for (size_t i = 0; i < STEP_MAX_PROCS; i++)
		if (running[i] > 0)
			kill(running[i], forward_as_term ? SIGTERM : sig);
	errno = e;
}

static void
setup_signals(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(handled) / sizeof(handled[0]); i++)
		sigaction(handled[i], &sa, NULL);
	sigprocmask(SIG_SETMASK, NULL, &orig_mask);
	/* a closed stdout is an error to clean up after, not sudden death */
	signal(SIGPIPE, SIG_IGN);
}

static void
block_signals(int block)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < sizeof(handled) / sizeof(handled[0]); i++)
		sigaddset(&set, handled[i]);
	sigprocmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

/* Start argv with stdin from in_fd and stdout to out_fd (-1: inherit). */
static pid_t
spawn(const struct step *s, char *const *argv, int in_fd, int out_fd,
      int err_fd, int slot)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t dfl;
	pid_t pid;
	int err;

	posix_spawn_file_actions_init(&fa);
	if (in_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
	if (out_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	if (err_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	posix_spawnattr_init(&attr);
	sigemptyset(&dfl);
	for (size_t i = 0; i < sizeof(handled) / sizeof(handled[0]); i++)
		sigaddset(&dfl, handled[i]);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &orig_mask);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
						POSIX_SPAWN_SETSIGDEF);
	block_signals(1);
	/* a signal caught since the last step: start nothing more */
	if (caught)
		die_of_signal(caught);
	err = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
	if (!err)
		running[slot] = pid;
	block_signals(0);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (err) {
		errno = err;
		fatal(err == ENOENT ? 127 : 126,
		      "%s: cannot run '%s':", s->name, argv[0]);
	}
	return pid;
}

static int
reap(int slot)
{
	int status;

	while (waitpid(running[slot], &status, 0) < 0)
		if (errno != EINTR)
			fatal(1, "waitpid:");
	running[slot] = 0;
	return status;
}

/*
 * Whether a step's failure is told by someone else: ccache's is the kobjc
 * it called; distcc's compile-only kobjc names a temporary, so the kobjc
 * that called distcc tells it.
 */
static int
quiet_failure(const struct step *s)
{
	return (!strcmp(s->tag, "WRAP") && s->phase != PHASE_COMPILE) ||
	       quiet_compile_phase;
}

/* Report a child's failure; returns kobjc's exit status for it, or 0. */
static int
check_status(const struct step *s, char *const *argv, int status, int quiet)
{
	const char *prog;
	int code = 0;

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (caught)
		die_of_signal(caught);
	/* one short line naming the object, as make's; the command is in
	 * V=1 and --explain. A wrapper's failure was the kobjc it called. */
	prog = base_of(argv[0]);
	if (!strcmp(s->name, prog) || !s->run[1][0])
		prog = NULL;
	if (WIFEXITED(status)) {
		code = WEXITSTATUS(status);
		if (!quiet && !quiet_failure(s))
			warn("%s: %s%s%s failed (exit %d)", object_name,
			     s->name, prog ? ": " : "", prog ? prog : "", code);
	} else {
		code = 128 + WTERMSIG(status);
		if (!quiet)
			warn("%s: %s%s%s killed by signal %d (%s)", object_name,
			     s->name, prog ? ": " : "", prog ? prog : "",
			     WTERMSIG(status), strsignal(WTERMSIG(status)));
	}
	return code;
}

static void __attribute__((format(printf, 1, 2))) verbose(const char *fmt, ...)
{
	va_list ap;

	if (!opt.verbose)
		return;
	va_start(ap, fmt);
	vfprintf(opt.log, fmt, ap);
	va_end(ap);
	fputc('\n', opt.log);
	fflush(opt.log);
}

/* Is b nothing but "KEY NAME 0xHEX" lines? NULL or what is wrong. */
static const char *
check_symvers(const struct buf *b, const char *key)
{
	static char why[128];
	const char *p = b->s, *e = b->s + b->n, *nl;
	size_t n, klen = strlen(key);

	snprintf(why, sizeof(why), "printed no %s lines", key);
	if (b->n == 0)
		return why;
	snprintf(why, sizeof(why), "printed a line that is not %s NAME 0xCRC",
		 key);
	for (; p < e; p = nl + 1) {
		nl = memchr(p, '\n', e - p);
		if (!nl)
			return "printed a line without a newline";
		if (strncmp(p, key, klen) != 0 || p[klen] != ' ')
			return why;
		p += klen + 1;
		n = strcspn(p, " \n");
		if (n == 0 || p[n] != ' ' || strncmp(p + n + 1, "0x", 2) != 0)
			return why;
		p += n + 3;
		n = strspn(p, "0123456789abcdefABCDEF");
		if (n == 0 || p + n != nl)
			return why;
	}
	return NULL;
}

static int
strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names the object exports, one a line, in nm's order (by name, as
 * kbuild's LC_COLLATE=C sorts): a file to read, already unlinked. */
static int
feed_export_names(struct run *r, const struct step *s)
{
	const char *prefix = r->job->recipe->exports, *err;
	size_t i, plen = strlen(prefix);
	struct strv names = { 0 };
	struct buf b = { 0 };
	struct elf_sym sym;
	int fd;

	if ((err = load_out(r)))
		fatal(1, "%s: %s: %s", s->name, r->job->out, err);
	for (i = 1; i < elf_nsyms(&r->obj.elf); i++)
		if (!elf_symbol(&r->obj.elf, i, &sym) && nm_visible(&sym) &&
		    !strncmp(sym.name, prefix, plen))
			strv_push(&names, sym.name + plen);
	if (names.n)
		qsort(names.v, names.n, sizeof(*names.v), strp_cmp);
	for (i = 0; i < names.n; i++)
		buf_printf(&b, "%s\n", names.v[i]);
	fd = memfd_create("kobjc-exports", MFD_CLOEXEC);
	if (fd < 0 || write_all(fd, b.s ? b.s : "", b.n) < 0 ||
	    lseek(fd, 0, SEEK_SET) < 0)
		fatal(1, "%s: writing the export names:", s->name);
	verbose("# %s: %zu export names on stdin", s->name, names.n);
	free(names.v);
	free(b.s);
	return fd;
}

static void
shell_export_names(struct run *r, struct buf *b)
{
	buf_puts(b, "nm ");
	shell_quote(b, file_var(r, "$OUT"));
	buf_printf(b, " | sed -n 's/.* %s\\(.*\\)/\\1/p'",
		   r->job->recipe->exports);
}

/* What a step can read on stdin: how to make it, and it as sh would. */
static const struct {
	const char *name;
	const char *about;
	int (*open)(struct run *, const struct step *);
	void (*shell)(struct run *, struct buf *);
} feeds[] = {
	[FEED_NONE] = { "none", "", NULL, NULL },
	[FEED_EXPORT_NAMES] = { "export-names",
				"NAME of each EXPORTS NAME symbol of $OUT",
				feed_export_names, shell_export_names },
};

/* Expand step s's pipeline into av; returns how many processes. */
static int
expand_step(struct run *r, const struct step *s, struct strv *av)
{
	int n = 0;

	while (n < STEP_MAX_PROCS && s->run[n][0]) {
		expand(r, s->run[n], &av[n]);
		n++;
	}
	return n;
}

/* The pipeline as sh would run it, copy-pasteable. */
static void
pipeline_text(struct run *r, const struct step *s, struct strv *av, int nproc,
	      struct buf *cmd)
{
	int i;

	if (s->feed)
		feeds[s->feed].shell(r, cmd);
	for (i = 0; i < nproc; i++) {
		if (i || s->feed)
			buf_puts(cmd, " | ");
		shell_join(cmd, av[i].v);
	}
}

/* V=1: the pipeline, after the environment it is given (env, or NULL) */
static void
print_pipeline(struct run *r, const struct child *c)
{
	struct buf cmd = { 0 };

	if (!opt.verbose)
		return;
	buf_puts(&cmd, c->env ? c->env : "");
	pipeline_text(r, c->s, c->av, c->n, &cmd);
	verbose("%s", cmd.s);
	free(cmd.s);
}

/*
 * What step s printed (fd, a memfd), to stderr with kobjc's temporaries
 * named as the object: objtool and the like name the file they were given,
 * and build-log scanners, as ccache's replay, key on the object's name.
 */
static void
pass_stderr(struct run *r, const struct step *s, int fd)
{
	const char *tmp[] = { r->tmpout, r->tmps };
	struct buf b = { 0 }, o = { 0 };
	size_t i, k, len, start;

	if (lseek(fd, 0, SEEK_SET) < 0 || read_fd(fd, &b) < 0)
		fatal(1, "%s: %s: cannot read its messages:", object_name,
		      s->name);
	if (!b.n) {
		free(b.s);
		return;
	}
	for (i = start = 0; i < b.n; i++)
		for (k = 0; k < 2; k++) {
			len = tmp[k] ? strlen(tmp[k]) : 0;
			if (len && len <= b.n - i &&
			    !memcmp(b.s + i, tmp[k], len)) {
				buf_add(&o, b.s + start, i - start);
				buf_puts(&o, r->job->out);
				i += len - 1;
				start = i + 1;
				break;
			}
		}
	buf_add(&o, b.s + start, b.n - start);
	/* a message that cannot be passed on is an error: under ccache an
	 * exit 0 would keep the cut stderr for every later hit */
	if (write_all(STDERR_FILENO, o.s, o.n) < 0) {
		if (errno == EPIPE)
			die_of_signal(SIGPIPE);
		fatal(1, "%s: %s: cannot pass its messages on to stderr:",
		      object_name, s->name);
	}
	free(o.s);
	free(b.s);
}

/* Where a step's messages are kept until pass_stderr: in memory, not a
 * file in /tmp, which anyone can fill; O_APPEND: the processes share one
 * offset, and a memfd's is not locked, so two writing at once would write
 * over each other's lines. */
static int
messages_fd(const struct step *s)
{
	int fd = memfd_create("kobjc-stderr", MFD_CLOEXEC);

	if (fd < 0 || fcntl(fd, F_SETFL, O_APPEND) < 0)
		fatal(1, "%s: %s: cannot capture its messages (memfd):",
		      object_name, s->name);
	return fd;
}

/*
 * Run c (struct child). Returns 0 or an exit status; the last failing
 * process is the one reported, as an earlier one may only have died of the
 * broken pipe.
 */
static int
run_pipeline(struct run *r, const struct child *c)
{
	const struct step *s = c->s;
	struct strv *av = c->av;
	struct buf *into = c->into;
	int in = c->in ? c->in : -1, out_fd = c->out ? c->out : -1;
	int p[2], out[2] = { -1, -1 };
	int st[STEP_MAX_PROCS], code = 0, i, err_fd = -1, nproc = c->n;

	if (nproc < 1 || !av[nproc - 1].v)
		fatal(1, "%s: an empty pipeline", s->name);
	if (!c->quiet)
		print_pipeline(r, c);
	if (!into && out_fd < 0 && s->prints)
		into = &r->symvers;
	if (r->tmpout)
		err_fd = messages_fd(s);
	if (out_fd < 0)
		out_fd = err_fd >= 0 ? err_fd : STDERR_FILENO;
	if (into && pipe2(out, O_CLOEXEC) < 0)
		fatal(1, "pipe:");
	/* the cache call_back starts for the whole recipe */
	forward_as_term = !strcmp(s->tag, "WRAP") && s->phase != PHASE_COMPILE;
	for (i = 0; i < nproc; i++) {
		if (i < nproc - 1 && pipe2(p, O_CLOEXEC) < 0)
			fatal(1, "pipe:");
		spawn(s, av[i].v, in,
		      i < nproc - 1 ? p[1]
		      : into	    ? out[1]
				    : out_fd,
		      err_fd, i);
		if (in >= 0)
			close(in);
		in = -1;
		if (i < nproc - 1) {
			close(p[1]);
			in = p[0];
		}
	}
	if (into) {
		close(out[1]);
		if (read_fd(out[0], into) < 0)
			fatal(1, "%s: reading its output:", s->name);
		close(out[0]);
	}
	r->prog = av[nproc - 1].v[0];
	for (i = nproc - 1; i >= 0; i--)
		st[i] = reap(i);
	forward_as_term = 0;
	if (err_fd >= 0) {
		pass_stderr(r, s, err_fd);
		close(err_fd);
	}
	for (i = nproc - 1; i >= 0 && !code; i--)
		code = check_status(s, av[i].v, st[i], c->quiet);
	return code;
}

static int
run_command(struct run *r, const struct step *s)
{
	struct strv av[STEP_MAX_PROCS] = { { 0 } };
	int nproc = expand_step(r, s, av), code, in = -1;

	if (s->feed)
		in = feeds[s->feed].open(r, s);
	code = run_pipeline(
		r, &(struct child){ .s = s, .av = av, .n = nproc, .in = in });
	while (nproc-- > 0)
		free(av[nproc].v);
	return code;
}

static int
native_local_export(struct run *r, const struct step *s)
{
	const char *err;
	size_t nexp;
	int bad;

	if ((err = load_out(r)))
		fatal(1, "%s: %s: %s", s->name, r->job->out, err);
	bad = check_local_export(&r->obj, r->job->out, r->job->recipe->exports,
				 &nexp);
	if (bad < 0)
		return 1;
	verbose("# %s: %s: %zu exported, %d local", s->name, r->job->out, nexp,
		bad);
	if (bad) {
		warn("%s failed: %s exports %d local symbol%s", s->name,
		     r->job->out, bad, bad == 1 ? "" : "s");
		return 1;
	}
	return 0;
}

/* The steps kobjc runs itself. */
static const struct {
	const char *name;
	const char *about;
	int (*run)(struct run *, const struct step *);
} natives[] = {
	[NATIVE_NONE] = { "none", "", NULL },
	[NATIVE_LOCAL_EXPORT] = { "check-local-export",
				  "no EXPORTS NAME may name a local symbol",
				  native_local_export },
};

/* Is var among the first max names of list? */
static int
listed(const char *const *list, size_t max, const char *var)
{
	size_t i;

	for (i = 0; i < max && list[i]; i++)
		if (!strcmp(list[i], var))
			return 1;
	return 0;
}

static int
step_writes(const struct step *s, const char *var)
{
	return listed(s->out, STEP_MAX_FILES, var);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --time: how long step name took since t0. */
static void
print_time(const char *name, double t0)
{
	if (opt.time)
		fprintf(opt.log, "%s: time: %s %.3f s\n", argv0, name,
			now() - t0);
}

/* Write the #SYMVER lines to --symvers=FILE (atomically) or stdout. */
static void
deliver_symvers(struct run *r)
{
	const char *file = r->job->symvers;
	char *tmp;
	int fd;

	if (!file) {
		if (stdout_closed && r->symvers.n)
			fatal(1,
			      "%s: stdout is closed: its %s lines would be "
			      "lost (use --symvers=FILE)",
			      r->job->out, recipe_prints(r->job->recipe));
		if (write_all(STDOUT_FILENO, r->symvers.s, r->symvers.n) < 0) {
			if (errno == EPIPE)
				die_of_signal(SIGPIPE);
			fatal(1, "writing #SYMVER lines to stdout:");
		}
		return;
	}
	tmp = make_temp(file, "");
	fd = open(tmp, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0 || write_all(fd, r->symvers.s, r->symvers.n) < 0 ||
	    close(fd) < 0)
		fatal(1, "writing %s:", file);
	if (rename(tmp, file) < 0)
		fatal(1, "renaming %s to %s:", tmp, file);
	trash.ntmp--; /* it is the --symvers file now */
	verbose("# symbol versions: %zu bytes of #SYMVER lines -> %s",
		r->symvers.n, file);
}

/* Does $OUT define any EXPORTS NAME (__ksymtab_NAME...), an export? */
static int
object_exports(struct run *r)
{
	struct elf_sym sym;
	const char *err;
	size_t i;

	if ((err = load_out(r)))
		fatal(1, "%s: %s", r->job->out, err);
	for (i = 1; i < elf_nsyms(&r->obj.elf); i++)
		if (!elf_symbol(&r->obj.elf, i, &sym) && nm_visible(&sym) &&
		    sym.shndx != SHN_UNDEF &&
		    !strncmp(sym.name, r->job->recipe->exports,
			     strlen(r->job->recipe->exports)))
			return 1;
	return 0;
}

/* Check what step s did; empty symvers are an error only from the table,
 * and there only for an object that exports. */
static void
finish_step(struct run *r, const struct step *s, int code, int from_table)
{
	const char *err;

	if (caught)
		die_of_signal(caught);
	if (code)
		die(code);
	if (step_writes(s, "$OUT") && !r->preprocess) {
		r->obj_loaded = 0;
		if ((err = load_out(r)))
			fatal(1, "%s: output %s is not a valid object: %s",
			      s->name, r->job->out, err);
	}
	if (!s->prints)
		return;
	/* genksyms rightly prints nothing for an object that only mentions
	 * __ksymtab (kernel/module/kallsyms.o), but must for one exporting */
	if (!r->symvers.n && (!from_table || !object_exports(r)))
		return;
	if ((err = check_symvers(&r->symvers, s->prints)))
		fatal(1, "%s: %s %s", s->name, r->prog, err);
}

static void
explain_files(const char *key, struct run *r, const char *const *files)
{
	size_t i;

	printf("   %-6s", key);
	for (i = 0; i < STEP_MAX_FILES && files[i]; i++)
		printf(" %s", file_var(r, files[i]));
	printf("\n");
}

/* --explain's account of step s, which a build would run (v) because of
 * why: the same conditions and commands, printed instead of run. */
static void
explain_step(struct run *r, const struct step *s, enum verdict v,
	     const char *why)
{
	struct strv av[STEP_MAX_PROCS] = { { 0 } };
	struct buf cmd = { 0 };
	int nproc;

	printf("\n%d. %s [%s], %s phase\n", ++r->nstep, s->name, s->tag,
	       phase_names[s->phase]);
	printf("   when   %s\n", s->when[0].op ? why : "always");
	printf("   status %s\n",
	       v == UNKNOWN ? "depends on the object, not built yet"
	       : v == NO    ? "skipped"
	       : r->restored
		       ? "restored from ccache (ran when its entry was made)"
	       : r->unknown[0] ? "ran, or restored from ccache (unknown)"
	       : r->built      ? "ran"
			       : "runs");
	if (s->native) {
		printf("   run    (in kobjc) %s: %s (EXPORTS is %s)\n",
		       natives[s->native].name, natives[s->native].about,
		       r->job->recipe->exports);
	} else if (v != NO) {
		nproc = expand_step(r, s, av);
		pipeline_text(r, s, av, nproc, &cmd);
		printf("   run    %s\n", cmd.s);
		while (nproc-- > 0)
			free(av[nproc].v);
	}
	if (s->feed)
		printf("   stdin  (in kobjc) %s: %s\n", feeds[s->feed].name,
		       feeds[s->feed].about);
	explain_files("in", r, s->in);
	if (s->out[0])
		explain_files("out", r, s->out);
	if (s->prints)
		printf("   out    %s lines -> %s%s\n", s->prints,
		       r->job->symvers ? r->job->symvers : "stdout",
		       r->job->symvers && access(r->job->symvers, F_OK)
			       ? " (kbuild appends them to the object's .cmd "
				 "file, then removes it)"
			       : "");
	free(cmd.s);
}

static void
run_step(struct run *r, const struct step *s)
{
	struct buf why = { 0 };
	double t0 = now();
	enum verdict v = eval_step(r, s, &why);

	if (r->explain) {
		explain_step(r, s, v, why.s);
	} else if (v == NO) {
		verbose("# %s: skipped: %s", s->name, why.s);
	} else {
		finish_step(r, s,
			    s->native ? natives[s->native].run(r, s)
				      : run_command(r, s),
			    1);
		print_time(s->name, t0);
	}
	free(why.s);
}

/* ---------------------------------------------------------------- digests */

/*
 * The cache tag names what a recipe runs and reads by content, never by
 * path, size or mtime: the same tools built in another tree, or found at
 * another path, give the same tag. Digests are remembered by what stat
 * says of a file (device, inode, size, mtime, ctime) in one small file,
 * KOBJC_DIGESTS or $CCACHE_DIR/kobjc-digests or ~/.cache/kobjc/digests,
 * one "KEY VALUE" line each. A call's new lines are appended together
 * with one write() (digests_flush): concurrent kobjc processes share the
 * file safely, and a torn or foreign line is never matched.
 */
static struct {
	int loaded;
	char *path; /* NULL: none, remember nothing */
	struct buf text;
	int oversize;	  /* compact it once this call's lookups are done */
	struct strv used; /* the lines this call found (in text): kept */
	struct buf new;	  /* lines to append: digests_flush */
} digests;

/* Past DIGESTS_MAX bytes the file is compacted to the last line for each
 * key, and to its newest DIGESTS_KEEP bytes if that is not enough. */
#define DIGESTS_MAX  (1 << 17)
#define DIGESTS_KEEP (1 << 14)
#define DIGESTS_READ (1 << 24)

static mode_t ccache_umask(void);

/* Open the digest file: a regular file only (a FIFO would block, a link
 * to /dev/zero never end), without following a last symbolic link. */
static int
digests_open(int flags, struct stat *st)
{
	int fd = open(digests.path, flags | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC,
		      0666);

	if (fd >= 0 && (fstat(fd, st) < 0 || !S_ISREG(st->st_mode))) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

/* Lines "KEY VALUE": the KEY of each compared, then the later line first. */
static int
key_cmp(const char *x, const char *y)
{
	size_t nx = strrchr(x, ' ') - x, ny = strrchr(y, ' ') - y;
	int c = memcmp(x, y, nx < ny ? nx : ny);

	return c ? c : nx == ny ? 0 : nx < ny ? -1 : 1;
}

static int
line_cmp(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int c = key_cmp(x, y);

	return c ? c : x < y ? 1 : -1;
}

static int
addr_cmp(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;

	return x < y ? -1 : x > y;
}

/* Was line found by this call's lookups? */
static int
line_used(const char *line)
{
	size_t i;

	for (i = 0; i < digests.used.n; i++)
		if (!key_cmp(digests.used.v[i], line))
			return 1;
	return 0;
}

/* Keep the last line for each key of text: of those this call did not
 * use, the newest up to DIGESTS_KEEP bytes, in their order; then those it
 * used. */
static void
digests_compact(struct buf *text)
{
	struct strv lines = { 0 }, keep = { 0 };
	struct buf out = { 0 };
	char *p, *e, *end = text->s + text->n;
	size_t i, k, size = 0;

	for (p = text->s; p < end && (e = memchr(p, '\n', end - p));
	     p = e + 1) {
		*e = '\0';
		if (strchr(p, ' '))
			strv_push(&lines, p);
	}
	if (lines.n)
		qsort(lines.v, lines.n, sizeof(*lines.v), line_cmp);
	for (i = 0; i < lines.n; i++)
		if (!i || key_cmp(lines.v[i - 1], lines.v[i]))
			strv_push(&keep, lines.v[i]);
	if (keep.n)
		qsort(keep.v, keep.n, sizeof(*keep.v), addr_cmp);
	for (i = 0; i < keep.n; i++)
		if (line_used(keep.v[i]))
			size += strlen(keep.v[i]) + 1;
	for (i = keep.n; i > 0 && size + strlen(keep.v[i - 1]) < DIGESTS_KEEP;
	     i--)
		if (!line_used(keep.v[i - 1]))
			size += strlen(keep.v[i - 1]) + 1;
	/* the newest others, then the lines this call used: lookups read
	 * from the end (digest_lookup) */
	for (k = i; k < keep.n; k++)
		if (!line_used(keep.v[k]))
			buf_printf(&out, "%s\n", keep.v[k]);
	for (k = 0; k < keep.n; k++)
		if (line_used(keep.v[k]))
			buf_printf(&out, "%s\n", keep.v[k]);
	free(lines.v);
	free(keep.v);
	free(text->s);
	*text = out;
}

/* Replace the digest file with text, atomically: a concurrent kobjc reads
 * the old file or the new one, and at worst a digest is made again. */
static void
digests_rewrite(const struct buf *text)
{
	char *tmp = xasprintf("%s.XXXXXX", digests.path);
	int fd = mkostemp(tmp, O_CLOEXEC);

	if (fd < 0) {
		free(tmp);
		return;
	}
	fchmod(fd, 0666 & ~ccache_umask());
	if (write_all(fd, text->s ? text->s : "", text->n) < 0 ||
	    close(fd) < 0 || rename(tmp, digests.path) < 0)
		unlink(tmp);
	free(tmp);
}

/* Append the lines this call remembered, in one write. */
static void
digests_flush(void)
{
	struct stat st;
	int fd;

	if (!digests.new.n)
		return;
	if ((fd = digests_open(O_WRONLY | O_APPEND, &st)) < 0 &&
	    errno == ENOENT &&
	    (fd = digests_open(O_WRONLY | O_APPEND | O_CREAT, &st)) >= 0 &&
	    st.st_size == 0)
		fchmod(fd, 0666 & ~ccache_umask()); /* shared as ccache's */
	if (fd >= 0) {
		/* a cache: on a failed write the digests are made again */
		ssize_t w = write(fd, digests.new.s, digests.new.n);

		(void)w;
		close(fd);
	}
	digests.new.n = 0;
}

static void
digests_load(void)
{
	const char *v;
	struct stat st;
	char *d;
	int fd;

	if (digests.loaded++)
		return;
	if ((v = getenv("KOBJC_DIGESTS")))
		digests.path = *v ? xstrdup(v) : NULL;
	else if ((v = getenv("CCACHE_DIR")) && *v)
		digests.path = xasprintf("%s/kobjc-digests", v);
	else if ((v = getenv("XDG_CACHE_HOME")) && *v)
		digests.path = xasprintf("%s/kobjc/digests", v);
	else if ((v = getenv("HOME")) && *v)
		digests.path = xasprintf("%s/.cache/kobjc/digests", v);
	if (!digests.path)
		return;
	atexit(digests_flush); /* what no digests_done wrote */
	if ((fd = digests_open(O_RDONLY, &st)) >= 0) {
		/* bounded: of a bigger file, only its end is read */
		if (st.st_size <= DIGESTS_READ ||
		    lseek(fd, -DIGESTS_READ, SEEK_END) >= 0)
			read_fd(fd, &digests.text);
		close(fd);
		digests.oversize = st.st_size > DIGESTS_MAX;
		return;
	}
	if (errno != ENOENT) { /* not a regular file: not ours to use */
		free(digests.path);
		digests.path = NULL;
		return;
	}
	d = dir_of(digests.path);
	if (mkdir(d, 0777) < 0 && errno == ENOENT) {
		char *up = dir_of(d);

		mkdir(up, 0777);
		mkdir(d, 0777);
		free(up);
	}
	free(d);
}

#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x1000U
#endif
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x4000U
#endif

/* This boot's ID: mount IDs are of one boot. */
static const char *
boot_id(void)
{
	static char id[40];
	struct buf b = { 0 };

	if (!*id) {
		if (read_file("/proc/sys/kernel/random/boot_id", &b) < 0 ||
		    b.n < 32)
			strcpy(id, "-");
		else
			snprintf(id, sizeof(id), "%.*s",
				 (int)strcspn(b.s, "\n"), b.s);
		free(b.s);
	}
	return id;
}

/*
 * stat() path into st, and a file's identity for the digest cache into
 * key: what changes when the file does. Device, inode, size, mtime and
 * ctime, and the mount: a filesystem image mounted in place of another
 * (two reproducible images in turn on one loop device) can give all five
 * the same values. The mount ID is one never reused while the system
 * runs (Linux 6.8+; before, the reusable one), with the boot's ID.
 */
static int
stat_key(struct buf *key, const char *kind, const char *path, struct stat *st)
{
	struct statx x;

	if (statx(AT_FDCWD, path, 0,
		  STATX_BASIC_STATS | STATX_MNT_ID | STATX_MNT_ID_UNIQUE,
		  &x) < 0)
		return -1;
	memset(st, 0, sizeof(*st));
	st->st_dev = makedev(x.stx_dev_major, x.stx_dev_minor);
	st->st_ino = x.stx_ino;
	st->st_mode = x.stx_mode;
	st->st_size = x.stx_size;
	st->st_mtim.tv_sec = x.stx_mtime.tv_sec;
	st->st_mtim.tv_nsec = x.stx_mtime.tv_nsec;
	st->st_ctim.tv_sec = x.stx_ctime.tv_sec;
	st->st_ctim.tv_nsec = x.stx_ctime.tv_nsec;
	buf_printf(key, "%s %llx %llx %lld %lld.%09ld %lld.%09ld %s.%s%llx",
		   kind, (unsigned long long)st->st_dev,
		   (unsigned long long)st->st_ino, (long long)st->st_size,
		   (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
		   (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec,
		   boot_id(),
		   x.stx_mask & STATX_MNT_ID_UNIQUE ? "u"
		   : x.stx_mask & STATX_MNT_ID	    ? "m"
						    : "-",
		   (unsigned long long)x.stx_mnt_id);
	return 0;
}

/* The value remembered for key, or NULL; the last line for it wins. */
static char *
digest_lookup(const char *key)
{
	const char *p, *e, *text, *val = NULL, *vend = NULL;
	size_t n = strlen(key);

	digests_load();
	text = digests.text.s;
	/* from the end: the last line for key is the first found, and the
	 * lines a hit needs are the newest (digests_compact puts the ones a
	 * call used last); a line still being written has no newline yet */
	e = text ? memrchr(text, '\n', digests.text.n) : NULL;
	for (; e && !val; e = p > text ? p - 1 : NULL) {
		p = memrchr(text, '\n', e - text);
		p = p ? p + 1 : text;
		if ((size_t)(e - p) > n + 1 && !memcmp(p, key, n) &&
		    p[n] == ' ')
			val = p + n + 1, vend = e;
	}
	if (val) /* the line, in digests.text: its key is enough */
		strv_push(&digests.used, val - n - 1);
	return val ? strndup(val, vend - val) : NULL;
}

/* After this call's lookups: an oversized digest file is compacted, and
 * the new lines written, before a kobjc called back looks them up. */
static void
digests_done(void)
{
	if (digests.oversize) {
		digests.oversize = 0;
		digests_compact(&digests.text);
		digests_rewrite(&digests.text);
	}
	digests_flush();
}

/* Remember key's value, unless the file may still change within the
 * timestamps' granularity (a write in the same tick as the stat). */
static void
digest_remember(const char *key, const char *value, const struct stat *st)
{
	time_t t = time(NULL);

	if (digests.path && t - st->st_mtim.tv_sec >= 2 &&
	    t - st->st_ctim.tv_sec >= 2)
		buf_printf(&digests.new, "%s %s\n", key, value);
}

#define SH_FLAGS(e, i) elf_shdr(e, i, 8, 4, 8, 8)
#define SH_ADDR(e, i)  elf_shdr(e, i, 12, 4, 16, 8)

/* Sections that change with where and how a program was built, not with
 * what it does: debug information and the build ID made from it. */
static int
build_only_section(const char *name)
{
	static const char *const prefixes[] = {
		".debug",
		".zdebug",
		".gnu_debuglink",
		".gnu_debugaltlink",
		".note.gnu.build-id",
		NULL,
	};
	size_t i;

	for (i = 0; prefixes[i]; i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return 1;
	return 0;
}

/*
 * SHA-256 of what a program is; returns 1 for ELF. For ELF: the ELF
 * header's identity and entry point, every section but debug information
 * and the build ID (by name, type, flags, address and content), and any
 * bytes past the last section and the section headers (a payload a
 * program may read from itself); so the same program built in another
 * directory is the same. For anything else (a script) the whole content.
 */
static int
content_digest(const struct buf *b, char hex[65])
{
	const unsigned char *p = (const unsigned char *)b->s;
	struct sha256 c;
	struct elf e;
	size_t i, end;
	uint64_t f[5];

	sha256_init(&c);
	if (elf_parse(&e, p, b->n) != NULL) {
		sha256_update(&c, "file\n", 5);
		sha256_update(&c, b->s, b->n);
		sha256_final(&c, hex);
		return 0;
	}
	end = e.shoff + e.shnum * e.shentsize;
	f[0] = e.is64 ? elf_get(&e, 24, 8) : elf_get(&e, 24, 4);
	sha256_update(&c, "elf\n", 4);
	sha256_update(&c, p, EI_NIDENT);
	sha256_update(&c, f, 8);
	for (i = 1; i < e.shnum; i++) {
		const char *n = elf_section_name(&e, i);

		f[0] = SH_TYPE(&e, i), f[1] = SH_FLAGS(&e, i);
		f[2] = SH_ADDR(&e, i), f[3] = SH_SIZE(&e, i);
		f[4] = SH_ENTSIZE(&e, i);
		if (f[0] != SHT_NOBITS && SH_OFFSET(&e, i) + f[3] > end)
			end = SH_OFFSET(&e, i) + f[3];
		/* by name, not by index; the names are hashed with each */
		if (i == e.shstrndx || build_only_section(n))
			continue;
		sha256_update(&c, n, strlen(n) + 1);
		sha256_update(&c, f, sizeof(f));
		if (f[0] != SHT_NOBITS)
			sha256_update(&c, p + SH_OFFSET(&e, i), f[3]);
	}
	if (end < b->n)
		sha256_update(&c, p + end, b->n - end);
	sha256_final(&c, hex);
	return 1;
}

/*
 * Add "what DIGEST" for file to the tag b: its content digest, from the
 * digest cache when stat says it is the file digested before. Returns 1
 * for an ELF program, 0 for any other file, -1 for none.
 */
static int
tag_file(struct buf *b, const char *what, const char *file)
{
	struct buf key = { 0 }, data = { 0 };
	struct stat st, st2;
	char val[66], *v;
	int fd = -1, kind = -1;

	if (!file || stat_key(&key, "sha256", file, &st) < 0) {
		buf_printf(b, "%s missing\n", what);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		buf_printf(b, "%s not-a-file\n", what); /* /dev/null, say */
		free(key.s);
		return -1;
	}
	/* remembered as E (ELF) or F (other) and the digest */
	if ((v = digest_lookup(key.s)) && strlen(v) == 65 && strchr("EF", *v)) {
		buf_printf(b, "%s %s\n", what, v + 1);
		kind = *v == 'E';
	} else if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0 ||
		   fstat(fd, &st2) < 0 || st2.st_ino != st.st_ino ||
		   st2.st_dev != st.st_dev) {
		buf_printf(b, "%s unreadable\n", what); /* or just replaced */
	} else {
		if (read_fd(fd, &data) < 0)
			fatal(1, "%s:", file);
		kind = content_digest(&data, val + 1);
		val[0] = kind ? 'E' : 'F';
		buf_printf(b, "%s %s\n", what, val + 1);
		if (fstat(fd, &st2) == 0 && st2.st_size == st.st_size &&
		    st2.st_mtim.tv_sec == st.st_mtim.tv_sec &&
		    st2.st_mtim.tv_nsec == st.st_mtim.tv_nsec)
			digest_remember(key.s, val, &st);
		free(data.s);
	}
	free(v);
	free(key.s);
	if (fd >= 0)
		close(fd);
	return kind;
}

/*
 * The programs a script names by absolute path (its #! interpreter, a
 * wrapper's target), each once, into found: what it runs, as far as its
 * text says. A program it finds another way (on PATH, through a variable)
 * is not among them. Returns 0 for a script, -1 for an ELF program or
 * none.
 */
static int
script_programs(const char *file, struct strv *found)
{
	static const char word[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
				   "opqrstuvwxyz0123456789._+-/";
	struct buf text = { 0 };
	const char *p, *e;
	struct stat st;
	size_t i;
	char f[PATH_MAX];

	if (read_file(file, &text) < 0 || !text.n ||
	    (text.n >= 4 && !memcmp(text.s, ELFMAG, 4))) {
		free(text.s);
		return -1;
	}
	for (p = text.s; (p = strchr(p, '/')); p = e) {
		e = p + strspn(p, word);
		/* within a word (a relative path), or too long for one */
		if ((p > text.s && p[-1] && strchr(word, p[-1])) ||
		    e - p >= PATH_MAX)
			continue;
		snprintf(f, sizeof(f), "%.*s", (int)(e - p), p);
		for (i = 0; i < found->n && strcmp(found->v[i], f) != 0; i++)
			;
		if (i == found->n && found->n < 16 && stat(f, &st) == 0 &&
		    S_ISREG(st.st_mode) && !access(f, X_OK))
			strv_push(found, xstrdup(f));
	}
	free(text.s);
	return 0;
}

/*
 * tag_file for a program that runs: a script is tagged by its text and by
 * the programs it names (script_programs), followed to a depth of three,
 * so a wrapper whose target changes misses.
 */
static void
tag_program(struct buf *b, const char *what, const char *file, int depth)
{
	struct strv runs = { 0 };
	size_t i;
	char *w;

	if (tag_file(b, what, file) != 0 || !file || depth == 3 ||
	    script_programs(file, &runs) < 0)
		return;
	for (i = 0; i < runs.n; i++) {
		w = xasprintf("%s runs %s", what, runs.v[i]);
		tag_program(b, w, runs.v[i], depth + 1);
		free(w);
	}
	strv_free(&runs);
}

/*
 * The first line program prints for argv, less prefix, remembered by the
 * program's stat (kind names the question); NULL if it failed or printed
 * no such line, one word after prefix. For what a tool says of itself: gcc's
 * cc1, ccache's version.
 */
static char *
remembered_answer(const char *kind, char *const *argv, const char *prefix)
{
	static const struct step s = { .name = "probe", .tag = "PROBE" };
	struct buf key = { 0 }, out = { 0 };
	struct strv av = { (char **)argv, 0, 0 };
	struct run none = { 0 };
	struct child c = {
		.s = &s, .av = &av, .n = 1, .into = &out, .quiet = 1
	};
	size_t n = strlen(prefix);
	char *f = find_program(argv[0], 0), *v;
	struct stat st;
	int code;

	if (!f || stat_key(&key, kind, f, &st) < 0) {
		free(key.s);
		free(f);
		return NULL;
	}
	if (!(v = digest_lookup(key.s))) {
		code = run_pipeline(&none, &c);
		out.n = out.s ? strcspn(out.s, "\n") : 0;
		v = !code && out.n > n && !strncmp(out.s, prefix, n) &&
				    !memchr(out.s + n, ' ', out.n - n)
			    ? strndup(out.s + n, out.n - n)
			    : xstrdup("-");
		digest_remember(key.s, v, &st);
		free(out.s);
	}
	free(key.s);
	free(f);
	if (!strcmp(v, "-")) {
		free(v);
		return NULL;
	}
	return v;
}

/* The compiler proper (cc1) that `driver -print-prog-name=cc1` names;
 * NULL for a driver with none. */
static char *
compiler_proper(const char *driver)
{
	char *argv[] = { (char *)driver, "-print-prog-name=cc1", NULL };
	char *v = remembered_answer("cc1", argv, "");

	if (v && !strchr(v, '/')) {
		free(v);
		return NULL;
	}
	return v;
}

/* Compiler options naming a file the compiler loads (a plugin, a specs
 * or config file): ccache hashes those only through its compiler check,
 * which kobjc's tag is, so each is tagged by content. */
static const struct {
	const char *opt; /* "-x=" takes FILE in the same word, "-x" the next */
	const char *what;
} loaded_files[] = {
	{ "-fplugin=", "plugin" }, { "-fpass-plugin=", "plugin" },
	{ "-specs=", "specs" },	   { "--specs=", "specs" },
	{ "--specs", "specs" },	   { "--config=", "config" },
	{ "--config", "config" },  { "-Xclang -load -Xclang", "plugin" },
};

static void
tag_loaded_files(struct buf *b, const struct strv *flags)
{
	size_t i, k, n, w;

	for (i = 0; i < flags->n; i++)
		for (k = 0; k < sizeof(loaded_files) / sizeof(*loaded_files);
		     k++) {
			const char *o = loaded_files[k].opt, *f = flags->v[i];

			n = strlen(o);
			if (o[n - 1] == '=' && !strncmp(f, o, n)) {
				tag_file(b, loaded_files[k].what, f + n);
				continue;
			}
			/* the option's words, then FILE */
			for (w = 0; i + w < flags->n && *o; w++) {
				n = strcspn(o, " ");
				if (strlen(flags->v[i + w]) != n ||
				    strncmp(flags->v[i + w], o, n) != 0)
					break;
				o += n + !!o[n];
			}
			if (!*o && i + w < flags->n)
				tag_file(b, loaded_files[k].what,
					 flags->v[i + w]);
		}
}

/* ---------------------------------------------------------------- cache and
 * launcher */

/* The cache tag, and the calls that hand the recipe to ccache (all of it)
 * or distcc (its compile phase, or all of it to a helper's kobjc), which
 * call kobjc back. */

/* What kobjc hands to a wrapper that calls it back in compiler mode. */
enum callback {
	CALL_CACHE,   /* the whole recipe, to ccache */
	CALL_COMPILE, /* the compile phase, to distcc */
	CALL_REMOTE,  /* the whole recipe, to a helper's kobjc through distcc */
};

#define TOOL_CLIENT "client" /* a tool a helper leaves to the client */

static const char *helper_tool(const struct job *j, size_t i);
static char *helper_flag(char *f);
static size_t remote_ran(struct run *r, const struct step *s);

/*
 * ccache's compiler_check string: the recipe, and the content of all it
 * runs and reads that ccache does not hash: kobjc itself, the compiler
 * found behind any ccache or distcc masquerade and its cc1, each tool,
 * each GCC plugin, each file named after a tool's file option (genksyms
 * -r FILE), and the environment variables the tools read.
 */
static char *
cache_tag(const struct job *j, struct buf *text)
{
	struct buf b = { 0 };
	struct sha256 c;
	char hex[65], *f, *cc1, *p, *nl;
	size_t i, k, o;

	buf_printf(&b, "kobjc-version %s\nrecipe %s\n", KOBJC_VERSION, j->hash);
	tag_file(&b, "kobjc", self_path()); /* a changed kobjc, as a new gcc */
	for (i = 0; i < j->cc.n; i++) {
		f = i == j->cc.n - 1 ? xstrdup(j->cc_path ? j->cc_path : "")
				     : find_program(j->cc.v[i], 1);
		tag_program(&b, "cc", *f ? f : NULL, 0);
		if (i == j->cc.n - 1 && *f && (cc1 = compiler_proper(f))) {
			tag_file(&b, "cc1", cc1);
			free(cc1);
		}
		free(f);
	}
	tag_loaded_files(&b, &j->flags);
	for (i = 0; all_tools[i]; i++) {
		const struct tool *t = all_tools[i];
		const struct tool_use *u = &j->tool[i];

		if (!u->path)
			continue;
		tag_program(&b, t->name, f = find_program(u->path, 0), 0);
		free(f);
		for (k = 0; k + 1 < u->args.n; k++)
			for (o = 0; o < TOOL_MAX_OPT && t->readopt[o]; o++)
				if (!strcmp(u->args.v[k], t->readopt[o]))
					tag_file(&b, t->readopt[o],
						 u->args.v[k + 1]);
		for (o = 0; o < TOOL_MAX_ENV && t->env[o]; o++)
			buf_printf(&b, "env %s%s%s\n", t->env[o],
				   getenv(t->env[o]) ? "=" : " unset",
				   getenv(t->env[o]) ?: "");
	}
	digests_done();
	sha256_init(&c);
	sha256_update(&c, b.s, b.n);
	sha256_final(&c, hex);
	if (opt.verbose) {
		fprintf(opt.log, "# cache tag %s, the SHA-256 of:\n", hex);
		for (p = b.s; (nl = strchr(p, '\n')); p = nl + 1)
			fprintf(opt.log, "#   %.*s\n", (int)(nl - p), p);
	}
	if (text)
		buf_puts(text, b.s);
	free(b.s);
	return xasprintf("string:kobjc-%s", hex);
}

/*
 * The name a launcher (distcc) runs kobjc by, here and on its helpers:
 * distccd takes no absolute paths, only whitelisted names. If that name
 * on PATH is not this kobjc, put this kobjc's directory first on PATH.
 */
static const char *
launcher_name(void)
{
	const char *self = self_path(), *name = base_of(self);
	char *found = find_program(name, 0);
	struct stat a, b;

	if (!found || stat(found, &a) < 0 || stat(self, &b) < 0 ||
	    a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		char *dir = dir_of(self);

		/* the kobjc it starts puts PATH back for its own steps */
		setenv("KOBJC_PATH", getenv("PATH") ?: "", 1);
		setenv("PATH", xasprintf("%s:%s", dir, getenv("PATH") ?: ""),
		       1);
		free(dir);
	}
	free(found);
	return name;
}

/* What the recipe's steps print for kbuild, if any does ("#SYMVER"). */
static const char *
recipe_prints(const struct recipe *rc)
{
	size_t i;

	for (i = 0; i < RECIPE_MAX_STEPS && rc->steps[i]; i++)
		if (rc->steps[i]->prints)
			return rc->steps[i]->prints;
	return NULL;
}

/* Set CCACHE_NAME=value for ccache, and show it in cmd for V=1. */
static void
ccache_env(struct buf *cmd, const char *name, const char *value)
{
	char var[32];

	snprintf(var, sizeof(var), "CCACHE_%s", name);
	setenv(var, value, 1);
	buf_printf(cmd, "%s=", var);
	shell_quote(cmd, value);
	buf_puts(cmd, " ");
}

/*
 * ccache runs its `compiler` setting instead of the one it is given, and
 * puts its `prefix_command` (distcc) in front of it, which would then ship
 * kobjc's whole recipe and the -E answer of both its preprocessor passes.
 * Under kobjc the compiler ccache runs is kobjc (ccache_compiler took the
 * setting), and the prefix becomes kobjc's launcher for the compile phase
 * of a miss, as KOBJC_CC_LAUNCHER=distcc.
 */
static void
ccache_prefix_and_compiler(struct buf *cmd, const char *ccache)
{
	const char *v;

	if (!is_ccache(base_of(ccache)))
		return;
	if (ccache_setting(CC_COMPILER))
		ccache_env(cmd, "COMPILER", self_path());
	if ((v = ccache_setting(CC_PREFIX))) {
		if (!getenv_set("KOBJC_CC_LAUNCHER")) {
			setenv("KOBJC_CC_LAUNCHER", v, 1);
			buf_puts(cmd, "KOBJC_CC_LAUNCHER=");
			shell_quote(cmd, v);
			buf_puts(cmd, " ");
		}
		ccache_env(cmd, "PREFIX", "");
	}
}

/* kobjc's options for the kobjc a wrapper calls back: the compiler, the
 * recipe pinned by its hash, the phase and the tools: none for the compile
 * phase; for a helper each by digest (helper_tool). */
static void
callback_options(const struct job *j, enum callback how, struct strv *av)
{
	size_t i, k;

	for (i = 0; i < sizeof(options) / sizeof(*options); i++) {
		const struct option *o = &options[i];
		const void *at = (const char *)j + o->off;
		const struct strv *l = at;

		if (o->forward && o->kind == OPT_ONCE)
			strv_push(av, xasprintf("%s=%s", o->name,
						*(const char *const *)at));
		for (k = 0; o->forward && o->kind == OPT_LIST && k < l->n; k++)
			strv_push(av, xasprintf("%s=%s", o->name, l->v[k]));
	}
	if (how != CALL_CACHE)
		strv_push(av, how == CALL_COMPILE ? "--phase=compile"
						  : "--phase=remote");
	for (i = 0; how != CALL_COMPILE && all_tools[i]; i++) {
		const struct tool_use *u = &j->tool[i];
		const char *name = all_tools[i]->name, *path = u->path;

		if (!path)
			continue;
		if (how == CALL_REMOTE && !(path = helper_tool(j, i))) {
			strv_push(av, xasprintf("--%s=%s", name, TOOL_CLIENT));
			continue;
		}
		strv_push(av, xasprintf("--%s=%s", name, path));
		for (k = 0; k < u->args.n; k++)
			strv_push(av,
				  xasprintf("--%s-arg=%s", name, u->args.v[k]));
	}
	if (how == CALL_REMOTE)
		digests_done();
}

/* What ccache must be told for a whole recipe, set in the environment and
 * shown in cmd for V=1. */
static void
ccache_settings(const struct job *j, const char *tag, const char *ccache,
		struct buf *cmd)
{
	ccache_env(cmd, "COMPILERTYPE", j->clang ? "clang" : "gcc");
	ccache_env(cmd, "COMPILERCHECK", tag);
	/* preprocessor mode, and the source compiled, not kobjc's -E
	 * answer: depend mode would see only the compile's .d and miss the
	 * headers only the symbol-version pass reads */
	unsetenv("CCACHE_DEPEND");
	ccache_env(cmd, "NODEPEND", "1");
	unsetenv("CCACHE_NOCPP2");
	ccache_env(cmd, "CPP2", "1");
	ccache_prefix_and_compiler(cmd, ccache);
}

/* The kobjc a wrapper calls prints its steps on a descriptor of ours
 * (KOBJC_LOG), never into the output ccache keeps; returns it, or -1. */
static int
callback_log(void)
{
	int fd;

	if (!opt.verbose && !opt.time)
		return -1;
	fd = dup(fileno(opt.log));
	setenv("KOBJC_LOG",
	       xasprintf("%d:%s%s", fd, opt.verbose ? "v" : "",
			 opt.time ? "t" : ""),
	       1);
	return fd;
}

/* PATH back as the user had it (a saved copy, freed), not as
 * launcher_name set it for the launcher: not the later steps' PATH. */
static void
restore_path(char *path)
{
	if (path)
		setenv("PATH", path, 1);
	else
		unsetenv("PATH");
	unsetenv("KOBJC_PATH");
	free(path);
}

/* The kobjc ccache calls on a miss says so on a pipe (KOBJC_RAN): a
 * call with no word was a hit. */
static void
ran_open(int ran[2])
{
	if (pipe2(ran, O_CLOEXEC | O_NONBLOCK) < 0) {
		ran[0] = ran[1] = -1;
		return;
	}
	fcntl(ran[1], F_SETFD, 0);
	setenv("KOBJC_RAN", xasprintf("%d", ran[1]), 1);
}

/* Was nothing said on the pipe (a hit)? 0 if there was none. */
static int
ran_none(int ran[2])
{
	char c;
	int none;

	if (ran[0] < 0)
		return 0;
	close(ran[1]);
	unsetenv("KOBJC_RAN");
	none = read(ran[0], &c, 1) == 0;
	close(ran[0]);
	return none;
}

/* The wrapper's words (KOBJC_CACHE, KOBJC_CC_LAUNCHER, cut in place) into
 * av, its program found on PATH once, not by an execve per PATH entry;
 * returns its name. */
static const char *
wrapper_argv(char *words, struct strv *av)
{
	char *w, *save = NULL;

	for (w = strtok_r(words, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save))
		strv_push(av, w);
	if (!av->n)
		usage_error("empty KOBJC_CACHE or KOBJC_CC_LAUNCHER");
	w = av->v[0];
	if ((av->v[0] = find_program(w, 0)) == NULL)
		av->v[0] = w;
	return base_of(w);
}

/*
 * Hand the whole recipe to wrapper (ccache), or the compile phase to
 * distcc, or the whole recipe to a helper's kobjc through distcc: each
 * calls this kobjc back in compiler mode. Returns how many steps ran
 * there for a helper (remote_ran), else 0.
 */
static size_t
call_back(struct run *r, const char *wrapper, enum callback how,
	  const char *tag)
{
	struct job *j = r->job;
	struct strv av = { 0 };
	struct buf cmd = { 0 };
	struct step s = {
		.tag = "WRAP",
		.phase = how == CALL_CACHE ? PHASE_LOCAL : PHASE_COMPILE,
		.out = { "$OUT" },
		.prints = how == CALL_COMPILE ? NULL : recipe_prints(j->recipe),
	};
	char *words = xstrdup(wrapper);
	const char *user_path = getenv("PATH");
	char *path = user_path ? xstrdup(user_path) : NULL;
	double t0 = now();
	int logfd, code, ran[2] = { -1, -1 };
	size_t i, steps = 0;

	s.name = wrapper_argv(words, &av);
	strv_push(&av, how == CALL_CACHE ? self_path() : launcher_name());
	callback_options(j, how, &av);
	if (how == CALL_CACHE)
		ccache_settings(j, tag, av.v[0], &cmd);
	for (i = 0; i < j->flags.n; i++)
		strv_push(&av, how == CALL_REMOTE ? helper_flag(j->flags.v[i])
						  : j->flags.v[i]);
	strv_push(&av, "-c");
	strv_push(&av, "-o");
	/* ccache gets OUT: it hashes -o's name when gcc writes it into the
	 * object (split DWARF, gcov), keeps side files named after it, and
	 * replays messages naming it. The kobjc it calls on a miss writes
	 * OUT as a temporary and renames it; on a failure this kobjc removes
	 * OUT, as on its own failures. distcc gets the temporary: the local
	 * steps still follow. */
	r->direct = how == CALL_CACHE;
	strv_push(&av, r->direct ? path_arg(j->out) : r->tmpout);
	strv_push(&av, path_arg(j->in));
	logfd = callback_log();
	if (how == CALL_CACHE)
		ran_open(ran);
	code = run_pipeline(
		r, &(struct child){ .s = &s, .av = &av, .n = 1, .env = cmd.s });
	r->restored = ran_none(ran) && !code;
	restore_path(path);
	if (how == CALL_REMOTE && !code)
		steps = remote_ran(r, &s);
	else
		finish_step(r, &s, code, 0);
	if (logfd >= 0)
		close(logfd);
	print_time(s.name, t0);
	free(cmd.s);
	free(words);
	free(av.v);
	return steps;
}

/* How many leading steps are the compile phase. */
static size_t
compile_phase_steps(const struct recipe *rc)
{
	size_t n = 0;

	while (n < RECIPE_MAX_STEPS && rc->steps[n] &&
	       rc->steps[n]->phase == PHASE_COMPILE)
		n++;
	return n;
}

static size_t
recipe_steps(const struct recipe *rc)
{
	size_t n = 0;

	while (n < RECIPE_MAX_STEPS && rc->steps[n])
		n++;
	return n;
}

static int
step_reads(const struct step *s, const char *var)
{
	size_t i;

	if (listed(s->in, STEP_MAX_FILES, var))
		return 1;
	for (i = 0; i < STEP_MAX_CONDS && s->when[i].op; i++)
		if (s->when[i].file && !strcmp(s->when[i].file, var))
			return 1;
	return 0;
}

/* Can the first n steps run elsewhere? Only if later steps need nothing
 * they make but the object. */
static int
can_ship(const struct recipe *rc, size_t n)
{
	const struct step *const *st = rc->steps;
	size_t i, k, o, end = recipe_steps(rc);

	for (i = 0; i < n; i++)
		for (o = 0; o < STEP_MAX_FILES && st[i]->out[o]; o++)
			for (k = n; k < end; k++)
				if (strcmp(st[i]->out[o], "$OUT") != 0 &&
				    step_reads(st[k], st[i]->out[o]))
					return 0;
	return n > 0;
}

/* Do the passes a helper gets hold directives only (gcc's
 * -fdirectives-only: the helper expands the macros), not cpp's output
 * (clang, which has no such mode)? */
static int
directives_only(const struct job *j)
{
	return !j->clang;
}

/*
 * Is step s a preprocessor pass: does it run $CC on $IN? Then, unless its
 * conditions say no, its pass into av: as it is if it has -E, else with -E
 * for -c/-S and without -o; returns 1.
 */
static int
preprocess_pass(struct run *r, const struct step *s, struct strv *av)
{
	const char *t[STEP_MAX_WORDS + 3], *const *w;
	struct buf why = { 0 };
	int has_e, no,
		directives = is_remote(r->job) && directives_only(r->job);
	size_t n;

	if (s->native || !s->run[0][0] || strcmp(s->run[0][0], "$CC") != 0 ||
	    !step_reads(s, "$IN"))
		return 0;
	no = eval_step(r, s, &why) == NO;
	free(why.s);
	if (no)
		return 0;
	for (has_e = 0, w = s->run[0]; *w; w++)
		has_e |= !strcmp(*w, "-E");
	for (n = 0, w = s->run[0]; *w; w++) {
		if (!strcmp(*w, "-c") || !strcmp(*w, "-S"))
			continue;
		if (!strcmp(*w, "-o") && w[1]) {
			w++;
			continue;
		}
		t[n++] = *w;
		if (!has_e && !strcmp(*w, "$CC"))
			t[n++] = "-E";
		if (directives && !strcmp(*w, "$CC"))
			t[n++] = "-fdirectives-only";
	}
	t[n] = NULL;
	av->n = 0;
	expand(r, t, av);
	return 1;
}

static void remote_bundle(struct run *r, int fd);

/*
 * Answer a preprocessor call (-E) from ccache or distcc: the output of
 * every preprocessor pass the recipe makes, so that their hash covers
 * every header the recipe reads (preprocess_pass). Under --phase=remote,
 * a bundle of them a helper can take apart (remote_bundle).
 */
static int
run_preprocess(struct run *r)
{
	const struct recipe *rc = r->job->recipe;
	struct strv av = { 0 };
	struct child c;
	int fd = STDOUT_FILENO;
	size_t i, end = recipe_steps(rc);

	if (r->job->phase)
		end = compile_phase_steps(rc);
	if (r->job->out &&
	    (fd = open(r->job->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		       0666)) < 0)
		fatal(1, "preprocess: %s:", r->job->out);
	if (is_remote(r->job))
		remote_bundle(r, fd);
	for (i = 0; i < end && !is_remote(r->job); i++) {
		const struct step *s = rc->steps[i];

		if (!preprocess_pass(r, s, &av))
			continue;
		c = (struct child){ .s = s, .av = &av, .n = 1, .out = fd };
		finish_step(r, s, run_pipeline(r, &c), 0);
	}
	if (fd != STDOUT_FILENO && close(fd) < 0)
		fatal(1, "preprocess: %s:", r->job->out);
	free(av.v);
	return 0;
}

/* ---------------------------------------------------------------- check mode
 */

/* KOBJC_CHECK: a hit proved against a fresh build. */

/* Is this object's hit to be checked: KOBJC_CHECK=1, or N% of objects,
 * the same ones every time (chosen by the object's name)? */
static int
check_wanted(const struct job *j)
{
	const char *v = getenv_set("KOBJC_CHECK");
	struct sha256 c;
	char hex[65], *end;
	long pct;

	if (j->check)
		return 1;
	if (!v || !strcmp(v, "0"))
		return 0;
	if (!strcmp(v, "1"))
		return 1;
	pct = strtol(v, &end, 10);
	if (end == v || strcmp(end, "%") != 0 || pct < 0 || pct > 100)
		usage_error("KOBJC_CHECK=%s: 1, or N%% for a share of the "
			    "objects (0-100)",
			    v);
	sha256_init(&c);
	sha256_update(&c, j->out, strlen(j->out));
	sha256_final(&c, hex);
	hex[8] = '\0';
	return strtoul(hex, NULL, 16) % 100 < (unsigned long)pct;
}

/* The words of flags redirect_dep_file() replaced, to put back. */
struct flag_undo {
	size_t n, at[4];
	char *was[4];
};

/* The dependency file the flags name at or after word *at, and in *at
 * the word that names it; NULL if none does. */
static const char *
dep_flag(const struct strv *flags, size_t *at)
{
	const char *file;
	size_t skip;

	for (; *at < flags->n; ++*at)
		if (dep_option(flags->v, *at, &file, &skip) && file) {
			*at += skip;
			return file;
		}
	return NULL;
}

/* Point the compiler's dependency file at tmp; returns its own name. */
static const char *
redirect_dep_file(struct strv *flags, const char *tmp, struct flag_undo *u)
{
	const char *dep = NULL, *d;
	size_t i;

	for (i = 0; u->n < 4 && (d = dep_flag(flags, &i)); i++) {
		char *f = flags->v[i];

		u->at[u->n] = i;
		u->was[u->n++] = f;
		flags->v[i] = d == f	    ? (char *)tmp
			      : f[1] == 'W' ? xasprintf("%.*s%s", (int)(d - f),
							f, tmp)
					    : xasprintf("-MF%s", tmp);
		dep = d;
	}
	return dep;
}

/* Where two texts first differ: that line of a, or "(nothing)". */
static char *
first_line_difference(const struct buf *a, const struct buf *b)
{
	size_t i = 0, s = 0, n = a->n < b->n ? a->n : b->n;

	for (; i < n && a->s[i] == b->s[i]; i++)
		if (a->s[i] == '\n')
			s = i + 1;
	if (i == a->n && i == b->n)
		return NULL;
	return s < a->n ? strndup(a->s + s, strcspn(a->s + s, "\n"))
			: xstrdup("(nothing)");
}

/* Where two objects first differ: a section's name, if one does. */
static char *
object_difference(const struct buf *a, const struct buf *b)
{
	struct elf x, y;
	size_t i;

	if (a->n == b->n && !memcmp(a->s, b->s, a->n))
		return NULL;
	if (elf_parse(&x, (const unsigned char *)a->s, a->n) ||
	    elf_parse(&y, (const unsigned char *)b->s, b->n))
		return xstrdup("the object is not ELF");
	for (i = 1; i < x.shnum && i < y.shnum; i++) {
		size_t n = SH_SIZE(&x, i);

		if (strcmp(elf_section_name(&x, i), elf_section_name(&y, i)) !=
			    0 ||
		    SH_TYPE(&x, i) != SH_TYPE(&y, i) || n != SH_SIZE(&y, i) ||
		    (SH_TYPE(&x, i) != SHT_NOBITS &&
		     memcmp(a->s + SH_OFFSET(&x, i), b->s + SH_OFFSET(&y, i),
			    n) != 0))
			return xasprintf("section %s", elf_section_name(&x, i));
	}
	return xstrdup(x.shnum != y.shnum ? "the number of sections"
					  : "the ELF headers");
}

/*
 * KOBJC_CHECK: the object, .d and #SYMVER lines ccache restored are
 * compared with the recipe run again, uncached, into temporaries. On a
 * difference the entry is made again (CCACHE_RECACHE) and kobjc fails
 * with one line naming the object and the first difference.
 */
static void
check_hit(struct run *r, const char *cache, const char *tag)
{
	struct job *j = r->job;
	struct run c = { .job = j };
	struct buf got = { 0 }, want = { 0 };
	struct flag_undo undo = { 0 };
	size_t ntmp = trash.ntmp, i;
	const char *dep;
	char *tmpd, *what = NULL;

	tmpd = make_temp(j->out, ".d");
	dep = redirect_dep_file(&j->flags, tmpd, &undo);
	c.tmpout = make_temp(j->out, ".o");
	verbose("# check: %s came from the cache: the recipe again, uncached",
		j->out);
	for (i = 0; i < recipe_steps(j->recipe); i++)
		run_step(&c, j->recipe->steps[i]);
	if (read_file(j->out, &want) < 0 || read_file(c.tmpout, &got) < 0)
		fatal(1, "check: reading %s:", j->out);
	if (!(what = object_difference(&want, &got)) && dep) {
		want.n = got.n = 0;
		if (read_file(dep, &want) < 0 || read_file(tmpd, &got) < 0)
			fatal(1, "check: reading %s:", dep);
		if ((what = first_line_difference(&want, &got)))
			what = xasprintf("%s line '%s'", dep, what);
	}
	if (!what && (what = first_line_difference(&r->symvers, &c.symvers)))
		what = xasprintf("the line '%s'", what);
	while (undo.n--)
		j->flags.v[undo.at[undo.n]] = undo.was[undo.n];
	for (i = ntmp; i < trash.ntmp; i++)
		unlink(trash.tmp[i]);
	if (c.tmps)
		unlink(c.tmps);
	trash.ntmp = ntmp;
	if (!what) {
		verbose("# check: %s: the cache gave what the recipe gives",
			j->out);
		return;
	}
	setenv("CCACHE_RECACHE", "1", 1);
	r->symvers.n = 0;
	call_back(r, cache, CALL_CACHE, tag);
	fatal(1,
	      "%s: check: the cache's result differs from the recipe's in "
	      "%s; the cache entry is made again",
	      j->out, what);
}

/* ---------------------------------------------------------------- the object's
 * record */

/* How an object came to be (ran, restored), on the object itself. */

/* Record on OUT how it came to be, for --explain; where that cannot be
 * written (no user xattrs), --explain says it does not know. */
static void
record_object(const char *out, const char *path, int restored)
{
	struct stat st;
	char *v;

	if (!path || stat(out, &st) < 0)
		return;
	v = xasprintf("%s %04o %s", restored ? "restored" : "ran",
		      (unsigned)(st.st_mode & 07777), path);
	/* an old record must not outlive a failed write */
	if (setxattr(out, RECORD_XATTR, v, strlen(v), 0) < 0)
		removexattr(out, RECORD_XATTR);
	free(v);
}

enum record { RECORD_UNKNOWN, RECORD_RAN, RECORD_RESTORED };

/* What the job's OUT's record says of it, with the mode recorded; for
 * RECORD_UNKNOWN, why in why[n]. */
static enum record
read_record(const struct job *j, mode_t *mode, char *why, size_t n)
{
	char v[PATH_MAX + 32], state[16];
	ssize_t len = getxattr(j->out, RECORD_XATTR, v, sizeof(v) - 1);
	unsigned m;
	int at = 0;
	enum record rec = RECORD_UNKNOWN;

	if (len < 0) {
		if (errno == ENOTSUP)
			snprintf(why, n,
				 "its file system keeps no user "
				 "extended attributes");
		else if (errno == ENODATA)
			snprintf(why, n, "it has no record of kobjc's");
		else
			snprintf(why, n, "its record: %s", strerror(errno));
		return rec;
	}
	v[len] = '\0';
	if (sscanf(v, "%15s %o %n", state, &m, &at) < 2 || !at ||
	    (strcmp(state, "ran") != 0 && strcmp(state, "restored") != 0)) {
		snprintf(why, n, "its record '%.64s' is not this kobjc's", v);
		return rec;
	}
	if (!j->out_real || strcmp(j->out_real, v + at) != 0)
		snprintf(why, n,
			 "its record names %.400s: a hard link shared with "
			 "another object",
			 v + at);
	else
		rec = !strcmp(state, "ran") ? RECORD_RAN : RECORD_RESTORED;
	*mode = m;
	return rec;
}

/* ---------------------------------------------------------------- why */

/* Why a lookup missed: a record per object, --explain and --why. */

/*
 * After each build through ccache, a record of the object in a directory
 * beside the digest file (kobjc-why/, one file per object, named by the
 * SHA-256 of its absolute path): whether the cache restored it or missed,
 * the cache tag's lines, the compiler flags, and, from a miss's .d file,
 * every source and header read with its SHA-256. A miss is explained
 * against the record before it: each line that came or went, in the
 * user's words (a header changed, -DDEBUG added, objtool's digest).
 * Hits read no header: a hit keeps the inputs of the record before it.
 */
static char *
why_file(const char *abs, int mkdirs)
{
	char *d, *f, hex[65];
	struct sha256 c;

	digests_load();
	if (!digests.path || !abs)
		return NULL;
	sha256_init(&c);
	sha256_update(&c, abs, strlen(abs));
	sha256_final(&c, hex);
	d = dir_of(digests.path);
	f = xasprintf("%s/kobjc-why", d);
	if (mkdirs)
		mkdir(f, 0777 & ~ccache_umask());
	free(f);
	f = xasprintf("%s/kobjc-why/%.32s", d, hex);
	free(d);
	return f;
}

/* The record's lines starting with "KEY " into a list of their rests. */
static void
why_lines(const char *rec, const char *key, struct strv *out)
{
	const char *p, *nl;
	size_t n = strlen(key), len;

	for (p = rec; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (len > n && !strncmp(p, key, n) && p[n] == ' ')
			strv_push(out, xstrndup(p + n + 1, len - n - 1));
	}
}

static int
listed_in(const struct strv *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return 1;
	return 0;
}

/* Of "NAME VALUE" lines: the line of l other than skip's NAME... */
static const char *
same_name(const struct strv *l, const char *line, const struct strv *skip)
{
	size_t i, n = strcspn(line, " ");

	for (i = 0; line[n] && i < l->n; i++)
		if (!strncmp(l->v[i], line, n) && l->v[i][n] == ' ' &&
		    !listed_in(skip, l->v[i]))
			return l->v[i];
	return NULL;
}

/* The lines of kind what (tag, flag, input) of a before and b now: a
 * "why" line for each change, in words. */
static void
why_diff(const char *what, const struct strv *a, const struct strv *b,
	 struct buf *why)
{
	int input = !strcmp(what, "input"), flag = !strcmp(what, "flag");
	const char *o;
	size_t i, n;

	for (i = 0; i < a->n; i++) {
		if (listed_in(b, a->v[i]))
			continue;
		n = strcspn(a->v[i], " ");
		if (!(o = same_name(b, a->v[i], a)))
			buf_printf(why, "why %s%.*s %s\n", flag ? "flag " : "",
				   (int)n, a->v[i],
				   input ? "no longer read" : "removed");
		else if (input)
			buf_printf(why, "why %.*s changed\n", (int)n, a->v[i]);
		else /* a digest shown as its first 16 digits */
			buf_printf(why, "why %.*s changed: %.*s -> %.*s\n",
				   (int)n, a->v[i],
				   strlen(a->v[i] + n + 1) == 64 ? 16 : 99,
				   a->v[i] + n + 1,
				   strlen(o + n + 1) == 64 ? 16 : 99,
				   o + n + 1);
	}
	for (i = 0; i < b->n; i++)
		if (!listed_in(a, b->v[i]) && !same_name(a, b->v[i], b))
			buf_printf(why, "why %s%.*s %s\n", flag ? "flag " : "",
				   (int)strcspn(b->v[i], input ? " " : ""),
				   b->v[i], input ? "newly read" : "added");
}

/* Every file the compile's .d names, "PATH SHA256", into rec. */
static void
why_inputs(const struct job *j, struct buf *rec)
{
	struct buf d = { 0 }, f = { 0 };
	size_t at = 0;
	const char *dep = dep_flag(&j->flags, &at);
	char *w, *save = NULL, hex[65];
	struct sha256 c;

	if (!dep || read_file(dep, &d) < 0)
		return;
	for (w = strtok_r(d.s, " \t\n\\", &save); w;
	     w = strtok_r(NULL, " \t\n\\", &save)) {
		if (w[strlen(w) - 1] == ':' || (f.n = 0, read_file(w, &f) < 0))
			continue;
		sha256_init(&c);
		sha256_update(&c, f.s, f.n);
		sha256_final(&c, hex);
		buf_printf(rec, "input %s %s\n", w, hex);
	}
	free(f.s);
	free(d.s);
}

/* A miss's record: add why, against the record before it (old). */
static void
why_changes(const char *old, struct buf *rec)
{
	static const char *const keys[] = { "tag", "flag", "input" };
	struct strv a = { 0 }, b = { 0 };
	size_t before = rec->n, i;

	if (!old || !*old) {
		buf_puts(rec, "why no earlier record of this object\n");
		return;
	}
	for (i = 0; i < 3; i++) {
		strv_free(&a);
		strv_free(&b);
		why_lines(old, keys[i], &a);
		why_lines(rec->s, keys[i], &b);
		why_diff(keys[i], &a, &b, rec);
	}
	if (rec->n == before)
		buf_puts(rec,
			 "why nothing kobjc records changed: the entry was "
			 "evicted, or made elsewhere with other "
			 "settings\n");
	strv_free(&a);
	strv_free(&b);
}

static void
why_record(struct run *r, const char *tag, double seconds)
{
	const struct job *j = r->job;
	struct buf old = { 0 }, rec = { 0 };
	struct strv flags = { 0 };
	const char *abs = j->out_real, *l, *nl;
	char *file = why_file(abs, 0), *tmp;
	size_t i;
	int fd;

	if (!file)
		return;
	read_file(file, &old); /* none: a first build */
	buf_printf(&rec, "object %s\nstatus %s\n", abs,
		   r->restored ? "restored" : "missed");
	if (!r->restored) /* --why sums the misses' time */
		buf_printf(&rec, "seconds %.3f\n", seconds);
	for (const char *p = tag; p && *p; p = strchr(p, '\n') + 1)
		buf_printf(&rec, "tag %.*s\n", (int)strcspn(p, "\n"), p);
	flags_nodep(j, &flags);
	for (i = 0; i < flags.n; i++)
		buf_printf(&rec, "flag %s\n", flags.v[i]);
	free(flags.v);
	if (!r->restored)
		why_inputs(j, &rec);
	else /* a hit read the inputs of the entry: unchanged, unread */
		for (l = old.s; l && l < old.s + old.n; l = nl) {
			nl = line_end(l, old.s + old.n);
			if (!strncmp(l, "input ", 6))
				buf_add(&rec, l, nl - l);
		}
	if (!r->restored)
		why_changes(old.s, &rec);
	/* a hit like the last: nothing to write */
	tmp = old.s && old.n == rec.n && !memcmp(old.s, rec.s, rec.n)
		      ? NULL
		      : xasprintf("%s.XXXXXX", file);
	if (tmp && (fd = mkostemp(tmp, O_CLOEXEC)) < 0 && errno == ENOENT) {
		free(why_file(abs, 1)); /* the directory, once */
		memcpy(tmp + strlen(tmp) - 6, "XXXXXX", 6);
		fd = mkostemp(tmp, O_CLOEXEC);
	}
	if (tmp && fd >= 0) {
		fchmod(fd, 0666 & ~ccache_umask());
		if (write_all(fd, rec.s, rec.n) < 0 || close(fd) < 0 ||
		    rename(tmp, file) < 0)
			unlink(tmp);
	}
	free(tmp);
	free(file);
	free(old.s);
	free(rec.s);
}

/* --explain: what the last build through ccache did, and for a miss why. */
static void
why_explain(const struct job *j)
{
	struct buf rec = { 0 };
	struct strv l = { 0 };
	char *file = why_file(j->out_real, 0);
	size_t i;

	if (!file || read_file(file, &rec) < 0) {
		printf("lookup   no record of a build through ccache\n");
	} else {
		why_lines(rec.s, "status", &l);
		why_lines(rec.s, "why", &l);
		printf("lookup   %s the last time it was built through "
		       "ccache\n",
		       l.n && !strcmp(l.v[0], "restored") ? "restored (a hit)"
							  : "missed");
		for (i = 1; i < l.n; i++)
			printf("         %s\n", l.v[i]);
	}
	free(file);
	free(rec.s);
}

/* One cause of misses in a directory, for --why. */
struct cause {
	char *why;
	size_t objects;
	double seconds;
};

static int
cause_cmp(const void *a, const void *b)
{
	const struct cause *x = a, *y = b;

	return x->seconds < y->seconds ? 1 : x->seconds > y->seconds ? -1 : 0;
}

/* Count one record under prefix into the totals and causes. */
static void
why_count(const char *rec, const char *prefix, size_t *n, struct cause **c,
	  size_t *nc)
{
	struct strv l = { 0 };
	size_t i, k, len = strlen(prefix);
	double s;

	why_lines(rec, "object", &l);
	why_lines(rec, "status", &l);
	why_lines(rec, "seconds", &l);
	if (l.n < 2 || strncmp(l.v[0], prefix, len) != 0 ||
	    l.v[0][len] != '/') {
		strv_free(&l);
		return;
	}
	s = l.n > 2 ? atof(l.v[2]) : 0;
	n[0]++;
	n[1] += strcmp(l.v[1], "restored") != 0;
	if (strcmp(l.v[1], "restored") != 0)
		why_lines(rec, "why", &l); /* after object, status, seconds */
	for (i = 3; i < l.n; i++) {
		for (k = 0; k < *nc && strcmp((*c)[k].why, l.v[i]) != 0; k++)
			;
		if (k == *nc) {
			*c = xrealloc(*c, ++*nc * sizeof(**c));
			(*c)[k] = (struct cause){ xstrdup(l.v[i]), 0, 0 };
		}
		(*c)[k].objects++;
		(*c)[k].seconds += s;
	}
	strv_free(&l);
}

/* kobjc --why=DIR: the objects under DIR last built through ccache,
 * restored and missed, and the misses by cause, slowest first. */
static int
why_summary(const char *dir)
{
	char *real = realpath(dir, NULL), *records, *d;
	struct cause *c = NULL;
	size_t n[2] = { 0, 0 }, nc = 0, i;
	struct buf rec = { 0 }, f = { 0 };
	struct dirent *e;
	DIR *dp;

	if (!real)
		usage_error("--why=%s:", dir);
	digests_load();
	d = digests.path ? dir_of(digests.path) : xstrdup(".");
	records = xasprintf("%s/kobjc-why", d);
	if ((dp = opendir(records)))
		while ((e = readdir(dp))) {
			f.n = rec.n = 0;
			buf_printf(&f, "%s/%s", records, e->d_name);
			if (e->d_name[0] != '.' && read_file(f.s, &rec) == 0)
				why_count(rec.s, real, n, &c, &nc);
		}
	if (dp)
		closedir(dp);
	printf("%zu objects under %s built through ccache: %zu restored, %zu "
	       "missed\n",
	       n[0], real, n[0] - n[1], n[1]);
	if (nc)
		qsort(c, nc, sizeof(*c), cause_cmp);
	for (i = 0; i < nc; i++)
		printf("%8.2f s %5zu miss%s  %s\n", c[i].seconds, c[i].objects,
		       c[i].objects == 1 ? "  " : "es", c[i].why);
	free(records);
	free(d);
	free(real);
	return 0;
}

/* ---------------------------------------------------------------- building */

/* The outputs put in place, --explain's header, and what a build checks
 * before it starts. */

static void
install(struct run *r)
{
	struct job *j = r->job;
	struct buf cmd = { 0 };
	char *argv[] = { "mv", "-f", "--", r->tmpout, (char *)path_arg(j->out),
			 NULL };

	block_signals(1);
	if (caught)
		die_of_signal(caught);
	deliver_symvers(r);
	/* under ccache, OUT is in place already (call_back) */
	if (!r->direct) {
		shell_join(&cmd, argv);
		verbose("%s", cmd.s);
		free(cmd.s);
		if (rename(r->tmpout, j->out) < 0)
			fatal(1, "renaming %s to %s:", r->tmpout, j->out);
	}
	if (!j->action && !j->phase)
		record_object(j->out, j->out_real, r->restored);
	if (r->restored)
		verbose("# ccache: %s restored: none of the steps ran", j->out);
	trash.ntmp = 0;
	if (r->tmps)
		unlink(r->tmps);
	block_signals(0);
}

/* Why ccache cannot keep what this job makes (a tool's side file, as
 * genksyms -T FILE for KBUILD_SYMTYPES); NULL if it can. */
static const char *
side_output(const struct job *j)
{
	static char why[256];
	size_t i, k, o;

	for (i = 0; all_tools[i]; i++)
		for (k = 0; k < j->tool[i].args.n; k++)
			for (o = 0;
			     o < TOOL_MAX_OPT && all_tools[i]->writeopt[o]; o++)
				if (!strcmp(j->tool[i].args.v[k],
					    all_tools[i]->writeopt[o])) {
					snprintf(why, sizeof(why),
						 "%s %s writes a file ccache "
						 "would not restore",
						 all_tools[i]->name,
						 all_tools[i]->writeopt[o]);
					return why;
				}
	return NULL;
}

/* --explain: how the cache tag follows a compiler or tool that is a
 * script (tag_program). */
static void
explain_scripts(const struct job *j)
{
	struct strv runs = { 0 };
	size_t i, k;
	char *f;

	/* the compiler (i == 0), then the tools */
	for (i = 0; !i || all_tools[i - 1]; i++) {
		const char *name = i ? all_tools[i - 1]->name : "cc";
		const char *path = i ? j->tool[i - 1].path : j->cc_path;

		f = path ? find_program(path, 0) : NULL;
		if (f && script_programs(f, &runs) == 0) {
			printf("script   %s %s is tagged by its text and "
			       "what it names:",
			       name, f);
			for (k = 0; k < runs.n; k++)
				printf(" %s", runs.v[k]);
			printf("%s; a program it finds on PATH or through a "
			       "variable is not followed\n",
			       runs.n ? "" : " nothing");
		}
		strv_free(&runs);
		free(f);
	}
}

/* --explain: which recipe, and what the build hands to ccache or distcc. */
static void
explain_header(struct run *r, const char *cache, const char *launcher)
{
	const struct recipe *rc = r->job->recipe;
	struct stat st;
	mode_t mode;
	enum record rec = RECORD_UNKNOWN;

	r->built = stat(r->job->out, &st) == 0;
	if (r->built)
		rec = read_record(r->job, &mode, r->unknown,
				  sizeof(r->unknown));
	if (rec != RECORD_UNKNOWN)
		r->unknown[0] = '\0';
	r->restored = rec == RECORD_RESTORED;
	printf("recipe   %s sha256 %s\n", rc->name, r->job->hash);
	if (r->restored)
		printf("status   restored from ccache: none of the steps "
		       "ran\n");
	else if (r->unknown[0])
		printf("status   unknown whether the steps ran or the object "
		       "was restored from ccache: %s\n",
		       r->unknown);
	if (cache)
		printf("cache    %s, for the whole recipe: one entry%s\n",
		       cache, r->job->ccache ? " (CC starts with it)" : "");
	if (launcher)
		printf("launcher %s, for the compile phase\n", launcher);
	explain_scripts(r->job);
}

/* A command's words with its program found on PATH, once for all who
 * run it or ask it. */
static const char *
program_found(const char *words)
{
	size_t n = strcspn(words, " \t");
	char *w = strndup(words, n), *f = find_program(w, 0);
	const char *found = f ? xasprintf("%s%s", f, words + n) : words;

	free(w);
	free(f);
	return found;
}

/* Can the job print #SYMVER lines: has a step that prints its tool? */
static int
job_prints(const struct job *j)
{
	const struct step *const *s;
	size_t k, t;

	for (s = j->recipe->steps; *s; s++)
		for (k = 0; (*s)->prints && (*s)->when[k].op; k++)
			if ((*s)->when[k].op == COND_GIVEN &&
			    (t = tool_index((*s)->when[k].arg)) < MAX_TOOLS &&
			    j->tool[t].path)
				return 1;
	return 0;
}

/* ccache keeps a compiler's stdout, where the #SYMVER lines travel, only
 * from 4.6 on: refuse an older one rather than lose them on a hit. */
static void
check_ccache_version(const struct job *j, const char *cache)
{
	char *argv[] = { NULL, "--version", NULL };
	char *v;
	unsigned major = 0, minor = 0;

	if (!is_ccache(cache) || !job_prints(j))
		return;
	argv[0] = strndup(cache, strcspn(cache, " \t"));
	v = remembered_answer("ccache-version", argv, "ccache version ");
	if (v && sscanf(v, "%u.%u", &major, &minor) == 2 &&
	    (major > 4 || (major == 4 && minor >= 6))) {
		free(v);
		free(argv[0]);
		return;
	}
	usage_error("%s is ccache %s, which does not keep a compiler's "
		    "stdout: the #SYMVER lines would be lost on a hit; use "
		    "ccache 4.6 or later, or build without ccache",
		    argv[0], v ? v : "of unknown version");
}

/*
 * OUT is read-only: is it kobjc's to replace all the same? Yes if its
 * record says kobjc left it so, mode and all (ccache's hard_link makes
 * objects read-only, the copy in the cache perhaps since evicted), or, when
 * a cache builds it, if it is a hard link (the cache's, on a file system
 * without user xattrs): replacing that name loses nothing. A read-only
 * file of the user's is refused, as gcc refuses it to a non-root user.
 */
static int
read_only_is_kobjcs(const struct job *j, int cached)
{
	char why[512];
	mode_t mode;

	if (cached && j->out_st.st_nlink > 1)
		return 1;
	return read_record(j, &mode, why, sizeof(why)) != RECORD_UNKNOWN &&
	       mode == (j->out_st.st_mode & 07777);
}

/* ---------------------------------------------------------------- remote */

/*
 * The whole recipe on a distcc helper (--phase=remote). The client's kobjc
 * runs `distcc kobjc --cc=CC --recipe-hash=H --phase=remote TOOLS FLAGS -c
 * -o TMP IN`. distcc calls `kobjc ... -E IN` here first, which answers with
 * a bundle: for each preprocessor pass of the steps a helper may run,
 * "#kobjc-part STEP LENGTH\n" and LENGTH bytes of cpp output. The helper's
 * kobjc (distccd's whitelisted compiler) takes it apart and runs the steps
 * in order, each pass as its input (the compile's $IN, the stdin of the
 * symbol-version pipe's next process), up to the first step whose tool it
 * does not hold. Its stdout, which distcc returns, starts "#kobjc-ran N
 * [NOTE]\n", then come the #SYMVER lines; the client's kobjc runs steps N
 * and on itself. Tools go by content, as sha256:DIGEST (the cache tag's
 * digest), found on the helper as KOBJC_TOOLS/DIGEST (kobjc --store-tools),
 * or as "client" when the client cannot send them. A helper refuses with
 * "#kobjc-ran 0 refused: WHY" and an empty object, exit 0 (distcc backs a
 * host off on any other exit): a compiler distccd would not run, an option
 * that runs a program or loads a file, a tool by path, a tool argument
 * that could name a file. So does distcc's local fallback, given the source
 * instead of a bundle: the client's kobjc then builds it all.
 */
#define PART_MAGIC "#kobjc-part "
#define RAN_MAGIC  "#kobjc-ran "

/* Is v "sha256:" and 64 lowercase hex digits? */
static int
is_digest(const char *v)
{
	return v && !strncmp(v, "sha256:", 7) && strlen(v + 7) == 64 &&
	       strspn(v + 7, "0123456789abcdef") == 64;
}

static int tool_digest(const char *path, char hex[65]);

/* Does GCC plugin flag f go to a helper by digest: -fplugin=PATH at a
 * plain relative path, which (client) the client can digest or (helper)
 * came as --plugin=, and the -fplugin-arg- options of plugins? */
static int
plugin_by_digest(const struct job *j, const char *f, int client)
{
	char hex[65];
	size_t i;

	if (!strncmp(f, "-fplugin-arg-", 13))
		return 1; /* gcc: only for a plugin loaded before it */
	if (strncmp(f, "-fplugin=", 9) != 0 || !plain_relative(f + 9))
		return 0;
	if (client)
		return tool_digest(f + 9, hex);
	for (i = 0; i < j->plugins.n; i++)
		if (!strcmp(plugin_path(j->plugins.v[i]), f + 9))
			return 1;
	return 0;
}

/* A compiler option a helper refuses: it names a program to run or a file
 * to load (gcc's -wrapper, -B, specs, plugins but those by digest, response
 * files); NULL if none. */
static const char *
refused_flag(const struct job *j, int client)
{
	const struct strv *flags = &j->flags;
	static const char *const prefixes[] = {
		"-wrapper",
		"-B",
		"-specs",
		"--specs",
		"-fplugin",
		"-iplugindir",
		"-fpass-plugin",
		"-Xclang",
		"--config",
		"-fuse-ld",
		"-Xassembler",
		"-fprofile-use",
		"-fauto-profile",
		"-no-integrated",
		NULL,
	};
	size_t i, k;

	for (i = 0; i < flags->n; i++) {
		const char *f = flags->v[i];

		if (plugin_by_digest(j, f, client))
			continue;
		if (f[0] == '@' || (!strncmp(f, "-Wa,", 4) && strchr(f, '@')))
			return f;
		for (k = 0; prefixes[k]; k++)
			if (!strncmp(f, prefixes[k], strlen(prefixes[k])))
				return f;
	}
	return NULL;
}

/* Can a helper pass these arguments to tool t: option words that name no
 * file (a file option's FILE only as /dev/null)? */
static int
tool_args_ok(const struct tool *t, const struct strv *args)
{
	static const char word[] = "abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789-_=,.+";
	size_t k;

	for (k = 0; k < args->n; k++) {
		const char *a = args->v[k];

		if (listed(t->readopt, TOOL_MAX_OPT, a) && k + 1 < args->n &&
		    !strcmp(args->v[k + 1], "/dev/null")) {
			k++;
			continue;
		}
		if (a[0] != '-' || a[strspn(a, word)] || a[1] == 'o' ||
		    !strncmp(a, "--output", 8) ||
		    listed(t->readopt, TOOL_MAX_OPT, a) ||
		    listed(t->writeopt, TOOL_MAX_OPT, a))
			return 0;
	}
	return 1;
}

/* The content digest of the program path names, as the cache tag has it
 * (tag_file), into hex; 0 if there is none. */
static int
tool_digest(const char *path, char hex[65])
{
	struct buf b = { 0 };
	char *f = find_program(path, 0);
	int ok = tag_file(&b, "t", f) >= 0 && b.n == 67;

	if (ok) {
		memcpy(hex, b.s + 2, 64);
		hex[64] = '\0';
	}
	free(b.s);
	free(f);
	return ok;
}

/* The compiler word a helper checks: as distccd, /bin/ and /usr/bin/
 * count as no directory (serve.c, dcc_check_compiler_whitelist). */
static const char *
helper_compiler_name(const char *w)
{
	if (!strncmp(w, "/bin/", 5))
		return w + 5;
	if (!strncmp(w, "/usr/bin/", 9))
		return w + 9;
	return w;
}

/* Can the client hand the whole recipe to a helper: one compiler word, no
 * option a helper refuses, and after any step the rest needs nothing but
 * the object? */
static int
remote_possible(const struct job *j)
{
	const struct recipe *rc = j->recipe;
	size_t n = compile_phase_steps(rc);

	if (j->cc.n != 1 || strchr(helper_compiler_name(j->cc.v[0]), '/') ||
	    refused_flag(j, 1))
		return 0;
	for (; n < recipe_steps(rc); n++)
		if (!can_ship(rc, n))
			return 0;
	return compile_phase_steps(rc) > 0;
}

/* A tool as a helper gets it: "sha256:HEX", or NULL when it would not do
 * there (a variable it reads is set here, an argument names a file). */
static const char *
helper_tool(const struct job *j, size_t i)
{
	const struct tool *t = all_tools[i];
	char hex[65];
	size_t o;

	for (o = 0; o < TOOL_MAX_ENV && t->env[o]; o++)
		if (getenv(t->env[o]))
			return NULL;
	if (!tool_args_ok(t, &j->tool[i].args) ||
	    !tool_digest(j->tool[i].path, hex))
		return NULL;
	return xasprintf("sha256:%s", hex);
}

/* A compiler flag for a helper: a GCC plugin goes by digest, in its place
 * (--plugin=sha256:HEX:PATH: distccd refuses -fplugin=). */
static char *
helper_flag(char *f)
{
	char hex[65];

	if (!strncmp(f, "-fplugin=", 9) && tool_digest(f + 9, hex))
		return xasprintf("--plugin=sha256:%s:%s", hex, f + 9);
	return f;
}

/* The first tool step s runs that is "client" (or, unless digest_ok, still
 * a digest: one KOBJC_TOOLS lacks); MAX_TOOLS if none. */
static size_t
tool_elsewhere(const struct job *j, const struct step *s, int digest_ok)
{
	size_t p, w, k;
	int is_args;

	for (p = 0; p < STEP_MAX_PROCS && s->run[p][0]; p++)
		for (w = 0; s->run[p][w]; w++) {
			const char *v;

			k = tool_var(s->run[p][w], &is_args);
			v = k < MAX_TOOLS && !is_args ? j->tool[k].path : NULL;
			if (v && (!strcmp(v, TOOL_CLIENT) ||
				  (!digest_ok && is_digest(v))))
				return k;
		}
	return MAX_TOOLS;
}

/* Can a pass already made (text) tell that step s will not run: does it
 * test the object for a symbol whose name the text does not hold? That
 * name, or NULL. (Such a symbol could come only from an assembler macro's
 * concatenation; the helper, finding no pass, leaves the step to the
 * client.) */
static const char *
pass_not_needed(const struct step *s, const struct buf *text)
{
	size_t i;

	for (i = 0; text->n && i < STEP_MAX_CONDS && s->when[i].op; i++)
		if ((s->when[i].op == COND_ELF_SYMBOL ||
		     s->when[i].op == COND_ELF_SYMBOL_PREFIX) &&
		    !memmem(text->s, text->n, s->when[i].arg,
			    strlen(s->when[i].arg)))
			return s->when[i].arg;
	return NULL;
}

/*
 * A pass as a delta from the bundle's first (the same source, under gcc
 * directives only: the symbol-version pass differs from the compile's
 * only where __GENKSYMS__ is tested): "#kobjc-delta STEP\n", then "=N"
 * (the next N lines of STEP's pass), "-N" (skip N of them), "+N" and N
 * lines of its own, each on a line.
 */
#define DELTA_MAGIC  "#kobjc-delta "
#define DELTA_WINDOW 512

struct line {
	const char *p;
	size_t n;
	uint32_t h;
};

/* b's lines (each with its '\n'), into *v; their number. */
static size_t
split_lines(const struct buf *b, struct line **v)
{
	const char *p = b->s, *e = b->s + b->n, *nl;
	size_t n = 0, cap = 0, k;

	for (*v = NULL; p && p < e; p = nl, n++) {
		nl = line_end(p, e);
		if (n == cap &&
		    !(*v = realloc(*v, (cap = 2 * cap + 1024) * sizeof(**v))))
			fatal(1, "out of memory");
		(*v)[n] = (struct line){ p, (size_t)(nl - p), 2166136261u };
		for (k = 0; k < (*v)[n].n; k++)
			(*v)[n].h =
				((*v)[n].h ^ (unsigned char)p[k]) * 16777619u;
	}
	return n;
}

static int
same_line(const struct line *a, const struct line *b)
{
	return a->h == b->h && a->n == b->n && !memcmp(a->p, b->p, a->n);
}

/* Do a from i and b from k go on alike for 3 lines (or both end)? */
static int
synced(const struct line *a, size_t na, size_t i, const struct line *b,
       size_t nb, size_t k)
{
	size_t r;

	for (r = 0; r < 3; r++)
		if (i + r == na || k + r == nb)
			return i + r == na && k + r == nb;
		else if (!same_line(a + i + r, b + k + r))
			return 0;
	return 1;
}

/* text as a delta from pass step's base, into out */
static void
delta_encode(const struct buf *base, const struct buf *text, size_t step,
	     struct buf *out)
{
	struct line *a, *b;
	size_t na = split_lines(base, &a), nb = split_lines(text, &b);
	size_t i = 0, k = 0, d, x = 0, run;

	buf_printf(out, DELTA_MAGIC "%zu\n", step);
	while (k < nb) {
		for (run = 0; i + run < na && k + run < nb &&
			      same_line(a + i + run, b + k + run);
		     run++)
			;
		if (run) {
			buf_printf(out, "=%zu\n", run);
			i += run, k += run;
			continue;
		}
		for (d = 1; d <= DELTA_WINDOW; d++)
			for (x = 0; x <= d; x++)
				if (i + x <= na && k + d - x <= nb &&
				    synced(a, na, i + x, b, nb, k + d - x))
					goto found;
		x = na - i, d = x + nb - k; /* no resync: the rest is new */
	found:
		if (x)
			buf_printf(out, "-%zu\n", x);
		if (d > x)
			buf_printf(out, "+%zu\n", d - x);
		for (run = k + d - x; k < run; k++)
			buf_add(out, b[k].p, b[k].n);
		i += x;
	}
	free(a);
	free(b);
}

/* The pass a delta (at p..e, after its first line) makes of base, into
 * out; 0 if it is not a well-formed one. */
static int
delta_decode(const struct buf *base, const char *p, const char *e,
	     struct buf *out)
{
	const char *b = base->s, *be = base->s + base->n, *nl;
	unsigned long n;
	char op, *end;

	while (p < e) {
		op = *p;
		n = strtoul(p + 1, &end, 10);
		if (!strchr("=-+", op) || end == p + 1 || *end != '\n')
			return 0;
		for (p = end + 1; n > 0; n--) {
			const char **at = op == '+' ? &p : &b;
			const char *lim = op == '+' ? e : be;

			if (*at >= lim)
				return 0;
			nl = line_end(*at, lim);
			if (op != '-')
				buf_add(out, *at, nl - *at);
			*at = nl;
		}
	}
	return 1;
}

/* Does gcc read comments in this job's text: -Wimplicit-fallthrough at a
 * level below 5 (-Wextra's is 3) takes "fall through" comments? */
static int
reads_comments(const struct job *j)
{
	int level = -1, extra = 0;
	size_t i;

	for (i = 0; i < j->flags.n; i++) {
		const char *f = j->flags.v[i];

		if (!strcmp(f, "-Wextra"))
			extra = 1;
		else if (!strcmp(f, "-Wimplicit-fallthrough"))
			level = 3;
		else if (!strncmp(f, "-Wimplicit-fallthrough=", 23))
			level = atoi(f + 23);
		else if (!strcmp(f, "-Wno-implicit-fallthrough"))
			level = 0;
	}
	if (level < 0)
		level = extra ? 3 : 0;
	return level > 0 && level < 5;
}

/* p past any backslash-newlines */
static char *
unsplice(char *p, const char *e)
{
	while (e - p >= 2 && p[0] == '\\' && p[1] == '\n')
		p += 2;
	return p;
}

static int
ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '$' || c & 0x80;
}

/* Is the word before q in [s, q) a literal's prefix (L, u, U or u8), or
 * none at all? Then a quote at q opens a literal. */
static int
opens_literal(const char *s, const char *q)
{
	const char *w = q;

	while (w > s && ident_char(w[-1]))
		w--;
	return q - w == 0 || (q - w == 1 && strchr("LuU", *w)) ||
	       (q - w == 2 && !memcmp(w, "u8", 2));
}

/*
 * A directives-only pass with its comments made blanks (their newlines
 * kept, so every token keeps its line and column) and its lines' trailing
 * blanks gone: the compiler sees the same tokens in the same places, and
 * the bundle is a third smaller. Not for a text with raw string literals
 * (R") or "??/" (a backslash under -trigraphs), which cpp reads otherwise,
 * and not past a quote that may be C23's digit separator (1'000).
 */
static void
blank_comments(struct buf *b)
{
	char *p, *e, *q, *w, quote = 0;
	int state = 0; /* 1 in a block comment, 2 in a line comment */

	if (!b->s)
		return;
	p = b->s, e = b->s + b->n;

	for (q = p; q < e && (q = memmem(q, e - q, "R\"", 2)); q++)
		if (opens_literal(p, q))
			return;
	if (memmem(p, e - p, "?\?/", 3)) /* a backslash under -trigraphs */
		return;
	for (; p < e; p = q) {
		if (*p == '\\' && p + 1 < e && p[1] == '\n') {
			q = p + 2;
			continue;
		}
		q = unsplice(p + 1, e);
		if (state == 1 && *p == '*' && q < e && *q == '/')
			*p = *q = ' ', state = 0, q++;
		else if (state == 1)
			*p = *p == '\n' ? '\n' : ' ';
		else if (state == 2 && *p == '\n')
			state = 0;
		else if (state == 2)
			*p = *p == '\\' ? '\\' : ' ';
		else if (quote && *p == '\\')
			q = q < e ? unsplice(q + 1, e) : q;
		else if (quote && (*p == quote || *p == '\n'))
			quote = 0;
		else if (!quote && *p == '/' && q < e && strchr("*/", *q))
			state = *q == '*' ? 1 : 2, *p = *q = ' ', q++;
		else if (!quote && *p == '\'' && !opens_literal(b->s, p))
			break;
		else if (!quote && (*p == '"' || *p == '\''))
			quote = *p;
	}
	for (w = p = b->s, q = NULL; p < e; p++) { /* trailing blanks */
		if (*p == ' ' || *p == '\t')
			q = q ? q : w;
		else if (*p == '\n' && q)
			w = q, q = NULL;
		else
			q = NULL;
		*w++ = *p;
	}
	b->n = (size_t)(w - b->s);
}

/* Pass b as a delta from first (step's) if that is smaller and gives b
 * back. */
static void
delta_pass(const struct buf *first, size_t step, struct buf *b)
{
	struct buf d = { 0 }, back = { 0 };
	const char *nl;

	delta_encode(first, b, step, &d);
	nl = memchr(d.s, '\n', d.n);
	if (d.n < b->n && delta_decode(first, nl + 1, d.s + d.n, &back) &&
	    back.n == b->n && !memcmp(back.s, b->s, b->n)) {
		free(b->s);
		*b = d;
	} else {
		free(d.s);
	}
	free(back.s);
}

/* The -E answer under --phase=remote: each pass of the steps before the
 * first one the client keeps, as "#kobjc-part STEP LENGTH\n" and the pass;
 * none for a step the first pass shows will not run (pass_not_needed). */
static void
remote_bundle(struct run *r, int fd)
{
	const struct recipe *rc = r->job->recipe;
	struct strv av = { 0 };
	struct buf b = { 0 }, head = { 0 }, first = { 0 };
	size_t i, step = 0, end = recipe_steps(rc);
	const char *absent;
	struct child c;

	for (i = 0; i < end; i++) {
		const struct step *s = rc->steps[i];

		if (tool_elsewhere(r->job, s, 1) < MAX_TOOLS)
			break;
		if ((absent = pass_not_needed(s, &first))) {
			verbose("# %s: no pass sent: the source has no %s",
				s->name, absent);
			continue;
		}
		if (!preprocess_pass(r, s, &av))
			continue;
		b.n = head.n = 0;
		c = (struct child){ .s = s, .av = &av, .n = 1, .into = &b };
		finish_step(r, s, run_pipeline(r, &c), 0);
		if (directives_only(r->job) && !reads_comments(r->job))
			blank_comments(&b);
		if (!first.n)
			buf_add(&first, b.s, b.n), step = i;
		else if (directives_only(r->job))
			delta_pass(&first, step, &b);
		buf_printf(&head, PART_MAGIC "%zu %zu\n", i, b.n);
		if (write_all(fd, head.s, head.n) < 0 ||
		    write_all(fd, b.s, b.n) < 0)
			fatal(1, "preprocess: writing the bundle:");
	}
	free(av.v);
	free(b.s);
	free(head.s);
	free(first.s);
}

/* The first line of the helper's stdout: how many steps it ran, and its
 * note (into note); the line is taken out of r->symvers. */
static size_t
take_ran_line(struct run *r, const char *launcher, struct buf *note)
{
	struct buf *b = &r->symvers;
	size_t n = strlen(RAN_MAGIC), len;
	unsigned long ran;
	char *nl, *end;

	if (b->n < n || memcmp(b->s, RAN_MAGIC, n) != 0 ||
	    !(nl = memchr(b->s, '\n', b->n)) || !strchr("0123456789", b->s[n]))
		fatal(1, "%s: %s: no answer from kobjc --phase=remote",
		      object_name, launcher);
	ran = strtoul(b->s + n, &end, 10);
	if (*end == ' ')
		buf_add(note, end + 1, nl - end - 1);
	len = nl + 1 - b->s;
	memmove(b->s, nl + 1, b->n - len + 1);
	b->n -= len;
	return ran;
}

/* What a helper's kobjc answered (call_back, for s, with exit 0): how
 * many steps ran there; 0: none, the client builds it all. */
static size_t
remote_ran(struct run *r, const struct step *s)
{
	const struct recipe *rc = r->job->recipe;
	struct buf note = { 0 };
	size_t ran = take_ran_line(r, s->name, &note);

	if (ran && (ran < compile_phase_steps(rc) || ran > recipe_steps(rc)))
		fatal(1, "%s: %s: kobjc --phase=remote ran %zu steps of %zu",
		      object_name, s->name, ran, recipe_steps(rc));
	if (!strncmp(note.s ? note.s : "", "refused: ", 9))
		warn("%s: the helper %s; built here", object_name, note.s);
	verbose("# %s: %zu steps ran there%s%s", s->name, ran,
		note.n ? ": " : "", note.n ? note.s : "");
	if (ran)
		finish_step(r, s, 0, 0);
	else
		r->symvers.n = 0;
	free(note.s);
	return ran;
}

/* Would distccd run compiler word w: listed (by its last word) in
 * DISTCC_CMDLIST, or, without one, in /usr/lib/distcc? The program to run
 * (the list's path), or NULL. */
static char *
helper_compiler(const char *w)
{
	const char *list = getenv_set("DISTCC_CMDLIST");
	struct buf b = { 0 };
	char *line, *save = NULL, *found = NULL;

	w = helper_compiler_name(w);
	if (!*w || strchr(w, '/'))
		return NULL;
	if (!list) {
		line = xasprintf("/usr/lib/distcc/%s", w);
		if (access(line, X_OK) == 0)
			found = xstrdup(w);
		free(line);
		return found;
	}
	if (read_file(list, &b) < 0 || !b.s)
		return NULL;
	for (line = strtok_r(b.s, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save))
		if (!strcmp(base_of(trim(line)), w))
			found = xstrdup(trim(line));
	free(b.s);
	return found;
}

/* Why a helper refuses this job (the compiler, an option, a tool); NULL if
 * it does not. Sets the compiler to the one distccd's list names. */
static const char *
helper_refusal(struct job *j)
{
	static char why[512];
	const char *f;
	char *cc = NULL;
	size_t i;

	if (j->cc.n != 1 || !(cc = helper_compiler(j->cc.v[0]))) {
		snprintf(why, sizeof(why),
			 "refused: compiler '%s' is not one distccd runs here",
			 j->cc.n ? j->cc.v[0] : "");
		return why;
	}
	j->cc.v[0] = cc;
	if (j->symvers) {
		snprintf(why, sizeof(why),
			 "refused: --symvers=%s names a file to write",
			 j->symvers);
		return why;
	}
	if ((f = refused_flag(j, 0))) {
		snprintf(why, sizeof(why),
			 "refused: option '%s' runs a program or loads a file",
			 f);
		return why;
	}
	for (i = 0; all_tools[i]; i++) {
		const char *p = j->tool[i].path;

		if (p && !is_digest(p) && strcmp(p, TOOL_CLIENT) != 0) {
			snprintf(why, sizeof(why),
				 "refused: --%s=%s: a helper runs tools by "
				 "digest only",
				 all_tools[i]->name, p);
			return why;
		}
		if (p && !tool_args_ok(all_tools[i], &j->tool[i].args)) {
			snprintf(why, sizeof(why),
				 "refused: --%s-arg: an argument that may "
				 "name a file",
				 all_tools[i]->name);
			return why;
		}
	}
	return NULL;
}

/* A compile-phase job on a distcc helper, which distccd hands the source
 * preprocessed, as a .i file (kobjc is given sources): refuse what a
 * helper refuses, with exit 1 (distcc then builds it on the client). No
 * kobjc sends --symvers= to a helper: refused in either phase. */
static void
check_compile_helper(struct job *j)
{
	size_t n = j->in ? strlen(j->in) : 0;
	const char *why;

	/* a file to write, and to remove on a failure: before anything */
	if (is_remote(j) && j->symvers)
		fatal(1, "helper refused: --symvers=%s names a file to write",
		      j->symvers);
	if (!j->phase || strcmp(j->phase, "compile") != 0 || j->action != 'c' ||
	    n < 2 || strcmp(j->in + n - 2, ".i") != 0)
		return;
	if ((why = helper_refusal(j)))
		fatal(1, "helper %s", why);
}

/* A part's pass: as sent, or what its delta makes of an earlier part's
 * pass (raw[]: each part as sent), into b; 0 if the delta is not good. */
static int
part_pass(const char *s, size_t n, const struct buf raw[RECIPE_MAX_STEPS],
	  size_t step, struct buf *b)
{
	size_t m = strlen(DELTA_MAGIC);
	unsigned long base;
	const char *nl;
	char *end;

	if (n < m || memcmp(s, DELTA_MAGIC, m) != 0) {
		buf_add(b, s, n);
		return 1;
	}
	base = strtoul(s + m, &end, 10);
	nl = memchr(s, '\n', n);
	return nl && end == nl && strchr("0123456789", s[m]) && base < step &&
	       raw[base].s &&
	       !(raw[base].n >= m && !memcmp(raw[base].s, DELTA_MAGIC, m)) &&
	       delta_decode(&raw[base], nl + 1, s + n, b);
}

/* Take the bundle apart: part[STEP] a memfd with that step's pass; 0 if it
 * is not a well-formed bundle. */
static int
split_bundle(const struct buf *in, int part[RECIPE_MAX_STEPS])
{
	const char *p = in->s, *e = in->s + in->n, *nl;
	struct buf raw[RECIPE_MAX_STEPS] = { { 0 } }, b = { 0 };
	size_t n = strlen(PART_MAGIC);
	unsigned long step, len;
	char *end;
	int ok = 1;

	while (ok && p < e) {
		if ((size_t)(e - p) <= n || memcmp(p, PART_MAGIC, n) != 0 ||
		    !(nl = memchr(p, '\n', e - p)) ||
		    !strchr("0123456789", p[n]))
			return 0;
		step = strtoul(p + n, &end, 10);
		if (*end != ' ' || !strchr("0123456789", end[1]))
			return 0;
		len = strtoul(end + 1, &end, 10);
		if (end != nl || step >= RECIPE_MAX_STEPS || part[step] >= 0 ||
		    len > (size_t)(e - nl - 1))
			return 0;
		raw[step] = (struct buf){ (char *)nl + 1, len, 0 };
		b.n = 0;
		if (!(ok = part_pass(nl + 1, len, raw, step, &b)))
			break;
		part[step] = memfd_create("kobjc-part", MFD_CLOEXEC);
		if (part[step] < 0 || write_all(part[step], b.s, b.n) < 0 ||
		    lseek(part[step], 0, SEEK_SET) < 0)
			fatal(1, "%s: the bundle's part %lu:", object_name,
			      step);
		p = nl + 1 + len;
	}
	free(b.s);
	return ok;
}

/* Each tool given by digest, from KOBJC_TOOLS (an absolute directory) if
 * it holds it; the variables it reads are the client's: unset here. */
static void
resolve_tools(struct job *j)
{
	const char *dir = getenv_set("KOBJC_TOOLS");
	struct stat st;
	size_t i, o;
	char *f;

	for (i = 0; dir && dir[0] == '/' && all_tools[i]; i++) {
		if (!is_digest(j->tool[i].path))
			continue;
		f = xasprintf("%s/%s", dir, j->tool[i].path + 7);
		if (stat(f, &st) < 0 || !S_ISREG(st.st_mode) ||
		    access(f, X_OK) < 0) {
			free(f);
			continue;
		}
		j->tool[i].path = f;
		for (o = 0; o < TOOL_MAX_ENV && all_tools[i]->env[o]; o++)
			unsetenv(all_tools[i]->env[o]);
	}
}

/* rm -r of the helper's tree: its directories, files and links */
static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/*
 * A helper's working tree, a new directory ROOT: the working directory is
 * ROOT/CWD, CWD the client's (gcc's "# 1 "CWD//"" line, written under -g),
 * or ROOT. Under gcc the client runs each pass with -fdirectives-only
 * (includes and conditionals done, macros kept): a pass becomes its source
 * again, at NAME (its first line's), and the step runs on it as on the
 * client; gcc expands the macros here, so the debug information has the
 * source's columns, and -ffile-prefix-map=ROOT= gives it the client's
 * paths. GCC plugins are linked here at their relative paths.
 */
struct tree {
	char *root;
	char *dir;  /* ROOT/CWD, or ROOT */
	char *file; /* where a pass goes: ROOT/NAME or ROOT/CWD/NAME */
	char *in;   /* $IN: NAME, or file when NAME is absolute */
	char *name; /* NAME */
};

/* A gcc line marker at p (`# N "NAME"`, no escapes): NAME's length, 0 if
 * p..e does not start with one. */
static size_t
line_marker(const char *p, const char *e, const char **name)
{
	size_t n = (size_t)(e - p), d = 2;
	const char *q;

	if (n < 6 || p[0] != '#' || p[1] != ' ')
		return 0;
	while (d < n && p[d] >= '0' && p[d] <= '9')
		d++;
	if (d == 2 || d + 2 >= n || p[d] != ' ' || p[d + 1] != '"')
		return 0;
	*name = p + d + 2;
	for (q = *name; q < e && *q != '"' && *q != '\\' && *q != '\n'; q++)
		;
	return q < e && *q == '"' ? (size_t)(q - *name) : 0;
}

/* The depth of relative path p from one at depth; -1 if ".." leaves it. */
static int
tree_depth(const char *p, int depth)
{
	size_t n;

	for (; *p; p += n + (p[n] == '/')) {
		n = strcspn(p, "/");
		if (n == 2 && !strncmp(p, "..", 2) && --depth < 0)
			return -1;
		depth += n && !(n <= 2 && !strncmp(p, "..", n));
	}
	return depth;
}

/* mkdir -p of path's directories after its first from bytes (path[from]
 * is '/' or the end); with file, not its last component. */
static void
make_dirs(char *path, size_t from, int file)
{
	char *p = path + from, *slash;

	for (; *p; p = slash) {
		slash = strchr(p + 1, '/');
		if (!slash && file)
			return;
		if (slash)
			*slash = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			fatal(1, "%s:", path);
		if (!slash)
			return;
		*slash = '/';
	}
}

/* The names of a directives-only pass: NAME and CWD from its first two
 * lines (CWD NULL without one); why not, or NULL. */
static const char *
pass_names(int part, char **name, char **cwd)
{
	char head[2 * PATH_MAX + 64], *nl;
	const char *s;
	ssize_t n = pread(part, head, sizeof(head) - 1, 0);
	size_t len;

	if (n < 0)
		fatal(1, "%s: the bundle:", object_name);
	head[n] = '\0';
	if (!(len = line_marker(head, head + n, &s)) || s[0] == '<' ||
	    !(nl = strchr(head, '\n')))
		return "refused: the pass does not name its source";
	*name = strndup(s, len);
	len = line_marker(nl + 1, head + n, &s);
	*cwd = len > 3 && s[0] == '/' && !strncmp(s + len - 2, "//", 2)
		       ? strndup(s, len - 2)
		       : NULL;
	if (tree_depth(*cwd ? *cwd + 1 : "", 0) < 0 ||
	    tree_depth(**name == '/' ? *name + 1 : *name,
		       **name == '/' || !*cwd ? 0 : tree_depth(*cwd + 1, 0)) <
		    0)
		return "refused: the pass names a path outside its tree";
	return NULL;
}

/*
 * Make the tree t for job j, part the bundle's first pass (-1: none; then,
 * and under clang, which sends cpp output, no NAME), its working directory
 * the current one; then the compiler flags for it: distcc took -nostdinc
 * out, and with it gcc would include stdc-predef.h; -include files are in
 * the pass; paths under ROOT are mapped back. Why not, or NULL.
 */
static const char *
tree_make(struct job *j, int part, struct tree *t)
{
	const char *tmp = getenv_set("TMPDIR"), *why = NULL;
	char *name = NULL, *cwd = NULL;
	struct strv flags = { 0 };
	size_t i;

	if (part >= 0 && directives_only(j) &&
	    (why = pass_names(part, &name, &cwd))) {
		free(name);
		free(cwd);
		return why;
	}
	t->root = xasprintf("%s/kobjc-tree.XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(t->root))
		fatal(1, "%s:", t->root);
	t->dir = xasprintf("%s%s", t->root, cwd ? cwd : "");
	make_dirs(t->dir, strlen(t->root), 0);
	if (name) {
		t->file = xasprintf("%s%s%s", name[0] == '/' ? t->root : t->dir,
				    name[0] == '/' ? "" : "/", name);
		make_dirs(t->file, strlen(t->root), 1);
		t->in = name[0] == '/' ? t->file : name;
		t->name = name;
		strv_push(&flags, "-nostdinc");
		for (i = 0; i < j->flags.n; i++)
			if (!strcmp(j->flags.v[i], "-include") ||
			    !strcmp(j->flags.v[i], "-imacros"))
				i++;
			else
				strv_push(&flags, j->flags.v[i]);
		strv_push(&flags, xasprintf("-ffile-prefix-map=%s=", t->root));
		/* the client's own prefix maps, under ROOT */
		for (i = 0; i < j->flags.n; i++) {
			const char *f = j->flags.v[i], *old = strchr(f, '=');

			if (!strncmp(f, "-ffile-prefix-map=/", 19) ||
			    !strncmp(f, "-fdebug-prefix-map=/", 20))
				strv_push(&flags,
					  xasprintf("%.*s%s%s",
						    (int)(old + 1 - f), f,
						    t->root, old + 1));
		}
		free(j->flags.v);
		j->flags = flags;
	}
	if (chdir(t->dir) < 0)
		fatal(1, "%s:", t->dir);
	free(cwd);
	return NULL;
}

/* p past blanks and block comments, not line ends; gcc takes a NUL for
 * a blank */
static const char *
skip_blanks(const char *p, const char *e)
{
	const char *c;

	while (p < e) {
		if (strchr(" \t\f\v", *p)) {
			p++;
		} else if (!memcmp(p, "/*", 2)) {
			c = memmem(p + 2, e - p - 2, "*/", 2);
			p = c ? c + 2 : e;
		} else {
			break;
		}
	}
	return p;
}

/* Text [p, e) with its continued lines joined (a backslash, blanks and a
 * line end, as gcc reads them) into t; -1 if a trigraph ("??/") may
 * continue one, which joins lines only under -trigraphs. */
static int
join_lines(const char *p, const char *e, struct buf *t)
{
	const char *c, *q;

	for (t->n = 0; (c = memchr(p, '\\', e - p)); p = q) {
		q = c + 1 + strspn(c + 1, " \t\f\v");
		if (q < e && (*q == '\n' || *q == '\r')) {
			buf_add(t, p, c - p);
			q += *q == '\r' && q + 1 < e && q[1] == '\n' ? 2 : 1;
		} else {
			buf_add(t, p, q - p);
		}
	}
	buf_add(t, p, e - p);
	for (c = t->s; (c = memmem(c, t->s + t->n - c, "?\?/", 3)); c++)
		if (strchr("\r\n", c[3 + strspn(c + 3, " \t\f\v")]))
			return -1;
	return 0;
}

/*
 * The first directive in directives-only text [s, e), its lines joined, a
 * helper's gcc would act on but must not: anything but #define, #undef,
 * #pragma, #ident and line markers (an #include would read a file here);
 * NULL if none. It finds more than cpp would, never less: literals and
 * comments are not lexed (a raw string or a digit separator would fool a
 * lexer); a directive is looked for at every line's start (LF, CR LF or CR
 * ends one) and after every comment's end, past blanks and comments, as
 * '#', "%:" or "??=".
 */
static const char *
bad_directive(const char *s, const char *e)
{
	static const char *const ok[] = { "define", "undef", "pragma", "ident",
					  NULL };
	const char *p, *q;
	size_t n, k;

	for (p = s; p < e; p++) {
		if (p > s && !strchr("\n\r", p[-1]) &&
		    (p - s < 2 || memcmp(p - 2, "*/", 2) != 0))
			continue;
		q = skip_blanks(p, e);
		n = q >= e		     ? 0
		    : *q == '#'		     ? 1
		    : !strncmp(q, "%:", 2)   ? 2
		    : !strncmp(q, "?\?=", 3) ? 3
					     : 0;
		if (!n)
			continue;
		q = skip_blanks(q + n, e);
		for (n = 0; q + n < e && ident_char(q[n]);)
			n++;
		if (!n ||
		    isdigit((unsigned char)*q)) /* none, or a line marker */
			continue;
		for (k = 0; ok[k]; k++)
			if (strlen(ok[k]) == n && !strncmp(q, ok[k], n))
				break;
		if (!ok[k])
			return q;
	}
	return NULL;
}

/* Why a helper refuses the directives-only passes in part[]; NULL if it
 * does not. */
static const char *
passes_refusal(const int part[RECIPE_MAX_STEPS])
{
	static char why[96];
	struct buf b = { 0 }, t = { 0 };
	const char *bad = NULL;
	size_t i;

	for (i = 0; !bad && i < RECIPE_MAX_STEPS; i++) {
		if (part[i] < 0)
			continue;
		b.n = 0;
		if (read_fd(part[i], &b) < 0 || lseek(part[i], 0, SEEK_SET) < 0)
			fatal(1, "%s: the bundle:", object_name);
		if (join_lines(b.s, b.s + b.n, &t) < 0) {
			bad = "refused: the pass may continue a line with ?\?/";
		} else if ((bad = bad_directive(t.s, t.s + t.n))) {
			snprintf(why, sizeof(why),
				 "refused: the pass has a directive '#%.*s'",
				 (int)strcspn(bad, " \t\n\r\"<"), bad);
			bad = why;
		}
	}
	free(b.s);
	free(t.s);
	return bad;
}

/* The pass in part as the source t->file, less gcc's built-in macros,
 * which the compiler here defines. */
static void
tree_write(const struct tree *t, int part)
{
	struct buf b = { 0 };
	const char *p, *e, *nl, *from, *name;
	int builtin = 0, fd;
	size_t n;

	if (read_fd(part, &b) < 0)
		fatal(1, "%s: the bundle:", object_name);
	fd = open(t->file,
		  O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		fatal(1, "%s:", t->file);
	for (from = p = b.s, e = b.s + b.n; p && p < e; p = nl) {
		nl = line_end(p, e);
		if ((n = line_marker(p, nl, &name)))
			builtin = n == 10 && !strncmp(name, "<built-in>", 10);
		else if (builtin && !strncmp(p, "#define ", 8)) {
			if (write_all(fd, from, p - from) < 0)
				fatal(1, "%s:", t->file);
			from = nl;
		}
	}
	if (write_all(fd, from, e - from) < 0 || close(fd) < 0)
		fatal(1, "%s:", t->file);
	free(b.s);
}

/*
 * The job's GCC plugins by digest, from KOBJC_TOOLS, each linked at its
 * -fplugin=PATH (relative, as the client's kbuild gave it, and as gcc
 * records it in the object's DW_AT_producer) in the tree's working
 * directory. Why not, or NULL.
 */
static const char *
place_plugins(struct job *j, const struct tree *t)
{
	const char *store = getenv_set("KOBJC_TOOLS");
	char *f, *link;
	struct stat st;
	size_t i;

	if (j->plugins.n && (!store || store[0] != '/'))
		return "GCC plugin: no KOBJC_TOOLS";
	for (i = 0; i < j->plugins.n; i++) {
		f = xasprintf("%s/%.64s", store, j->plugins.v[i] + 7);
		if (stat(f, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(f);
			return "GCC plugin: not in KOBJC_TOOLS";
		}
		link = xasprintf("%s/%s", t->dir, plugin_path(j->plugins.v[i]));
		make_dirs(link, strlen(t->dir), 1);
		if (symlink(f, link) < 0 && errno != EEXIST)
			fatal(1, "%s:", link);
		free(f);
		free(link);
	}
	return NULL;
}

/*
 * The preprocessor of pipe step s (av[0]) on the tree's source, into a
 * memfd, from the source's first line marker on: before it, cpp names the
 * file it was given (under ROOT when NAME is absolute), and genksyms takes
 * the first name it reads for the source's.
 */
static int
source_pass(struct run *r, const struct step *s, struct strv *av,
	    const struct tree *t)
{
	struct buf b = { 0 };
	const char *p, *e, *nl = NULL, *name;
	size_t len = strlen(t->name);
	int fd = memfd_create("kobjc-pass", MFD_CLOEXEC);
	struct child c;

	if (fd < 0)
		fatal(1, "%s: memfd:", object_name);
	c = (struct child){ .s = s, .av = av, .n = 1, .out = fd };
	finish_step(r, s, run_pipeline(r, &c), 0);
	if (lseek(fd, 0, SEEK_SET) < 0 || read_fd(fd, &b) < 0)
		fatal(1, "%s: the pass:", object_name);
	for (p = b.s, e = b.s + b.n; p && p < e; p = nl) {
		nl = line_end(p, e);
		if (line_marker(p, nl, &name) == len &&
		    !memcmp(name, t->name, len))
			break;
	}
	if (lseek(fd, p && p < e ? p - b.s : 0, SEEK_SET) < 0)
		fatal(1, "%s: the pass:", object_name);
	free(b.s);
	return fd;
}

/* Run step s on a helper, its preprocessor pass from the bundle's part
 * (-1: none); 0 if it needs a pass the bundle does not have. */
static int
remote_step(struct run *r, const struct step *s, int part, const struct tree *t)
{
	struct strv av[STEP_MAX_PROCS] = { { 0 } };
	struct buf why = { 0 }, b = { 0 };
	const char *const *w;
	struct child c;
	int has_e = 0, nproc, fd, i;
	char *in;

	if (s->native || !s->run[0][0] || strcmp(s->run[0][0], "$CC") != 0 ||
	    !step_reads(s, "$IN")) {
		run_step(r, s);
		return 1;
	}
	if (eval_step(r, s, &why) == NO) {
		verbose("# %s: skipped: %s", s->name, why.s);
		free(why.s);
		return 1;
	}
	free(why.s);
	if (part < 0)
		return 0;
	for (w = s->run[0]; *w; w++)
		has_e |= !strcmp(*w, "-E");
	if (t->file) { /* the pass as its source again */
		tree_write(t, part);
		close(part);
		r->job->in = t->in;
		if (!has_e) {
			run_step(r, s);
			return 1;
		}
	} else if (!has_e) { /* the compile: its $IN is the pass, a .i file */
		in = make_temp(r->job->out, ".i");
		if (read_fd(part, &b) < 0 ||
		    (fd = open(in, O_WRONLY | O_CLOEXEC)) < 0 ||
		    write_all(fd, b.s, b.n) < 0 || close(fd) < 0)
			fatal(1, "%s: %s:", object_name, in);
		close(part);
		free(b.s);
		r->job->in = in;
		run_step(r, s);
		unlink(in);
		return 1;
	}
	/* a pass piped to a tool: the tool reads the part */
	nproc = expand_step(r, s, av);
	if (t->file && nproc >= 2)
		part = source_pass(r, s, av, t);
	if (nproc >= 2) { /* run_pipeline closes part */
		c = (struct child){
			.s = s, .av = av + 1, .n = nproc - 1, .in = part
		};
		finish_step(r, s, run_pipeline(r, &c), 1);
	}
	for (i = 0; i < nproc; i++)
		free(av[i].v);
	return nproc >= 2;
}

/* A helper's answer: "#kobjc-ran N [NOTE]" on stdout, then the object and
 * the #SYMVER lines as any build's. */
static int
remote_done(struct run *r, size_t ran, const char *note)
{
	struct buf b = { 0 };
	size_t i;

	buf_printf(&b, RAN_MAGIC "%zu%s%s\n", ran, *note ? " " : "", note);
	for (i = strlen(RAN_MAGIC); i + 1 < b.n; i++)
		if (b.s[i] == '\n')
			b.s[i] = ' ';
	if (write_all(STDOUT_FILENO, b.s, b.n) < 0)
		fatal(1, "writing stdout:");
	if (!ran)
		r->symvers.n = 0;
	r->job->symvers = NULL; /* the lines go on stdout, after that one */
	install(r);
	free(b.s);
	return 0;
}

/* kobjc --phase=remote -c: on a helper, the steps it can run of the
 * bundle's recipe; distcc's local fallback gets the source: none. */
static int
remote_half(struct run *r)
{
	struct job *j = r->job;
	const struct recipe *rc = j->recipe;
	struct buf in = { 0 }, note = { 0 };
	struct tree t = { 0 };
	int part[RECIPE_MAX_STEPS], first = -1;
	size_t i, k, n = strlen(PART_MAGIC), end = recipe_steps(rc);
	const char *why;

	for (i = 0; i < RECIPE_MAX_STEPS; i++)
		part[i] = -1;
	if (read_file(j->in, &in) < 0)
		fatal(1, "%s:", j->in);
	if (in.n < n || memcmp(in.s, PART_MAGIC, n) != 0)
		return remote_done(r, 0, "");
	if ((why = helper_refusal(j)) || !split_bundle(&in, part))
		return remote_done(r, 0,
				   why ? why
				       : "refused: not a bundle of cpp passes");
	free(in.s);
	for (i = RECIPE_MAX_STEPS; i-- > 0;)
		first = part[i] >= 0 ? part[i] : first;
	if (!(why = directives_only(j) ? passes_refusal(part) : NULL) &&
	    !(why = tree_make(j, first, &t)) && !(why = place_plugins(j, &t)))
		resolve_tools(j);
	for (i = 0; !why && i < end; i++) {
		const struct step *s = rc->steps[i];

		if ((k = tool_elsewhere(j, s, 0)) < MAX_TOOLS) {
			buf_printf(&note, "%s: %s %s", s->name,
				   all_tools[k]->name,
				   is_digest(j->tool[k].path)
					   ? "not in KOBJC_TOOLS"
					   : "kept by the client");
			break;
		}
		if (!remote_step(r, s, part[i], &t)) {
			buf_printf(&note, "%s: no pass in the bundle", s->name);
			break;
		}
		part[i] = -1;
	}
	for (k = 0; k < RECIPE_MAX_STEPS; k++)
		if (part[k] >= 0)
			close(part[k]);
	if (t.root && chdir("/") == 0)
		nftw(t.root, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	return remote_done(r, i, why ? why : note.s ? note.s : "");
}

/*
 * kobjc --store-tools=DIR TREE: a built kernel tree's objtool, genksyms,
 * gendwarfksyms and GCC plugins into DIR, each under its content digest
 * (the cache tag's), for a helper's KOBJC_TOOLS=DIR.
 */
static int
store_tools(const char *dir, const char *tree)
{
	static const char *const fixed[] = {
		"tools/objtool/objtool",
		"scripts/genksyms/genksyms",
		"scripts/gendwarfksyms/gendwarfksyms",
		NULL,
	};
	struct strv files = { 0 };
	struct buf b = { 0 }, tmp = { 0 };
	char hex[65], *f, *plugins = xasprintf("%s/scripts/gcc-plugins", tree);
	struct dirent *e;
	size_t i, len;
	DIR *d;
	int fd;

	for (i = 0; fixed[i]; i++)
		if (access(f = xasprintf("%s/%s", tree, fixed[i]), F_OK) == 0)
			strv_push(&files, f);
	if ((d = opendir(plugins))) {
		while ((e = readdir(d)))
			if ((len = strlen(e->d_name)) > 3 &&
			    !strcmp(e->d_name + len - 3, ".so"))
				strv_push(&files, xasprintf("%s/%s", plugins,
							    e->d_name));
		closedir(d);
	}
	if (!files.n)
		usage_error("--store-tools: no objtool, genksyms, "
			    "gendwarfksyms or GCC plugin built in '%s'",
			    tree);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		fatal(1, "--store-tools: %s:", dir);
	for (i = 0; i < files.n; i++) {
		b.n = tmp.n = 0;
		if (read_file(files.v[i], &b) < 0)
			fatal(1, "%s:", files.v[i]);
		content_digest(&b, hex);
		buf_printf(&tmp, "%s/.tmp_store.XXXXXX", dir);
		if ((fd = mkostemp(tmp.s, O_CLOEXEC)) < 0)
			fatal(1, "--store-tools: %s:", dir);
		if (write_all(fd, b.s, b.n) < 0 || fchmod(fd, 0755) < 0 ||
		    close(fd) < 0 ||
		    rename(tmp.s, f = xasprintf("%s/%s", dir, hex)) < 0) {
			unlink(tmp.s);
			fatal(1, "--store-tools: %s:", tmp.s);
		}
		printf("%s  %s\n", hex, files.v[i] + strlen(tree) + 1);
		free(f);
	}
	strv_free(&files);
	free(b.s);
	free(tmp.s);
	free(plugins);
	return 0;
}

/* ---------------------------------------------------------------- the walk */

/* A recipe from its first step to its last, through a cache, a launcher
 * or a helper for what they take: build, --explain and -E alike. */

/* The cache runs the whole recipe (up to end), or the launcher what it
 * can of it; returns the first step left to run here. */
static size_t
run_through(struct run *r, const char *cache, const char *launcher, int check,
	    double t0, size_t end)
{
	const struct job *j = r->job;
	size_t ncompile = compile_phase_steps(j->recipe);
	struct buf tagtext = { 0 };
	char *tag;

	if (cache) {
		tag = cache_tag(j, &tagtext);
		call_back(r, cache, CALL_CACHE, tag);
		if (r->restored && check)
			check_hit(r, cache, tag);
		why_record(r, tagtext.s, now() - t0);
		free(tagtext.s);
		free(tag);
		return end;
	}
	if (remote_possible(j))
		return call_back(r, launcher, CALL_REMOTE, NULL);
	if (can_ship(j->recipe, ncompile)) {
		call_back(r, launcher, CALL_COMPILE, NULL);
		return ncompile;
	}
	verbose("# %s: not used: a later step reads the compile phase's "
		"intermediate files",
		launcher);
	return 0;
}

/* From here on OUT and the --symvers file are the build's: removed on a
 * failure. A read-only OUT is replaced only when kobjc left it so; the
 * new object is made as a temporary, but under ccache, which writes OUT
 * itself (call_back). */
static void
start_output(struct run *r, int cached)
{
	const struct job *j = r->job;

	trash.out[trash.nout++] = j->out;
	if (j->symvers)
		trash.out[trash.nout++] = j->symvers;
	trash.started = 1;
	/* what check_job's lstat found */
	if (j->out_exists && !(j->out_st.st_mode & 0222) &&
	    !read_only_is_kobjcs(j, cached))
		fatal(1, "output: '%s' is read-only; not replacing it", j->out);
	if (!cached)
		r->tmpout = make_temp(j->out, ".o");
}

/* run_recipe: the one walk of a recipe, for a build, --explain's dry run,
 * ccache's -E answer and a distcc helper. */

static int
run_recipe(struct job *j, int explain)
{
	struct run r = { .job = j,
			 .preprocess = j->action == 'E',
			 .explain = explain };
	const char *cache, *launcher, *why = NULL;
	double t0 = now();
	int check = 0;
	const struct recipe *rc = j->recipe;
	size_t first = 0, end = recipe_steps(rc);

	if (r.preprocess)
		return run_preprocess(&r);
	cache = j->cache;
	launcher = j->launcher;
	if (j->phase)
		end = compile_phase_steps(rc);
	if (cache && (why = side_output(j))) {
		if (explain)
			printf("cache    %s not used: %s\n", cache, why);
		verbose("# %s: not used: %s", cache, why);
		cache = NULL;
	}
	if (explain) {
		explain_header(&r, cache, launcher);
		why_explain(j);
		cache = launcher = NULL; /* on a miss, they run what follows */
	} else {
		if (cache) {
			cache = program_found(cache);
			check_ccache_version(j, cache);
		}
		check = cache && check_wanted(j);
		if (is_remote(j)) /* the helper's tree becomes its directory */
			j->out = absolute(j->out);
		start_output(&r, cache != NULL);
	}
	if (!explain && is_remote(j))
		return remote_half(&r);
	if (cache || launcher)
		first = run_through(&r, cache, launcher, check, t0, end);
	for (; first < end; first++)
		run_step(&r, rc->steps[first]);
	if (explain)
		printf("\n%s is written as a temporary in its directory and "
		       "renamed into place when every step succeeded.\n",
		       j->out);
	else
		install(&r);
	return 0;
}

/* ---------------------------------------------------------------- recipe */

/*
 * The recipe texts' parser: each line of recipe_texts[] into struct recipe,
 * struct tool and struct step. A bad word or a list too long stops kobjc
 * with the recipe's name and the line; recipe_check_one() then checks
 * what the words mean together.
 */
struct parse {
	struct recipe *rc;
	struct tool *tool; /* the tool or step indented lines belong to */
	struct step *step;
	int line;
};

static void __attribute__((noreturn, format(printf, 2, 3)))
parse_error(const struct parse *p, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: kobjc.h: recipe %s, line %d: ", argv0,
		p->rc->name ? p->rc->name : "?", p->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Add word to list (max entries and a NULL), or stop. */
static void
parse_add(const struct parse *p, const char **list, size_t max,
	  const char *word, const char *what)
{
	size_t i = 0;

	while (i < max && list[i])
		i++;
	if (i == max)
		parse_error(p, "more than %zu %s", max, what);
	list[i] = word;
}

/* The index of name in names[n] (NULL entries skipped), or n. */
static size_t
name_index(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], name))
			break;
	return i;
}

#define LEN(a) (sizeof(a) / sizeof(*(a)))

/* An earlier recipe's tool or step called name, for "... as RECIPE". */
static const void *
borrowed(struct parse *p, const char *name, const char *from, int step)
{
	const struct recipe *o = NULL;
	size_t i, k;

	for (i = 0; recipes[i]; i++)
		if (!strcmp(recipes[i]->name, from))
			o = recipes[i];
	if (!o)
		parse_error(p, "no earlier recipe %s", from);
	for (i = 0; step && o->steps[i]; i++)
		if (!strcmp(o->steps[i]->name, name))
			break;
	for (i = step ? i : 0; !step && o->tools[i]; i++)
		if (!strcmp(o->tools[i]->name, name))
			break;
	if (step ? !o->steps[i] : !o->tools[i])
		parse_error(p, "recipe %s has no %s %s", from,
			    step ? "step" : "tool", name);
	for (k = 0; p->rc->borrows[k] && p->rc->borrows[k] != o; k++)
		;
	if (!p->rc->borrows[k])
		parse_add(p, (const char **)p->rc->borrows, RECIPE_MAX_BORROW,
			  (const char *)o, "recipes borrowed from");
	return step ? (const void *)o->steps[i] : (const void *)o->tools[i];
}

/* A tool or step line: "tool NAME VAR ARGS", "step NAME...", or either
 * "... as RECIPE". */
static void
parse_declaration(struct parse *p, char **w, size_t n, char *rest)
{
	int step = !strcmp(w[0], "step");
	char *as = n >= 4 ? strstr(rest, " as ") : NULL;
	size_t i;

	p->tool = NULL;
	p->step = NULL;
	if (as && !strcmp(as + 4, w[n - 1]) && !strchr(as + 4, ' ')) {
		*as = '\0';
		if (step)
			parse_add(p, (const char **)p->rc->steps,
				  RECIPE_MAX_STEPS,
				  borrowed(p, rest, w[n - 1], 1), "steps");
		else
			parse_add(p, (const char **)p->rc->tools,
				  RECIPE_MAX_TOOLS,
				  borrowed(p, rest, w[n - 1], 0), "tools");
		return;
	}
	if (step) {
		p->step = calloc(1, sizeof(*p->step));
		p->step->name = rest;
		parse_add(p, (const char **)p->rc->steps, RECIPE_MAX_STEPS,
			  (const char *)p->step, "steps");
		return;
	}
	if (n != 4)
		parse_error(p,
			    "tool NAME VAR ARGS-VAR, or tool NAME as RECIPE");
	for (i = 0; all_tools[i]; i++)
		if (!strcmp(all_tools[i]->name, w[1]))
			parse_error(p, "tool %s is %s's: say tool %s as RECIPE",
				    w[1], "an earlier recipe", w[1]);
	p->tool = calloc(1, sizeof(*p->tool));
	p->tool->name = w[1];
	p->tool->var = w[2];
	p->tool->args = w[3];
	parse_add(p, (const char **)p->rc->tools, RECIPE_MAX_TOOLS,
		  (const char *)p->tool, "tools");
	parse_add(p, (const char **)all_tools, MAX_TOOLS, (const char *)p->tool,
		  "tools in all");
}

/* A step's attribute line. */
static void
parse_step_attribute(struct parse *p, struct step *s, char **w, size_t n)
{
	size_t i, k;

	if (!strcmp(w[0], "tag") && n == 2) {
		s->tag = w[1];
	} else if (!strcmp(w[0], "phase") && n == 2) {
		if ((k = name_index(phase_names, 2, w[1])) == 2)
			parse_error(p, "unknown phase '%s'", w[1]);
		s->phase = k;
	} else if (!strcmp(w[0], "when") && (n == 3 || n == 4)) {
		for (k = 1; k < LEN(conds) && strcmp(conds[k].name, w[1]) != 0;
		     k++)
			;
		if (k == LEN(conds))
			parse_error(p, "unknown condition '%s'", w[1]);
		for (i = 0; i < STEP_MAX_CONDS && s->when[i].op; i++)
			;
		if (i == STEP_MAX_CONDS)
			parse_error(p, "more than %d conditions",
				    STEP_MAX_CONDS);
		s->when[i] = (struct cond){ k, w[2], n == 4 ? w[3] : NULL };
	} else if ((!strcmp(w[0], "run") || !strcmp(w[0], "pipe")) && n > 1) {
		k = w[0][0] == 'p';
		if (k && !s->run[0][0])
			parse_error(p, "pipe before run");
		while (k < STEP_MAX_PROCS && s->run[k][0])
			k++;
		if (k == STEP_MAX_PROCS)
			parse_error(p, "more than %d processes",
				    STEP_MAX_PROCS);
		for (i = 1; i < n; i++)
			parse_add(p, s->run[k], STEP_MAX_WORDS, w[i], "words");
	} else if (!strcmp(w[0], "native") && n == 2) {
		for (k = 1;
		     k < LEN(natives) && strcmp(natives[k].name, w[1]) != 0;
		     k++)
			;
		if (k == LEN(natives))
			parse_error(p, "unknown native step '%s'", w[1]);
		s->native = k;
	} else if (!strcmp(w[0], "stdin") && n == 2) {
		for (k = 1; k < LEN(feeds) && strcmp(feeds[k].name, w[1]) != 0;
		     k++)
			;
		if (k == LEN(feeds))
			parse_error(p, "unknown stdin '%s'", w[1]);
		s->feed = k;
	} else if (!strcmp(w[0], "prints") && n == 2) {
		s->prints = w[1];
	} else if ((!strcmp(w[0], "in") || !strcmp(w[0], "out")) && n > 1) {
		for (i = 1; i < n; i++)
			parse_add(p, w[0][0] == 'i' ? s->in : s->out,
				  STEP_MAX_FILES, w[i], "files");
	} else {
		parse_error(p, "unknown step attribute '%s' (or its words)",
			    w[0]);
	}
}

/* A tab-indented line: an attribute of the tool or step above. */
static void
parse_attribute(struct parse *p, char **w, size_t n)
{
	struct tool *t = p->tool;
	size_t i;

	if (t) {
		const char **list = t->env;
		size_t max = TOOL_MAX_ENV;

		if (!strcmp(w[0], "given-with") && n == 2) {
			t->config = w[1];
			return;
		}
		if (!strcmp(w[0], "reads-file-after"))
			list = t->readopt, max = TOOL_MAX_OPT;
		else if (!strcmp(w[0], "writes-file-after"))
			list = t->writeopt, max = TOOL_MAX_OPT;
		else if (strcmp(w[0], "env") != 0)
			parse_error(p, "unknown tool attribute '%s'", w[0]);
		for (i = 1; i < n; i++)
			parse_add(p, list, max, w[i], w[0]);
		return;
	}
	if (!p->step)
		parse_error(p, "'%s' is indented, under no tool or step", w[0]);
	parse_step_attribute(p, p->step, w, n);
}

/* A recipe's header lines: recipe, about, exports, saved, kbuild. */
static void
parse_header(struct parse *p, char **w, size_t n, char *rest)
{
	struct recipe *rc = p->rc;

	p->tool = NULL;
	p->step = NULL;
	if (!strcmp(w[0], "recipe") && n == 4 && !strcmp(w[2], "version")) {
		if (rc->name)
			parse_error(p, "a second recipe line");
		rc->name = w[1];
		if (atoi(w[3]) != KOBJC_RECIPE_VERSION)
			parse_error(p, "version %s, this kobjc reads %d", w[3],
				    KOBJC_RECIPE_VERSION);
	} else if (!rc->name) {
		parse_error(p, "the first line must be: recipe NAME version %d",
			    KOBJC_RECIPE_VERSION);
	} else if (!strcmp(w[0], "about") && n > 1) {
		rc->about = rest;
	} else if (!strcmp(w[0], "exports") && n == 2) {
		rc->exports = w[1];
	} else if (!strcmp(w[0], "saved") && n == 2) {
		rc->saved = w[1];
	} else if (!strcmp(w[0], "kbuild") && n == 4) {
		parse_add(p, rc->kbuild, RECIPE_MAX_KBUILD, rest,
			  "kbuild lines");
	} else {
		parse_error(p, "unknown word '%s' (or its words)", w[0]);
	}
}

/* Parse one recipe text. */
static struct recipe *
recipe_parse(const char *text)
{
	struct parse p = { .rc = calloc(1, sizeof(*p.rc)) };
	/* both kept for good: the structs point into them */
	char *copy = xstrdup(text), *whole = xstrdup(text), *line, *next,
	     *w[32];
	size_t n;

	p.rc->text = text;
	for (line = copy; *line; line = next) {
		char *rest, *save = NULL, *t;
		int indented = line[0] == '\t';

		next = strchr(line, '\n');
		if (!next)
			parse_error(&p, "the text does not end in a newline");
		whole[next - copy] = '\0';
		*next++ = '\0';
		p.line++;
		if (!*line || line[0] == '#')
			continue;
		/* the line after its first word, from a copy the words
		 * below do not cut */
		rest = line + indented + strcspn(line + indented, " ");
		rest = whole + (rest - copy) + (*rest == ' ');
		for (n = 0, t = strtok_r(line, " \t", &save); t && n < 32;
		     t = strtok_r(NULL, " \t", &save))
			w[n++] = t;
		if (n == 32)
			parse_error(&p, "a line of more than 31 words");
		if (n == 0)
			parse_error(&p, "a line of white space only");
		if (indented)
			parse_attribute(&p, w, n);
		else if (!strcmp(w[0], "tool") || !strcmp(w[0], "step"))
			parse_declaration(&p, w, n, rest);
		else
			parse_header(&p, w, n, rest);
	}
	if (!p.rc->about || !p.rc->exports || !p.rc->saved)
		parse_error(&p, "about, exports and saved must be given");
	return p.rc;
}

/* Parse every recipe text, once, before anything reads recipes[]. */
static void
recipe_load(void)
{
	size_t i;

	_Static_assert(sizeof(recipe_texts) / sizeof(*recipe_texts) <=
			       MAX_RECIPES + 1,
		       "more than MAX_RECIPES recipe texts");
	for (i = 0; recipe_texts[i]; i++)
		recipes[i] = recipe_parse(recipe_texts[i]);
}

/* The text of a recipe, then of each it borrows from: what --recipe-hash
 * hashes. */
static void
recipe_dump(const struct recipe *rc, struct buf *b)
{
	const struct recipe *seen[MAX_RECIPES + 1] = { rc };
	size_t n = 1, i, k, s;

	for (i = 0; i < n; i++) { /* rc, then what each borrows */
		if (i)
			buf_puts(b, "\n");
		buf_puts(b, seen[i]->text);
		for (k = 0; seen[i]->borrows[k]; k++) {
			for (s = 0; s < n && seen[s] != seen[i]->borrows[k];
			     s++)
				;
			if (s == n && n < MAX_RECIPES)
				seen[n++] = seen[i]->borrows[k];
		}
	}
}

static void
recipe_hash(const struct recipe *rc, char hex[65])
{
	struct buf b = { 0 };
	struct sha256 c;

	recipe_dump(rc, &b);
	sha256_init(&c);
	sha256_update(&c, b.s, b.n);
	sha256_final(&c, hex);
	free(b.s);
}

static int
is_builtin_var(const char *w)
{
	static const char *const vars[] = { "$CC", "$FLAGS", "$FLAGS_NODEP",
					    "$IN", "$OUT",   "$S",
					    NULL };

	return listed(vars, 8, w);
}

/* 0 if ok; else says what is wrong with recipe rc's step s, returns 1. */
static int __attribute__((format(printf, 4, 5)))
table_error(const struct recipe *rc, const struct step *s, int ok,
	    const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return 0;
	fprintf(stderr, "%s: recipe %s: ", argv0, rc->name);
	if (s)
		fprintf(stderr, "step %s: ", s->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* Do step s's words make sense together, in recipe rc? The parser has
 * checked each word and every list's length. */
static int
step_check(const struct recipe *rc, const struct step *s)
{
	static const char *const files[] = { "$IN", "$OUT", "$S", NULL };
	const char *const *w;
	size_t k, t;
	int bad = 0, is_args;

	bad += table_error(rc, s, s->tag && !s->native != !s->run[0][0],
			   "needs a tag, and a run line or a native, not both");
	bad += table_error(rc, s, !s->prints || s->run[0][0],
			   "only a command prints");
	for (k = 0; k < STEP_MAX_PROCS; k++)
		for (w = s->run[k]; *w; w++) {
			t = tool_var(*w, &is_args);
			bad += table_error(
				rc, s,
				(*w)[0] != '$' || is_builtin_var(*w) ||
					(t < MAX_TOOLS && recipe_runs(rc, t)),
				"unknown variable %s", *w);
		}
	for (k = 0; k < STEP_MAX_CONDS && s->when[k].op; k++) {
		const struct cond *c = &s->when[k];

		t = tool_index(c->arg);
		bad += table_error(
			rc, s,
			c->op == COND_GIVEN
				? !c->file && t < MAX_TOOLS &&
					  recipe_runs(rc, t)
				: c->file && listed(files, 3, c->file) &&
					  (!conds[c->op].on_object ||
					   !strcmp(c->file, "$OUT")),
			"condition %s (%s) on an unknown tool or a "
			"bad file",
			conds[c->op].name, conds[c->op].about);
	}
	for (k = 0; k < STEP_MAX_FILES; k++)
		bad += table_error(
			rc, s,
			(!s->in[k] || listed(files, 3, s->in[k])) &&
				(!s->out[k] || listed(files, 3, s->out[k])),
			"reads or writes an unknown file");
	return bad;
}

/* Check a recipe's text as parsed; prints what is wrong, returns the
 * count. */
static int
recipe_check_one(const struct recipe *rc)
{
	size_t i, k = 0;
	int bad = 0;

	for (i = 0; rc->steps[i]; i++) {
		k |= step_writes(rc->steps[i], "$OUT");
		bad += step_check(rc, rc->steps[i]);
	}
	return bad + table_error(rc, NULL, k, "no step writes $OUT");
}

/* Check every recipe (kobjc --recipe-check): 0 if all are sound. */
static int
recipe_check(void)
{
	size_t i, k;
	int bad = 0;

	for (i = 0; recipes[i]; i++) {
		bad += recipe_check_one(recipes[i]);
		for (k = 0; k < i; k++)
			if (!strcmp(recipes[k]->name, recipes[i]->name)) {
				warn("two recipes called %s", recipes[i]->name);
				bad++;
			}
	}
	return bad;
}

/* ---------------------------------------------------------------- explain */

/* --explain OBJ.o: the job again from the object's .cmd file. */

/* Does line start with a saved command, as some recipe's kbuild saves
 * it (cmd_foo.o := or savedcmd_foo.o :=)? */
static int
saved_command(const char *line)
{
	size_t i;

	for (i = 0; recipes[i]; i++)
		if (!strncmp(line, recipes[i]->saved,
			     strlen(recipes[i]->saved)))
			return 1;
	return 0;
}

/* Go to the top of the tree whose OUT has the command file cmdfile (in
 * dir): dir, or one of its parents, as kbuild ran the command there. */
static void
chdir_to_top(const char *cmdfile, const char *dir, const char *out)
{
	struct buf top = { 0 }, f = { 0 };
	struct stat want, st;
	char *od = dir_of(out);
	int n;

	if (stat(cmdfile, &want) < 0)
		usage_error("%s:", cmdfile);
	buf_puts(&top, dir);
	for (n = 0; n < 64; n++) {
		f.n = 0;
		buf_printf(&f, "%s/%s/.%s.cmd", top.s, od, base_of(out));
		if (stat(f.s, &st) == 0 && st.st_dev == want.st_dev &&
		    st.st_ino == want.st_ino) {
			if (chdir(top.s) < 0)
				usage_error("%s:", top.s);
			free(top.s);
			free(f.s);
			free(od);
			return;
		}
		buf_puts(&top, "/..");
	}
	usage_error("%s names %s, which is not that file from any directory "
		    "above it; run kobjc --explain from the tree's top",
		    cmdfile, out);
}

/* Find OBJ's saved kbuild command in .OBJ.cmd and parse it as a job. */
static void
job_from_cmdfile(struct job *j, const char *obj, struct strv *words)
{
	struct buf text = { 0 }, cmd = { 0 };
	char *d = dir_of(obj), *line, *p;
	const char *err, *k;

	buf_printf(&cmd, "%s/.%s.cmd", d, base_of(obj));
	if (read_file(cmd.s, &text) < 0)
		usage_error("%s: no kbuild command file %s:", obj, cmd.s);
	for (line = text.s; line; line = p ? p + 1 : NULL) {
		p = strchr(line, '\n');
		if (p)
			*p = '\0';
		if ((k = strstr(line, " := ")) && saved_command(line))
			break;
	}
	if (!line)
		usage_error("%s: %s has no saved command (cmd_ or savedcmd_)",
			    obj, cmd.s);
	k += 4;
	/* undo fixdep's make escaping: $$ for $, $(pound) for # */
	for (p = line; *k; k++) {
		if (k[0] == '$' && k[1] == '$')
			*p++ = '$', k++;
		else if (!strncmp(k, "$(pound)", 8))
			*p++ = '#', k += 7;
		else
			*p++ = *k;
	}
	*p = '\0';
	if ((err = shell_split(line, words)))
		usage_error("%s: cannot read the command in %s: %s", obj, cmd.s,
			    err);
	if (words->n == 0 || !strstr(base_of(words->v[0]), "kobjc"))
		usage_error("%s: %s holds no kobjc command (built without "
			    "KOBJC?)",
			    obj, cmd.s);
	parse_job(j, (int)words->n, words->v, 1);
	/* run from the tree the command was saved in: the directory above
	 * the .cmd file from which the command's OUT names that .cmd file */
	chdir_to_top(cmd.s, d, j->out);
	printf("object   %s\ncommand  %s\n", obj, cmd.s);
	if ((d = getcwd(NULL, 0)))
		printf("run in   %s (the paths below are from there)\n", d);
	free(d);
}

/* ---------------------------------------------------------------- kbuild */

/*
 * kobjc --kbuild=SRCTREE: which recipe a kernel tree's own kbuild text
 * stands for. Each recipe lists the stock definitions of its per-object
 * rule (struct recipe's kbuild[]: "FILE NAME SHA256"), each the SHA-256 of
 * every definition of NAME in scripts/FILE, whitespace-normalised: a
 * `define NAME ... endef` block, a `NAME = ...` line (any assignment, `\`
 * continuations joined), or for "rule:TARGET:%.SUFFIX" the recipe lines of
 * the rule TARGET: DIR/%.SUFFIX. A tree matches a recipe when every one
 * is there and equal, whatever its version says.
 */

/* Append text[0..n) to b with each run of white space (a `\`-newline
 * included) made one space, without a leading or trailing one. */
static void
add_normalised(struct buf *b, const char *text, size_t n)
{
	const char *e = text + n;
	int space = 1; /* from the line before */

	for (; text < e; text++) {
		if (strchr(" \t\n\r", *text) ||
		    (*text == '\\' && text + 1 < e && text[1] == '\n')) {
			text += *text == '\\';
			space = 1;
			continue;
		}
		if (space && b->n && b->s[b->n - 1] != '\n')
			buf_puts(b, " ");
		space = 0;
		buf_add(b, text, 1);
	}
}

/* Does line (trimmed) define name: `define NAME`, or NAME op VALUE? */
static int
defines(const char *t, const char *name, int *block)
{
	size_t n = strlen(name);

	*block = !strncmp(t, "define", 6) && strchr(" \t", t[6]);
	if (*block)
		t += 6 + strspn(t + 6, " \t");
	if (strncmp(t, name, n) != 0)
		return 0;
	t += n;
	if (*block)
		return !*t || strchr(" \t\n=", *t);
	t += strspn(t, " \t");
	return *t == '=' || !strncmp(t, ":=", 2) || !strncmp(t, "::=", 3) ||
	       !strncmp(t, "?=", 2) || !strncmp(t, "+=", 2);
}

/* Is line the head of rule "rule:TARGET:%.SUFFIX" (TARGET: DIR/%.SUFFIX)? */
static int
is_rule_head(const char *t, const char *name)
{
	const char *suffix = strrchr(name, ':'), *target = name + 5;
	size_t n = suffix - target, k;

	if (strncmp(name, "rule:", 5) != 0 || strncmp(t, target, n) != 0 ||
	    t[n] != ':')
		return 0;
	t += n + 1 + strspn(t + n + 1, " \t");
	k = strcspn(t, " \t\n");
	n = strlen(suffix + 1);
	return k > n && !memcmp(t + k - n, suffix + 1, n) &&
	       t[k - n - 1] == '/';
}

/* Every definition of name in text, normalised, one a line, into b;
 * returns the line the first starts on, 0 if there is none. */
static int
kbuild_definition(const char *text, const char *name, struct buf *b)
{
	const char *p = text, *start, *t, *e;
	int line = 1, first = 0, block, in = 0, lines;

	for (; *p; p = *e ? e + 1 : e, line += lines) {
		/* a logical line: physical ones joined by `\`-newline */
		for (start = p, e = p, lines = 1; (e = strchr(e, '\n'));
		     e++, lines++)
			if (e == p || e[-1] != '\\')
				break;
		if (!e)
			e = p + strlen(p);
		t = p + strspn(p, " \t");
		if (in == 1) { /* a define block: up to endef */
			add_normalised(b, start, e - start);
			if (!strncmp(t, "endef", 5) &&
			    (!t[5] || strchr(" \t\n#", t[5]))) {
				buf_puts(b, "\n");
				in = 0;
			}
			continue;
		}
		if (in == 2 && *p == '\t') { /* a rule's recipe line */
			add_normalised(b, start, e - start);
			continue;
		}
		if (in == 2)
			buf_puts(b, "\n");
		in = 0;
		if (is_rule_head(t, name)) {
			in = 2;
		} else if (defines(t, name, &block)) {
			add_normalised(b, start, e - start);
			if (block)
				in = 1;
			else
				buf_puts(b, "\n");
		} else {
			continue;
		}
		first = first ? first : line;
	}
	return first;
}

/* Compare recipe rc's kbuild definitions with tree's; 0 if all match,
 * else how many differ, with the first described in why. */
static int
kbuild_compare(const struct recipe *rc, const char *tree, struct buf *why)
{
	struct buf file = { 0 }, def = { 0 };
	char want[3][128], *path, hex[65];
	int bad = 0, line;
	size_t i;

	for (i = 0; i < RECIPE_MAX_KBUILD && rc->kbuild[i]; i++) {
		struct sha256 c;

		if (sscanf(rc->kbuild[i], "%127s %127s %127s", want[0], want[1],
			   want[2]) != 3)
			fatal(1, "recipe %s: bad kbuild line '%s'", rc->name,
			      rc->kbuild[i]);
		path = xasprintf("%s/scripts/%s", tree, want[0]);
		file.n = def.n = 0;
		if (read_file(path, &file) < 0)
			usage_error("%s:", path);
		line = kbuild_definition(file.s, want[1], &def);
		sha256_init(&c);
		sha256_update(&c, def.s ? def.s : "", def.n);
		sha256_final(&c, hex);
		if (opt.verbose)
			fprintf(opt.log, "# %s:%d: %s %s\n%s", path, line,
				want[1], hex, def.s ? def.s : "");
		if (!line || strcmp(hex, want[2]) != 0) {
			if (!bad++ && !line)
				buf_printf(why,
					   "%s: %s is not defined, as it "
					   "is for recipe %s",
					   path, want[1], rc->name);
			else if (bad == 1)
				buf_printf(why,
					   "%s:%d: %s differs from "
					   "recipe %s's",
					   path, line, want[1], rc->name);
		}
		free(path);
	}
	free(file.s);
	free(def.s);
	return bad;
}

/* kobjc --kbuild=SRCTREE: print the name of the recipe tree's text is. */
static int
kbuild_recipe(const char *tree)
{
	struct buf why = { 0 }, best = { 0 };
	int bad, fewest = -1;
	size_t i;

	for (i = 0; recipes[i]; i++) {
		if (!recipes[i]->kbuild[0])
			continue;
		why.n = 0;
		if (!(bad = kbuild_compare(recipes[i], tree, &why))) {
			printf("%s\n", recipes[i]->name);
			return 0;
		}
		if (fewest < 0 || bad < fewest) {
			fewest = bad;
			best.n = 0;
			buf_puts(&best, why.s);
		}
	}
	fprintf(stderr, "%s: %s; no recipe has this tree's per-object rule\n",
		argv0, best.s ? best.s : "no recipe knows kbuild");
	return 1;
}

/* ---------------------------------------------------------------- main */

/* --help, the commands that build nothing, compiler mode, main. */

/* --help's lines for the commands and variables, below the options'. */
static const char *const help_lines[][2] = {
	{ NULL, "commands:" },
	{ "--explain OBJ.o",
	  "print the recipe OBJ.o was built with (its .cmd)" },
	{ "--explain ARGS", "or a command line's; run nothing" },
	{ "--store-tools=DIR TREE",
	  "a built tree's tools into DIR, by digest" },
	{ "--kbuild=SRCTREE", "the recipe a kernel tree's kbuild text is" },
	{ "--why=DIR", "the objects under DIR: restored, missed, and why" },
	{ NULL, "environment:" },
	{ "KBUILD_VERBOSE=1", "as -v (make V=1)" },
	{ "KOBJC_TIME=1", "as --time" },
	{ "KOBJC_CACHE=ccache", "cache the whole recipe as one ccache entry" },
	{ "KOBJC_CC_LAUNCHER=distcc", "run the compile phase through distcc" },
	{ "KOBJC_CHECK=1|N%", "--check for every hit, or N% of objects" },
	{ "KOBJC_TOOLS=DIR", "a distcc helper's tools (--store-tools)" },
	{ "KOBJC_DIGESTS=FILE", "where content digests are remembered" },
	{ "", "(default $CCACHE_DIR/kobjc-digests)" },
	{ "OBJTOOL_ARGS", "read by objtool: part of the cache tag" },
};

static void
help_line(FILE *f, const char *left, const char *right)
{
	fprintf(f, "  %-21s%s%s\n", left, strlen(left) > 20 ? "  " : "", right);
}

/* --help's options: options[], then each tool's two. */
static void
help_options(FILE *f)
{
	size_t i;

	for (i = 0; i < sizeof(options) / sizeof(*options); i++) {
		const struct option *o = &options[i], *next = o + 1;
		const char *about = o->help, *left = o->name;

		if (!about)
			continue;
		if (o->off == IN_JOB(recipe_name))
			about = xasprintf("%s (default %s)", about,
					  recipes[0]->name);
		if (o->arg)
			left = xasprintf("%s=%s", o->name, o->arg);
		if (i + 1 < sizeof(options) / sizeof(*options) && !next->help &&
		    next->off == o->off && !next->arg)
			left = xasprintf("%s, %s", left, next->name);
		help_line(f, left, about);
	}
	for (i = 0; all_tools[i]; i++) {
		const char *t = all_tools[i]->name;
		char *o = xasprintf("--%s=PATH", t),
		     *a = xasprintf("--%s-arg=ARG", t);

		help_line(f, o, xasprintf("run %s (as kbuild would)", t));
		help_line(f, a, xasprintf("one %s argument (repeat)", t));
	}
	help_line(f, "--", "ends the options");
}

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"usage: %s [options] [--] OUT.o IN.c CC [CFLAGS...]\n"
		"       %s --explain OBJ.o | --explain [options] OUT.o IN.c "
		"CC...\n"
		"       %s --recipes | --recipe-dump[=NAME] | "
		"--recipe-hash[=NAME]\n"
		"       %s --kbuild=SRCTREE | --why=DIR | --recipe-check | "
		"--sha256\n"
		"       %s -h | --help | --version\n"
		"\n"
		"Builds OUT.o from IN.c with kbuild's whole per-object recipe\n"
		"(compile, objtool, checks, symbol versions) in one process.\n"
		"CC is the words after IN.c up to the first '-' word (\"ccache "
		"gcc\"\n"
		"caches the whole recipe); the rest are the compiler's flags.\n"
		"\noptions:\n",
		argv0, argv0, argv0, argv0, argv0);
	help_options(f);
	for (i = 0; i < sizeof(help_lines) / sizeof(*help_lines); i++)
		if (!help_lines[i][0])
			fprintf(f, "\n%s\n", help_lines[i][1]);
		else
			help_line(f, help_lines[i][0], help_lines[i][1]);
	fprintf(f,
		"\nexit status: 0 ok; 1 a check or kobjc failed; 2 bad usage, "
		"nothing\ntouched; the failed step's status; 126/127 a tool "
		"could not be\nrun/found; 128+N a step died of signal N; 200 "
		"another recipe.\n"
		"\nWith kbuild (any tree whose text kobjc --kbuild=SRCTREE "
		"knows):\n"
		"  make MAKEFILES=/abs/kobjc/kbuild/kobjc.mk "
		"KOBJC=/abs/kobjc/kobjc [CC=\"ccache gcc\"]\n"
		"  kobjc --kbuild=SRCTREE prints the recipe a kernel tree's "
		"kbuild text is\n"
		"See kobjc(1).\n");
}

static int
sha256_stdin(void)
{
	struct sha256 c;
	char chunk[65536], hex[65];
	ssize_t n;

	sha256_init(&c);
	while ((n = read(STDIN_FILENO, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fatal(1, "reading stdin:");
		sha256_update(&c, chunk, n);
	}
	sha256_final(&c, hex);
	printf("%s\n", hex);
	return 0;
}

static int
finish(int code)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		fatal(1, "writing stdout:");
	return code;
}

/* Make sure fds 0-2 are open, so no pipe or file lands on them. */
static void
open_std_fds(void)
{
	int fd;

	stdout_closed = fcntl(STDOUT_FILENO, F_GETFD) < 0;
	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

/* In compiler mode (under ccache or distcc) kobjc prints only to the fd
 * KOBJC_LOG=FD:FLAGS names, never into the output a cache keeps. */
static void
setup_compiler_mode_log(void)
{
	const char *v = getenv("KOBJC_LOG");
	char *end;
	long fd;
	FILE *f;

	opt.verbose = opt.time = 0;
	if (!v)
		return;
	fd = strtol(v, &end, 10);
	if (end == v || *end != ':' || fd < 3 || fcntl((int)fd, F_GETFD) < 0 ||
	    !(f = fdopen((int)fd, "a")))
		return;
	opt.log = f;
	opt.verbose = strchr(end, 'v') != NULL;
	opt.time = strchr(end, 't') != NULL;
}

/* --explain kobjc ARGS, a saved command pasted whole: is word this kobjc? */
static int
is_self(const char *word)
{
	char *f = strchr(word, '/') ? NULL : find_program(word, 0);
	struct stat a, b;
	int same = !strcmp(base_of(word), "kobjc") ||
		   (stat(f ? f : word, &a) == 0 && stat(self_path(), &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino);

	free(f);
	return same;
}

static int
is_compiler_mode(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (!strncmp(argv[i], "--cc=", 5))
			return 1;
	return 0;
}

/* --recipe-hash=H: a caller with another recipe gets no object from us. */
static void
check_recipe_hash(const struct job *j)
{
	if (j->want_hash && strcmp(j->want_hash, j->hash) != 0)
		fatal(EXIT_OTHER_RECIPE,
		      "recipe mismatch: asked for recipe %s, this kobjc has %s",
		      j->want_hash, j->hash);
}

/* The option argv[i] when it is name or name=VALUE: VALUE, or "" */
static const char *
info_option(char **argv, int i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[i], name, n) != 0)
		return NULL;
	if (argv[i][n] == '\0')
		return "";
	if (argv[i][n] == '=' && argv[i][n + 1])
		return argv[i] + n + 1;
	return NULL;
}

static int
info_help(const char *v)
{
	(void)v;
	usage(stdout);
	return 0;
}

/* --recipes, and --version after its own line */
static int
info_recipes(const char *v)
{
	char hex[65];
	size_t k;

	if (v)
		printf("kobjc %s\n", KOBJC_VERSION);
	for (k = 0; recipes[k]; k++) {
		recipe_hash(recipes[k], hex);
		printf("%-14s %s  %s\n", recipes[k]->name, hex,
		       recipes[k]->about);
	}
	return 0;
}

static int
info_check(const char *v)
{
	size_t k;

	(void)v;
	if (recipe_check())
		return 1;
	for (k = 0; recipes[k]; k++)
		printf("%s: ok\n", recipes[k]->name);
	return 0;
}

static int
info_sha256(const char *v)
{
	(void)v;
	return sha256_stdin();
}

/* The commands that build nothing and take no other word. */
static const struct {
	const char *name;
	int value; /* --NAME=VALUE */
	int (*run)(const char *value);
} infos[] = {
	{ "-h", 0, info_help },		  { "--help", 0, info_help },
	{ "--recipes", 0, info_recipes }, { "--recipe-check", 0, info_check },
	{ "--kbuild", 1, kbuild_recipe }, { "--sha256", 0, info_sha256 },
	{ "--why", 1, why_summary },
};

/* [--recipe=NAME] --recipe-dump[=NAME] or --recipe-hash[=NAME]. */
static int
info_recipe(int argc, char **argv)
{
	const char *name = NULL, *v;
	int i = 1, dump;
	char hex[65];
	struct buf b = { 0 };

	if (argc >= 3 && (name = info_option(argv, 1, "--recipe")) && *name)
		i = 2;
	if (argc == i + 1 && (v = info_option(argv, i, "--recipe-dump")))
		dump = 1;
	else if (argc == i + 1 && (v = info_option(argv, i, "--recipe-hash")))
		dump = 0;
	else if (info_option(argv, 1, "--recipe-dump") ||
		 ((v = info_option(argv, 1, "--recipe-hash")) && !*v))
		usage_error("%s takes no arguments", argv[1]);
	else
		return -1; /* a build, --recipe=NAME first included */
	if (*v && name)
		usage_error("--recipe= and %s name two recipes", argv[i]);
	if (dump) {
		recipe_dump(find_recipe(*v ? v : name), &b);
		fwrite(b.s, 1, b.n, stdout);
		free(b.s);
	} else {
		recipe_hash(find_recipe(*v ? v : name), hex);
		printf("%s\n", hex);
	}
	return 0;
}

/* A command that builds nothing: its exit status; -1 if argv is none. */
static int
info_command(int argc, char **argv)
{
	const char *v;
	size_t k;

	if (argc == 3 && (v = info_option(argv, 1, "--store-tools")) && *v)
		return store_tools(v, argv[2]);
	if (!strcmp(argv[1], "--version")) {
		if (argc > 2)
			usage_error("%s takes no arguments", argv[1]);
		return info_recipes("");
	}
	for (k = 0; k < sizeof(infos) / sizeof(*infos); k++) {
		v = info_option(argv, 1, infos[k].name);
		if (!v || !*v != !infos[k].value)
			continue;
		if (argc > 2)
			usage_error("%s takes no arguments", argv[1]);
		return infos[k].run(*v ? v : NULL);
	}
	return info_recipe(argc, argv);
}

/* Called back by ccache or distcc, as the compiler: the job, with the
 * environment the kobjc that called it left. */
static void
compiler_mode(struct job *j, int argc, char **argv)
{
	const char *v;

	/* PATH as the user had it, not as launcher_name set it for distcc
	 * to find this kobjc */
	if ((v = getenv("KOBJC_PATH"))) {
		setenv("PATH", v, 1);
		unsetenv("KOBJC_PATH");
	}
	setup_compiler_mode_log();
	parse_compiler_mode(j, argc, argv);
	/* tell the kobjc that called ccache: a compile, so a miss (ccache's
	 * -E calls come on hits too) */
	if ((v = getenv("KOBJC_RAN"))) {
		int fd = atoi(v);

		if (fd > 2) {
			if (j->action == 'c' && write(fd, "r", 1) < 0)
				warn("KOBJC_RAN:");
			close(fd);
		}
		unsetenv("KOBJC_RAN");
	}
	check_compile_helper(j);
	if (j->action == 'c')
		check_job(j);
}

int
main(int argc, char **argv)
{
	struct job job = { 0 };
	struct strv words = { 0 };
	int code;
	const char *v = getenv("KBUILD_VERBOSE");

	argv0_full = argv[0] ? argv[0] : "kobjc";
	argv0 = base_of(argv0_full);
	opt.log = stderr;
	open_std_fds();
	recipe_load();
	/* kbuild's V=1; its V=2 ("why rebuilt") is make's business */
	if (v && strchr(v, '1'))
		opt.verbose = 1;
	v = getenv("KOBJC_TIME");
	if (v && !strcmp(v, "1"))
		opt.time = 1;
	if (argc >= 2 && (code = info_command(argc, argv)) >= 0)
		return finish(code);
	if (argc >= 2 && !strcmp(argv[1], "--explain")) {
		if (argc == 2)
			usage_error(
				"--explain needs an object or a command line");
		if (argc == 3)
			job_from_cmdfile(&job, argv[2], &words);
		else
			parse_job(&job, argc, argv, is_self(argv[2]) ? 3 : 2);
		job.out_real = record_path(job.out);
		/* the job's memory goes with the process */
		return finish(run_recipe(&job, 1)); /* NOLINT(*Malloc) */
	}
	if (is_compiler_mode(argc, argv)) {
		compiler_mode(&job, argc, argv);
	} else {
		parse_job(&job, argc, argv, 1);
		check_job(&job);
	}
	check_recipe_hash(&job);
	object_name = job.out;
	quiet_compile_phase = job.phase != NULL;
	setup_signals();
	return finish(run_recipe(&job, 0));
}
