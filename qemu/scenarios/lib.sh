# Helpers for guest scenarios (sourced by /init).
ZSX_PASS=0
ZSX_FAIL=0
# check "description" command...: one line per check, counted
check() {
	desc=$1; shift
	if "$@" >/tmp/check.out 2>&1; then
		ZSX_PASS=$((ZSX_PASS + 1)); echo "ZSX-CHECK: ok - $desc"
	else
		ZSX_FAIL=$((ZSX_FAIL + 1)); echo "ZSX-CHECK: FAIL - $desc"; sed 's/^/    /' /tmp/check.out | head -20
	fi
}
# print every KUnit suite's debugfs results between markers for the host parser
dump_kunit() {
	for d in /sys/kernel/debug/kunit/*/; do
		[ -f "$d/results" ] || continue
		echo "ZSX-KTAP-BEGIN $(basename "$d")"
		cat "$d/results"
		echo "ZSX-KTAP-END"
	done
}
# kunit_passed SUITE: the suite's own verdict line in its results file says ok
kunit_passed() {
	f=/sys/kernel/debug/kunit/$1/results
	[ -f "$f" ] && tail -n 1 "$f" | grep -q "^ok "
}
# kmemleak: scan twice (objects must be older than 5 s) and demand silence
kmemleak_clean() {
	[ -w /sys/kernel/debug/kmemleak ] || return 0
	echo scan > /sys/kernel/debug/kmemleak
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	leaks=$(grep -c "unreferenced object" /sys/kernel/debug/kmemleak)
	[ "$leaks" = 0 ] || { cat /sys/kernel/debug/kmemleak | head -40; return 1; }
}
