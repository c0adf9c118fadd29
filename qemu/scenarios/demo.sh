# make demo: swap on zsxram0 (allocator zsx, default policies) under a workload
# that pushes 256 MiB through swap and back, then frees it.
S=/sys/block/zsxram0
D=/sys/kernel/debug/zsx/zsxram0
mmstat() {
	awk -v what="$1" '{ printf "   %-28s orig %7.1f MiB  compressed %7.1f MiB  pool %7.1f MiB  peak %7.1f MiB  same-filled %d  huge %d\n",
		what, $1/1048576, $2/1048576, $3/1048576, $5/1048576, $6, $8 }' $S/mm_stat
}
echo "ZSX-DEMO-BEGIN"
echo "== zsx demo: kernel $(uname -r) on $(uname -m), $(grep -c ^processor /proc/cpuinfo) vCPUs, $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) MiB RAM"
check "load zsx.ko (C++ core) and zsxram.ko" sh -c "insmod /lib/zsx/zsx.ko && insmod /lib/zsx/zsxram.ko"
dmesg | grep "zsx:" | sed 's/^\[[ 0-9.]*\] /   /'
check "zsxram0: allocator zsx, lzo-rle, 512 MiB, swapon" zsxram-up -s -c lzo-rle zsx 512M
echo "== pool policies: $(grep free_policy $D/stats | cut -d' ' -f2) free path, $(head -1 $D/deferred)"
mmstat "mm_stat before:"
echo "== workload: 256 MiB of anonymous memory (about 2x compressible with lzo-rle), MADV_PAGEOUT, read back, verified"
swapverify 256 5 60 > /tmp/sv &
svpid=$!
while ! grep -q holding /tmp/sv 2>/dev/null; do sleep 0.2; done
mmstat "mm_stat while swapped out:"
awk '{ if ($2 > 0) printf "   compression ratio %.2f (original / compressed), %.2f counting allocator overhead\n", $1/$2, $1/$3 }' $S/mm_stat
echo "== $D/classes: the 10 classes holding the most pages (fullness columns omitted), and the total"
printf "   %5s %5s %13s %10s %10s %16s %8s\n" class size obj_allocated obj_used pages_used pages_per_zspage freeable
awk '$1 ~ /^[0-9]+$/ && $16 > 0 { printf "   %5s %5s %13s %10s %10s %16s %8s\n", $1, $2, $14, $15, $16, $17, $18 }' $D/classes | sort -k5 -n -r | head -10
awk '$1 == "Total" { printf "   %11s %13s %10s %10s %25s\n", "Total", $13, $14, $15, $16 }' $D/classes
kill -USR1 $svpid
wait $svpid
svrc=$?
sed 's/^/   /' /tmp/sv
check "every page came back intact" test "$svrc" = 0
sleep 1
mmstat "mm_stat after exit (munmap):"
echo "== deferred-free counters ($D/deferred)"
sed 's/^/   /' $D/deferred | grep -vE "pending_cpu"
echo "== $D/stats"
sed 's/^/   /' $D/stats
check "swap slots freed through zsx_free_deferred, pool back near zero" sh -c "[ \$(awk '/^drained/ {print \$2}' $D/deferred) -gt 0 ] && awk '{exit !(\$3 * 50 < \$5)}' $S/mm_stat"
# one line for tools: frees done synchronously because a ring was full, the
# longest class-lock hold of a drainer, and the size of a handle (the slab's)
hb=$(cat /sys/kernel/slab/zsx_handle/object_size 2>/dev/null || echo 0)
echo "DEMO sync_fallbacks $(awk '/^sync_fallbacks/ {print $2}' $D/deferred) max_lock_hold_ns $(awk '/^longest_hold_ns/ {print $2}' $D/deferred) handle_bytes $hb"
check "swapoff, reset, unload" sh -c "swapoff /dev/zsxram0 && echo 1 > $S/reset && rmmod zsxram && rmmod zsx"
echo "ZSX-DEMO-END"
