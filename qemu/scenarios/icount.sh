# Exact instruction counts (the `icount` boot of make bench ARCH=arm64): QEMU runs
# with -icount shift=0 -smp 1, so the arm64 PMU's INST_RETIRED is QEMU's exact
# count of retired guest instructions. zsx_bench's counting mode (debugfs
# zsx_bench/insns, see kunit/zsx_bench.c) reads it, summed over every online CPU,
# around each phase of N operations with one thread.
# Kernel command line: zsx.bench=quick|full (objects per run: 20000 | 50000).
# Every measurement is one line "ZSX-BENCH insns round=R key=value ..." that
# scripts/bench-report.py turns into per-operation figures (median, spread).
mode=$(sed -n 's/.*zsx\.bench=\([a-z]*\).*/\1/p' /proc/cmdline)
case $mode in
quick) OBJS=20000 ;;
*) mode=full; OBJS=50000 ;;
esac
ROUNDS=3
CONFIGS="zsmalloc base classidx unlocked deferred"
B=/sys/kernel/debug/zsx_bench
O=/tmp/icount.out
: > $O
echo "ZSX-BENCH info mode=$mode objects=$OBJS rounds=$ROUNDS cpus=$(grep -c ^processor /proc/cpuinfo) kernel=$(uname -r) arch=$(uname -m) mem_mib=$(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo)"
echo "ZSX-BENCH-PMU: $(dmesg | grep -m1 -i 'hw perfevents' | sed 's/^\[[ 0-9.]*\] //')"
# the kernel's own symbol table, before any zsx module adds to it (the size mix below)
cat /proc/kallsyms > /tmp/kallsyms
check "insmod zsx, zsx_bench" sh -c "insmod /lib/zsx/zsx.ko count_pages_held=0 && insmod /lib/zsx/zsx_bench.ko"

# The counter must be exact before anything is read from it: loops of known
# length (2 instructions per iteration), counted system-wide like every phase.
for n in 10000000 30000000; do
	if echo "calibrate $n" > $B/insns; then
		echo "ZSX-BENCH calib $(cat $B/result)" | tee -a $O
	else
		echo "ZSX-BENCH calib-failed $(cat $B/result)"
	fi
done
calib_ok() {
	awk '/^ZSX-BENCH calib calibrate/ {
		for (i = 4; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		d = v["counted"] - v["expected"]; if (d < 0) d = -d
		printf "expected %d counted %d (%.3f%%)\n", v["expected"], v["counted"], 100 * d / v["expected"]
		n++; if (d * 200 > v["expected"] || v["mux"] != 0) bad++ }
		END { exit !(n == 2 && !bad) }' $O
}
check "instruction counter exact: known loops of 2x(1e7-1), 2x(3e7-1) instructions counted within 0.5%" calib_ok

# The object-size mix. It must not depend on the build being measured, or a
# comparison of two builds changes its own input (a rebuilt zsx_bench.ko in the
# sample moves zs_free by about 2%). So the mix is a committed list of sizes,
# qemu/guest/icount.mix (/etc/zsx/icount.mix here). Without it, the mix is made
# as the bench scenario makes it (lzo-rle sizes of the guest's busybox, our
# modules, the kernel's modules and symbol table) and printed between
# ZSX-MIX-BEGIN/END, which scripts/bench.sh saves as build/.../icount.mix: copy
# that to qemu/guest/icount.mix to freeze it.
MIX=/etc/zsx/icount.mix
if [ -f $MIX ]; then
	check "zsx_bench: object-size mix from qemu/guest/icount.mix ($(grep -c '^[0-9]' $MIX) sizes)" sh -c \
		"cat $MIX > $B/sizes && [ \$(sed 's/sizes=\([0-9]*\).*/\1/' $B/mix) = $(grep -c '^[0-9]' $MIX) ]"
else
	cat /bin/busybox /bin/munmapbench /lib/zsx/*.ko $(find /lib/modules -name "*.ko" | sort) /tmp/kallsyms > /tmp/sample 2>/dev/null
	check "zsx_bench: object-size mix from lzo-rle of real pages (no qemu/guest/icount.mix)" sh -c \
		"cat /tmp/sample > $B/sample && [ \$(sed 's/sizes=\([0-9]*\).*/\1/' $B/mix) -gt 500 ]"
	echo "ZSX-MIX-BEGIN"; cat $B/sizes; echo "ZSX-MIX-END"
	rm -f /tmp/sample
fi
echo "ZSX-BENCH mix $(cat $B/mix)"
rm -f /tmp/kallsyms

