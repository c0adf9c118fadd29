#!/bin/bash
# make check: every test CI runs. ARCH=x86_64|arm64 limits it to one arch.
# Each step prints one line; the run ends with "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
ARCHES=${ARCH:-x86_64 arm64}
mkdir -p "$ZSX_BUILD"
TIMES=$ZSX_BUILD/check-times.txt
: > "$TIMES"
PASS=0; FAIL=0; FAILED=()
T_ALL=$SECONDS

# step NAME CMD...: run, time, count
step() {
	local name=$1; shift
	local t0=$SECONDS
	log "==> $name"
	if "$@"; then
		PASS=$((PASS + 1)); echo "CHECK: ok - $name ($((SECONDS - t0))s)"
	else
		FAIL=$((FAIL + 1)); FAILED+=("$name"); echo "CHECK: FAIL - $name ($((SECONDS - t0))s)"
	fi
	echo "$name $((SECONDS - t0))" >> "$TIMES"
}

step "install Debian packages" bash "$ZSX_ROOT/scripts/deps.sh"
step "hosted tests (ASan+UBSan 4K/64K/narrow, TSan)" bash "$ZSX_ROOT/scripts/host-test.sh"

# vm_suite ARCH KDIR MODNAME SCENARIO [extra module make args]: modules, lint, initramfs, boot
vm_suite() {
	local arch=$1 kdir=$2 name=$3 scen=$4; shift 4
	local mods img
	bash "$ZSX_ROOT/scripts/guest-progs.sh" "$arch" || return 1
	mods=$(bash "$ZSX_ROOT/scripts/modules.sh" "$arch" "$kdir" "$name" "$@") || return 1
	bash "$ZSX_ROOT/scripts/lint.sh" "$arch" "$kdir" "$mods" || return 1
	img=$ZSX_BUILD/vm/$name-$scen.cpio.gz
	bash "$ZSX_ROOT/scripts/initramfs.sh" "$arch" "$img" "$mods" "$kdir/modroot" || return 1
	bash "$ZSX_ROOT/scripts/vm.sh" "$arch" "$kdir/$(arch_image "$arch")" "$img" "$scen" \
		"$ZSX_BUILD/vm/$name-$scen.log" "${ZSX_VM_TIMEOUT:-900}"
}

for arch in $ARCHES; do
	kdir=""
	kernel_step() { kdir=$(bash "$ZSX_ROOT/scripts/kernel.sh" "$arch" debug); }
	step "$arch debug kernel (KASAN, lockdep, kmemleak, KUnit)" kernel_step
	if [ -z "$kdir" ]; then
		FAIL=$((FAIL + 1)); FAILED+=("$arch: VM suites skipped, no kernel"); continue
	fi
	step "$arch debug: modules + lint + KUnit VM" vm_suite "$arch" "$kdir" "$arch-debug" kunit
	step "$arch debug: zsxram VM (sysfs ABI, bad input, ext2 and swap on zsx and zsmalloc)" \
		vm_suite "$arch" "$kdir" "$arch-debug" zsxram
	stress() { ZSX_VM_APPEND="zsx.stress_secs=30" vm_suite "$arch" "$kdir" "$arch-debug" stress; }
	step "$arch debug: stress 2x30 s (every vCPU, 10% slab/page faults, hotplug, compaction, swap + zswap)" stress
	if [ "$arch" = x86_64 ]; then
		step "x86_64 perf kernel: bench smoke (munmap workload, every configuration, correctness only)" \
			bash "$ZSX_ROOT/scripts/bench.sh" x86_64 smoke
		step "$arch debug, narrow obj layout (ZSX_NARROW_OBJ=1): KUnit VM" \
			vm_suite "$arch" "$kdir" "$arch-debug-narrow" kunit ZSX_NARROW_OBJ=1
		kcsan() {
			local kk
			kk=$(bash "$ZSX_ROOT/scripts/kernel.sh" x86_64 kcsan) || return 1
			vm_suite x86_64 "$kk" x86_64-kcsan kunit
		}
		step "x86_64 KCSAN kernel: every KUnit suite and scenario, zero data-race reports" kcsan
		step "harness self-test: broken KUnit expectation, WARN in init, C++ OOB write each fail the run" \
			bash "$ZSX_ROOT/scripts/selftest.sh" "$kdir"
		stock() {
			local ver hdr
			ver=$(dpkg-query -W -f='${Depends}' linux-image-amd64 | grep -o 'linux-image-[0-9][^ ,]*' | head -1 | sed 's/linux-image-//')
			hdr=/usr/src/linux-headers-$ver
			[ -d "$hdr" ] && [ -f "/boot/vmlinuz-$ver" ] || { echo "no Debian kernel $ver"; return 1; }
			local mods img
			mods=$(bash "$ZSX_ROOT/scripts/modules.sh" x86_64 "$hdr" debian-stock) || return 1
			bash "$ZSX_ROOT/scripts/lint.sh" x86_64 "$hdr" "$mods" || return 1
			img=$ZSX_BUILD/vm/debian-stock.cpio.gz
			bash "$ZSX_ROOT/scripts/guest-progs.sh" x86_64 || return 1
			ZSX_EXTRA_KO=$(find "/lib/modules/$ver" -name zsmalloc.ko) \
				bash "$ZSX_ROOT/scripts/initramfs.sh" x86_64 "$img" "$mods" || return 1
			bash "$ZSX_ROOT/scripts/vm.sh" x86_64 "/boot/vmlinuz-$ver" "$img" stock "$ZSX_BUILD/vm/debian-stock.log" 600
		}
		step "Debian's own kernel (linux-image-amd64): build against its headers, boot, zsx + zsxram swap" stock
	fi
done

echo "---- make check: $((SECONDS - T_ALL))s; times in $TIMES ----"
for f in "${FAILED[@]}"; do echo "  failed: $f"; done
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
