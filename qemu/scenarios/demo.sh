# make demo: zsx at work in a VM.
T=/sys/kernel/debug/zsx_test
D=/sys/kernel/debug/zsx/zsx-test
field() { cat $T/verify | tr ' ' '\n' | grep -A1 -x "$1" | tail -1; }
echo "ZSX-DEMO-BEGIN"
echo "== zsx demo: kernel $(uname -r) on $(uname -m), $(grep -c ^processor /proc/cpuinfo) vCPUs"
check "load zsx.ko (C++ core)" insmod /lib/zsx/zsx.ko
dmesg | grep "zsx:" | sed 's/^\[[ 0-9.]*\] /   /'
check "load zsx_testctl.ko" insmod /lib/zsx/zsx_testctl.ko
echo "== storing 30000 checksummed objects (64..4096 bytes, movable pages) in pool zsx-test"
check "store 30000 objects" sh -c "echo 30000 > $T/fill"
echo "== $D/stats"
sed 's/^/   /' $D/stats
echo "== $D/classes (first 12 populated classes and the total)"
head -1 $D/classes | cut -c1-200
awk '$1 ~ /^[0-9]+$/ && $14 > 0' $D/classes | head -12 | cut -c1-200
grep Total $D/classes | cut -c1-200
echo "== the kernel's own compaction (echo 1 > /proc/sys/vm/compact_memory) migrates zsx pages"
echo "   before: $(cat $T/verify)"
echo 1 > /proc/sys/vm/compact_memory
echo "   after:  $(cat $T/verify)"
check "pages migrated by the kernel, every object intact" sh -c "[ $(field migrated) -gt 0 ] && [ $(field mismatches) = 0 ]"
echo "== free everything"
check "free all objects and destroy the pool" sh -c "echo 1 > $T/free"
check "unload" sh -c "rmmod zsx_testctl && rmmod zsx"
echo "== not yet in this build: swap on zsxram0 under memory pressure and mm_stat (zsxram),"
echo "   deferred-free statistics (zsx_free_deferred): see the open issues"
echo "ZSX-DEMO-END"
