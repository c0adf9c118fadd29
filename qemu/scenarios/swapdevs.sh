# The swap devices the munmap workloads compare, by configuration name, shared
# by the bench and icount boots (sourced; not a scenario of its own):
#   floor     brd: swap with no per-slot free work (the swap core's own cost)
#   zram      the kernel's zram (its zsmalloc)
#   zsmalloc  zsxram on the kernel's zsmalloc
#   base classidx unlocked release deferred   zsxram on zsx, by free policy
# The caller sets NCPU, MIB (per process) and DISK (the compressed device's
# size). S and D are zsxram0's sysfs and debugfs directories.
S=/sys/block/zsxram0
D=/sys/kernel/debug/zsx/zsxram0
# the kernel's own modules: under /lib/modules (perf kernels) or /lib/zsx (Debian's kernel)
kmod() { m=$1; shift; insmod "$(find /lib/modules /lib/zsx -name "$m.ko" 2>/dev/null | head -1)" "$@"; }
# configuration name -> swap device set-up / tear-down
dev_of() { case $1 in floor) echo /dev/ram0 ;; zram) echo /dev/zram0 ;; *) echo /dev/zsxram0 ;; esac; }
alloc_of() {
	case $1 in
	zsmalloc) echo zsmalloc ;;
	base) echo zsx:base:nodeferred ;;
	classidx) echo zsx:classidx:nodeferred ;;
	unlocked) echo zsx:classidx_unlocked_free:nodeferred ;;
	release) echo zsx:classidx_unlocked_free:release ;;
	deferred) echo zsx:classidx_unlocked_free:deferred ;;
	esac
}
setup() {
	case $1 in
	floor) kmod brd rd_nr=1 rd_size=$(((NCPU * MIB + 64) * 1024)) ;;
	zram) echo lzo-rle > /sys/block/zram0/comp_algorithm && echo $DISK > /sys/block/zram0/disksize ;;
	*) zsxram-up -c lzo-rle "$(alloc_of "$1")" $DISK ;;
	esac || return 1
	mkswap "$(dev_of "$1")" >/dev/null && swapon "$(dev_of "$1")"
}
teardown() {
	swapoff "$(dev_of "$1")" || return 1
	case $1 in
	floor) rmmod brd ;;
	zram) echo 1 > /sys/block/zram0/reset ;;
	*) echo 1 > $S/reset ;;
	esac
}
dstat() { v=$(kv "$1" $D/deferred 2>/dev/null); echo "${v:-0}"; }
# wait (up to 60 s) until the deferred buffers are empty, so rounds do not overlap
drain_wait() {
	grep -q "^deferred percpu" $D/deferred 2>/dev/null || return 0
	for i in $(seq 600); do
		[ "$(dstat pending)" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}
