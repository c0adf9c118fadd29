#!/bin/bash
# Debian's own arm64 kernel on this (x86_64) build machine:
#   scripts/debian-arm64.sh      prints the directory holding boot/vmlinuz-<ver>,
#                                lib/modules/<ver> and usr/src/linux-headers-<ver>
# Downloads linux-image-<abi>-arm64 and linux-headers-<abi>-arm64 (the ABI of the
# linux-image-amd64 installed here) and unpacks them into the cache. The headers'
# build tools (scripts/, tools/) are a symlink into linux-kbuild-6.1, which holds
# host binaries: the build machine's own linux-kbuild-6.1 (amd64) serves, as long
# as it is the same source version, which is checked. Cross-compiling then needs
# only ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- (Debian's gcc-12 cross compiler).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
abi=$(dpkg-query -W -f='${Depends}' linux-image-amd64 | grep -o 'linux-image-[0-9][^ ,]*' | head -1 | sed 's/linux-image-//; s/-amd64$//')
ver=$abi-arm64
kbuild=$(dpkg-query -W -f='${Version}' linux-kbuild-6.1 2>/dev/null) || die "linux-kbuild-6.1 is not installed (scripts/deps.sh)"
pkgver=$(apt-cache show "linux-headers-$ver:arm64" 2>/dev/null | sed -n 's/^Version: //p' | head -1)
[ -n "$pkgver" ] || die "no linux-headers-$ver:arm64 in the apt lists (scripts/deps.sh adds the arm64 architecture)"
[ "$pkgver" = "$kbuild" ] || die "linux-headers-$ver is $pkgver but this machine's linux-kbuild-6.1 is $kbuild: upgrade both"
dir=$ZSX_CACHE/debian-arm64/$ver-$pkgver
cache_lock "debian-arm64-$ver-$pkgver"
if [ ! -f "$dir/.done" ]; then
	log "debian-arm64: fetching linux-image-$ver and linux-headers-$ver ($pkgver)"
	rm -rf "$dir" && mkdir -p "$dir/debs" "$dir/usr/lib"
	( cd "$dir/debs" && apt-get download "linux-image-$ver:arm64=$pkgver" "linux-headers-$ver:arm64=$pkgver" >&2 ) 2>&1 | grep -v "unsandboxed" >&2 || true
	for d in "$dir"/debs/*.deb; do dpkg -x "$d" "$dir"; done
	[ -f "$dir/boot/vmlinuz-$ver" ] && [ -d "$dir/usr/src/linux-headers-$ver" ] || die "debian-arm64: download or unpack failed"
	ln -s /usr/lib/linux-kbuild-6.1 "$dir/usr/lib/linux-kbuild-6.1"
	rm -rf "$dir/debs"
	touch "$dir/.done"
fi
echo "$dir"