# a measurement line of round r: round 0 is a warm-up, printed and not kept
record() {
	if [ $r = 0 ]; then
		echo "ZSX-BENCH $1-warmup $2"
	else
		echo "ZSX-BENCH $1 round=$r $2" | tee -a $O
	fi
}
fail=0
r=0
while [ $r -le $ROUNDS ]; do
	for cfg in $CONFIGS; do
		# every run starts from the same slab state: no per-CPU or partial slabs
		# left by the previous run's caches (SLUB shares merged caches between pools)
		for f in /sys/kernel/slab/*/shrink; do echo 1 > $f; done 2>/dev/null
		if ! echo "$cfg $OBJS" > $B/insns; then
			fail=$((fail + 1)); echo "zsx_bench insns $cfg failed: $(cat $B/result)"
		else
			record insns "$(cat $B/result)"
		fi
		echo "ZSX-VMSTAT round=$r config=$cfg $(grep -E '^(compact_|pgmigrate_|kcompactd|drop_|pgsteal|pgscan_kswapd)' /proc/vmstat | tr ' \n' '= ')"
	done
	r=$((r + 1))
done
n=$(echo $CONFIGS | wc -w)
check "counting mode: every configuration counted ($n configs x $ROUNDS rounds), no counter multiplexed" sh -c \
	"[ $fail = 0 ] && [ \$(grep -c '^ZSX-BENCH insns' $O) = $((n * ROUNDS)) ] && ! grep '^ZSX-BENCH insns' $O | grep -v ' mux=0'"
check "counting mode: every pool empty after its frees (pages_left_after_free 0)" sh -c \
	"! grep '^ZSX-BENCH insns' $O | grep -v 'pages_left_after_free=0 '"
check "counting mode: every deferred handle parked, none freed synchronously, all drained" sh -c \
	"! grep '^ZSX-BENCH insns.* config=deferred' $O | grep -v 'drained=$OBJS fallbacks=0 enqueued=$OBJS '"
# ---- per slot, system-wide: the munmap workload --------------------------------
# One process maps 64 MiB, pushes it to swap (MADV_PAGEOUT) and munmaps it.
# zsx_bench's window counts every instruction retired on the CPU from just
# before the munmap starts until one second after the process exited (the
# deferred drainers' 20 ms low-water timer has fired many times over) and every
# RCU callback ran: what perf stat -a counts. The same steps run for every
# configuration, the floor included, so what the shell and the idle second
# cost cancels in the difference. Slots: the swap slots freed in the window
# (SwapFree before and after). task: the munmapping process's own count.
# Round 0 is a warm-up (the first round after boot costs most) and is not kept.
NCPU=1; MIB=64; DISK=$((MIB * 2 + 64))M
. /scenarios/swapdevs.sh
SCONFIGS="floor zram zsmalloc base classidx unlocked release deferred"
check "insmod zsxram" insmod /lib/zsx/zsxram.ko
check "insmod the kernel's zram" kmod zram num_devices=1
page_kib=$(($(swapverify pagesize) / 1024))
swapfree_kib() { awk '/^SwapFree:/ {print $2}' /proc/meminfo; }
slot_fail=0
r=0
while [ $r -le $ROUNDS ]; do
	order=$(echo $SCONFIGS | awk -v r=$r '{ for (i = 0; i < NF; i++) printf "%s ", $(((i + r) % NF) + 1) }')
	for cfg in $order; do
		setup $cfg || { slot_fail=$((slot_fail + 1)); echo "slot: set-up of $cfg failed"; continue; }
		rm -f /tmp/gate.ready /tmp/gate.go
		MUNMAPBENCH_GATE=/tmp/gate munmapbench 1 $MIB $((r * 100 + 7)) > /tmp/mb 2>&1 &
		mb=$!
		while [ ! -f /tmp/gate.ready ] && kill -0 $mb 2>/dev/null; do usleep 10000; done
		sync; for f in /sys/kernel/slab/*/shrink; do echo 1 > $f; done 2>/dev/null
		e0=$(dstat enqueued); f0=$(swapfree_kib)
		echo open > $B/window || slot_fail=$((slot_fail + 1))
		touch /tmp/gate.go
		wait $mb || slot_fail=$((slot_fail + 1))
		sleep 1
		echo close > $B/window || slot_fail=$((slot_fail + 1))
		w=$(cat $B/result)
		f1=$(swapfree_kib); e1=$(dstat enqueued); pend=$(dstat pending)
		[ "$pend" = 0 ] || { slot_fail=$((slot_fail + 1)); echo "slot: $cfg: $pend handles still parked"; }
		echo "$w" > /tmp/window
		line="config=$cfg slots=$(((f1 - f0) / page_kib)) insns=$(kv insns /tmp/window) task_insns=$(awk '/^munmapbench:/ {print $13}' /tmp/mb) enqueued=$((e1 - e0)) swapped_kib=$(awk '/^munmapbench:/ {print $9}' /tmp/mb) mux=$(kv mux /tmp/window)"
		record slot "$line"
		teardown $cfg || { slot_fail=$((slot_fail + 1)); echo "slot: tear-down of $cfg failed"; }
	done
	r=$((r + 1))
done
n=$(echo $SCONFIGS | wc -w)
check "per slot: every configuration counted ($n configs x $ROUNDS rounds), no counter multiplexed, nothing failed" sh -c \
	"[ $slot_fail = 0 ] && [ \$(grep -c '^ZSX-BENCH slot round' $O) = $((n * ROUNDS)) ] && ! grep '^ZSX-BENCH slot round' $O | grep -v ' mux=0'"
# each kept slot line as "config slots task_insns enqueued"
slot_rows() {
	grep '^ZSX-BENCH slot round' $O | awk '{ delete v; for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		print v["config"], v["slots"], v["task_insns"], v["enqueued"] }'
}
slot_rows > /tmp/slot.rows
check "per slot: every run freed at least 90% of the 64 MiB's slots in the window" \
	awk -v want=$((MIB * 1024 / page_kib * 9 / 10)) '$2 < want { bad = 1; print } END { exit bad }' /tmp/slot.rows
check "per slot: the munmapping task's own count read from the PMU" \
	awk '$3 <= 0 { bad = 1; print } END { exit bad }' /tmp/slot.rows
check "per slot: the deferred configuration parked its frees (>= 90% of the slots), the synchronous ones none" \
	awk '($1 == "deferred" && $4 * 10 < $2 * 9) || ($1 != "deferred" && $1 != "release" && $4 != 0) { bad = 1; print } END { exit bad }' /tmp/slot.rows
check "rmmod zsx_bench zsxram zsx" sh -c "rmmod zsx_bench && rmmod zsxram && rmmod zsx"
