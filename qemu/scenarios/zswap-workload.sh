# zswap on zsx under a memory-limited cgroup, shared by the stock scenario
# (Debian's kernel, zsx installed) and the zswap scenario (a test kernel, zsx
# insmod'ed): zsx is loaded and /dev/vda is swap when zswap_workload runs.
#   zswap_workload "<command that makes zsmalloc available>"
# zswap switched to zsx through its module parameters; a workload in a
# memory-limited cgroup swapping through zswap onto the disk, every page
# verified; zswap moved back to zsmalloc while pages are stored; rmmod zsx
# refused while zswap holds a zsx pool, accepted after.
ZS=/sys/module/zswap/parameters
ZD=/sys/kernel/debug/zswap
CG=/sys/fs/cgroup
zswap_workload() {
	zsmalloc_load=$1
	check "zswap on zsx through its module parameters" sh -c \
		"echo zsx > $ZS/zpool && echo 1 > $ZS/enabled && [ \$(cat $ZS/zpool) = zsx ] && [ \$(cat $ZS/enabled) = Y ]"
	check "the zswap pool is a zsx pool in zsx's debugfs" sh -c "ls /sys/kernel/debug/zsx | grep -q '^zswap'"
	ZP=/sys/kernel/debug/zsx/$(ls /sys/kernel/debug/zsx | grep '^zswap' | head -1)
	check "cgroup v2 memory controller, a 64 MiB group" sh -c \
		"mount -t cgroup2 none $CG && echo +memory > $CG/cgroup.subtree_control && mkdir $CG/work && echo 64M > $CG/work/memory.max && echo 40M > $CG/work/memory.zswap.max"
	# 96 MiB in a 64 MiB group: reclaim pushes pages out through zswap while they
	# are written. zswap's compressed copies are charged to the group too:
	# memory.zswap.max keeps them to 40 MiB, the rest goes to the disk (on
	# 6.1 straight, on 6.12 also through zswap's writeback). swapverify then
	# holds it out while the checks below look (it is released with SIGUSR1,
	# at most 120 s) and verifies every page.
	sh -c "echo \$\$ > $CG/work/cgroup.procs; exec swapverify 96 23 120" > /tmp/sv 2>&1 &
	svpid=$!
	held=0
	for i in $(seq 1 240); do
		grep -q holding /tmp/sv && { held=1; break; }
		kill -0 $svpid 2>/dev/null || break
		sleep 1
	done
	check "workload in the cgroup filled 96 MiB and is holding it out" test $held = 1
	stored=$(cat $ZD/stored_pages)
	echo "ZSX-INFO: zswap stored_pages $stored pool_total_size $(cat $ZD/pool_total_size) written_back $(cat $ZD/written_back_pages) reject_alloc_fail $(cat $ZD/reject_alloc_fail) reject_compress_poor $(cat $ZD/reject_compress_poor)"
	echo "ZSX-INFO: cgroup memory.current $(cat $CG/work/memory.current) memory.swap.current $(cat $CG/work/memory.swap.current) memory.events: $(tr '\n' ' ' < $CG/work/memory.events)"
	echo "ZSX-INFO: zsx pool $(basename $ZP): $(tr '\n' ' ' < $ZP/stats)"
	check "zswap stores the workload's pages (stored_pages > 8192)" test "$stored" -gt 8192
	check "zsx's debugfs shows the pool holding them" sh -c "awk '\$1 == \"objects\" {o=\$2} \$1 == \"pages\" {p=\$2} END {exit !(o > 8192 && p > 1000)}' $ZP/stats"
	swapcur=$(cat $CG/work/memory.swap.current)
	check "zswap back to zsmalloc while pages are stored in zsx" sh -c \
		"$zsmalloc_load && echo zsmalloc > $ZS/zpool && [ \$(cat $ZS/zpool) = zsmalloc ]"
	check "rmmod zsx refused while zswap's zsx pool holds pages" sh -c "! rmmod zsx && grep -q '^zsx ' /proc/modules"
	kill -USR1 $svpid
	wait $svpid; svrc=$?
	sed 's/^/ZSX-INFO: /' /tmp/sv
	# (swapverify's own swapped_out counts only its MADV_PAGEOUT: the cgroup swapped most before it)
	check "every page read back intact (from zswap on zsx and the swap disk), 48+ MiB of it swapped" sh -c \
		"[ $svrc = 0 ] && grep -q 'mismatches 0' /tmp/sv && [ $swapcur -gt 50331648 ]"
	# The old pool goes when its last entry is freed (zswap releases it from a
	# work item). Swap slots the exited workload freed can wait in the per-CPU
	# swap-slot caches, their zswap entries with them: swapoff returns them all.
	check "swapoff /dev/vda: every zswap entry freed" sh -c "swapoff /dev/vda && [ \$(cat $ZD/stored_pages) = 0 ]"
	gone=0
	for i in $(seq 1 60); do rmmod zsx 2>/dev/null && { gone=1; break; }; sleep 1; done
	check "rmmod zsx accepted once zswap released the zsx pool" test $gone = 1
	echo "ZSX-INFO: zswap after the workload: stored_pages $(cat $ZD/stored_pages) pool_total_size $(cat $ZD/pool_total_size)"
}
