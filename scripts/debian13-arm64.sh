#!/bin/bash
# zsx for Debian 13's own arm64 kernel, built as a user on Debian 13 would
# cross-build it, in the trixie build root (scripts/debroot.sh): trixie's
# headers need trixie's compiler.
#   scripts/debian13-arm64.sh      prints a directory holding kver, vmlinuz
#                                  (the kernel), modules/ (its module tree),
#                                  zsx/ (zsx.ko and zsxram.ko from `make
#                                  install`) and build.log
# The arm64 image and headers packages are those of the root's own amd64
# kernel (same release), fetched by the root's apt (arm64 added as a foreign
# architecture) and cached; the headers' build tools are the root's amd64
# linux-kbuild of that release, as on a Debian machine cross-building.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
W=$ZSX_BUILD/debroot/trixie-arm64
if [ -z "${ZSX_D13_INNER:-}" ]; then
	base=$(bash "$ZSX_ROOT/scripts/debroot.sh" trixie)
	abi=$(dpkg-query --admindir="$base/var/lib/dpkg" -W -f='${Depends}' linux-image-amd64 | grep -o 'linux-image-[0-9][^ ,]*' | head -1 | sed 's/linux-image-//; s/-amd64$//')
	pkgver=$(dpkg-query --admindir="$base/var/lib/dpkg" -W -f='${Version}' "linux-headers-$abi-amd64")
	[ -n "$abi" ] && [ -n "$pkgver" ] || die "debian13-arm64: no kernel in the trixie root"
	ver=$abi-arm64
	deb=$ZSX_CACHE/debian13-arm64/$ver-$pkgver
	rm -rf "$W" && mkdir -p "$W/out/zsx"
	mkdir -p "$W/checkout" && cp -a "$ZSX_ROOT"/{Makefile,Kbuild,VERSION,COPYING,src} "$W/checkout/"
	rm -rf "$W/checkout/src/generated"
	ZSX_D13_INNER=1 unshare --mount --propagation private bash "$0" "$base" "$deb" "$ver" >&2 || exit 1
	cp "$deb/x/boot/vmlinuz-$ver" "$W/out/vmlinuz"
	m=$deb/x/lib/modules/$ver; [ -d "$m" ] || m=$deb/x/usr/lib/modules/$ver
	rm -f "$W/out/modules" && ln -s "$m" "$W/out/modules"
	echo "$ver" > "$W/out/kver"
	echo "$W/out"
	exit 0
fi

# ---- inside a private mount namespace ----
base=$1 deb=$2 ver=$3
R=$W/merged
debroot_mount "$base" "$W" || exit 1
if [ ! -f "$deb/.done" ]; then
	pkgver=$(dpkg-query --admindir="$base/var/lib/dpkg" -W -f='${Version}' "linux-headers-${ver%-arm64}-amd64")
	log "debian13-arm64: fetching linux-image-$ver and linux-headers-$ver ($pkgver)"
	in_root "$R" "dpkg --add-architecture arm64 && apt-get update -q && mkdir -p /root/debs && cd /root/debs &&
		apt-get download linux-image-$ver:arm64=$pkgver linux-headers-$ver:arm64=$pkgver" > "$W/fetch.log" 2>&1 ||
		{ cat "$W/fetch.log"; die "debian13-arm64: download failed"; }
	rm -rf "$deb" && mkdir -p "$deb"
	for d in "$R"/root/debs/*.deb; do dpkg -x "$d" "$deb/x"; done
	[ -f "$deb/x/boot/vmlinuz-$ver" ] && [ -d "$deb/x/usr/src/linux-headers-$ver" ] ||
		die "debian13-arm64: unpacking failed"
	touch "$deb/.done"
fi
cp -a "$deb/x/usr/src/linux-headers-$ver" "$R/usr/src/"
cp -a "$W/checkout" "$R/root/zsx"
log "debian13-arm64: make install against linux-headers-$ver in the trixie root"
if ! in_root "$R" "cd /root/zsx && make KDIR=/usr/src/linux-headers-$ver ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- INSTALL_MOD_PATH=/root/stage install" > "$W/out/build.log" 2>&1; then
	cat "$W/out/build.log"; die "debian13-arm64: the build failed"
fi
cp "$R/root/stage/lib/modules/$ver/updates/"zsx*.ko* "$W/out/zsx/"
