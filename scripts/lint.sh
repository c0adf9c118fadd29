#!/bin/bash
# Lint built modules: no constructors (.init_array/.ctors run only with
# CONFIG_CONSTRUCTORS) and no undefined symbol the kernel does not export.
#   scripts/lint.sh ARCH KDIR MODDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ARCH=${1:?ARCH}; KDIR=${2:?KDIR}; MODDIR=${3:?MODDIR}
CROSS=$(arch_cross "$ARCH")
fail=0
# symbols a module may use: kernel exports (Module.symvers of the tree, plus our own modules)
exports=$(mktemp)
awk '{print $2}' "$KDIR/Module.symvers" > "$exports"
for ko in "$MODDIR"/*.ko; do
	${CROSS}nm --defined-only "$ko" | awk '{print $3}' >> "$exports"
done
sort -u -o "$exports" "$exports"
for ko in "$MODDIR"/*.ko; do
	name=$(basename "$ko")
	# C++ dynamic initialisation (global constructors) is never allowed
	cxx_ctors=$(${CROSS}nm "$ko" | grep -E ' _GLOBAL__sub_[ID]_' || true)
	if [ -n "$cxx_ctors" ]; then
		echo "lint: FAIL $name has C++ global constructors/destructors:"; echo "$cxx_ctors"; fail=1
	fi
	secs=$(${CROSS}readelf -SW "$ko" | grep -E '\.(init_array|ctors|fini_array|dtors)' | grep -v '\.rela' || true)
	if [ -n "$secs" ]; then
		# the only tolerated ones: the compiler's sanitizer registration (_sub_I_<prio>_<n>)
		# on a kernel that runs them (CONFIG_CONSTRUCTORS, i.e. KASAN builds)
		others=$(${CROSS}nm "$ko" | awk '$2 ~ /^[tT]$/ {print $3}' | grep -E '^_sub_[ID]_' | grep -vE '^_sub_[ID]_[0-9]+_[0-9]+$' || true)
		# KASAN: global registration, run by the loader (CONFIG_CONSTRUCTORS);
		# KCSAN: a call to __tsan_init, which is empty in the kernel
		san_ok=0
		# (grep without -q: an early exit would SIGPIPE nm and fail the pipeline under pipefail)
		if grep -q '^CONFIG_CONSTRUCTORS=y' "$KDIR/.config" && ${CROSS}nm -u "$ko" | grep '__asan_register_globals' >/dev/null; then san_ok=1; fi
		if grep -q '^CONFIG_KCSAN=y' "$KDIR/.config" && ${CROSS}nm -u "$ko" | grep '__tsan_init' >/dev/null; then san_ok=1; fi
		if [ -n "$others" ] || [ $san_ok = 0 ]; then
			echo "lint: FAIL $name has constructor/destructor sections:"; echo "$secs"; fail=1
		fi
	fi
	undef=$(${CROSS}nm -u "$ko" | awk '{print $2}' | sort -u | comm -23 - "$exports")
	if [ -n "$undef" ]; then
		echo "lint: FAIL $name uses symbols the kernel does not export: $(echo $undef)"; fail=1
	fi
	[ $fail = 0 ] && echo "lint: ok $name ($(${CROSS}nm -u "$ko" | wc -l) undefined symbols, all kernel exports)"
done
rm -f "$exports"
exit $fail
