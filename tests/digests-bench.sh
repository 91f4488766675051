#!/usr/bin/env bash
# make bench-digests: what one ccache hit of kobjc costs with a fresh
# digest file and with one that grew to 2 MiB (compacted by the first hit
# that reads it), in kobjc's own instructions (valgrind's callgrind: the
# same count on a noisy machine), measured side by side, and their ratio.
# The object is tests/demo's answer.c with the real objtool and genksyms.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kobjc=${KOBJC_BIN:-$here/../kobjc}
kobjc=$(cd "$(dirname "$kobjc")" && pwd)/$(basename "$kobjc")
tools=$("$here/kernel-tools")
w=$(mktemp -d "${TMPDIR:-/tmp}/digests-bench.XXXXXX")
trap 'rm -rf "$w"' EXIT
cd "$w"
cp "$here/demo/answer.c" "$here/demo/export.h" .
export LC_ALL=C CCACHE_DIR=$w/ccache KOBJC_CACHE=ccache
unset KOBJC_CC_LAUNCHER KOBJC_CHECK
args=(--objtool="$tools/objtool" --objtool-arg=--orc
	--genksyms="$tools/genksyms" --genksyms-arg=-r --genksyms-arg=/dev/null
	--symvers=answer.sv answer.o answer.c gcc -O2
	-fno-asynchronous-unwind-tables '-Wp,-MMD,.answer.o.d')

# instructions DIGESTS: kobjc's own instructions for one hit
instructions() {
	KOBJC_DIGESTS=$1 valgrind --tool=callgrind --callgrind-out-file="$w/cg" \
		"$kobjc" "${args[@]}" 2>&1 >/dev/null | sed -n 's/.*Collected : //p'
}

# fresh: a miss, then a hit that records what it digested
KOBJC_DIGESTS=$w/fresh "$kobjc" "${args[@]}" >/dev/null
KOBJC_DIGESTS=$w/fresh "$kobjc" "${args[@]}" >/dev/null
# grown: the same lines after 2 MiB of other trees' lines
awk 'BEGIN { for (i = 0; n < 2097152; i++) { l = sprintf("sha256 %x %x 4096 1000000000.000000000 1000000000.000000000 b.u%x E%064x", i, 7 * i, i, i); print l; n += length(l) + 1 } }' >"$w/grown"
cat "$w/fresh" >>"$w/grown"
before=$(stat -c %s "$w/grown")
KOBJC_DIGESTS=$w/grown "$kobjc" "${args[@]}" >/dev/null # compacts it
a=$(instructions "$w/fresh")
b=$(instructions "$w/grown")
printf 'one hit, kobjc instructions: fresh digest file (%d bytes) %s; grown to %d bytes, compacted to %d: %s; ratio %s\n' \
	"$(stat -c %s "$w/fresh")" "$a" "$before" "$(stat -c %s "$w/grown")" "$b" \
	"$(awk -v a="${a//,/}" -v b="${b//,/}" 'BEGIN { printf "%.3f", b / a }')"
