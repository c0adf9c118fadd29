# zsxram, the test zram backend: sysfs ABI and bad input, a filesystem and a
# verified swap workload on each allocator (zsx and the kernel's own zsmalloc).
# Page counts scale with the kernel's page size (x86_64 4K, the arm64 debug
# kernel 64K).
PAGESZ=$(swapverify pagesize)
echo "ZSX-INFO: page size $PAGESZ"
check "insmod zsx.ko" insmod /lib/zsx/zsx.ko
check "insmod zsxram.ko" insmod /lib/zsx/zsxram.ko
S=/sys/block/zsxram0
bad() { ! sh -c "echo '$2' > $S/$1" 2>/dev/null; }

check "/dev/zsxram0 and its sysfs ABI exist" sh -c "[ -b /dev/zsxram0 ] && for a in disksize initstate reset comp_algorithm mem_limit mem_used_max compact mm_stat io_stat debug_stat allocator; do [ -e $S/\$a ] || exit 1; done"
check "comp_algorithm lists [lzo-rle] lzo lz4" sh -c "grep -q '\[lzo-rle\]' $S/comp_algorithm && grep -q 'lz4' $S/comp_algorithm"
check "bad input: disksize garbage -> EINVAL" bad disksize "lots"
check "bad input: disksize 0 -> EINVAL" bad disksize 0
check "bad input: disksize negative -> EINVAL" bad disksize -5
check "bad input: disksize overflowing -> EINVAL" bad disksize 99999999999999999999999
check "bad input: unknown compressor -> EINVAL" bad comp_algorithm "gzip9"
check "bad input: unknown allocator -> EINVAL" bad allocator "slab"
check "bad input: allocator zsx:bogus -> EINVAL" bad allocator "zsx:bogus"
ZD=/sys/module/zsx/parameters/deferred
check "bad input: zsx.deferred=lazy -> EINVAL, the default stays percpu" sh -c \
	"! echo lazy > $ZD 2>/dev/null && [ \$(cat $ZD) = percpu ]"
check "zsx.deferred at run time: a pool created after off has no rings, after percpu again it has" sh -c \
	"echo off > $ZD && echo zsx > $S/allocator && echo 16M > $S/disksize &&
	 grep -qx 'deferred off' /sys/kernel/debug/zsx/zsxram0/deferred && echo 1 > $S/reset &&
	 echo percpu > $ZD && echo 16M > $S/disksize &&
	 grep -qx 'deferred percpu' /sys/kernel/debug/zsx/zsxram0/deferred && echo 1 > $S/reset"
check "100 GiB disksize accepted on a 1 GiB VM (sparse slot table)" sh -c "echo 100G > $S/disksize && [ \$(cat $S/disksize) = 107374182400 ]"
check "bad input: disksize on an initialised device -> EBUSY" bad disksize 1G
check "bad input: allocator change after init -> EBUSY" bad allocator zsmalloc
check "reset" sh -c "echo 1 > $S/reset && [ \$(cat $S/initstate) = 0 ]"
check "writes past mem_limit fail with an I/O error, not a crash" sh -c "echo 16M > $S/disksize && echo 1M > $S/mem_limit &&
	! dd if=/dev/urandom of=/dev/zsxram0 bs=4096 count=1024 conv=fsync 2>/dev/null && echo 0 > $S/mem_limit && echo 1 > $S/reset"
check "mem_limit accepts suffixes (64M, 1G, 512K)" sh -c "echo 64M > $S/mem_limit && echo 1G > $S/mem_limit && echo 512K > $S/mem_limit && echo 0 > $S/mem_limit"
# BLKZEROOUT of one 4K block inside written data: that block reads back as
# zeros and its neighbours keep their data, at every page size (with 64K pages
# the block is part of a page: the page keeps the rest)
check "write-zeroes of a 4K block: zeros there, neighbours intact" sh -c "echo 16M > $S/disksize &&
	dd if=/bin/busybox of=/dev/zsxram0 bs=65536 count=2 conv=fsync 2>/dev/null &&
	swapverify zeroout /dev/zsxram0 8192 4096 &&
	{ head -c 8192 /bin/busybox; head -c 4096 /dev/zero; head -c 131072 /bin/busybox | tail -c +12289; } > /tmp/zo.want &&
	dd if=/dev/zsxram0 bs=65536 count=2 iflag=direct 2>/dev/null > /tmp/zo.got && cmp /tmp/zo.want /tmp/zo.got && echo 1 > $S/reset"

