// A GCC plugin for tests/kbuild/ccache-check.sh (g++ and gcc-12-plugin-dev):
// built once as is, then again at the same path with -DV2, which drops
// the object's .comment section (as -fno-ident would). The compiler's
// arguments and preprocessed output stay the same: only the plugin file
// differs, so a cache must tell the two builds apart by its content.
#include "gcc-plugin.h"
#include "options.h"

int plugin_is_GPL_compatible;

int plugin_init(struct plugin_name_args *, struct plugin_gcc_version *)
{
#ifdef V2
	flag_no_ident = 1;
#endif
	return 0;
}
