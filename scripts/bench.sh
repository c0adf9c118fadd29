#!/bin/bash
# make bench: every configuration side by side in one VM boot of the `perf` kernel,
# and on arm64 a second boot of the same kernel under QEMU -icount for exact
# instruction counts per operation.
#   scripts/bench.sh ARCH MODE      MODE = full | quick | smoke
#   KERNEL=6.1 | 6.12 | 7.3 (default 7.3, the incumbent to beat): the line of the perf kernel
#   ICOUNT=1 (default on arm64, full/quick) | 0 (no icount boot) | only (the icount boot alone)
#   WORKLOAD=only (x86_64): the realistic-workload boots alone, on Debian's
#     kernel and on the perf kernel of KERNEL when that is another line
# Writes build/bench/<arch>-<line>-<mode>/{console.log,icount-console.log,bench.md,bench.txt,
# fastpath.md,*.csv,*.png}, prints the tables, then the BENCH lines and last the
# BENCH-TARGETS line (bench.txt: what tools read).
# A full or quick run also leaves its results in ZSX_RESULTS (default
# qemu/bench-results; empty: nowhere), each file named by what it measured,
# <arch>-<kernel>-<benchmark>-<YYYYMMDD>.<ext>, in place of the older runs' file
# of the same benchmark (git keeps those). <kernel>: the perf kernel's line
# (7.3) or stock-<line> (Debian's kernel); <benchmark>: munmap,
# munmap-compact, tput (csv, png), icount, workload (csv), fastpath (md), and
# the run's report (md, txt: bench.md, bench.txt) as bench, or icount or
# workload for a run of that boot alone.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ARCH=${1:-x86_64}; MODE=${2:-full}
case $MODE in full) T=3600 ;; quick) T=1500 ;; smoke) T=600 ;; *) die "unknown bench mode $MODE" ;; esac
ICOUNT=${ICOUNT:-1}
LINE=${KERNEL:-7.3}
line_suite "$LINE" >/dev/null
case $ICOUNT in 0|1|only) ;; *) die "ICOUNT=$ICOUNT: 0, 1 or only" ;; esac
run_perf=1; run_icount=0; run_stock=0
if [ "$ARCH" = arm64 ] && [ "$MODE" != smoke ] && [ "$ICOUNT" != 0 ]; then run_icount=1; fi
# x86_64: the same workloads on Debian's own kernel (linux-image-amd64), the one users run;
# STOCK=only: that kernel alone (make check's smoke run: no perf kernel to build)
STOCK=${STOCK:-1}
if [ "$ARCH" = x86_64 ] && { [ "$MODE" != smoke ] || [ "$STOCK" = only ]; } && [ "$STOCK" != 0 ]; then run_stock=1; fi
# STOCK=workload: the realistic-workload boot alone
stock_bench=1
case $STOCK in
only|workload)
	[ $run_stock = 1 ] || die "STOCK=$STOCK: Debian's kernel is benchmarked on x86_64"
	run_perf=0; run_icount=0
	[ "$STOCK" = workload ] && stock_bench=0 ;;
esac
if [ "$ICOUNT" = only ]; then
	[ $run_icount = 1 ] || die "ICOUNT=only: the icount boot exists on arm64, modes full and quick"
	run_perf=0
fi
# the realistic workload (x86_64, not smoke): on Debian's kernel, and on the
# perf kernel where KERNEL is another line (7.3: zsxram, no zpool)
run_workload=0 run_workload_perf=0
if [ "$ARCH" = x86_64 ] && [ "$MODE" != smoke ]; then
	[ $run_stock = 1 ] && run_workload=1
	[ "$LINE" != 6.1 ] && [ "$STOCK" != only ] && [ "$STOCK" != workload ] && run_workload_perf=1
fi
case ${WORKLOAD:-} in
"") ;;
only)
	[ "$ARCH" = x86_64 ] && [ "$MODE" != smoke ] || die "WORKLOAD=only: the workload runs on x86_64, modes full and quick"
	run_perf=0; run_icount=0; stock_bench=0 ;;
