#!/bin/bash
# make demo: boot an x86_64 VM, load zsx and show it at work.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bash "$ZSX_ROOT/scripts/deps.sh" build source x86
kdir=$(bash "$ZSX_ROOT/scripts/kernel.sh" x86_64 debug)
bash "$ZSX_ROOT/scripts/guest-progs.sh" x86_64
mods=$(bash "$ZSX_ROOT/scripts/modules.sh" x86_64 "$kdir" x86_64-debug)
img=$ZSX_BUILD/vm/demo.cpio.gz
bash "$ZSX_ROOT/scripts/initramfs.sh" x86_64 "$img" "$mods" "$kdir/modroot"
rc=0
bash "$ZSX_ROOT/scripts/vm.sh" x86_64 "$kdir/arch/x86/boot/bzImage" "$img" demo "$ZSX_BUILD/vm/demo.log" 900 \
	>"$ZSX_BUILD/vm/demo.verdict" 2>&1 || rc=$?
echo "---- what the guest printed (full console: $ZSX_BUILD/vm/demo.log) ----"
# the guest's own lines only (kernel console messages carry a timestamp)
sed -n '/ZSX-DEMO-BEGIN/,/ZSX-DEMO-END/p' "$ZSX_BUILD/vm/demo.log" | grep -v "ZSX-DEMO-" | grep -v '^\[ *[0-9]' | sed -n -e '/^ZSX-CHECK: /{s/^ZSX-CHECK: \(\(not \)\{0,1\}ok\) [0-9]* /   check \1: /p;d;}' -e p
if [ $rc = 0 ]; then
	grep "VM-VERDICT" "$ZSX_BUILD/vm/demo.verdict" || true
	echo "DEMO-VERDICT: pass"
else
	echo "---- the demo VM failed (rc=$rc): the harness's verdict ----"
	tail -n 20 "$ZSX_BUILD/vm/demo.verdict"
	echo "---- the guest log's last 40 lines ----"
	tail -n 40 "$ZSX_BUILD/vm/demo.log" 2>/dev/null || echo "(no guest log: the VM did not start)"
	echo "DEMO-VERDICT: FAIL (rc=$rc)"
fi
exit $rc
