#!/bin/bash
# Build (or find in the cache) a zsx test kernel: scripts/kernel.sh ARCH VARIANT
# Prints the kernel build directory (usable as KDIR) on stdout.
# Fragments: base, $ARCH, then for each '+'-separated part of VARIANT the part and,
# when present, $ARCH-<part> (qemu/config/).
# Cache key: fragments + linux-source-6.1 version + this recipe, so a changed fragment rebuilds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ARCH=${1:?ARCH}; VARIANT=${2:?VARIANT}
RECIPE=3
CROSS=$(arch_cross "$ARCH")
# VARIANT may combine fragments with '+' (debug+64k: the debug kernel with 64K pages)
frags="$ZSX_ROOT/qemu/config/base.config $ZSX_ROOT/qemu/config/$ARCH.config"
for part in ${VARIANT//+/ }; do
	f=$ZSX_ROOT/qemu/config/$part.config
	[ -f "$f" ] || die "missing fragment $f"
	frags="$frags $f"
	# optional arch x variant fragment (e.g. x86_64-perf.config: mitigations only x86 has),
	# merged after it; being in $frags it is part of the cache key and of the survival check
	[ -f "$ZSX_ROOT/qemu/config/$ARCH-$part.config" ] && frags="$frags $ZSX_ROOT/qemu/config/$ARCH-$part.config"
done
for f in $frags; do [ -f "$f" ] || die "missing fragment $f"; done
srcver=$(source_version)
key=$( (cat $frags; echo "$srcver $ARCH $VARIANT recipe=$RECIPE") | sha256sum | cut -c1-12)
out=$ZSX_CACHE/kernels/$ARCH-$VARIANT-$key
if [ -f "$out/.zsx-built" ]; then
	log "kernel $ARCH-$VARIANT: cache hit ($out)"
	echo "$out"; exit 0
fi

src=$ZSX_CACHE/src/linux-$srcver
if [ ! -f "$src/Makefile" ]; then
	log "unpacking linux-source-6.1 ($srcver)"
	rm -rf "$src.tmp"; mkdir -p "$src.tmp"
	tar -xf /usr/src/linux-source-6.1.tar.xz -C "$src.tmp" --strip-components=1
	mv "$src.tmp" "$src"
fi

log "kernel $ARCH-$VARIANT: building in $out (cold build, several minutes)"
rm -rf "$out"; mkdir -p "$out"
cat $frags > "$out/zsx-fragment.config"
mk() { make -C "$src" O="$out" ARCH="$ARCH" CROSS_COMPILE="$CROSS" "$@"; }
mk KCONFIG_ALLCONFIG="$out/zsx-fragment.config" allnoconfig >"$out/config.log" 2>&1 || { tail -20 "$out/config.log"; die "allnoconfig failed"; }

# every fragment line must survive Kconfig
bad=0
while IFS= read -r line; do
	case $line in ''|'#'*|*=unset) continue ;; esac   # "is not set" lines: not checked
	name=${line%%=*}; val=${line#*=}
	if [ "$val" = n ]; then
		grep -qx "# $name is not set" "$out/.config" || grep -qx "$name=n" "$out/.config" || { echo "  dropped: $line" >&2; bad=1; }
	else
		grep -qxF "$line" "$out/.config" || { echo "  dropped: $line (got: $(grep "^$name=\|# $name is not" "$out/.config" || echo absent))" >&2; bad=1; }
	fi
done < <(# the last setting of each symbol is the one that counts (64k.config overrides arm64.config)
	sed -e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set/\1=unset/' "$out/zsx-fragment.config" | grep '^CONFIG_' |
	tac | awk -F= '!seen[$1]++' | tac)
[ $bad = 0 ] || die "Kconfig dropped fragment options for $ARCH-$VARIANT (see above); fix qemu/config/*.config"

t0=$SECONDS
run_logged "$out/build.log" mk -j"$(nproc)" "$(basename "$(arch_image "$ARCH")")" modules || { tail -40 "$out/build.log"; die "kernel build failed ($out/build.log)"; }
mk INSTALL_MOD_PATH="$out/modroot" INSTALL_MOD_STRIP=1 modules_install >"$out/modinst.log" 2>&1 || { tail -20 "$out/modinst.log"; die "modules_install failed"; }
echo "$((SECONDS - t0))" > "$out/.zsx-build-seconds"
touch "$out/.zsx-built"
log "kernel $ARCH-$VARIANT: built in $((SECONDS - t0))s"
echo "$out"