# swap_round ALLOC: swap on zsxram0, a verified MADV_PAGEOUT workload, then the
# same inside a memory.max cgroup; after exit (munmap) mm_stat drains to ~0
SWAP_MIB=24
swap_round() {
	alloc=$1
	echo "ZSX-INFO: ---- swap, allocator $alloc ----"
	check "$alloc: 256M swap device" zsxram-up -s "$alloc" 256M
	check "$alloc: $SWAP_MIB MiB paged out (MADV_PAGEOUT, half or more of it), read back intact" sh -c "swapverify $SWAP_MIB 7 > /tmp/sv; r=\$?; cat /tmp/sv; [ \$r = 0 ] && [ \$(awk '{print \$5}' /tmp/sv) -ge $((SWAP_MIB * 1048576 / PAGESZ / 2)) ]"
	sed 's/^/ZSX-INFO: /' /tmp/sv
	echo "ZSX-INFO: $alloc mm_stat after exit: $(cat $S/mm_stat)"
	mkdir -p /cg/w
	check "$alloc: 32 MiB under memory.max=16M, read back intact" sh -c 'echo 16M > /cg/w/memory.max && echo $$ > /cg/w/cgroup.procs && swapverify 32 9 > /tmp/sv2; r=$?; echo $$ > /cg/cgroup.procs; cat /tmp/sv2; [ $r = 0 ]'
	sed 's/^/ZSX-INFO: cgroup: /' /tmp/sv2
	case $alloc in zsx*)
		# A workload in the cgroup swaps 32 MiB out, holds it, and is killed:
		# from its hold on nothing allocates and its exit frees everything.
		# Meanwhile the pool's page count, read first, must be at least the
		# pages zsx holds, read after it (the test build's count of page
		# references): a pool never stops counting a page it still holds,
		# and once the exit's frees are done the two agree. Sampled from
		# 5 samples before the kill until the frees are done and 10 more
		# were taken (counts, not seconds: a slow machine samples less).
		sh -c 'echo $$ > /cg/w/cgroup.procs; exec swapverify 32 13 60' > /tmp/sv4 2>&1 &
		svpid=$!
		while kill -0 $svpid 2>/dev/null && ! grep -q holding /tmp/sv4; do sleep 0.1; done
		rm -f /tmp/samples /tmp/stop_sampling
		(while [ ! -f /tmp/stop_sampling ]; do
			echo "$(awk '/^pages / {print $2}' /sys/kernel/debug/zsx/zsxram0/stats) $(cat /sys/kernel/debug/zsx/pages_held)" >> /tmp/samples
		done) &
		sampler=$!
		samples() { cat /tmp/samples 2>/dev/null | wc -l; }
		sampled() { [ "$(samples)" -ge "$1" ]; }
		wait_for 30 sampled 5
		kill -9 $svpid; wait $svpid 2>/dev/null
		n_kill=$(samples)
		freed() {
			deferred_settled zsxram0 &&
				[ "$(awk '/^pages / {print $2}' /sys/kernel/debug/zsx/zsxram0/stats)" = "$(cat /sys/kernel/debug/zsx/pages_held)" ]
		}
		wait_for 30 sampled $((n_kill + 10))
		wait_for 30 freed
		touch /tmp/stop_sampling; wait $sampler
		echo "ZSX-INFO: $alloc: $(samples) samples of pool pages / pages held ($n_kill before the kill), first: $(head -1 /tmp/samples), last: $(tail -1 /tmp/samples)"
		check "$alloc: killed workload: at every sample the pool counted every page it held ($(samples) samples)" \
			sh -c "[ \$(wc -l < /tmp/samples) -gt 10 ] && awk '{ if (\$1 < \$2) { print; bad = 1 } } END { exit bad }' /tmp/samples"
		check "$alloc: killed workload: its pages returned, the pool's count is the pages it holds" \
			sh -c "[ \$(awk '/^pages / {print \$2}' /sys/kernel/debug/zsx/zsxram0/stats) = \$(cat /sys/kernel/debug/zsx/pages_held) ] && [ \$(head -1 /tmp/samples | cut -d' ' -f2) -gt \$(tail -1 /tmp/samples | cut -d' ' -f2) ]" ;;
	esac
	# the frees of the workloads' exits done (the deferred rings drained)
	wait_for 30 deferred_settled zsxram0
	echo "ZSX-INFO: $alloc mm_stat after munmap + drain: $(cat $S/mm_stat)"
	echo "ZSX-INFO: $alloc io_stat: $(cat $S/io_stat)"
	check "$alloc: swap slots freed through swap_slot_free_notify" sh -c "[ \$(awk '{print \$4}' $S/io_stat) -gt 0 ]"
	# What stays is what the kernel's swap-slot cache still holds (a few dozen
	# slots), each object pinning a partly used zspage of its class: compact,
	# then demand under 256 pages stored and a pool under 5% of its peak plus
	# 64 pages (with 64K pages a zspage is up to 1 MiB: a few pinned ones are
	# more than 5% of this small workload's peak)
	echo 1 > $S/compact
	echo "ZSX-INFO: $alloc mm_stat after compact: $(cat $S/mm_stat)"
	# (waited for: a release-only pool's worker releases the pages after the frees)
	check "$alloc: mm_stat back to ~0 after munmap (stored < 256 pages, mem_used < 5% of peak + 64 pages)" wait_for 30 sh -c "awk '{exit !(\$1 < 256 * $PAGESZ && \$3 * 20 < \$5 + 20 * 64 * $PAGESZ)}' $S/mm_stat"
	case $alloc in
	zsx*:release)
		check "$alloc: a release-only pool (objects freed at once, pages by the release worker)" \
			grep -qx "deferred release" /sys/kernel/debug/zsx/zsxram0/deferred ;;
	zsx*)
		sed 's/^/ZSX-INFO: deferred: /' /sys/kernel/debug/zsx/zsxram0/deferred
		check "$alloc: slot frees went through zsx_free_deferred" sh -c "[ \$(awk '/^enqueued/ {print \$2}' /sys/kernel/debug/zsx/zsxram0/deferred) -gt 0 ]"
	esac
	check "$alloc: reset while swapped on -> EBUSY" bad reset 1
	check "$alloc: swapoff, reset" sh -c "swapoff /dev/zsxram0 && echo 1 > $S/reset"
}

