#!/bin/bash
# make check: every test CI runs. ARCH=x86_64|arm64 limits it to one arch,
# KERNEL=6.1|6.12|7.3 the VM steps to one kernel line; ONLY=vm runs the table's
# VM steps alone (and the kernels they need), ONLY=SCENARIO those of one scenario.
# Each step prints one line; the run ends with "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
ARCHES=${ARCH:-x86_64 arm64}
LINES=${KERNEL:-$ZSX_LINES}
mkdir -p "$ZSX_BUILD"
TIMES=$ZSX_BUILD/check-times.txt
: > "$TIMES"
STEPS=$ZSX_BUILD/steps
rm -rf "$STEPS" && mkdir -p "$STEPS" && touch "$STEPS/.start"
PASS=0; FAIL=0; FAILED=(); FAILED_LOGS=()
T_ALL=$SECONDS

# step NAME CMD...: run, time, count. The output goes to the console and to
# build/steps/NN.log, which the summary quotes when the step fails.
step() {
	local name=$1; shift
	local t0=$SECONDS rc steplog tee_pid n
	steplog=$STEPS/$(printf %02d $((PASS + FAIL + 1))).log
	log "==> $name"
	# (a group, so the process substitution belongs to this shell and $! is
	# tee, whether the step is a function or a program)
	{ "$@"; } > >(tee "$steplog") 2>&1; rc=$?
	# tee ends when the step's last process closes the pipe; a process the
	# step left running would hold it: wait at most 30 s, and say so
	tee_pid=$!
	for ((n = 0; n < 300; n++)); do kill -0 "$tee_pid" 2>/dev/null || break; sleep 0.1; done
	[ $n -lt 300 ] || echo "check: step left a process holding its output; going on"
	if [ $rc = 0 ]; then
		PASS=$((PASS + 1)); echo "CHECK: ok - $name ($((SECONDS - t0))s)"
	else
		FAIL=$((FAIL + 1)); FAILED+=("$name"); FAILED_LOGS+=("$steplog")
		echo "CHECK: FAIL - $name ($((SECONDS - t0))s)"
	fi
	echo "$name $((SECONDS - t0))" >> "$TIMES"
}

# summary: each failed step with the lines that say why (its first kernel
# splat, failed checks, verdicts, errors; else its last lines; fewer lines
# each when several failed, as CI shows the output's tail), then the counts;
# exits non-zero on any failure. A failed run's step outputs and this run's
# guest consoles are also copied to $ZSX_CACHE/failed-check, which outlives a
# CI checkout (the last failed run's, until the next failed run).
summary() {
	local i why kept=$ZSX_CACHE/failed-check lines=12
	if [ "$FAIL" != 0 ]; then
		rm -rf "$kept" && mkdir -p "$kept"
		for i in "${FAILED_LOGS[@]}"; do [ -n "$i" ] && cp "$i" "$kept/"; done
		find "$ZSX_BUILD/vm" -maxdepth 1 -name '*.log*' -newer "$STEPS/.start" -exec cp {} "$kept/" \; 2>/dev/null
		[ "$FAIL" = 1 ] || lines=$((12 / FAIL < 3 ? 3 : 12 / FAIL))
	fi
	for i in "${!FAILED[@]}"; do
		echo "  failed: ${FAILED[$i]}"
		[ -n "${FAILED_LOGS[$i]}" ] || continue
		why=$({ grep -aE -m1 "^[0-9]+:.*($ZSX_SPLAT_RE)" "${FAILED_LOGS[$i]}"
			grep -aE '^ *not ok|VM-VERDICT|[Ee]rror|ERROR|FAIL' "${FAILED_LOGS[$i]}" | tail -$((lines - 1)); })
		[ -n "$why" ] || why=$(tail -$lines "${FAILED_LOGS[$i]}")
		echo "$why" | cut -c1-200 | sed 's/^/    | /'
		echo "    (its output: ${FAILED_LOGS[$i]}; kept in $kept)"
	done
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" = 0 ]
}

