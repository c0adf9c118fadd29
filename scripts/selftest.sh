#!/bin/bash
# Harness self-test: each deliberate fault must make a VM run FAIL, for its reason.
#   scripts/selftest.sh KDIR (x86_64 debug kernel)
# One module build with the hooks (ZSX_INJECT=1), four boots, the fault chosen
# at load (qemu/scenarios/selftest.sh): kunit = a broken KUnit expectation,
# check = a failed scenario check (both caught by the KTAP parse alone),
# warn = WARN_ON(1) in zsx init, oob = a heap out-of-bounds write by C++ code
# (KASAN must see it).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
KDIR=${1:?KDIR}
name=x86_64-inject
mods=$(bash "$ZSX_ROOT/scripts/modules.sh" x86_64 "$KDIR" "$name" ZSX_INJECT=1) || exit 1
img=$ZSX_BUILD/vm/$name.cpio.gz
bash "$ZSX_ROOT/scripts/initramfs.sh" x86_64 "$img" "$mods" "$KDIR/modroot" || exit 1
bad=0
for fault in kunit check warn oob; do
	out=$(ZSX_VM_APPEND="zsx.inject=$fault" bash "$ZSX_ROOT/scripts/vm.sh" x86_64 "$KDIR/arch/x86/boot/bzImage" \
		"$img" selftest "$ZSX_BUILD/vm/$name-$fault.log" 300 2>&1)
	verdict=$(echo "$out" | grep "VM-VERDICT:")
	case $fault in
	kunit|check) want="kunit.py parse reports failure" ;;
	warn|oob) want="kernel splat" ;;
	esac
	if echo "$verdict" | grep -q "FAIL" && echo "$verdict" | grep -q "$want"; then
		echo "selftest: ok - $fault was caught: ${verdict#*: }"
		echo "$out" | grep -m2 -E "KASAN: |WARNING: |\[FAILED\]" | sed 's/^/    /'
	else
		echo "selftest: FAIL - $fault was NOT caught: $verdict"; bad=1
	fi
done
exit $bad
