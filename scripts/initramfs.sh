#!/bin/bash
# Build a guest initramfs: scripts/initramfs.sh ARCH OUT.cpio.gz MODDIR [KMODROOT]
# busybox (Debian's static build for the guest arch), /init, scenarios, our .ko
# files under /lib/zsx, and KMODROOT/lib/modules if given (the test kernel's own
# modules, or the DKMS-staged tree of Debian's kernel).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ARCH=${1:?ARCH}; OUT=${2:?OUT}; MODDIR=${3:?MODDIR}; KMODROOT=${4:-}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,lib/zsx,scenarios,etc}
case $ARCH in
x86_64) bb=/bin/busybox ;;
arm64) bb=$ZSX_CACHE/arm64-busybox/bin/busybox ;;
esac
[ -x "$bb" ] || die "no busybox for $ARCH at $bb (run scripts/deps.sh)"
file "$bb" 2>/dev/null | grep -q "statically linked" || true
install -m755 "$bb" "$root/bin/busybox"
install -m755 "$ZSX_ROOT/qemu/guest/init" "$root/init"
install -m755 "$ZSX_ROOT/qemu/guest/zsxram-up" "$root/bin/zsxram-up"
cp "$ZSX_ROOT"/qemu/scenarios/*.sh "$root/scenarios/"
# MODDIR "-": no test-built modules (the DKMS scenario brings its own module tree)
[ "$MODDIR" = - ] || cp "$MODDIR"/*.ko "$root/lib/zsx/"
# the icount boot's committed object-size mix (qemu/scenarios/icount.sh)
if [ -f "$ZSX_ROOT/qemu/guest/icount.mix" ]; then
	mkdir -p "$root/etc/zsx" && cp "$ZSX_ROOT/qemu/guest/icount.mix" "$root/etc/zsx/"
fi
for ko in ${ZSX_EXTRA_KO:-}; do cp "$ko" "$root/lib/zsx/"; done
if [ -n "$KMODROOT" ] && [ -d "$KMODROOT/lib/modules" ]; then
	cp -a "$KMODROOT/lib/modules" "$root/lib/"
fi
# perf and its libraries (trace runs only: ZSX_PERF_DIR from scripts/perf-bundle.sh)
if [ -n "${ZSX_PERF_DIR:-}" ]; then
	mkdir -p "$root/usr/lib/zsx-perf"
	cp -a "$ZSX_PERF_DIR"/. "$root/usr/lib/zsx-perf/"
	printf '#!/bin/sh\nexec /usr/lib/zsx-perf/ld.so --library-path /usr/lib/zsx-perf /usr/lib/zsx-perf/perf.bin "$@"\n' > "$root/bin/perf"
	chmod 755 "$root/bin/perf"
fi
# ZSX_INITRAMFS_EXTRA: a directory copied over the root (the workload's program and data)
if [ -n "${ZSX_INITRAMFS_EXTRA:-}" ]; then cp -a "$ZSX_INITRAMFS_EXTRA"/. "$root/"; fi
[ -d "$ZSX_BUILD/guest/$ARCH" ] && cp -a "$ZSX_BUILD/guest/$ARCH"/. "$root/bin/" 2>/dev/null || true
mkdir -p "$(dirname "$OUT")"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$OUT"
