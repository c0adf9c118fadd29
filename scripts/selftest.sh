#!/bin/bash
# Harness self-test: each deliberate fault must make a VM run FAIL.
#   scripts/selftest.sh KDIR (x86_64 debug kernel)
# KUNIT_FAIL: a broken KUnit expectation; INIT_WARN: WARN_ON(1) in zsx init;
# OOB: a heap out-of-bounds write done by C++ code (KASAN must see it).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
KDIR=${1:?KDIR}
bad=0
for fault in KUNIT_FAIL INIT_WARN OOB; do
	name=x86_64-inject-$fault
	mods=$(bash "$ZSX_ROOT/scripts/modules.sh" x86_64 "$KDIR" "$name" ZSX_INJECT=$fault) || { bad=1; continue; }
	img=$ZSX_BUILD/vm/$name.cpio.gz
	bash "$ZSX_ROOT/scripts/initramfs.sh" x86_64 "$img" "$mods" "$KDIR/modroot" || { bad=1; continue; }
	out=$(bash "$ZSX_ROOT/scripts/vm.sh" x86_64 "$KDIR/arch/x86/boot/bzImage" "$img" kunit "$ZSX_BUILD/vm/$name.log" 300 2>&1)
	verdict=$(echo "$out" | grep "VM-VERDICT:")
	case $fault in
	KUNIT_FAIL) want="KUnit failure" ;;
	INIT_WARN) want="kernel splat" ;;
	OOB) want="kernel splat" ;;
	esac
	if echo "$verdict" | grep -q "FAIL" && echo "$verdict" | grep -q "$want"; then
		echo "selftest: ok - $fault was caught: ${verdict#*: }"
		echo "$out" | grep -m2 -E "KASAN: |WARNING: |not ok" | sed 's/^/    /'
	else
		echo "selftest: FAIL - $fault was NOT caught: $verdict"; bad=1
	fi
done
exit $bad
