# Load zsx and its KUnit suites; the suites run at insmod.
check "insmod zsx.ko" insmod /lib/zsx/zsx.ko
check "C++ core reported its geometry" sh -c 'dmesg | grep -q "zsx: C++ core loaded"'
check "insmod zsx_kunit.ko (suites run)" insmod /lib/zsx/zsx_kunit.ko
for s in zsx_geometry zsx_obj_layout; do
	check "kunit suite $s passed" kunit_passed $s
done
check "rmmod zsx_kunit" rmmod zsx_kunit
check "rmmod zsx" rmmod zsx
check "kmemleak reports nothing after unload" kmemleak_clean
