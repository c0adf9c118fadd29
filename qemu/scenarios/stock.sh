# Debian's own kernel, set up as README tells a user. x86_64: zsx.ko and zsxram.ko
# built and installed by DKMS into /lib/modules/<ver>/updates/dkms; arm64: cross
# built against Debian's arm64 headers and installed by `make install` into
# updates (host side: scripts/stage-modules.sh). Then: modprobe; zswap switched to
# zsx through its module parameters; a workload in a memory-limited cgroup
# swapping through zswap onto a real swap device (virtio disk), every page
# verified; zswap moved back to zsmalloc while pages are stored; rmmod zsx
# refused while zswap holds a zsx pool, accepted after; zsxram swap on zsx.
KV=$(uname -r)
U=/lib/modules/$KV/updates/dkms
[ -d $U ] || U=/lib/modules/$KV/updates
ZS=/sys/module/zswap/parameters
ZD=/sys/kernel/debug/zswap
CG=/sys/fs/cgroup
mkdir -p /sbin && ln -sf /bin/modprobe /sbin/modprobe   # the kernel's request_module helper
check "installed exactly zsx.ko and zsxram.ko in ${U#/lib/modules/$KV/}" sh -c "[ \"\$(ls $U | tr '\n' ' ')\" = 'zsx.ko zsxram.ko ' ]"
check "modprobe virtio_blk and its transport: the swap disk /dev/vda" sh -c \
	'modprobe virtio_blk && { modprobe virtio_pci; modprobe virtio_mmio; } 2>/dev/null; for i in 1 2 3 4 5; do [ -b /dev/vda ] && exit 0; sleep 1; done; exit 1'
check "swap on /dev/vda (a real block device)" sh -c "mkswap /dev/vda >/dev/null && swapon /dev/vda && grep -q '^/dev/vda' /proc/swaps"
check "zswap is off by default on Debian 12" sh -c "[ \$(cat $ZS/enabled) = N ] && [ \$(cat $ZS/zpool) = zbud ]"
check "modprobe zsx loads the DKMS module" sh -c "modprobe zsx && grep -q '^zsx ' /proc/modules && dmesg | grep -q 'zsx: C++ core loaded'"
check "zswap on zsx through its module parameters" sh -c \
	"echo zsx > $ZS/zpool && echo 1 > $ZS/enabled && [ \$(cat $ZS/zpool) = zsx ] && [ \$(cat $ZS/enabled) = Y ]"
check "the zswap pool is a zsx pool in zsx's debugfs" sh -c "ls /sys/kernel/debug/zsx | grep -q '^zswap'"
ZP=/sys/kernel/debug/zsx/$(ls /sys/kernel/debug/zsx | grep '^zswap' | head -1)
check "cgroup v2 memory controller, a 64 MiB group" sh -c \
	"mount -t cgroup2 none $CG && echo +memory > $CG/cgroup.subtree_control && mkdir $CG/work && echo 64M > $CG/work/memory.max && echo 40M > $CG/work/memory.zswap.max"
# 96 MiB in a 64 MiB group: reclaim pushes pages out through zswap while they
# are written. zswap's compressed copies are charged to the group too, and
# neither zsx nor zsmalloc writes back to the disk in 6.1: memory.zswap.max
# keeps them to 40 MiB, the rest goes straight to the disk. swapverify then
# holds it out for 20 s and verifies every page.
sh -c "echo \$\$ > $CG/work/cgroup.procs; exec swapverify 96 23 20" > /tmp/sv 2>&1 &
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
	"modprobe zsmalloc && echo zsmalloc > $ZS/zpool && [ \$(cat $ZS/zpool) = zsmalloc ]"
check "rmmod zsx refused while zswap's zsx pool holds pages" sh -c "! rmmod zsx && grep -q '^zsx ' /proc/modules"
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

check "zswap off" sh -c "echo 0 > $ZS/enabled"
check "modprobe zsxram loads zsx (unloaded above) with it" sh -c \
	"! grep -q '^zsx ' /proc/modules && modprobe zsxram && grep -q '^zsx ' /proc/modules && grep -q '^zsmalloc ' /proc/modules"