*) die "WORKLOAD=$WORKLOAD: only" ;;
esac
bash "$ZSX_ROOT/scripts/deps.sh" build source x86 arm64 stock bench
bash "$ZSX_ROOT/scripts/guest-progs.sh" "$ARCH"
out=$ZSX_BUILD/bench/$ARCH-$LINE-$MODE
mkdir -p "$out"
RESULTS=${ZSX_RESULTS-$ZSX_ROOT/qemu/bench-results}
[ "$MODE" = smoke ] && RESULTS=
DATE=$(date -u +%Y%m%d)
stamp=$out/.run-started
touch "$stamp"
img=$out/bench.cpio.gz
if [ $run_perf = 1 ] || [ $run_icount = 1 ] || [ $run_workload_perf = 1 ]; then
	kdir=$(bash "$ZSX_ROOT/scripts/kernel.sh" "$ARCH" perf "$LINE")
	mods=$(bash "$ZSX_ROOT/scripts/modules.sh" "$ARCH" "$kdir" "$LINE-$ARCH-perf")
	bash "$ZSX_ROOT/scripts/lint.sh" "$ARCH" "$kdir" "$mods"
	bash "$ZSX_ROOT/scripts/initramfs.sh" "$ARCH" "$img" "$mods" "$kdir/modroot"
fi
rc=0
report=(--arch "$ARCH" --line "$LINE")
if [ $run_perf = 1 ]; then
	log "bench: $ARCH $MODE (QEMU TCG, $(nproc) host cores; full mode takes up to an hour)"
	ZSX_VM_MEM=3072 ZSX_VM_APPEND="zsx.bench=$MODE" bash "$ZSX_ROOT/scripts/vm.sh" "$ARCH" "$kdir/$(arch_image "$ARCH")" \
		"$img" bench "$out/console.log" "$T" || rc=$?
	report+=(--perf "$out/console.log")
fi
if [ $run_stock = 1 ]; then
	# modules built against Debian's headers; the kernel's zsmalloc, zram and brd
	# are modules there (built in on the perf kernel): they go into the image
	ver=$(dpkg-query -W -f='${Depends}' linux-image-amd64 | grep -o 'linux-image-[0-9][^ ,]*' | head -1 | sed 's/linux-image-//')
	hdr=/usr/src/linux-headers-$ver
	sline=$(echo "$ver" | cut -d. -f1,2)
	report+=(--stock-line "$sline")
	if [ -d "$hdr" ] && [ -f "/boot/vmlinuz-$ver" ]; then
		smods=$(bash "$ZSX_ROOT/scripts/modules.sh" x86_64 "$hdr" debian-stock)
		bash "$ZSX_ROOT/scripts/lint.sh" x86_64 "$hdr" "$smods"
		extra=$(for m in zsmalloc zram brd; do find "/lib/modules/$ver" -name "$m.ko*" | head -1; done)
		ZSX_EXTRA_KO="$extra" bash "$ZSX_ROOT/scripts/initramfs.sh" x86_64 "$out/bench-stock.cpio.gz" "$smods"
		if [ $stock_bench = 1 ]; then
			log "bench: x86_64 $MODE on Debian's kernel $ver"
			ZSX_VM_MEM=3072 ZSX_VM_APPEND="zsx.bench=$MODE" bash "$ZSX_ROOT/scripts/vm.sh" x86_64 "/boot/vmlinuz-$ver" \
				"$out/bench-stock.cpio.gz" bench "$out/stock-console.log" "$T" || rc=$?
			report+=(--stock "$out/stock-console.log")
		fi
	else
		log "bench: no Debian kernel $ver with headers (scripts/deps.sh installs them)"; rc=1
	fi
