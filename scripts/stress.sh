#!/bin/bash
# make stress: long reliability runs on the sanitizer kernels.
#   scripts/stress.sh SECONDS_PER_PHASE [KERNELS]
# KERNELS default "x86_64:debug arm64:debug x86_64:kcsan". Each run: a clean
# phase and (debug kernels, which have fault injection) a 10%-faults phase,
# every vCPU busy, compaction, CPU hotplug, swap on zsxram + zswap(zsx).
# Prints per kernel: duration, operations, faults injected, mismatches,
# splats, pages leaked; logs under build/stress/. Each kernel's table also goes
# to ZSX_RESULTS (default qemu/bench-results; empty: nowhere) as
# <arch>-<variant>-<line>-stress-<YYYYMMDD>.md, in place of an earlier run's.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
SECS=${1:-300}
KERNELS=${2:-x86_64:debug arm64:debug x86_64:kcsan}
LINE=6.1
RESULTS=${ZSX_RESULTS-$ZSX_ROOT/qemu/bench-results}
DATE=$(date -u +%Y%m%d)
bash "$ZSX_ROOT/scripts/deps.sh" build source x86 arm64 || exit 1
out=$ZSX_BUILD/stress
mkdir -p "$out"
summary=$out/summary.md
header() {
	echo "| kernel | verdict | VM seconds | phase | stress ops | verified | faults injected | malloc -ENOMEM | zsxram failed writes / zswap rejects | hotplug cycles | swap rounds (failed) | mismatches | splats | pages leaked |"
	echo "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
}
header > "$summary"
rc=0
for kv in $KERNELS; do
	arch=${kv%%:*} variant=${kv#*:}
	kdir=$(bash "$ZSX_ROOT/scripts/kernel.sh" "$arch" "$variant" "$LINE") || { rc=1; continue; }
	bash "$ZSX_ROOT/scripts/guest-progs.sh" "$arch" || { rc=1; continue; }
	mods=$(bash "$ZSX_ROOT/scripts/modules.sh" "$arch" "$kdir" "$arch-$variant") || { rc=1; continue; }
	img=$out/$arch-$variant.cpio.gz
	bash "$ZSX_ROOT/scripts/initramfs.sh" "$arch" "$img" "$mods" "$kdir/modroot" || { rc=1; continue; }
	log="$out/$arch-$variant.log"
	ZSX_VM_APPEND="zsx.stress_secs=$SECS" bash "$ZSX_ROOT/scripts/vm.sh" "$arch" "$kdir/$(arch_image "$arch")" "$img" stress \
		"$log" $((2 * SECS + 900)) > "$log.verdict" 2>&1
	vrc=$?
	[ $vrc = 0 ] || rc=1
	verdict=$(grep -o 'VM-VERDICT: [A-Z]*' "$log.verdict" | cut -d' ' -f2)
	secs=$(sed -n 's/.*VM-VERDICT: PASS .*, \([0-9]*\)[0-9.]*s)$/\1/p' "$log.verdict" | head -1)
	splats=$(grep -cE "$ZSX_SPLAT_RE" "$log")
	rows=$out/$arch-$variant.rows
	grep "^ZSX-STRESS" "$log" | while read -r _ line; do
		get() { echo " $line" | sed -n "s/.* $1=\\([0-9]*\\).*/\\1/p"; }
		ph=$(echo "$line" | sed -n 's/^phase=\([a-z]*\).*/\1/p')
		if echo "$line" | grep -q not-in-this-kernel; then
			echo "| $arch $variant | $verdict | $secs | $ph | - | - | not in this kernel | - | - | - | - | - | $splats | - |"
		else
			echo "| $arch $variant | $verdict | $secs | $ph | $(get ops) | $(get verified) | $(get faults_injected) | $(get malloc_failures) | $(get zsxram_failed_writes) / $(get zswap_alloc_rejects) | $(get hotplug_cycles) | $(get swap_rounds) ($(get swap_failures)) | $(get mismatches) | $splats | $(get pages_left) |"
		fi
	done > "$rows"
	grep -q "^ZSX-STRESS" "$log" || echo "| $arch $variant | ${verdict:-FAIL} | $secs | (no result) | | | | | | | | | $splats | |" > "$rows"
	cat "$rows" >> "$summary"
	if [ -n "$RESULTS" ]; then
		name=$arch-$variant-$LINE-stress
		mkdir -p "$RESULTS"
		rm -f "$RESULTS/$name"-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9].md
		{ echo "### make stress: $arch $variant kernel (Linux $LINE), $SECS s per phase"; echo; header; cat "$rows"; } \
			> "$RESULTS/$name-$DATE.md"
	fi
	grep "VM-VERDICT" "$log.verdict"
done
echo "---- make stress: $SECS s per phase ----"
cat "$summary"
exit $rc