# ---- what each VM scenario shows (qemu/scenarios/<name>.sh) --------------------
scenario_desc() {
	case $1 in
	kunit) echo "modules + lint + KUnit VM (every suite, 64 pools created and destroyed), obj layout, the kernel's compaction over zsx pages" ;;
	zsxram) echo "zsxram VM (sysfs ABI, bad input, ext2 and swap on zsx and the kernel's zsmalloc)" ;;
	lifecycle) echo "zsxram lifecycle race (hot_add/hot_remove, reset, disksize, allocator, direct I/O, swapon/off, rmmod)" ;;
	stress) echo "stress (every vCPU, 10% slab/page faults, hotplug, compaction, swap$( [ "$2" = 7.3 ] || echo " + zswap"))" ;;
	zswap) echo "the kernel's zswap on zsx (zpool driver): memory-limited cgroup, every page read back, rmmod refused while in use" ;;
	*) echo "scenario $1" ;;
	esac
}

# ---- the VM steps: one row each ---------------------------------------------------
# line arch variant scenario [key=value...]
#   maxcpus=N   boot with N possible CPUs (x86_64; 2 present)
#   append=...  kernel command line ('+' for spaces)
# (the x86_64 zsxram runs swap the default zsx pool and the kernel's zsmalloc;
# every free policy's and the release-only pool's rounds run on arm64)
#   make=...    extra module make arguments ('+' for spaces); name=... build dir suffix
#   disk=SIZE   a raw disk the guest sees as /dev/vda
# Kernels: KASAN, lockdep and kmemleak (debug) on 6.1 and 7.3 x86_64 and 7.3
# arm64; the data-race detector (kcsan) on 6.12, whose KUnit and zswap runs are
# the lock-free paths' KCSAN coverage. arm64 on 6.1 and 6.12 runs Debian's own
# kernels (steps below). Four test kernels, and lifecycle and stress once per
# arch (x86_64 on 6.1, with zswap; arm64 on 7.3), keep the cold make check
# within its hour.
# Page sizes: x86_64 4K; the arm64 test kernel 64K (the arm64 server layout,
# the largest page and so the widest obj index and the fewest pfn bits);
# Debian's arm64 kernels 4K. 16K pages are checked by the hosted tests
# (scripts/host-test.sh).
# Possible CPUs: the 6.1 x86_64 KUnit boot has 2 present CPUs of 255 possible,
# as servers and VMs declare more possible than present CPUs (the guest checks
# the count; 255 is x86_64 TCG's most without x2APIC). From 6.9 x86 counts a
# hot-pluggable CPU only where the firmware marks it online-capable, which this
# QEMU's ACPI tables do not, and arm64's virt board lists present CPUs only
# (scripts/vm.sh): the other boots have their present CPUs possible.
CHECK_VMS="
6.1  x86_64 debug      kunit     maxcpus=255
6.1  x86_64 debug      zsxram    append=zsx.swap_allocators=zsx,zsmalloc
6.1  x86_64 debug      lifecycle append=zsx.lifecycle_secs=15
6.1  x86_64 debug      stress    append=zsx.stress_secs=15
6.1  x86_64 debug      kunit     name=narrow make=ZSX_NARROW_OBJ=1
6.12 x86_64 kcsan      kunit
6.12 x86_64 kcsan      zswap     disk=512M
7.3  x86_64 debug      kunit
7.3  x86_64 debug      zsxram    append=zsx.swap_allocators=zsx,zsmalloc
7.3  arm64  debug+64k  kunit
7.3  arm64  debug+64k  zsxram
7.3  arm64  debug+64k  lifecycle append=zsx.lifecycle_secs=15
7.3  arm64  debug+64k  stress    append=zsx.stress_secs=15
"

variant_pages() {
	case $1 in *64k*) echo 64K ;; *16k*) echo 16K ;; *) echo 4K ;; esac
}
variant_what() {
	case $1 in
	debug*) echo "KASAN, lockdep, kmemleak, KUnit" ;;
	kcsan) echo "KCSAN, KUnit" ;;
	*) echo "$1" ;;
	esac
}

