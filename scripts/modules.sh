#!/bin/bash
# Build the zsx modules (product and test modules) against a kernel tree in a private copy of the sources
# (so several arches/variants never share objects):
#   scripts/modules.sh ARCH KDIR OUTNAME [extra make args...]
# Prints the directory holding the .ko files.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ARCH=${1:?ARCH}; KDIR=${2:?KDIR}; NAME=${3:?NAME}; shift 3
CROSS=$(arch_cross "$ARCH")
dir=$ZSX_BUILD/mod/$NAME
mkdir -p "$dir"
rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' --exclude '*.mod*' \
	--exclude 'Module.symvers' --exclude 'modules.order' --exclude 'generated' \
	"$ZSX_ROOT/Kbuild" "$ZSX_ROOT/src" "$ZSX_ROOT/kunit" "$dir/" 2>/dev/null || \
	rsync -a "$ZSX_ROOT/Kbuild" "$ZSX_ROOT/src" "$ZSX_ROOT/kunit" "$dir/"
karch=$ARCH; [ "$ARCH" = x86_64 ] && karch=x86
log "modules: building $NAME against $KDIR"
make -C "$KDIR" M="$dir" ARCH="$karch" CROSS_COMPILE="$CROSS" ZSX_TESTS=1 -j"$(nproc)" "$@" modules >"$dir/build.log" 2>&1 || {
	cat "$dir/build.log" >&2; die "module build failed ($NAME)"; }
# surface compiler warnings: a clean build is part of the contract
if grep -E "warning:|error:" "$dir/build.log" >&2; then
	die "module build produced warnings ($NAME, see above)"
fi
echo "$dir"
