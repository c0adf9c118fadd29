# Reliability under load: zsx_stress.ko on every vCPU (random sizes, both
# access APIs, sync and deferred frees, zsx_compact) while the kernel compacts
# memory, a vCPU goes off- and online, and a verifying swap workload runs on
# zsxram with zswap in front of it half the time (on zsx where the kernel has
# zpool, on its own zsmalloc where it has not: 7.x). Phase 1 clean,
# phase 2 with 10% slab and page allocation failures injected into the stress
# workers and the swap workload's page-out. Kernel command line:
# zsx.stress_secs=N (seconds per phase).
SECS=$(sed -n 's/.*zsx\.stress_secs=\([0-9]*\).*/\1/p' /proc/cmdline)
SECS=${SECS:-30}
S=/sys/block/zsxram0
ST=/sys/kernel/debug/zsx_stress
FS=/sys/kernel/debug/failslab
FP=/sys/kernel/debug/fail_page_alloc
ZS=/sys/module/zswap/parameters
NCPU=$(grep -c ^processor /proc/cpuinfo)

check "insmod zsx, zsxram, zsx_stress, zsx_testctl" sh -c "insmod /lib/zsx/zsx.ko && insmod /lib/zsx/zsxram.ko && insmod /lib/zsx/zsx_stress.ko && insmod /lib/zsx/zsx_testctl.ko"
check "bad input: stress run 0 seconds -> EINVAL" sh -c "! echo '0 0' > $ST/run"
check "bad input: stress run with faults=7 -> EINVAL" sh -c "! echo '5 7' > $ST/run"
check "zsxram0 (zsx, deferred) as swap, 512M" zsxram-up -s zsx 512M
if zsx_has_zpool; then
	ZPOOL=zsx
	check "zswap in front: zpool=zsx, 10% of RAM" sh -c "echo zsx > $ZS/zpool && echo 10 > $ZS/max_pool_percent && echo 1 > $ZS/enabled"
else
	ZPOOL=""
	check "zswap in front, on the kernel's zsmalloc (no zpool in this kernel), 10% of RAM" sh -c \
		"[ ! -e $ZS/zpool ] && echo 10 > $ZS/max_pool_percent && echo 1 > $ZS/enabled"
fi

have_faults=0
[ -d $FS ] && [ -d $FP ] && have_faults=1