for alloc in zsx zsmalloc; do
	echo "ZSX-INFO: ---- allocator $alloc ----"
	check "$alloc: select allocator, 64M disk" zsxram-up "$alloc" 64M
	# two writers, each on every other 4K block of the first 256 KiB, 100
	# rounds: where a page holds more than one block, a write of one block
	# may not undo a concurrent write of its neighbour
	check "$alloc: concurrent writes to neighbouring blocks, none lost" blkrace /dev/zsxram0 64 2 100
	check "$alloc: mke2fs (ext2)" mke2fs -q -b 4096 /dev/zsxram0
	mkdir -p /mnt
	check "$alloc: mount" mount -t ext2 /dev/zsxram0 /mnt
	check "$alloc: write a tree of files" sh -c 'grep -q " /mnt ext2 " /proc/mounts && for d in 1 2 3; do mkdir -p /mnt/d$d; for f in 1 2 3 4 5 6; do
		dd if=/bin/busybox of=/mnt/d$d/f$f bs=4096 count=$((d * f * 7)) skip=$f 2>/dev/null; done; done;
		dd if=/dev/zero of=/mnt/zeros bs=1M count=4 2>/dev/null; cd /mnt && md5sum d*/f* zeros > /tmp/sums'
	sync; echo 3 > /proc/sys/vm/drop_caches
	check "$alloc: files verify after drop_caches" sh -c 'cd /mnt && md5sum -c /tmp/sums >/dev/null'
	check "$alloc: reset while mounted -> EBUSY" bad reset 1
	check "$alloc: umount, remount, verify" sh -c 'umount /mnt && mount -t ext2 /dev/zsxram0 /mnt && cd /mnt && md5sum -c /tmp/sums >/dev/null && cd / && umount /mnt'
	echo "ZSX-INFO: $alloc fs mm_stat: $(cat $S/mm_stat)"
	check "$alloc: same-filled pages stored without the allocator" sh -c "[ \$(awk '{print \$6}' $S/mm_stat) -gt 0 ]"
	check "$alloc: reset" sh -c "echo 1 > $S/reset"

	check "$alloc: reset" sh -c "echo 1 > $S/reset"
done

# ---- swap on zsxram0: every zsx policy, and the kernel's zsmalloc ----
mkdir -p /cg && mount -t cgroup2 none /cg 2>/dev/null
echo "+memory" > /cg/cgroup.subtree_control 2>/dev/null
# zsx.swap_allocators=a,b,...: the rounds to run (default: every zsx policy,
# the release-only pool and the kernel's zsmalloc)
SWAP_ALLOCATORS=$(sed -n 's/.*zsx\.swap_allocators=\([^ ]*\).*/\1/p' /proc/cmdline | tr ',' ' ')
for alloc in ${SWAP_ALLOCATORS:-zsx:base zsx:classidx zsx:classidx_unlocked_free zsx:classidx_unlocked_free:release zsmalloc}; do
	swap_round "$alloc"
