# Helpers for guest scenarios (sourced by /init).
# Checks report as a TAP stream, each line prefixed "ZSX-CHECK: " to stand out
# of the console: "ok N desc", "not ok N desc" with the command's output as
# "# " diagnostics, and the plan "1..N" when the scenario ends (/init). The
# host (scripts/verdict.sh) turns it into a KTAP subtest for kunit.py parse.
ZSX_PASS=0
ZSX_FAIL=0
ZSX_N=0
check_result() { # check_result ok|fail "description"
	ZSX_N=$((ZSX_N + 1))
	if [ "$1" = ok ]; then
		ZSX_PASS=$((ZSX_PASS + 1)); echo "ZSX-CHECK: ok $ZSX_N $2"
	else
		ZSX_FAIL=$((ZSX_FAIL + 1)); echo "ZSX-CHECK: not ok $ZSX_N $2"
	fi
}
# check "description" command...: one TAP line per check, counted
check() {
	desc=$1; shift
	if "$@" >/tmp/check.out 2>&1; then
		check_result ok "$desc"
	else
		check_result fail "$desc"; head -20 /tmp/check.out | sed 's/^/ZSX-CHECK: # /'
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
# kunit_passed SUITE: the suite ran (its results hold a case) and its own
# verdict line says ok (a suite that never ran also ends "ok")
kunit_passed() {
	f=/sys/kernel/debug/kunit/$1/results
	[ -f "$f" ] && grep -qE "^    (not )?ok [0-9]" "$f" && tail -n 1 "$f" | grep -q "^ok "
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
# what zsx said at load about this kernel (src/kernel/zsx_main.c): its pages
# are movable (up to 6.17), and it registered a zpool driver (kernels with zpool)
zsx_pages_movable() { dmesg | grep -q "zsx: kernel .*: pages movable"; }
zsx_has_zpool() { dmesg | grep -q "zsx: kernel .*zpool driver registered"; }
# kv KEY FILE: the value after KEY in FILE, whichever way FILE pairs them:
# "key value" lines, "key value key value" on one line, or key=value words
kv() { tr ' =\t' '\n\n\n' < "$2" | grep -A1 -x -m1 "$1" | sed -n 2p; }
# wait_for SECS CMD...: run CMD every 0.1 s until it succeeds, for at most
# SECS seconds; CMD's last status. For what the kernel finishes in the
# background (a drain, a release): a fixed sleep would be a race on a slow
# machine, and a check still fails when the state never comes.
wait_for() {
	wf_left=$(($1 * 10))
	shift
	until "$@"; do
		[ "$wf_left" -gt 0 ] || return 1
		wf_left=$((wf_left - 1))
		sleep 0.1
	done
}
# deferred_settled POOL: every handle parked in POOL's deferred rings has
# been freed ("drained" counts a run once its frees are done); true for a
# pool without rings and for a pool that is not zsx's
deferred_settled() {
	[ -f /sys/kernel/debug/zsx/$1/deferred ] || return 0
	awk '$1 == "enqueued" {e = $2} $1 == "drained" {d = $2} END {exit e != d}' \
		/sys/kernel/debug/zsx/$1/deferred
}