# kernel_for LINE ARCH VARIANT: KDIR is the kernel of that row, built on first
# use as its own step ("" if the build failed)
declare -A KDIRS
kernel_for() {
	local line=$1 arch=$2 variant=$3 key=$1/$2/$3
	if [ -z "${KDIRS[$key]+x}" ]; then
		KDIR=""
		kernel_step() { KDIR=$(bash "$ZSX_ROOT/scripts/kernel.sh" "$arch" "$variant" "$line") || { KDIR=""; return 1; }; }
		step "$line $arch $variant kernel, $(variant_pages "$variant") pages ($(variant_what "$variant"))" kernel_step
		KDIRS[$key]=$KDIR
	fi
	KDIR=${KDIRS[$key]}
}

# vm_run LINE ARCH VARIANT SCENARIO [key=value...]: modules, lint, initramfs, boot, verdict
vm_run() {
	local line=$1 arch=$2 variant=$3 scen=$4 kdir=$5; shift 5
	local opt maxcpus="" append="" make=() name="" disk="" mods img base
	for opt in "$@"; do
		case $opt in
		maxcpus=*) maxcpus=${opt#*=} ;;
		append=*) append=${opt#*=}; append=${append//+/ } ;;
		make=*) opt=${opt#*=}; read -ra make <<< "${opt//+/ }" ;;
		name=*) name=-${opt#*=} ;;
		disk=*) disk=${opt#*=} ;;
		*) echo "check: unknown option $opt"; return 1 ;;
		esac
	done
	case $(variant_pages "$variant") in 64K) append="$append zsx.page_size=65536" ;; 16K) append="$append zsx.page_size=16384" ;; esac
	base=$line-$arch-$variant$name
	bash "$ZSX_ROOT/scripts/guest-progs.sh" "$arch" || return 1
	mods=$(bash "$ZSX_ROOT/scripts/modules.sh" "$arch" "$kdir" "$base" "${make[@]}") || return 1
	bash "$ZSX_ROOT/scripts/lint.sh" "$arch" "$kdir" "$mods" || return 1
	img=$ZSX_BUILD/vm/$base-$scen.cpio.gz
	bash "$ZSX_ROOT/scripts/initramfs.sh" "$arch" "$img" "$mods" "$kdir/modroot" || return 1
	if [ -n "$disk" ]; then
		rm -f "$ZSX_BUILD/vm/$base-$scen.disk" && truncate -s "$disk" "$ZSX_BUILD/vm/$base-$scen.disk"
	fi
	ZSX_VM_APPEND="$append" ZSX_VM_MAXCPUS="$maxcpus" ZSX_VM_DISK="${disk:+$ZSX_BUILD/vm/$base-$scen.disk}" \
		bash "$ZSX_ROOT/scripts/vm.sh" "$arch" "$kdir/$(arch_image "$arch")" "$img" "$scen" \
		"$ZSX_BUILD/vm/$base-$scen.log" "${ZSX_VM_TIMEOUT:-900}"
}

# one table row as a step (its kernel first, once)
vm_step() {
	local line=$1 arch=$2 variant=$3 scen=$4 kdir opt cpus="" secs="" extra=""
	shift 4
	kernel_for "$line" "$arch" "$variant"
	kdir=$KDIR
	for opt in "$@"; do
		case $opt in
		maxcpus=*) cpus=", ${opt#*=} possible CPUs" ;;
		append=zsx.*_secs=*) secs=" ${opt##*=} s" ;;
		make=*) extra=", ${opt#*=}" ;;
		esac
	done
	local what
	what=$(scenario_desc "$scen" "$line")
	[ -n "$secs" ] && what=${what/ (/$secs (}
	if [ -z "$kdir" ]; then
		FAIL=$((FAIL + 1)); FAILED+=("$line $arch $variant: $scen skipped, no kernel"); FAILED_LOGS+=("")
		echo "CHECK: FAIL - $line $arch $variant: $scen skipped, no kernel"
		return
	fi
	step "$line $arch $variant ($(variant_pages "$variant")$cpus$extra): $what" vm_run "$line" "$arch" "$variant" "$scen" "$kdir" "$@"
}

run_vm_rows() {
	local want_arch=$1 line arch variant scen rest
	while read -r line arch variant scen rest; do
		[ -n "$line" ] || continue
		[ "$arch" = "$want_arch" ] || continue
		case ${ONLY:-} in ''|vm|"$scen") ;; *) continue ;; esac
		case " $LINES " in *" $line "*) ;; *) continue ;; esac
		# shellcheck disable=SC2086
		vm_step "$line" "$arch" "$variant" "$scen" $rest
	done <<< "$CHECK_VMS"
}