done

# ---- the kernel's own zswap storing in zsx (zpool driver), brd as backing swap ----
if zsx_has_zpool; then
	check "zswap: brd as the backing swap device" sh -c 'insmod $(find /lib/modules -name brd.ko) rd_nr=1 rd_size=262144 && mkswap /dev/ram0 >/dev/null && swapon /dev/ram0'
	check "zswap: zpool=zsx, enabled" sh -c 'echo zsx > /sys/module/zswap/parameters/zpool && echo 1 > /sys/module/zswap/parameters/enabled && [ "$(cat /sys/module/zswap/parameters/zpool)" = zsx ]'
	swapverify 64 11 60 > /tmp/sv3 &
	svpid=$!
	while ! grep -q holding /tmp/sv3 2>/dev/null; do sleep 0.2; done
	stored=$(cat /sys/kernel/debug/zswap/stored_pages)
	zpool_dir=$(ls -d /sys/kernel/debug/zsx/zswap* 2>/dev/null | head -1)
	echo "ZSX-INFO: zswap stored_pages $stored, pool_total_size $(cat /sys/kernel/debug/zswap/pool_total_size)"
	[ -n "$zpool_dir" ] && sed 's/^/ZSX-INFO: zsx zswap pool: /' $zpool_dir/stats
	ZSWAP_MIN=$((64 * 1048576 / PAGESZ / 16))
	check "zswap: more than $ZSWAP_MIN pages stored while the workload is swapped out" test "$stored" -gt $ZSWAP_MIN
	check "zswap: zsx debugfs shows the zswap pool in use" sh -c "[ -n '$zpool_dir' ] && [ \$(awk '/^objects/ {print \$2}' $zpool_dir/stats) -gt $ZSWAP_MIN ]"
	check "zswap: rmmod zsx while zswap holds a zsx pool is refused" sh -c "! rmmod zsx 2>/dev/null"
	kill -USR1 $svpid
	wait $svpid
	svrc=$?
	sed 's/^/ZSX-INFO: zswap: /' /tmp/sv3
	check "zswap: workload read everything back intact" test "$svrc" = 0
	check "zswap: swapoff, zswap back to zsmalloc" sh -c 'swapoff /dev/ram0 && echo 0 > /sys/module/zswap/parameters/enabled && echo zsmalloc > /sys/module/zswap/parameters/zpool'
else
	check "zswap: this kernel has no zpool (zswap is bound to zsmalloc), so no zpool parameter" \
		test ! -e /sys/module/zswap/parameters/zpool
fi

# ---- tracepoints: every zsx:* event fires with sane fields ----
if zsx_pages_movable; then MOVABLE=true; else MOVABLE=false; fi
T=/sys/kernel/tracing
mount -t tracefs nodev $T 2>/dev/null
ev() { grep -c "$1" /tmp/trace; }
check "tracepoints: the zsx event system exists (6 events)" sh -c "[ \$(ls -d $T/events/zsx/zsx_* | wc -l) = 6 ]"
# swap on zsx with every zsx:* event on, a test pool's fill, migrate and free;
# tracing stops once zsxram0's parked frees are done (a drain's events with it)
trace_swap_round() {
	echo 0 > $T/tracing_on && echo > $T/trace && echo 4096 > $T/buffer_size_kb &&
		echo 1 > $T/events/zsx/enable && echo 1 > $T/tracing_on &&
		zsxram-up -s zsx:classidx_unlocked_free:deferred 64M &&
		swapverify 8 21 > /dev/null && wait_for 30 deferred_settled zsxram0 && echo 1 > $S/compact &&
		insmod /lib/zsx/zsx_testctl.ko && echo 2000 > /sys/kernel/debug/zsx_test/fill &&
		{ ! $MOVABLE || echo 200 > /sys/kernel/debug/zsx_test/migrate; } &&
		grep -q ' mismatches 0 ' /sys/kernel/debug/zsx_test/verify &&
		echo 1 > /sys/kernel/debug/zsx_test/free && rmmod zsx_testctl &&
		wait_for 30 deferred_settled zsxram0 &&
		echo 0 > $T/tracing_on && echo 0 > $T/events/zsx/enable && cat $T/trace > /tmp/trace &&
		swapoff /dev/zsxram0 && echo 1 > $S/reset
}
check "tracepoints: swap on zsx (classidx_unlocked_free, deferred) with zsx:* on" trace_swap_round
for e in zsx_malloc zsx_free zsx_zspage_free zsx_deferred_drain zsx_compact zsx_migrate; do
	echo "ZSX-INFO: trace: $e $(ev " $e: ") events; first: $(grep -m1 " $e: " /tmp/trace | sed 's/.* '$e': //')"
