#!/bin/bash
# Hosted tests of the C++ core (GoogleTest) in several builds:
#   asan-4k: ASan+UBSan, 4K pages, wide obj   asan-64k: 64K pages
#   asan-narrow: ZSX_NARROW_OBJ=1 and the out-of-line memory model (classic SPARSEMEM/HIGHMEM kernels)
#   tsan: ThreadSanitizer; all others use the inline memory model (SPARSEMEM_VMEMMAP)
#   plain-16k: 16K pages (arm64, as Android and Apple-silicon kernels run), no
#   sanitizer: the page size no VM test kernel has (every constexpr geometry
#   and bit-budget assertion, and every test, at PAGE_SHIFT 14)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
out=$ZSX_BUILD/host
mkdir -p "$out"
srcs=$(ls "$ZSX_ROOT"/kunit/host/*.cpp "$ZSX_ROOT"/src/core/*.cpp)
# -g1: line tables, enough for file:line in sanitizer reports, and a quarter
# less compile time than -g
common="-std=gnu++20 -g1 -O1 -Wall -Wextra -Werror -Wno-missing-field-initializers -fno-exceptions -fno-rtti
	-DZSX_HOSTED -DZSX_PHYS_BITS=52 -I$ZSX_ROOT/src/core -I$ZSX_ROOT/kunit/host -pthread"
declare -A cfg=(
	[asan-4k]="-DZSX_PAGE_SHIFT=12 -fsanitize=address,undefined -fno-sanitize-recover=all"
	[asan-64k]="-DZSX_PAGE_SHIFT=16 -fsanitize=address,undefined -fno-sanitize-recover=all"
	[asan-narrow]="-DZSX_PAGE_SHIFT=12 -DZSX_NARROW_OBJ=1 -DZSX_HOSTED_INLINE_MM=0 -fsanitize=address,undefined -fno-sanitize-recover=all"
	[tsan]="-DZSX_PAGE_SHIFT=12 -fsanitize=thread"
	[plain-16k]="-DZSX_PAGE_SHIFT=14"
)
# build and run one configuration; two at a time (this machine has two cores)
build_and_run() {
	local name=$1 bin=$out/zsx-host-$1
	rm -f "$bin"
	# gtest itself is built with exceptions; only the core is -fno-exceptions
	# shellcheck disable=SC2086
	if ! g++ $common ${cfg[$name]} -fexceptions $srcs -o "$bin" -lgtest -lgtest_main > "$bin.build.log" 2>&1; then
		echo "host-test: FAIL $name (build)"; cat "$bin.build.log"; return 1
	fi
	if TSAN_OPTIONS="halt_on_error=1" ASAN_OPTIONS="detect_leaks=1" "$bin" --gtest_brief=1 > "$bin.log" 2>&1; then
		echo "host-test: ok $name: $(grep -E '^\[  PASSED  \]' "$bin.log")"
	else
		echo "host-test: FAIL $name"; tail -40 "$bin.log"; return 1
	fi
}
fail=0
pids=()
names=(tsan asan-64k asan-4k asan-narrow plain-16k)
for name in "${names[@]}"; do
	build_and_run "$name" > "$out/$name.result" 2>&1 & pids+=($!)
	if [ ${#pids[@]} = 2 ]; then wait "${pids[0]}" || fail=1; pids=("${pids[1]}"); fi
done
for p in "${pids[@]}"; do wait "$p" || fail=1; done
for name in "${names[@]}"; do cat "$out/$name.result"; done
exit $fail