fi
# the workload's program and data: Debian's xz with its libraries, and the
# first 4 MiB of Debian's perf binary (installed by scripts/deps.sh)
workload_extra() {
	local extra=$out/workload-extra
	rm -rf "$extra" && mkdir -p "$extra/usr/lib/zsx-xz" "$extra/data"
	cp -L /usr/bin/xz "$extra/usr/lib/zsx-xz/xz.bin"
	for l in $(ldd /usr/bin/xz | awk '$3 ~ /^\// {print $3}'); do cp -L "$l" "$extra/usr/lib/zsx-xz/"; done
	cp -L /lib64/ld-linux-x86-64.so.2 "$extra/usr/lib/zsx-xz/ld.so"
	head -c 4M /usr/bin/perf > "$extra/data/input.tar"
	echo "$extra"
}
# one workload boot: KERNEL-IMAGE INITRAMFS CONSOLE-LOG (1 GiB VM, a 1 GiB swap
# disk; rounds of every set-up, so twice the other boots' time limit)
workload_boot() {
	local disk=$out/workload-swap.img r=0
	rm -f "$disk" && truncate -s 1G "$disk"
	ZSX_VM_DISK=$disk ZSX_VM_MEM=1024 ZSX_VM_APPEND="zsx.bench=$MODE" bash "$ZSX_ROOT/scripts/vm.sh" x86_64 "$1" \
		"$2" workload "$3" $((T * 2)) || r=$?
	rm -f "$disk"
	return $r
}
if [ $run_workload = 1 ]; then
	# a real program in a memory-limited cgroup through zswap (zsx with and
	# without deferral, zsmalloc, zbud) and zram-style swap (zsxram on zsx with
	# and without, the kernel's zram), on Debian's kernel with zsx installed as
	# a user installs it (DKMS)
	wroot=$(ZSX_STAGE_KO="kernel/mm/zsmalloc.ko kernel/drivers/block/zram/zram.ko
		kernel/drivers/block/virtio_blk.ko kernel/drivers/virtio/virtio_pci.ko" \
		bash "$ZSX_ROOT/scripts/stage-modules.sh" dkms "$ver" "$hdr" "$ZSX_BUILD/stage/$ver-bench") || rc=1
	ZSX_INITRAMFS_EXTRA=$(workload_extra) bash "$ZSX_ROOT/scripts/initramfs.sh" x86_64 "$out/workload.cpio.gz" - "$wroot" || rc=1
	log "bench: realistic workload (xz in a memory-limited cgroup) on Debian's kernel $ver"
	workload_boot "/boot/vmlinuz-$ver" "$out/workload.cpio.gz" "$out/workload-console.log" || rc=$?
	report+=(--workload "$out/workload-console.log")
fi
if [ $run_workload_perf = 1 ]; then
	# the same on the perf kernel of this line (7.x: no zpool, so zsxram and zram)
	ZSX_INITRAMFS_EXTRA=$(workload_extra) bash "$ZSX_ROOT/scripts/initramfs.sh" x86_64 "$out/workload-perf.cpio.gz" \
		"$mods" "$kdir/modroot" || rc=1
	log "bench: realistic workload (xz in a memory-limited cgroup) on the $LINE perf kernel"
	workload_boot "$kdir/$(arch_image x86_64)" "$out/workload-perf.cpio.gz" "$out/workload-perf-console.log" || rc=$?
	report+=(--workload-perf "$out/workload-perf-console.log")
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
python3 "$ZSX_ROOT/scripts/fastpath-insns.py" "$ARCH" "${mods:-$smods}/zsx.ko" "$out/fastpath.md" > "$out/fastpath.txt" || rc=1
python3 "$ZSX_ROOT/scripts/bench-report.py" "$out" "${report[@]}" --fastpath "$out/fastpath.md" || rc=1
# publish FILE NAME: FILE, if this run wrote it, as $RESULTS/NAME-$DATE.<its extension>,
# in place of the NAME-<date> file of an earlier run
publish() {
	local ext=${1##*.} old
	[ -s "$1" ] && [ "$1" -nt "$stamp" ] || return 0
	mkdir -p "$RESULTS"
	for old in "$RESULTS/$2"-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]."$ext"; do
		[ -e "$old" ] && rm -f "$old"
	done
	cp "$1" "$RESULTS/$2-$DATE.$ext"
	published+=" $2-$DATE.$ext"
}
if [ -n "$RESULTS" ]; then
	published=
	perf=$ARCH-$LINE stock=$ARCH-stock-${sline:-}
	for f in munmap munmap-compact tput; do
		for ext in csv png; do
			publish "$out/$f.$ext" "$perf-$f"
			publish "$out/stock-$f.$ext" "$stock-$f"
		done
	done
	publish "$out/icount.csv" "$perf-icount"
	publish "$out/workload.csv" "$stock-workload"
	publish "$out/workload-perf.csv" "$perf-workload"
	publish "$out/fastpath.md" "$([ -n "${mods:-}" ] && echo "$perf" || echo "$stock")-fastpath"
	# the report: named by the kernel and the boot it is about, bench for a perf or stock boot
	if [ $run_perf = 1 ] || { [ $run_stock = 1 ] && [ $stock_bench = 1 ]; }; then what=bench
	elif [ $run_icount = 1 ]; then what=icount
	else what=workload; fi
	if [ $run_perf = 1 ] || [ $run_icount = 1 ] || [ $run_workload_perf = 1 ]; then rname=$perf-$what; else rname=$stock-$what; fi
	publish "$out/bench.md" "$rname"
	publish "$out/bench.txt" "$rname"
	log "bench: results in $RESULTS:$published$([ $rc = 0 ] || echo " (from a run that failed: check them before keeping them)")"
fi
[ -f "$out/bench.md" ] && cat "$out/bench.md"
[ -f "$out/fastpath.txt" ] && cat "$out/fastpath.txt"
[ -f "$out/bench.txt" ] && cat "$out/bench.txt"
exit $rc