done
check "tracepoints: no events lost (entries in buffer = entries written)" sh -c "sed -n 's/.*entries-written: \\([0-9]*\\)\\/\\([0-9]*\\).*/\\1 \\2/p' /tmp/trace | awk '{ok = (\$1 == \$2 && \$1 > 0)} END {exit !ok}'"
# swapverify 8 pages out 8 MiB: a quarter of its pages at least
TRACE_MIN=$((8 * 1048576 / PAGESZ / 4))
check "tracepoints: zsx_malloc fired, sizes 1..PAGE_SIZE, class >= 0" sh -c "[ $(ev ' zsx_malloc: pool=zsxram0 ') -gt $TRACE_MIN ] && ! grep ' zsx_malloc: ' /tmp/trace |
	awk '{ if (match(\$0, /size=[0-9]+ class=[0-9]+ handle=0x[0-9a-f]+\$/)) { split(substr(\$0, RSTART), f, /[= ]/); if (f[2] >= 1 && f[2] <= $PAGESZ) next } print }' | grep -q ."
check "tracepoints: zsx_free deferred-enqueue events = deferred-drain + fallback events" sh -c "e=$(ev 'pool=zsxram0 .*path=deferred-enqueue'); d=$(ev 'pool=zsxram0 .*path=deferred-drain'); f=$(ev 'pool=zsxram0 .*path=fallback'); echo \$e \$d \$f; [ \$e -gt $TRACE_MIN ] && [ \$e = \$((d + f)) ]"
check "tracepoints: zsx_free on the test pool took its policy's synchronous path" sh -c "[ $(ev 'pool=zsx-test .*path=classidx_unlocked') -gt 0 ] || [ $(ev 'pool=zsx-test .*path=deferred-enqueue') -gt 0 ]"
check "tracepoints: zsx_zspage_free, released after class->lock (under_lock=no)" sh -c "[ $(ev ' zsx_zspage_free: .*pages=[1-9][0-9]* under_lock=no') -gt 0 ]"
# max_hold_ns may be 0: a class's hold is timed only when it frees several
# handles (kHoldCheck, src/core/pool.hpp), and a small drain (64K pages: few
# objects) may have no such hold
check "tracepoints: zsx_deferred_drain with handles, classes and a duration" sh -c "[ $(ev ' zsx_deferred_drain: pool=zsxram0 cpu=[0-9]* handles=[1-9][0-9]* classes=[1-9][0-9]* duration_ns=[1-9][0-9]* max_hold_ns=[0-9]') -gt 0 ]"
check "tracepoints: zsx_compact fired for zsxram0" sh -c "[ $(ev ' zsx_compact: pool=zsxram0 classes=[0-9]* pages_freed=[0-9]') -gt 0 ]"
if $MOVABLE; then
	check "tracepoints: zsx_migrate moved objects to a new pfn" sh -c "[ $(ev ' zsx_migrate: pool=zsx-test old_pfn=0x[0-9a-f]* new_pfn=0x[0-9a-f]* objects=[1-9]') -gt 0 ]"
else
	check "tracepoints: no zsx_migrate event (zsx pages are not movable on this kernel)" test "$(ev ' zsx_migrate: ')" = 0
fi

check "hot_add creates zsxram1" sh -c "[ \$(cat /sys/class/zsxram-control/hot_add) = 1 ] && [ -b /dev/zsxram1 ]"
check "hot_remove zsxram1" sh -c "echo 1 > /sys/class/zsxram-control/hot_remove && [ ! -e /sys/block/zsxram1 ]"
check "rmmod zsx while zsxram uses it is refused" sh -c "! rmmod zsx 2>/dev/null"
check "rmmod zsxram" rmmod zsxram
sleep 1 # zswap releases its old zsx pool from a work item
check "rmmod zsx (zswap and zsxram let go)" wait_for 60 rmmod zsx
check "kmemleak reports nothing after unload" kmemleak_clean
