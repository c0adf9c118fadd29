#!/bin/bash
# make bench: every configuration side by side in one VM boot of the `perf` kernel,
# and on arm64 a second boot of the same kernel under QEMU -icount for exact
# instruction counts per operation.
#   scripts/bench.sh ARCH MODE      MODE = full | quick | smoke
#   ICOUNT=1 (default on arm64, full/quick) | 0 (no icount boot) | only (the icount boot alone)
# Writes build/bench/<arch>-<mode>/{console.log,icount-console.log,bench.md,bench.txt,
# fastpath.md,*.csv,*.png}, prints the tables, then the BENCH lines and last the
# BENCH-TARGETS line (bench.txt: what tools read).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ARCH=${1:-x86_64}; MODE=${2:-full}
case $MODE in full) T=2700 ;; quick) T=900 ;; smoke) T=600 ;; *) die "unknown bench mode $MODE" ;; esac
ICOUNT=${ICOUNT:-1}
case $ICOUNT in 0|1|only) ;; *) die "ICOUNT=$ICOUNT: 0, 1 or only" ;; esac
run_perf=1; run_icount=0; run_stock=0
if [ "$ARCH" = arm64 ] && [ "$MODE" != smoke ] && [ "$ICOUNT" != 0 ]; then run_icount=1; fi
# x86_64: the same workloads on Debian's own kernel (linux-image-amd64), the one users run
STOCK=${STOCK:-1}
if [ "$ARCH" = x86_64 ] && [ "$MODE" != smoke ] && [ "$STOCK" != 0 ]; then run_stock=1; fi
if [ "$ICOUNT" = only ]; then
	[ $run_icount = 1 ] || die "ICOUNT=only: the icount boot exists on arm64, modes full and quick"
	run_perf=0
fi
bash "$ZSX_ROOT/scripts/deps.sh"
kdir=$(bash "$ZSX_ROOT/scripts/kernel.sh" "$ARCH" perf)
bash "$ZSX_ROOT/scripts/guest-progs.sh" "$ARCH"
mods=$(bash "$ZSX_ROOT/scripts/modules.sh" "$ARCH" "$kdir" "$ARCH-perf")
bash "$ZSX_ROOT/scripts/lint.sh" "$ARCH" "$kdir" "$mods"
out=$ZSX_BUILD/bench/$ARCH-$MODE
mkdir -p "$out"
img=$out/bench.cpio.gz
bash "$ZSX_ROOT/scripts/initramfs.sh" "$ARCH" "$img" "$mods" "$kdir/modroot"
rc=0
report=(--arch "$ARCH")
if [ $run_perf = 1 ]; then
	log "bench: $ARCH $MODE (QEMU TCG, $(nproc) host cores; full mode takes up to 45 minutes)"
	ZSX_VM_MEM=3072 ZSX_VM_APPEND="zsx.bench=$MODE" bash "$ZSX_ROOT/scripts/vm.sh" "$ARCH" "$kdir/$(arch_image "$ARCH")" \
		"$img" bench "$out/console.log" "$T" || rc=$?
	report+=(--perf "$out/console.log")
fi
if [ $run_stock = 1 ]; then
	# modules built against Debian's headers; the kernel's zsmalloc, zram and brd
	# are modules there (built in on the perf kernel): they go into the image
	ver=$(dpkg-query -W -f='${Depends}' linux-image-amd64 | grep -o 'linux-image-[0-9][^ ,]*' | head -1 | sed 's/linux-image-//')
	hdr=/usr/src/linux-headers-$ver
	if [ -d "$hdr" ] && [ -f "/boot/vmlinuz-$ver" ]; then
		smods=$(bash "$ZSX_ROOT/scripts/modules.sh" x86_64 "$hdr" debian-stock)
		bash "$ZSX_ROOT/scripts/lint.sh" x86_64 "$hdr" "$smods"
		extra=$(for m in zsmalloc zram brd; do find "/lib/modules/$ver" -name "$m.ko*" | head -1; done)
		ZSX_EXTRA_KO="$extra" bash "$ZSX_ROOT/scripts/initramfs.sh" x86_64 "$out/bench-stock.cpio.gz" "$smods"
		log "bench: x86_64 $MODE on Debian's kernel $ver"
		ZSX_VM_MEM=3072 ZSX_VM_APPEND="zsx.bench=$MODE" bash "$ZSX_ROOT/scripts/vm.sh" x86_64 "/boot/vmlinuz-$ver" \
			"$out/bench-stock.cpio.gz" bench "$out/stock-console.log" "$T" || rc=$?
		report+=(--stock "$out/stock-console.log")
	else
		log "bench: no Debian kernel $ver with headers (scripts/deps.sh installs them)"; rc=1
	fi
fi
if [ $run_icount = 1 ]; then
	# one vCPU, single-threaded TCG, -icount shift=0: the PMU counts QEMU's exact instruction count
	log "bench: $ARCH icount boot ($MODE: exact instructions per operation, 3 rounds)"
	t0=$SECONDS
	ZSX_VM_ICOUNT=1 ZSX_VM_MEM=2048 ZSX_VM_APPEND="zsx.bench=$MODE" bash "$ZSX_ROOT/scripts/vm.sh" "$ARCH" \
		"$kdir/$(arch_image "$ARCH")" "$img" icount "$out/icount-console.log" 1800 || rc=$?
	log "bench: icount boot took $((SECONDS - t0)) s"
	# no committed qemu/guest/icount.mix: the boot made one and printed it; keep it to freeze
	if grep -q "^ZSX-MIX-BEGIN" "$out/icount-console.log"; then
		{ echo "# object-size mix of the icount boot: lzo-rle sizes of the guest's busybox, munmapbench,"
		  echo "# zsx modules, kernel modules and kernel symbol table ($(date -u +%F), $(basename "$kdir"))"
		  sed -n '/^ZSX-MIX-BEGIN/,/^ZSX-MIX-END/p' "$out/icount-console.log" | grep -E '^[0-9]+$'
		} > "$out/icount.mix"
		log "bench: object-size mix saved as $out/icount.mix (copy it to qemu/guest/icount.mix to freeze it)"
	fi
	report+=(--icount "$out/icount-console.log")
fi
# the fast paths' calls, atomics and divisions, read from the module this bench ran
python3 "$ZSX_ROOT/scripts/fastpath-insns.py" "$ARCH" "$mods/zsx.ko" "$out/fastpath.md" > "$out/fastpath.txt" || rc=1
python3 "$ZSX_ROOT/scripts/bench-report.py" "$out" "${report[@]}" --fastpath "$out/fastpath.md" || rc=1
[ -f "$out/bench.md" ] && cat "$out/bench.md"
[ -f "$out/fastpath.txt" ] && cat "$out/fastpath.txt"
[ -f "$out/bench.txt" ] && cat "$out/bench.txt"
exit $rc
