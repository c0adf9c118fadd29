# Harness self-test (scripts/selftest.sh): zsx built once with ZSX_INJECT=1 and
# one deliberate fault chosen on the kernel command line (zsx.inject=warn|oob|
# kunit, passed on to insmod). The host demands that the run FAILS, and why.
INJECT=$(sed -n 's/.*zsx\.inject=\([a-z]*\).*/\1/p' /proc/cmdline)
check "insmod zsx.ko inject=$INJECT" insmod /lib/zsx/zsx.ko inject="$INJECT"
check "insmod zsx_kunit.ko (suites run)" insmod /lib/zsx/zsx_kunit.ko
check "kunit suite zsx_geometry passed" kunit_passed zsx_geometry
check "rmmod zsx_kunit zsx" sh -c "rmmod zsx_kunit && rmmod zsx"