# ---- the steps ---------------------------------------------------------------------
if [ -n "${ONLY:-}" ]; then
	for arch in $ARCHES; do run_vm_rows "$arch"; done
	echo "---- make check ONLY=$ONLY: $((SECONDS - T_ALL))s ----"
	summary
	exit
fi
step "install Debian packages" bash "$ZSX_ROOT/scripts/deps.sh"
# What later steps download and unpack is fetched meanwhile at the lowest
# priority (scripts/prefetch.sh; a step needing an item in progress waits for
# it): the sources of the lines this run's VM rows use (6.1's is the host's
# linux-source-6.1), the Debian build roots, Debian 12's arm64 kernel. It runs
# in a session of its own, killed when make check ends however it ends.
PREFETCH=()
for line in $(while read -r l a _; do
	case " $ARCHES " in *" $a "*) echo "$l" ;; esac
done <<< "$CHECK_VMS" | sort -u); do
	case " $LINES " in *" $line "*) [ "$line" = 6.1 ] || PREFETCH+=("src-$line") ;; esac
done
case " $ARCHES " in *" x86_64 "*) PREFETCH+=(root-bookworm) ;; esac
PREFETCH+=(root-trixie)
case " $ARCHES " in *" arm64 "*) PREFETCH+=(debian-arm64) ;; esac
setsid bash "$ZSX_ROOT/scripts/prefetch.sh" "${PREFETCH[@]}" > "$ZSX_BUILD/prefetch.log" 2>&1 &
PREFETCH_PID=$!
trap 'kill -TERM -- -"$PREFETCH_PID" 2>/dev/null' EXIT
trap 'exit 130' INT TERM
step "hosted tests (ASan+UBSan 4K/64K/narrow, TSan, 16K)" bash "$ZSX_ROOT/scripts/host-test.sh"

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

