/* A pared-down include/linux/export.h (Linux 6.1): what genksyms and the
 * local-export check see in a real kernel object. */
#ifndef DEMO_EXPORT_H
#define DEMO_EXPORT_H
#ifdef __GENKSYMS__
#define EXPORT_SYMBOL(sym) __GENKSYMS_EXPORT_SYMBOL(sym)
#else
#define EXPORT_SYMBOL(sym)                                                     \
	extern typeof(sym) sym;                                                \
	static const void *__ksymtab_##sym                                     \
		__attribute__((used, section("___ksymtab+" #sym))) = &sym
#endif
#endif
