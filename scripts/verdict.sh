#!/bin/bash
# Judge a guest console log: scripts/verdict.sh LOG QEMU_RC SECONDS
# Prints the checks, the KUnit summary (kunit.py parse) and one verdict line.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
LOG=$1; RC=${2:-0}; SECS=${3:-?}
bad=0
why=()
# kernel splats of any kind (scripts/lib.sh), in the kernel's lines: the
# scenario's own lines (ZSX-CHECK: and the like, which quote what the
# commands it ran printed, such as md5sum's "WARNING: 1 of 19 computed
# checksums did NOT match") are judged by their checks
splat_re=$ZSX_SPLAT_RE
if grep -nE "$splat_re" "$LOG" | grep -vE '^[0-9]+:ZSX-' | head -20 > "$LOG.splats" && [ -s "$LOG.splats" ]; then
	why+=("kernel splat"); bad=1
	echo "---- splat (first lines) ----"; cat "$LOG.splats"
	echo "---- context ----"; grep -A40 -E "$splat_re" "$LOG" | grep -m1 -A40 -vE '^ZSX-' | head -60
fi
grep "ZSX-CHECK: \(not \)\{0,1\}ok " "$LOG" | sed 's/^.*ZSX-CHECK: /  /'
npass=$(grep -c "ZSX-CHECK: ok " "$LOG")
nfail=$(grep -c "ZSX-CHECK: not ok " "$LOG")
grep -q "ZSX-SENTINEL:" "$LOG" || { why+=("no sentinel line (guest did not finish)"); bad=1; }
[ "$RC" = 124 ] || [ "$RC" = 137 ] && { why+=("timeout"); bad=1; }

# One KTAP document, judged by the kernel's kunit.py parse: the KUnit suites
# the guest ran (module suites print no top-level header on the console: it
# is rebuilt here) and the scenario's own checks as one more suite, from the
# TAP stream its "ZSX-CHECK: " lines carry (qemu/scenarios/lib.sh).
ktap=$(realpath -m "${LOG%.log}.ktap")
scen=$(sed -n 's/.*zsx\.scenario=\([^ ]*\).*/\1/p' "$LOG" | head -1)
sed 's/^\[[ 0-9.]*\] //' "$LOG" | awk '/^    KTAP version 1$/ {on = 1} /ZSX-CHECK: / {next} on' | grep -v "^ZSX-" > "$ktap.body"
nkunit=$(grep -c "^    # Subtest: " "$ktap.body")
{
	echo "KTAP version 1"
	echo "1..$((nkunit + 1))"
	cat "$ktap.body"
	echo "    KTAP version 1"
	echo "    # Subtest: scenario_${scen:-unknown}"
	grep "ZSX-CHECK: " "$LOG" | sed 's/^.*ZSX-CHECK: /    /'
	grep -q "ZSX-CHECK: 1\.\." "$LOG" || echo "    # the guest never printed its plan"
	if [ "$nfail" = 0 ] && grep -q "ZSX-CHECK: 1\.\." "$LOG"; then
		echo "ok $((nkunit + 1)) scenario_${scen:-unknown}"
	else
		echo "not ok $((nkunit + 1)) scenario_${scen:-unknown}"
	fi
} > "$ktap"
rm -f "$ktap.body"
src=$(ls -d "$ZSX_CACHE"/src/linux-*/ 2>/dev/null | head -1)
[ -n "$src" ] || die "no linux source tree for kunit.py"
echo "---- KTAP (kunit.py parse: $nkunit KUnit suites and the scenario's $((npass + nfail)) checks) ----"
python3 "$src/tools/testing/kunit/kunit.py" parse "$ktap" > "$ktap.parsed" 2>&1
prc=$?
sed 's/\x1b\[[0-9;]*m//g' "$ktap.parsed" | grep -E "^\[..:..:..\] (=+ [a-z_0-9]+ |\[(PASSED|FAILED|CRASHED|SKIPPED|ERROR)\] [a-z_]+$|\[ERROR\]|.*Testing complete)" | sed 's/^\[..:..:..\] //'
if [ $prc != 0 ] || grep -qE "\[(FAILED|CRASHED|ERROR)\]|errors: [1-9]|failed: [1-9]|crashed: [1-9]" "$ktap.parsed"; then
	why+=("kunit.py parse reports failure ($nfail failed checks)"); bad=1
fi
[ $((npass + nfail)) -gt 0 ] || { why+=("the scenario ran no check"); bad=1; }
# a scenario that loads KUnit suites says how many; each must be on the console
want=$(sed -n 's/^ZSX-KUNIT-EXPECT: \([0-9]*\).*/\1/p' "$LOG" | head -1)
if [ -n "$want" ] && [ "$nkunit" != "$want" ]; then
	why+=("$nkunit KUnit suites reported, $want loaded"); bad=1
fi
nsuites=$nkunit

if [ $bad = 0 ]; then
	echo "VM-VERDICT: PASS $(basename "$LOG") ($npass checks, $nsuites KUnit suites, ${SECS}s)"
else
	echo "VM-VERDICT: FAIL $(basename "$LOG"): ${why[*]} (log: $LOG)"
	tail -n 15 "$LOG" | sed 's/^/  | /'
fi
exit $bad
