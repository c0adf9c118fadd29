# The kernel's own zswap on zsx, on a test kernel that has zpool (6.1, 6.12):
# zsx insmod'ed as built for it, a swap disk (/dev/vda, virtio built in), then
# the memory-limited workload of zswap-workload.sh. zsmalloc is built in.
. /scenarios/zswap-workload.sh
check "the swap disk /dev/vda is there" sh -c 'for i in 1 2 3 4 5; do [ -b /dev/vda ] && exit 0; sleep 1; done; exit 1'
check "swap on /dev/vda (a real block device)" sh -c "mkswap /dev/vda >/dev/null && swapon /dev/vda && grep -q '^/dev/vda' /proc/swaps"
check "insmod zsx.ko: zsx registers its zpool driver" sh -c \
	"insmod /lib/zsx/zsx.ko && dmesg | grep -q 'zsx: kernel .*zpool driver registered'"
dmesg | grep "zsx: kernel " | sed 's/^\[[ 0-9.]*\] /ZSX-INFO: /'
zswap_workload true
check "zswap off" sh -c "echo 0 > $ZS/enabled"