# background load until /tmp/stop exists; each loop counts its rounds in /tmp/<name>.n
load_start() {
	rm -f /tmp/stop /tmp/sv.fail /tmp/*.n
	( n=0; while [ ! -f /tmp/stop ]; do echo 1 > /proc/sys/vm/compact_memory; n=$((n + 1)); echo $n > /tmp/compact.n; sleep 2; done ) &
	( n=0; while [ ! -f /tmp/stop ] && [ $NCPU -gt 1 ]; do
		echo 0 > /sys/devices/system/cpu/cpu1/online && sleep 1 && echo 1 > /sys/devices/system/cpu/cpu1/online || echo "hotplug failed" >> /tmp/sv.fail
		n=$((n + 1)); echo $n > /tmp/hotplug.n; sleep 2; done ) &
	( n=0; while [ ! -f /tmp/stop ]; do
		echo $((n % 2)) > $ZS/enabled
		SWAPVERIFY_FAIL=$1 swapverify 24 $((n + 3)) > /tmp/sv.out 2>&1 || { echo "round $n:"; cat /tmp/sv.out; } >> /tmp/sv.fail
		n=$((n + 1)); echo $n > /tmp/swap.n; done ) &
}
load_stop() {
	touch /tmp/stop
	wait
	echo 1 > $ZS/enabled
}

# The swap workload is marked make-it-fail only around its MADV_PAGEOUT (see
# swapverify.c), never while it reads back: Linux 6.1's zswap load path takes a
# GFP_ATOMIC buffer for zpools that cannot sleep while mapped (zsmalloc and zsx
# alike), and when that allocation fails it lets swap_readpage() read the
# backing device, which does not hold the page (seen here once when a harness
# bug left the flag on: 480 wrong pages with zswap on zsx; zsmalloc takes the
# same path). The allocator is
# not what that would test.
# phase NAME FAULTS
phase() {
	name=$1 faults=$2
	echo "ZSX-INFO: ---- stress phase $name: $SECS s, faults $faults ----"
	fw0=$(awk '{print $2}' $S/io_stat)
	zr0=$(cat /sys/kernel/debug/zswap/reject_alloc_fail /sys/kernel/debug/zswap/reject_kmemcache_fail 2>/dev/null | awk '{s += $1} END {print s + 0}')
	if [ $faults = 1 ]; then
		for d in $FS $FP; do
			echo Y > $d/task-filter; echo 10 > $d/probability; echo 0 > $d/interval
			echo 100000000 > $d/times; echo 0 > $d/space; echo 0 > $d/verbose; echo N > $d/ignore-gfp-wait
		done
		echo N > $FP/ignore-gfp-highmem; echo 0 > $FP/min-order
	fi
	load_start $faults
	echo "$SECS $faults" > $ST/run; rc=$?
	load_stop
	injected=0
	if [ $faults = 1 ]; then
		injected=$((200000000 - $(cat $FS/times) - $(cat $FP/times)))
		for d in $FS $FP; do echo 0 > $d/probability; done
	fi
	cat $ST/status > /tmp/st.$name
	echo "ZSX-INFO: $name: $(cat /tmp/st.$name)"
	echo "ZSX-INFO: $name: compact_memory $(cat /tmp/compact.n 2>/dev/null) hotplug $(cat /tmp/hotplug.n 2>/dev/null) swap rounds $(cat /tmp/swap.n 2>/dev/null)"
	fw=$(( $(awk '{print $2}' $S/io_stat) - fw0 ))
	zr=$(( $(cat /sys/kernel/debug/zswap/reject_alloc_fail /sys/kernel/debug/zswap/reject_kmemcache_fail 2>/dev/null | awk '{s += $1} END {print s + 0}') - zr0 ))
	echo "ZSX-STRESS phase=$name secs=$SECS $(cat /tmp/st.$name) faults_injected=$injected zsxram_failed_writes=$fw zswap_alloc_rejects=$zr swap_rounds=$(cat /tmp/swap.n 2>/dev/null || echo 0) swap_failures=$(grep -c '^round' /tmp/sv.fail 2>/dev/null || echo 0) hotplug_cycles=$(cat /tmp/hotplug.n 2>/dev/null || echo 0)"
	check "$name: stress run completed" test $rc = 0
	check "$name: operations done on every vCPU" test "$(kv ops /tmp/st.$name)" -gt 1000
	check "$name: zero payload mismatches" test "$(kv mismatches /tmp/st.$name)" = 0
	check "$name: no error other than -ENOMEM from zsx_malloc" test "$(kv bad_errors /tmp/st.$name)" = 0
	check "$name: pools back to 0 pages after free + flush" test "$(kv pages_left /tmp/st.$name)" = 0
	check "$name: swap workload read back intact every round (hotplug ok)" sh -c "[ ! -s /tmp/sv.fail ] || { cat /tmp/sv.fail; exit 1; }"
	check "$name: swap workload ran" test "$(cat /tmp/swap.n 2>/dev/null || echo 0)" -gt 0
	if [ $faults = 1 ]; then
		check "$name: faults were injected" test $injected -gt 0
		check "$name: zsx_malloc failures surfaced as -ENOMEM" test "$(kv malloc_failures /tmp/st.$name)" -gt 0
		check "$name: failed page-outs surfaced as zsxram write errors or zswap rejects" test $((fw + zr)) -gt 0
	fi
}

phase clean 0
if [ $have_faults = 1 ]; then
	phase faults 1
else
	echo "ZSX-INFO: no fault injection in this kernel ($(uname -r)): the faults phase runs on the debug kernels"
	echo "ZSX-STRESS phase=faults not-in-this-kernel"
fi

# ---- module unload rules ----
check "rmmod zsxram while swapped on is refused" sh -c "! rmmod zsxram 2>/dev/null"
check "swapoff zsxram0 (every page read back in)" swapoff /dev/zsxram0
check "zswap off${ZPOOL:+, back to zsmalloc}" sh -c "echo 0 > $ZS/enabled${ZPOOL:+ && echo zsmalloc > $ZS/zpool}"
# the handles are still parked when the pool is destroyed: destroy flushes
# them (a lost one would show up as kmem_cache objects remaining, or kmemleak)
check "park 2000 handles in deferred buffers, rmmod zsx_testctl right away (destroy flushes them)" sh -c \
	"echo 3000 > /sys/kernel/debug/zsx_test/fill && echo 2000 > /sys/kernel/debug/zsx_test/defer && rmmod zsx_testctl"
check "rmmod zsx while zsxram holds a pool is refused" sh -c "echo 1 > $S/reset; echo 16M > $S/disksize && ! rmmod zsx 2>/dev/null && echo 1 > $S/reset"
# zswap drops its old zsx pool from a work item: zsx may stay busy a while
unload_all() { rmmod zsx_stress && rmmod zsxram && wait_for 60 rmmod zsx; }
check "rmmod zsx_stress zsxram zsx" unload_all
check "kmemleak reports nothing after unload" kmemleak_clean
