# Load zsx and its KUnit suites; the suites run at insmod.
ZSX_SUITES="zsx_geometry zsx_obj_layout zsx_alloc zsx_access zsx_free_policy zsx_compaction zsx_concurrency zsx_bad_input zsx_density"
check "insmod zsx.ko" insmod /lib/zsx/zsx.ko
check "C++ core reported its geometry" sh -c 'dmesg | grep -q "zsx: C++ core loaded"'
check "insmod zsx_kunit.ko (suites run)" insmod /lib/zsx/zsx_kunit.ko
for s in $ZSX_SUITES; do
	check "kunit suite $s passed" kunit_passed $s
done
check "debugfs root /sys/kernel/debug/zsx exists" test -d /sys/kernel/debug/zsx
check "rmmod zsx_kunit" rmmod zsx_kunit
check "rmmod zsx" rmmod zsx
check "kmemleak reports nothing after unload" kmemleak_clean
