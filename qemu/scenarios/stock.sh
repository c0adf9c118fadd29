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
# Debian 12 (6.1) ships zswap off on zbud, Debian 13 (6.12) off on zsmalloc,
# built in there (a module on 6.1)
check "zswap is off by default, on zbud (Debian 12) or zsmalloc (Debian 13)" sh -c \
	"[ \$(cat $ZS/enabled) = N ] && grep -qxE 'zbud|zsmalloc' $ZS/zpool"
if grep -q 'zsmalloc.ko' /lib/modules/$KV/modules.builtin; then zsm_load=true; else zsm_load="modprobe zsmalloc"; fi
check "modprobe zsx loads the DKMS module" sh -c "modprobe zsx && grep -q '^zsx ' /proc/modules && dmesg | grep -q 'zsx: C++ core loaded'"
. /scenarios/zswap-workload.sh
zswap_workload "$zsm_load"

check "zswap off" sh -c "echo 0 > $ZS/enabled"
check "modprobe zsxram loads zsx (unloaded above) with it" sh -c \
	"! grep -q '^zsx ' /proc/modules && modprobe zsxram && grep -q '^zsx ' /proc/modules && { [ '$zsm_load' = true ] || grep -q '^zsmalloc ' /proc/modules; }"
S=/sys/block/zsxram0
check "zsxram0: allocator zsx, 256M swap (the disk is off)" zsxram-up -s zsx 256M
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
	swapverify 16 43 30 > /tmp/nlb &
	# (a B that died before its hold fails at its wait below)
	wait_for 120 grep -q holding /tmp/nlb
	stored_b=$(cat $ZD/stored_pages)
	kill -USR1 $!
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
