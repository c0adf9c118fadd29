#!/bin/bash
# Judge a guest console log: scripts/verdict.sh LOG QEMU_RC SECONDS
# Prints the checks, the KUnit summary (kunit.py parse) and one verdict line.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
LOG=$1; RC=${2:-0}; SECS=${3:-?}
bad=0
why=()
# kernel splats of any kind
splat_re='BUG: |WARNING: |Oops|general protection fault|Kernel panic|KASAN: |KCSAN: |UBSAN: |'
splat_re+='possible recursive locking|possible circular locking|inconsistent lock state|'
splat_re+='turning off the locking correctness validator|suspicious RCU usage|'
splat_re+='kmemleak: [0-9]+ new suspected memory leaks|unreferenced object 0x|Call Trace:|watchdog: BUG'
if grep -nE "$splat_re" "$LOG" | head -20 > "$LOG.splats" && [ -s "$LOG.splats" ]; then
	why+=("kernel splat"); bad=1
	echo "---- splat (first lines) ----"; cat "$LOG.splats"
	echo "---- context ----"; grep -m1 -A40 -E "$splat_re" "$LOG" | head -60
fi
if grep -qE "^(\[[ 0-9.]*\] )?\s*not ok " "$LOG"; then why+=("KUnit failure"); bad=1; grep "not ok " "$LOG" | head; fi
grep "ZSX-CHECK:" "$LOG" | sed 's/^.*ZSX-CHECK: /  /'
nfail=$(grep -c "ZSX-CHECK: FAIL" "$LOG")
npass=$(grep -c "ZSX-CHECK: ok" "$LOG")
[ "$nfail" = 0 ] || { why+=("$nfail failed checks"); bad=1; }
grep -q "ZSX-SENTINEL:" "$LOG" || { why+=("no sentinel line (guest did not finish)"); bad=1; }
[ "$RC" = 124 ] || [ "$RC" = 137 ] && { why+=("timeout"); bad=1; }

# KUnit: module suites print no top-level KTAP header on the console; rebuild it
# (the debugfs results of 6.1 keep only the last parameter of a parameterised case)
ktap=$(realpath -m "${LOG%.log}.ktap")
sed 's/^\[[ 0-9.]*\] //' "$LOG" | awk '/^    KTAP version 1$/ {on = 1} on' > "$ktap.body"
nsuites=$(grep -c "^    # Subtest: " "$ktap.body")
if [ "$nsuites" -gt 0 ]; then
	{ echo "KTAP version 1"; echo "1..$nsuites"; cat "$ktap.body"; } > "$ktap"
	src=$(ls -d "$ZSX_CACHE"/src/linux-*/ 2>/dev/null | head -1)
	[ -n "$src" ] || die "no linux source tree for kunit.py"
	echo "---- KUnit (kunit.py parse) ----"
	python3 "$src/tools/testing/kunit/kunit.py" parse "$ktap" > "$ktap.parsed" 2>&1
	prc=$?
	sed 's/\x1b\[[0-9;]*m//g' "$ktap.parsed" | grep -E "^\[..:..:..\] (=+ [a-z_0-9]+ |\[(PASSED|FAILED|CRASHED|SKIPPED|ERROR)\] [a-z_]+$|\[ERROR\]|.*Testing complete)" | sed 's/^\[..:..:..\] //'
	if [ $prc != 0 ] || grep -qE "\[(FAILED|CRASHED|ERROR)\]|errors: [1-9]|failed: [1-9]|crashed: [1-9]" "$ktap.parsed"; then
		why+=("kunit.py parse reports failure"); bad=1
	fi
fi
rm -f "$ktap.body"

if [ $bad = 0 ]; then
	echo "VM-VERDICT: PASS $(basename "$LOG") ($npass checks, $nsuites KUnit suites, ${SECS}s)"
else
	echo "VM-VERDICT: FAIL $(basename "$LOG"): ${why[*]} (log: $LOG)"
	tail -n 15 "$LOG" | sed 's/^/  | /'
fi
exit $bad