for arch in $ARCHES; do
	if [ "$arch" = x86_64 ]; then
		kernel_for 6.1 x86_64 debug
		[ -n "$KDIR" ] && step "kernel style: checkpatch --strict, sparse, clang-format (C++)" bash "$ZSX_ROOT/scripts/lint-style.sh" "$KDIR"
	fi
	run_vm_rows "$arch"
	if [ "$arch" = arm64 ]; then
		stock_arm64() {
			local deb ver
			deb=$(bash "$ZSX_ROOT/scripts/debian-arm64.sh") || return 1
			ver=$(basename "$(ls -d "$deb"/usr/src/linux-headers-*-arm64)" | sed 's/^linux-headers-//')
			ZSX_STAGE_MODTREE="$deb/lib/modules/$ver" stock_suite arm64 install "$ver" \
				"$deb/usr/src/linux-headers-$ver" "$deb/boot/vmlinuz-$ver" debian-arm64 \
				kernel/mm/zsmalloc.ko kernel/drivers/block/virtio_blk.ko kernel/drivers/virtio/virtio_mmio.ko
		}
		step "Debian 12's own arm64 kernel (linux-image-arm64, 6.1): cross-built against its headers, make install, zswap on zsx in a memory-limited cgroup, zsxram swap" stock_arm64
		stock13_arm64() {
			local o ver
			o=$(bash "$ZSX_ROOT/scripts/debian13-arm64.sh") || return 1
			ver=$(cat "$o/kver")
			ZSX_STAGE_MODTREE=$o/modules ZSX_STAGE_PREBUILT=$o/zsx ZSX_STAGE_WHERE=updates ZSX_STAGE_BUILDLOG=$o/build.log \
				stock_suite arm64 prebuilt "$ver" - "$o/vmlinuz" debian13-arm64 \
				kernel/drivers/block/virtio_blk.ko kernel/drivers/virtio/virtio_mmio.ko
		}
		step "Debian 13's own arm64 kernel (6.12): cross-built in a Debian 13 build root, make install, zswap on zsx in a memory-limited cgroup, zsxram swap" stock13_arm64
	fi
	if [ "$arch" = x86_64 ]; then
		# on Debian's own kernel: the workload users run, and no perf kernel to build
		# (make bench builds that one); correctness only, no figures
		step "Debian 12's x86_64 kernel (6.1): bench smoke (munmap workload, every configuration, correctness only)" \
			env STOCK=only bash "$ZSX_ROOT/scripts/bench.sh" x86_64 smoke
		kernel_for 6.1 x86_64 debug
		[ -n "$KDIR" ] && step "harness self-test (6.1 x86_64 debug): one build, four boots: broken KUnit expectation, failed scenario check, WARN in init, C++ OOB write each fail the run" \
			bash "$ZSX_ROOT/scripts/selftest.sh" "$KDIR"
		stock() {
			local ver hdr
			ver=$(dpkg-query -W -f='${Depends}' linux-image-amd64 | grep -o 'linux-image-[0-9][^ ,]*' | head -1 | sed 's/linux-image-//')
			hdr=/usr/src/linux-headers-$ver
			[ -d "$hdr" ] && [ -f "/boot/vmlinuz-$ver" ] || { echo "no Debian kernel $ver"; return 1; }
			# Debian builds these as modules: the swap disk's driver and zsmalloc
			stock_suite x86_64 dkms "$ver" "$hdr" "/boot/vmlinuz-$ver" debian-stock \
				kernel/mm/zsmalloc.ko kernel/drivers/block/virtio_blk.ko kernel/drivers/virtio/virtio_pci.ko
		}
		step "Debian 12's own kernel (linux-image-amd64, 6.1): DKMS install, modprobe, zswap on zsx in a memory-limited cgroup, zsxram swap" stock
		# the package on Debian 12 and 13 (build roots, scripts/debroot.sh)
		step "Debian 12 root (dkms 3.0.10): zsx-dkms installed; 6.12 from bookworm-security built by zsx's hook; an upgrade and a kernel outside the range; remove, purge; make dkms-install and make install twice each: every apt run exits 0, dpkg --audit empty" \
			bash "$ZSX_ROOT/scripts/kernel-update.sh" bookworm
		step "Debian 13 root (dkms 3.2): zsx-dkms installed; 7.3 from trixie-backports built by zsx's hook; an upgrade and a kernel outside the range; remove, purge: every apt run exits 0, dpkg --audit empty" \
			bash "$ZSX_ROOT/scripts/kernel-update.sh" trixie
		step "persistence on Debian 12's kernels (6.1, 6.12 from bookworm-security), set up as README says: zsx in the initramfs, then modules-load.d + zsx-zswap.service, then the package purged: zswap on zsx before swap is on, back to the kernel's default once zsx is gone (4 boots of a Debian 12 root)" \
			bash "$ZSX_ROOT/scripts/persistence.sh"
		stock13() {
			local e=$ZSX_BUILD/debroot/trixie/export ver
			[ -f "$e/kver" ] || { echo "no Debian 13 kernel kept by the Debian 13 root step"; return 1; }
			ver=$(cat "$e/kver")
			ZSX_STAGE_MODTREE=$e/modules ZSX_STAGE_PREBUILT=$e/modules/updates/dkms ZSX_STAGE_WHERE=updates/dkms \
				ZSX_STAGE_BUILDLOG=$e/make.log stock_suite x86_64 prebuilt "$ver" - "$e/vmlinuz-$ver" debian13-stock \
				kernel/drivers/block/virtio_blk.ko
		}
		step "Debian 13's own kernel (linux-image-amd64, 6.12): zsx-dkms built by DKMS in the Debian 13 root, modprobe, zswap on zsx in a memory-limited cgroup, zsxram swap" stock13
	fi
done

wait "$PREFETCH_PID"
trap - EXIT INT TERM
echo "---- make check: $((SECONDS - T_ALL))s; times in $TIMES ----"
grep "^prefetch:" "$ZSX_BUILD/prefetch.log" | tr '\n' ';' | sed 's/;$/\n/'

summary