S=/sys/block/zsxram0
check "zsxram0: allocator zsx, 256M swap (the disk is off)" sh -c \
	"echo zsx > $S/allocator && echo 256M > $S/disksize && mkswap /dev/zsxram0 >/dev/null && swapon /dev/zsxram0"
check "64 MiB paged out to zsxram and read back intact" sh -c \
	'swapverify 64 3 > /tmp/sv; r=$?; cat /tmp/sv; [ $r = 0 ] && [ $(awk "{print \$5}" /tmp/sv) -gt 8000 ]'
sed 's/^/ZSX-INFO: /' /tmp/sv
sleep 1
echo "ZSX-INFO: stock zsxram mm_stat after munmap: $(cat $S/mm_stat)"
echo 1 > $S/compact
check "mm_stat back to ~0 after munmap (stored < 1 MiB, mem_used < 5% of peak)" sh -c "awk '{exit !(\$1 < 1048576 && \$3 * 20 < \$5)}' $S/mm_stat"
check "swapoff, reset, rmmod zsxram and zsx" sh -c "swapoff /dev/zsxram0 && echo 1 > $S/reset && rmmod zsxram && rmmod zsx"

# ---- near zswap's pool limit: back-to-back workloads, zsx versus zsmalloc ----
# zswap compares its cached pool size with max_pool_percent before each store
# and refreshes that size only when it stores or frees an entry. Workload A
# fills zswap to the limit (2% of RAM) and exits; its frees reach zsx as
# deferred frees, so the size zswap caches at its last free may still count
# parked objects. Workload B then swaps right away: zswap must store it as it
# does with zsmalloc, not reject it against a stale size.
near_limit() {
	alloc=$1
	echo $alloc > $ZS/zpool && echo 2 > $ZS/max_pool_percent && echo 1 > $ZS/enabled || return 1
	swapon /dev/vda || return 1
	hit0=$(cat $ZD/pool_limit_hit)
	swapverify 64 41 > /tmp/nla || return 1
	echo "ZSX-INFO: near limit $alloc: A $(cat /tmp/nla); pool_limit_hit $(( $(cat $ZD/pool_limit_hit) - hit0 )); after exit stored_pages $(cat $ZD/stored_pages) pool_total_size $(cat $ZD/pool_total_size)" >> /tmp/nl.info
	hit1=$(cat $ZD/pool_limit_hit)
	swapverify 16 43 3 > /tmp/nlb &
	while ! grep -q holding /tmp/nlb 2>/dev/null; do sleep 0.2; done
	stored_b=$(cat $ZD/stored_pages)
	wait $! || return 1
	echo "ZSX-INFO: near limit $alloc: B $(grep -v holding /tmp/nlb); stored_pages while held $stored_b; pool_limit_hit $(( $(cat $ZD/pool_limit_hit) - hit1 ))" >> /tmp/nl.info
	echo "$stored_b" > /tmp/nl.$alloc
	swapoff /dev/vda && echo 0 > $ZS/enabled && echo 20 > $ZS/max_pool_percent
}
check "modprobe zsx again, swap on /dev/vda" sh -c "modprobe zsx && mkswap /dev/vda >/dev/null"
check "near the pool limit, zswap on zsx: both workloads read back intact" near_limit zsx
check "near the pool limit, zswap on zsmalloc: both workloads read back intact" near_limit zsmalloc
cat /tmp/nl.info
check "zswap stored workload B on zsx as on zsmalloc (at least 3/4 as many pages, no stale-size rejects)" sh -c \
	"[ \$(cat /tmp/nl.zsx) -gt 0 ] && [ \$(( \$(cat /tmp/nl.zsx) * 4 )) -ge \$(( \$(cat /tmp/nl.zsmalloc) * 3 )) ]"
# No rmmod after this: Debian's 6.1 zswap takes a pool reference for its shrink
# work each time a store meets the limit and drops it only when the work runs,
# so a store that finds the work still pending leaks one (mm/zswap.c, the
# `shrink:` label). Its pools at the limit are never released: the module
# behind them (zsx here, zsmalloc alike) stays loaded until reboot.
check "no zsx warning in the log" sh -c "! dmesg | grep -E 'zsx.*(WARN|warn|refus)'"
