# The page size of this kernel (arm64 64K pages in make check): the obj layout
# zsx derives from PAGE_SHIFT, every KUnit suite, and verified swap on zsxram
# with zsx and with the kernel's zsmalloc (page counts scaled to the page size).
PAGESZ=$(swapverify pagesize)
echo "ZSX-INFO: page size $PAGESZ"
ZSX_SUITES="zsx_geometry zsx_obj_layout zsx_alloc zsx_access zsx_free_policy zsx_compaction zsx_concurrency zsx_migration zsx_bad_input zsx_density zsx_deferred"
check "insmod zsx.ko" insmod /lib/zsx/zsx.ko
dmesg | grep -E "zsx: (C\+\+ core loaded|obj layout)" | sed 's/^\[[ 0-9.]*\] /ZSX-INFO: /'
check "zsx printed its obj layout for this page size" sh -c 'dmesg | grep -q "zsx: obj layout: pfn"'
check "the kernel's page size is $PAGESZ (not 4K)" test "$PAGESZ" -gt 4096
check "insmod zsx_kunit.ko (suites run)" insmod /lib/zsx/zsx_kunit.ko
for s in $ZSX_SUITES; do
	check "kunit suite $s passed" kunit_passed $s
done
check "rmmod zsx_kunit" rmmod zsx_kunit
check "insmod zsxram.ko" insmod /lib/zsx/zsxram.ko
S=/sys/block/zsxram0
MIB=64
want=$((MIB * 1048576 / PAGESZ * 9 / 10))
for alloc in zsx zsmalloc; do
	check "$alloc: 512M swap on zsxram0" sh -c "echo $alloc > $S/allocator && echo 512M > $S/disksize && mkswap /dev/zsxram0 >/dev/null && swapon /dev/zsxram0"
	check "$alloc: $MIB MiB paged out ($want+ pages of $PAGESZ bytes), read back intact" sh -c \
		"swapverify $MIB 5 > /tmp/sv; r=\$?; cat /tmp/sv; [ \$r = 0 ] && [ \$(awk '{print \$5}' /tmp/sv) -ge $want ]"
	sed 's/^/ZSX-INFO: /' /tmp/sv
	echo "ZSX-INFO: $alloc mm_stat after exit: $(cat $S/mm_stat)"
	case $alloc in zsx) echo "ZSX-INFO: zsx classes in use: $(awk '$1 ~ /^[0-9]+$/ && $14 > 0' /sys/kernel/debug/zsx/zsxram0/classes | wc -l)" ;; esac
	check "$alloc: swapoff, reset" sh -c "swapoff /dev/zsxram0 && echo 1 > $S/reset"
done
check "rmmod zsxram, zsx" sh -c "rmmod zsxram && rmmod zsx"
check "kmemleak reports nothing after unload" kmemleak_clean
