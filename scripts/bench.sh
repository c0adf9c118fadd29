#!/bin/bash
# make bench: every configuration side by side in one VM boot of the `perf` kernel.
#   scripts/bench.sh ARCH MODE      MODE = full | quick | smoke
# Writes build/bench/<arch>-<mode>/{console.log,bench.md,*.csv,*.png} and prints the tables.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ARCH=${1:-x86_64}; MODE=${2:-full}
case $MODE in full) T=2700 ;; quick) T=900 ;; smoke) T=600 ;; *) die "unknown bench mode $MODE" ;; esac
bash "$ZSX_ROOT/scripts/deps.sh"
kdir=$(bash "$ZSX_ROOT/scripts/kernel.sh" "$ARCH" perf)
bash "$ZSX_ROOT/scripts/guest-progs.sh" "$ARCH"
mods=$(bash "$ZSX_ROOT/scripts/modules.sh" "$ARCH" "$kdir" "$ARCH-perf")
bash "$ZSX_ROOT/scripts/lint.sh" "$ARCH" "$kdir" "$mods"
out=$ZSX_BUILD/bench/$ARCH-$MODE
mkdir -p "$out"
img=$out/bench.cpio.gz
bash "$ZSX_ROOT/scripts/initramfs.sh" "$ARCH" "$img" "$mods" "$kdir/modroot"
log "bench: $ARCH $MODE (QEMU TCG, $(nproc) host cores; full mode takes up to 45 minutes)"
rc=0
ZSX_VM_MEM=3072 ZSX_VM_APPEND="zsx.bench=$MODE" bash "$ZSX_ROOT/scripts/vm.sh" "$ARCH" "$kdir/$(arch_image "$ARCH")" \
	"$img" bench "$out/console.log" "$T" || rc=$?
python3 "$ZSX_ROOT/scripts/bench-report.py" "$out/console.log" "$out" || rc=1
[ -f "$out/bench.md" ] && cat "$out/bench.md"
exit $rc
