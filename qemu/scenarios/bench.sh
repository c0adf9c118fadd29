# Benchmarks, every configuration in this one boot (run on the `perf` kernels).
# Kernel command line: zsx.bench=smoke|quick|full
#   smoke: the quick munmap workload once (64 MiB, 1 round; make check: correctness only)
#   quick: 64 MiB per process, 3 rounds; 20000 objects per thread, 3 rounds
#   full:  256 MiB per process, 5 rounds; 50000 objects per thread, 5 rounds
# Every measurement is one line "ZSX-BENCH <workload> key=value ..." that
# scripts/bench-report.py turns into tables, CSV and plots.
mode=$(sed -n 's/.*zsx\.bench=\([a-z]*\).*/\1/p' /proc/cmdline)
case $mode in
smoke) MIB=64; ROUNDS=1; OBJS=0; TROUNDS=0 ;;
quick) MIB=64; ROUNDS=3; OBJS=20000; TROUNDS=3 ;;
*) mode=full; MIB=256; ROUNDS=5; OBJS=50000; TROUNDS=5 ;;
esac
NCPU=$(grep -c ^processor /proc/cpuinfo)
echo "ZSX-BENCH info mode=$mode mib=$MIB rounds=$ROUNDS objects=$OBJS trounds=$TROUNDS cpus=$NCPU kernel=$(uname -r) arch=$(uname -m) mem_mib=$(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo)"

. /scenarios/swapdevs.sh
# Debian builds zsmalloc as a module (zsxram and zsx_bench use it); the perf kernels build it in
if [ -n "$(find /lib/modules /lib/zsx -name zsmalloc.ko 2>/dev/null)" ]; then
	check "insmod the kernel's zsmalloc (a module on this kernel)" kmod zsmalloc
fi
check "insmod zsx, zsxram, zsx_bench" sh -c "insmod /lib/zsx/zsx.ko count_pages_held=0 && insmod /lib/zsx/zsxram.ko && insmod /lib/zsx/zsx_bench.ko"
check "insmod the kernel's zram" kmod zram num_devices=1
DISK=$((NCPU * MIB * 2 + 64))M

CONFIGS="floor zram zsmalloc base classidx unlocked release deferred"

# ---- workload 1: munmap latency -------------------------------------------------
munmap_fail=0
r=1
while [ $r -le $ROUNDS ]; do
	# rotate the order every round so no configuration always runs first
	order=$(echo $CONFIGS | awk -v r=$r '{ for (i = 0; i < NF; i++) printf "%s ", $(((i + r - 1) % NF) + 1) }')
	for cfg in $order; do
		setup $cfg || { check_result fail "munmap: set up $cfg"; munmap_fail=$((munmap_fail + 1)); continue; }
		p=1
		while [ $p -le $NCPU ]; do
			e0=$(dstat enqueued); f0=$(dstat sync_fallbacks); t0=$(dstat drain_time_us)
			munmapbench $p $MIB $((r * 100 + p)) > /tmp/mb 2>&1 || { munmap_fail=$((munmap_fail + 1)); cat /tmp/mb; }
			drain_wait || { munmap_fail=$((munmap_fail + 1)); echo "deferred buffers did not drain"; }
			ratio=""
			case $cfg in floor) ;; zram) ratio=$(awk '{printf "%.2f", $1 / ($2 + 1)}' /sys/block/zram0/mm_stat) ;;
			*) ratio=$(awk '{printf "%.2f", $1 / ($2 + 1)}' $S/mm_stat) ;; esac
			# hold_ns, holds, holds_over_1ms, producer_drained: the pool's so far (a fresh pool per configuration)
			awk -v cfg=$cfg -v r=$r -v e=$(( $(dstat enqueued) - e0 )) -v f=$(( $(dstat sync_fallbacks) - f0 )) \
				-v t=$(( $(dstat drain_time_us) - t0 )) -v h=$(dstat longest_hold_ns) -v nh=$(dstat holds) \
				-v no=$(dstat holds_over_1ms) -v pd=$(dstat producer_drained) \
				'/^munmapbench:/ { printf "ZSX-BENCH munmap config=%s round=%d procs=%d proc=%d mib=%d swapped_kib=%d us=%d enqueued=%d fallbacks=%d drain_us=%d hold_ns=%d holds=%d holds_over_1ms=%d producer_drained=%d\n",
					cfg, r, $3, $5, $7, $9, $11, e, f, t, h, nh, no, pd }' /tmp/mb | tee -a /tmp/bench.out
			[ -n "$ratio" ] && echo "ZSX-BENCH ratio config=$cfg round=$r procs=$p ratio=$ratio"
			p=$((p + 1))
		done
		teardown $cfg || { check_result fail "munmap: tear down $cfg"; munmap_fail=$((munmap_fail + 1)); }
	done
	r=$((r + 1))
done
check "munmap workload: every configuration, every process count, >= 90% of memory swapped, nothing failed" test $munmap_fail = 0
want=$(( $(echo $CONFIGS | wc -w) * NCPU * (NCPU + 1) / 2 * ROUNDS ))
check "munmap workload: $want per-process results ($(echo $CONFIGS | wc -w) configs, 1..$NCPU processes, $ROUNDS rounds)" \
	test "$(grep -c "^ZSX-BENCH munmap " /tmp/bench.out)" = $want

