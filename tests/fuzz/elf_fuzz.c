/*
 * elf_fuzz: kobjc's ELF reader against arbitrary bytes.
 *
 * kobjc's native steps read the object the compiler (or objtool) wrote,
 * which kobjc does not trust. This file feeds one input to elf_parse and,
 * if it parses, reads every symbol with elf_symbol, asks object_has_symbol
 * the recipe's question and runs check_local_export, checking on the way
 * that everything the reader hands out lies within the input.
 *
 * Built two ways from the same source:
 *
 *   clang -fsanitize=fuzzer,address,undefined tests/fuzz/elf_fuzz.c
 *	the libFuzzer target (`make fuzz`, tests/fuzz/fuzz);
 *   cc -DREPLAY -fsanitize=address,undefined tests/fuzz/elf_fuzz.c
 *	a replay driver: runs every file named on its command line, or in a
 *	directory named there, once (tests/elf-hostile.bats, over
 *	tests/fuzz/corpus).
 *
 * check_local_export's messages go to /dev/null unless KOBJC_FUZZ_VERBOSE
 * is set; sanitizer reports write to file descriptor 2 and still show.
 */
#define main kobjc_main
#include "../../kobjc.c"
#undef main

#include <dirent.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise of the reader: stop loudly, whatever the build. */
#define require(cond)                                                          \
	do {                                                                   \
		if (!(cond)) {                                                 \
			dprintf(2, "elf_fuzz: %s:%d: %s\n", __FILE__,          \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

static int
within(size_t size, size_t off, size_t len)
{
	return off <= size && len <= size - off;
}

/* kobjc's stderr for one input: /dev/null unless KOBJC_FUZZ_VERBOSE. */
static FILE *
input_stderr(void)
{
	static FILE *null;

	if (getenv("KOBJC_FUZZ_VERBOSE"))
		return stderr;
	if (!null)
		null = fopen("/dev/null", "w");
	return null ? null : stderr;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct object o = { .path = "fuzz.o" };
	struct elf_sym s;
	const char *err;
	size_t i, n, nexports;
	int found;
	FILE *real_stderr = stderr;

	o.data.s = (char *)data;
	o.data.n = o.data.cap = size;
	if (elf_parse(&o.elf, data, size))
		return 0;
	require(o.elf.p == data && o.elf.size == size);
	n = elf_nsyms(&o.elf);
	if (n) {
		require(within(size, o.elf.symoff, o.elf.symsize));
		require(n * o.elf.symentsize <= o.elf.symsize);
		require(within(size, o.elf.stroff, o.elf.strsize));
		require(o.elf.strsize > 0 &&
			data[o.elf.stroff + o.elf.strsize - 1] == '\0');
	}
	for (i = 1; i < n; i++) {
		if (elf_symbol(&o.elf, i, &s))
			continue;
		require(s.name >= (const char *)data + o.elf.stroff);
		require(s.name <
			(const char *)data + o.elf.stroff + o.elf.strsize);
		require(memchr(s.name, '\0',
			       (const char *)data + size - s.name) != NULL);
		(void)nm_visible(&s);
		(void)nm_lowercase(&s);
	}
	err = object_has_symbol(&o, "__ksymtab", 0, &found);
	require(!err || !found);
	stderr = input_stderr();
	(void)check_local_export(&o, o.path, "__ksymtab_", &nexports);
	stderr = real_stderr;
	return 0;
}

#ifdef REPLAY
static size_t nrun;

/* Run one input from a buffer of exactly its size, as libFuzzer does. */
static void
replay_file(const char *path)
{
	struct buf b = { 0 };
	unsigned char *copy;

	if (read_file(path, &b) < 0)
		fatal(1, "%s:", path);
	copy = xmalloc(b.n);
	memcpy(copy, b.s, b.n);
	LLVMFuzzerTestOneInput(copy, b.n);
	free(copy);
	free(b.s);
	nrun++;
}

static void
replay(const char *path)
{
	struct stat st;
	struct dirent *d;
	struct buf sub = { 0 };
	DIR *dir;

	if (stat(path, &st) < 0)
		fatal(1, "%s:", path);
	if (!S_ISDIR(st.st_mode)) {
		replay_file(path);
		return;
	}
	if (!(dir = opendir(path)))
		fatal(1, "%s:", path);
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		sub.n = 0;
		buf_printf(&sub, "%s/%s", path, d->d_name);
		replay(sub.s);
	}
	closedir(dir);
	free(sub.s);
}

int
main(int argc, char **argv)
{
	int i;

	argv0 = "elf_fuzz";
	if (argc < 2) {
		fprintf(stderr, "usage: elf_fuzz FILE|DIR...\n");
		return 2;
	}
	for (i = 1; i < argc; i++)
		replay(argv[i]);
	printf("elf_fuzz: replayed %zu inputs\n", nrun);
	return 0;
}
#endif
