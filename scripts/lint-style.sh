#!/bin/bash
# Kernel style and static checks, part of make check:
#   checkpatch.pl --strict (linux-source-6.1) on every C file and kernel-side header
#   sparse (make C=2) on the C files, against a test kernel tree: no warning
#     beyond scripts/sparse-baseline.txt
#   clang-format --dry-run -Werror (.clang-format) on the C++ core, the faces, its C
#     headers (compiled by both languages) and the hosted tests
#   scripts/lint-style.sh KDIR      (an x86_64 test kernel tree)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
KDIR=${1:?KDIR}
cd "$ZSX_ROOT"
src=$ZSX_CACHE/src/linux-$(source_version)
[ -f "$src/scripts/checkpatch.pl" ] || die "no checkpatch.pl in $src (scripts/kernel.sh unpacks linux-source)"
fail=0
# Ignored checkpatch types, and why:
#   EXPORT_SYMBOL  the core's functions are C++ (src/core); the C shim exports
#                  them in zsx_main.c, away from their definitions
#   CAMELCASE      kernel API names (__SetPageMovable, __PageMovable, ...)
#   SPDX_LICENSE_TAG, FILE_PATH_CHANGES  checkpatch -f on files, not patches
ignore=EXPORT_SYMBOL,CAMELCASE,SPDX_LICENSE_TAG,FILE_PATH_CHANGES
# zsx_trace.h is a TRACE_EVENT header: its macro layout is the tracing
# framework's, which checkpatch misreads (as it does the kernel's own)
cfiles=$(ls src/kernel/*.c src/zram/*.c kunit/*.c src/kernel/*.h kunit/*.h src/include/*.h | grep -v zsx_trace.h)
n=0
for f in $cfiles; do
	out=$(perl "$src/scripts/checkpatch.pl" --no-tree --strict --terse --show-types --ignore "$ignore" -f "$f" 2>&1 |
		grep -v "^total:" || true)
	if [ -n "$out" ]; then echo "$out"; fail=1; fi
	n=$((n + 1))
done
echo "lint-style: checkpatch --strict on $n C files: $([ $fail = 0 ] && echo clean || echo FAIL)"
# sparse over a copy of the sources (the product and test modules)
sp=$ZSX_BUILD/sparse
rm -rf "$sp" && mkdir -p "$sp" && cp -a Kbuild src kunit "$sp/" && rm -rf "$sp/src/generated"
# ARCH named: make check's environment carries ARCH (empty for both arches)
make -C "$KDIR" ARCH=x86 CROSS_COMPILE= M="$sp" ZSX_TESTS=1 C=2 -j"$(nproc)" modules > "$sp/sparse.log" 2>&1 || {
	tail -30 "$sp/sparse.log"; die "sparse build failed"; }
new=$(grep -E "warning:|error:" "$sp/sparse.log" | grep -vFf <(grep -v '^#' scripts/sparse-baseline.txt | sed '/^$/d') || true)
if [ -n "$new" ]; then echo "$new"; echo "lint-style: sparse: FAIL (warnings beyond scripts/sparse-baseline.txt)"; fail=1
else echo "lint-style: sparse (C=2) on every C file: no warning beyond the baseline"; fi
# clang-format on the C++ side
cxx=$(ls src/core/*.cpp src/core/*.hpp src/core/*.h src/kernel/*.hpp kunit/host/*.cpp kunit/host/*.hpp kunit/host/*.h)
bad=""
for f in $cxx; do clang-format --dry-run -Werror "$f" > /dev/null 2>&1 || bad="$bad $f"; done
if [ -n "$bad" ]; then echo "lint-style: clang-format: FAIL, not formatted:$bad (clang-format -i them)"; fail=1
else echo "lint-style: clang-format on $(echo $cxx | wc -w) C++ files (and the core's C headers): clean"; fi
exit $fail
