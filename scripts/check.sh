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
	ZSX_VM_APPEND="${ZSX_VM_APPEND:-} ${page_append:-}" ZSX_VM_MAXCPUS="${maxcpus:-}" \
		bash "$ZSX_ROOT/scripts/vm.sh" "$arch" "$kdir/$(arch_image "$arch")" "$img" "$scen" \
		"$ZSX_BUILD/vm/$name-$scen.log" "${ZSX_VM_TIMEOUT:-900}"
}

# stock_suite ARCH MODE VER HEADERS KERNEL NAME KOS...: zsx installed as a user
# installs it (MODE dkms or install, scripts/stage-modules.sh) on one of
# Debian's own kernels, with the distribution modules KOS (and what they
# need), booted with a swap disk for qemu/scenarios/stock.sh
stock_suite() {
	local arch=$1 mode=$2 ver=$3 hdr=$4 kernel=$5 name=$6 root img disk
	shift 6
	root=$(ZSX_STAGE_MODTREE="${ZSX_STAGE_MODTREE:-}" ZSX_STAGE_KO="$*" \
		bash "$ZSX_ROOT/scripts/stage-modules.sh" "$mode" "$ver" "$hdr" \
		"$ZSX_BUILD/stage/$ver" "$arch") || return 1
	bash "$ZSX_ROOT/scripts/guest-progs.sh" "$arch" || return 1
	img=$ZSX_BUILD/vm/$name.cpio.gz
	bash "$ZSX_ROOT/scripts/initramfs.sh" "$arch" "$img" - "$root" || return 1
	disk=$ZSX_BUILD/vm/$name-swap.img
	rm -f "$disk" && truncate -s 512M "$disk"
	ZSX_VM_DISK=$disk bash "$ZSX_ROOT/scripts/vm.sh" "$arch" "$kernel" "$img" stock "$ZSX_BUILD/vm/$name.log" 900
}

