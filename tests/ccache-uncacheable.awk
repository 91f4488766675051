# Of `ccache --print-stats` (tab-separated), the counters of calls that
# were neither a hit nor a miss (called_for_preprocessing,
# unsupported_compiler_option, ...), as NAME=N on one line; empty if none.
# Used by tests/ccache.bats and tests/kbuild/ccache-check.sh.
BEGIN { FS = "\t" }
$1 ~ /^(cache_miss|direct_cache_(hit|miss)|preprocessed_cache_(hit|miss)|local_storage_.*|remote_storage_(hit|miss|read_hit|read_miss|write)|files_in_cache|cache_size_kibibyte|cleanups_performed|stats_.*timestamp)$/ { next }
$2 != 0 { printf "%s%s=%s", sep, $1, $2; sep = " " }
