#!/bin/bash
# make trace: perf inside a VM (the `perf` kernel) on the zs_free paths.
#   scripts/trace.sh ARCH [MIB]
# Writes build/trace/<arch>/{console.log,*.data,*.txt,summary.md} and prints the summary;
# the summary also goes to ZSX_RESULTS (default qemu/bench-results; empty: nowhere)
# as <arch>-<line>-trace-<YYYYMMDD>.md, in place of an earlier run's.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ARCH=${1:-x86_64}; MIB=${2:-32}
LINE=6.1
RESULTS=${ZSX_RESULTS-$ZSX_ROOT/qemu/bench-results}
DATE=$(date -u +%Y%m%d)
bash "$ZSX_ROOT/scripts/deps.sh" build source x86 arm64 bench
kdir=$(bash "$ZSX_ROOT/scripts/kernel.sh" "$ARCH" perf "$LINE")
bash "$ZSX_ROOT/scripts/guest-progs.sh" "$ARCH"
mods=$(bash "$ZSX_ROOT/scripts/modules.sh" "$ARCH" "$kdir" "$ARCH-perf")
bash "$ZSX_ROOT/scripts/lint.sh" "$ARCH" "$kdir" "$mods"
perfdir=$(bash "$ZSX_ROOT/scripts/perf-bundle.sh" "$ARCH")
out=$ZSX_BUILD/trace/$ARCH
rm -rf "$out"; mkdir -p "$out"
ZSX_PERF_DIR=$perfdir bash "$ZSX_ROOT/scripts/initramfs.sh" "$ARCH" "$out/trace.cpio.gz" "$mods" "$kdir/modroot"
disk=$out/results.img
truncate -s 512M "$disk"
rc=0
ZSX_VM_MEM=2048 ZSX_VM_DISK=$disk ZSX_VM_APPEND="zsx.trace_mib=$MIB" bash "$ZSX_ROOT/scripts/vm.sh" "$ARCH" \
	"$kdir/$(arch_image "$ARCH")" "$out/trace.cpio.gz" trace "$out/console.log" 1800 || rc=$?
tar -xf "$disk" -C "$out" 2>/dev/null && mv "$out"/trace/* "$out"/ && rmdir "$out/trace" || { echo "no recordings came back"; rc=1; }
rm -f "$disk"
python3 "$ZSX_ROOT/scripts/trace-report.py" "$out" || rc=1
if [ -n "$RESULTS" ] && [ -s "$out/summary.md" ]; then
	mkdir -p "$RESULTS"
	rm -f "$RESULTS/$ARCH-$LINE-trace"-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9].md
	cp "$out/summary.md" "$RESULTS/$ARCH-$LINE-trace-$DATE.md"
	log "trace: summary in $RESULTS/$ARCH-$LINE-trace-$DATE.md"
fi
exit $rc
