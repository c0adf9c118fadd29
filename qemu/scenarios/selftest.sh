# Harness self-test (scripts/selftest.sh): zsx built once with ZSX_INJECT=1 and
# one deliberate fault chosen on the kernel command line (zsx.inject=warn|oob|
# kunit, passed on to insmod; check: a scenario check that fails). The host
# demands that the run FAILS, and why. The KUnit suites' verdicts are left to
# the host's KTAP parse: a broken expectation must be caught there alone.
INJECT=$(sed -n 's/.*zsx\.inject=\([a-z]*\).*/\1/p' /proc/cmdline)
check "insmod zsx.ko inject=$INJECT" insmod /lib/zsx/zsx.ko inject="$INJECT"
check "insmod zsx_kunit.ko (suites run)" insmod /lib/zsx/zsx_kunit.ko
[ "$INJECT" = check ] && check "a scenario check that fails on purpose" false
check "rmmod zsx_kunit zsx" sh -c "rmmod zsx_kunit && rmmod zsx"
