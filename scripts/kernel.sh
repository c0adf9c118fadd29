#!/bin/bash
# Build (or find in the cache) a zsx test kernel:
#   scripts/kernel.sh ARCH VARIANT [LINE]        LINE: 6.1 (default) | 6.12 | 7.3
# Prints the kernel build directory (usable as KDIR) on stdout.
# Fragments (qemu/config/): base, $ARCH, linux-$LINE, then for each '+'-separated
# part of VARIANT the part and, when present, $ARCH-<part>, linux-$LINE-<part>
# and linux-$LINE-$ARCH-<part>. The line's own
# scripts/kconfig/merge_config.sh merges them onto allnoconfig; every requested
# line must be in the final .config.
# Cache key: fragments + source package version + this recipe, so a changed
# fragment rebuilds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ARCH=${1:?ARCH}; VARIANT=${2:?VARIANT}; LINE=${3:-6.1}
RECIPE=4
CROSS=$(arch_cross "$ARCH")
cfg=$ZSX_ROOT/qemu/config
frags="$cfg/base.config $cfg/$ARCH.config $cfg/linux-$LINE.config"
for part in ${VARIANT//+/ }; do
	frags="$frags $cfg/$part.config"
	# optional fragments of the part for this arch, this line, and both (e.g.
	# x86_64-perf.config: mitigations only x86 has; linux-7.3-x86_64-perf.config:
	# their names in 7.3)
	for f in "$ARCH-$part" "linux-$LINE-$part" "linux-$LINE-$ARCH-$part"; do
		[ -f "$cfg/$f.config" ] && frags="$frags $cfg/$f.config"
	done
done
for f in $frags; do [ -f "$f" ] || die "missing fragment $f"; done
src=$(bash "$ZSX_ROOT/scripts/kernel-source.sh" "$LINE")
srcver=${src##*/linux-}
key=$( (cat $frags; echo "$srcver $ARCH $VARIANT recipe=$RECIPE") | sha256sum | cut -c1-12)
# 6.1 kernels keep their historical name (no line prefix)
name=$ARCH-$VARIANT; [ "$LINE" = 6.1 ] || name=$LINE-$name
out=$ZSX_CACHE/kernels/$name-$key
# A build is reused only while the source tree it was made from is the one
# this cache holds: its output tree refers to that tree by absolute path
# (Makefile, source link, .cmd files), so a cache copied or moved from
# another ZSX_CACHE would build modules against a missing tree.
if [ -f "$out/.zsx-built" ]; then
	if [ "$(readlink -f "$out/source")" = "$(readlink -f "$src")" ]; then
		log "kernel $LINE $ARCH-$VARIANT: cache hit ($out)"
		echo "$out"; exit 0
	fi
	log "kernel $LINE $ARCH-$VARIANT: $out was built from $(readlink "$out/source"), not $src: rebuilding"
fi

log "kernel $LINE $ARCH-$VARIANT: configuring in $out"
rm -rf "$out"; mkdir -p "$out"
# merge_config.sh runs make in the current directory with ARCH and CROSS_COMPILE
# from the environment, and reports every requested value Kconfig did not keep
# ("Value requested ... not in final .config", "... differs:"); later fragments
# override earlier ones on purpose (16k.config over arm64.config's 4K pages)
( cd "$src" && ARCH=$ARCH CROSS_COMPILE=$CROSS bash scripts/kconfig/merge_config.sh -n -O "$out" $frags ) \
	>"$out/config.log" 2>&1 || { tail -20 "$out/config.log" >&2; die "merge_config.sh failed"; }
if grep -A2 -E "Value requested for|differs:" "$out/config.log" >&2; then
	die "Kconfig dropped fragment options for $LINE $ARCH-$VARIANT (above); fix qemu/config/*.config"
fi

mk() { make -C "$src" O="$out" ARCH="$ARCH" CROSS_COMPILE="$CROSS" "$@"; }
log "kernel $LINE $ARCH-$VARIANT: building (cold build, several minutes)"
t0=$SECONDS
run_logged "$out/build.log" mk -j"$(($(nproc) + 1))" "$(basename "$(arch_image "$ARCH")")" modules || { tail -40 "$out/build.log" >&2; die "kernel build failed ($out/build.log)"; }
mk INSTALL_MOD_PATH="$out/modroot" INSTALL_MOD_STRIP=1 modules_install >"$out/modinst.log" 2>&1 || { tail -20 "$out/modinst.log" >&2; die "modules_install failed"; }
echo "$((SECONDS - t0))" > "$out/.zsx-build-seconds"
touch "$out/.zsx-built"
log "kernel $LINE $ARCH-$VARIANT: built in $((SECONDS - t0))s"
echo "$out"