# Page sizes: x86_64's debug kernel has 4K pages, arm64's 64K (the arm64 server
# layout: obj bits, zspage geometry and swap at another page size, under KASAN
# and lockdep); Debian's own arm64 kernel below runs zsx at 4K on arm64.
# Possible CPUs: x86_64's debug VMs have 2 present CPUs of 255 possible, as
# servers and VMs declare more possible than present CPUs (the guest checks
# the count; 255 is x86_64 TCG's most without x2APIC). arm64's virt board
# lists present CPUs only (scripts/vm.sh), so its VMs have 2 of 2.
for arch in $ARCHES; do
	kdir=""
	case $arch in
	x86_64) variant=debug; pages=4K; page_append=""; maxcpus=255; cpus=", 255 possible CPUs" ;;
	arm64) variant=debug+64k; pages=64K; page_append="zsx.page_size=65536"; maxcpus=""; cpus="" ;;
	esac
	kernel_step() { kdir=$(bash "$ZSX_ROOT/scripts/kernel.sh" "$arch" "$variant"); }
	step "$arch debug kernel, $pages pages (KASAN, lockdep, kmemleak, KUnit)" kernel_step
	if [ -z "$kdir" ]; then
		FAIL=$((FAIL + 1)); FAILED+=("$arch: VM suites skipped, no kernel"); continue
	fi
	if [ "$arch" = x86_64 ]; then
		step "kernel style: checkpatch --strict, sparse, clang-format (C++)" bash "$ZSX_ROOT/scripts/lint-style.sh" "$kdir"
	fi
	step "$arch debug ($pages$cpus): modules + lint + KUnit VM (64 pools created and destroyed), obj layout" \
		vm_suite "$arch" "$kdir" "$arch-debug" kunit
	step "$arch debug ($pages$cpus): zsxram VM (sysfs ABI, bad input, ext2 and swap on zsx and zsmalloc)" \
		vm_suite "$arch" "$kdir" "$arch-debug" zsxram
	if [ "$arch" = x86_64 ]; then
		lifecycle() { ZSX_VM_APPEND="zsx.lifecycle_secs=45" vm_suite x86_64 "$kdir" x86_64-debug lifecycle; }
		step "x86_64 debug (4K$cpus): zsxram lifecycle race 45 s (hot_add/hot_remove, reset, disksize, allocator, direct I/O, swapon/off, rmmod)" lifecycle
	fi
	stress() { ZSX_VM_APPEND="zsx.stress_secs=30" vm_suite "$arch" "$kdir" "$arch-debug" stress; }
	step "$arch debug ($pages$cpus): stress 2x30 s (every vCPU, 10% slab/page faults, hotplug, compaction, swap + zswap)" stress
	maxcpus="" # the steps below boot with their present CPUs possible
	if [ "$arch" = arm64 ]; then
		stock_arm64() {
			local deb ver
			deb=$(bash "$ZSX_ROOT/scripts/debian-arm64.sh") || return 1
			ver=$(basename "$(ls -d "$deb"/usr/src/linux-headers-*-arm64)" | sed 's/^linux-headers-//')
			ZSX_STAGE_MODTREE="$deb/lib/modules/$ver" stock_suite arm64 install "$ver" \
				"$deb/usr/src/linux-headers-$ver" "$deb/boot/vmlinuz-$ver" debian-arm64 \
				kernel/mm/zsmalloc.ko kernel/drivers/block/virtio_blk.ko kernel/drivers/virtio/virtio_mmio.ko
		}
		step "Debian's own arm64 kernel (linux-image-arm64): cross-built against its headers, make install, zswap on zsx in a memory-limited cgroup, zsxram swap" stock_arm64
	fi
	if [ "$arch" = x86_64 ]; then
		# on Debian's own kernel: the workload users run, and no perf kernel to build
		# (make bench builds that one); correctness only, no figures
		step "Debian's x86_64 kernel: bench smoke (munmap workload, every configuration, correctness only)" \
			env STOCK=only bash "$ZSX_ROOT/scripts/bench.sh" x86_64 smoke
		step "$arch debug ($pages), narrow obj layout (ZSX_NARROW_OBJ=1): KUnit VM" \
			vm_suite "$arch" "$kdir" "$arch-debug-narrow" kunit ZSX_NARROW_OBJ=1
		kcsan() {
			local kk
			kk=$(bash "$ZSX_ROOT/scripts/kernel.sh" x86_64 kcsan) || return 1
			vm_suite x86_64 "$kk" x86_64-kcsan kunit
		}
		step "x86_64 KCSAN kernel: every KUnit suite and scenario, zero data-race reports" kcsan
		step "harness self-test: one build, three boots: broken KUnit expectation, WARN in init, C++ OOB write each fail the run" \
			bash "$ZSX_ROOT/scripts/selftest.sh" "$kdir"
		stock() {
			local ver hdr
			ver=$(dpkg-query -W -f='${Depends}' linux-image-amd64 | grep -o 'linux-image-[0-9][^ ,]*' | head -1 | sed 's/linux-image-//')
			hdr=/usr/src/linux-headers-$ver
			[ -d "$hdr" ] && [ -f "/boot/vmlinuz-$ver" ] || { echo "no Debian kernel $ver"; return 1; }
			# Debian builds these as modules: the swap disk's driver and zsmalloc
			stock_suite x86_64 dkms "$ver" "$hdr" "/boot/vmlinuz-$ver" debian-stock \
				kernel/mm/zsmalloc.ko kernel/drivers/block/virtio_blk.ko kernel/drivers/virtio/virtio_pci.ko
		}
		step "Debian's own kernel (linux-image-amd64): DKMS install, modprobe, zswap on zsx in a memory-limited cgroup, zsxram swap" stock
	fi
done

echo "---- make check: $((SECONDS - T_ALL))s; times in $TIMES ----"
for f in "${FAILED[@]}"; do echo "  failed: $f"; done
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