# ---- workload 1b: munmap while the pool is compacted ----------------------------
# The review's question: does the free path hold up while compaction runs? A
# loop writes the device's compact attribute (zsx_compact, or zs_compact for
# the kernel's zsmalloc) and vm.compact_memory (the VM's compaction migrates
# pool pages through the movable ops) for the whole munmap.
CCONFIGS="floor zsmalloc base classidx unlocked deferred"
compactor() {
	n=0
	while [ ! -f /tmp/compact.stop ]; do
		echo 1 > $S/compact 2>/dev/null
		echo 1 > /proc/sys/vm/compact_memory
		n=$((n + 1))
	done
	echo $n > /tmp/compact.count
}
if [ $mode != smoke ]; then
	cfail=0
	r=1
	while [ $r -le $ROUNDS ]; do
		order=$(echo $CCONFIGS | awk -v r=$r '{ for (i = 0; i < NF; i++) printf "%s ", $(((i + r - 1) % NF) + 1) }')
		for cfg in $order; do
			setup $cfg || { check_result fail "compaction munmap: set up $cfg"; cfail=$((cfail + 1)); continue; }
			p=1
			while [ $p -le $NCPU ]; do
				rm -f /tmp/compact.stop /tmp/compact.count
				compactor &
				munmapbench $p $MIB $((r * 100 + p + 50)) > /tmp/mb 2>&1 || { cfail=$((cfail + 1)); cat /tmp/mb; }
				touch /tmp/compact.stop
				wait
				drain_wait || { cfail=$((cfail + 1)); echo "deferred buffers did not drain"; }
				awk -v cfg=$cfg -v r=$r -v c=$(cat /tmp/compact.count) \
					'/^munmapbench:/ { printf "ZSX-BENCH munmapc config=%s round=%d procs=%d proc=%d mib=%d swapped_kib=%d us=%d compactions=%d\n",
						cfg, r, $3, $5, $7, $9, $11, c }' /tmp/mb | tee -a /tmp/bench.out
				p=$((p + 1))
			done
			teardown $cfg || { check_result fail "compaction munmap: tear down $cfg"; cfail=$((cfail + 1)); }
		done
		r=$((r + 1))
	done
	want=$(( $(echo $CCONFIGS | wc -w) * NCPU * (NCPU + 1) / 2 * ROUNDS ))
	check "munmap under compaction: $want per-process results, >= 90% swapped, nothing failed" sh -c \
		"[ $cfail = 0 ] && [ \$(grep -c '^ZSX-BENCH munmapc ' /tmp/bench.out) = $want ]"
	check "munmap under compaction: the compactor ran during every munmap" sh -c \
		"! grep '^ZSX-BENCH munmapc ' /tmp/bench.out | grep ' compactions=0\$'"
fi

# ---- workloads 2 and 3: in-kernel throughput, free latency, density -------------
if [ $TROUNDS -gt 0 ]; then
	B=/sys/kernel/debug/zsx_bench
	# the object-size mix: lzo-rle sizes of real pages (this guest's binaries,
	# our modules, the kernel's symbol table)
	cat /bin/busybox /bin/munmapbench /lib/zsx/*.ko $(find /lib/modules -name "*.ko") /proc/kallsyms > /tmp/sample 2>/dev/null
	check "zsx_bench: object-size mix from lzo-rle of real pages" sh -c "cat /tmp/sample > $B/sample && [ \$(sed 's/sizes=\([0-9]*\).*/\1/' $B/mix) -gt 500 ]"
	echo "ZSX-BENCH mix $(cat $B/mix)"
	check "zsx_bench: unknown config -> EINVAL" sh -c "! echo 'slab 1 10' > $B/run"
	check "zsx_bench: more threads than CPUs -> EINVAL" sh -c "! echo 'base 99 10' > $B/run"
	tput_fail=0
	r=1
	while [ $r -le $TROUNDS ]; do
		for cfg in zsmalloc base classidx unlocked deferred base4; do
			t=1
			while [ $t -le $NCPU ]; do
				if echo "$cfg $t $OBJS" > $B/run; then
					echo "ZSX-BENCH tput round=$r $(cat $B/result)" | tee -a /tmp/bench.out
				else
					tput_fail=$((tput_fail + 1)); echo "zsx_bench run $cfg $t failed"
				fi
				t=$((t + 1))
			done
		done
		r=$((r + 1))
	done
	check "zsx_bench: every configuration ran (6 configs x 1..$NCPU threads x $TROUNDS rounds)" sh -c \
		"[ $tput_fail = 0 ] && [ \$(grep -c '^ZSX-BENCH tput' /tmp/bench.out) = $((6 * NCPU * TROUNDS)) ]"
	check "zsx_bench: every pool empty after all frees (pages_left_after_free 0)" sh -c \
		"! grep '^ZSX-BENCH tput' /tmp/bench.out | grep -v 'pages_left_after_free=0\$'"
fi
check "rmmod zsx_bench zsxram zsx" sh -c "rmmod zsx_bench && rmmod zsxram && rmmod zsx"
