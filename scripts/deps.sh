#!/bin/bash
# Install every Debian package zsx needs (idempotent; apt-get update first when anything is missing).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PKGS="build-essential g++ flex bison bc libelf-dev libssl-dev cpio kmod rsync xz-utils python3
      linux-source-6.1 qemu-system-x86 qemu-system-arm gcc-aarch64-linux-gnu g++-aarch64-linux-gnu
      busybox-static linux-headers-amd64 linux-image-amd64 libgtest-dev cmake gnuplot-nox linux-perf dkms sparse clang-format"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
need_arm64=0
dpkg --print-foreign-architectures | grep -qx arm64 || need_arm64=1
if [ -n "$missing" ] || [ $need_arm64 = 1 ]; then
	log "installing Debian packages:$missing"
	[ $need_arm64 = 1 ] && dpkg --add-architecture arm64
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2
	# shellcheck disable=SC2086
	[ -n "$missing" ] && apt-get install -y -q $missing >&2
fi

# arm64 busybox for the arm64 guest: Debian's own arm64 package, unpacked (not installed)
bb=$ZSX_CACHE/arm64-busybox/bin/busybox
if [ ! -x "$bb" ]; then
	log "fetching busybox-static:arm64"
	tmp=$(mktemp -d)
	( cd "$tmp" && apt-get download busybox-static:arm64 >&2 ) || { apt-get update -q >&2; ( cd "$tmp" && apt-get download busybox-static:arm64 >&2 ); }
	mkdir -p "$ZSX_CACHE/arm64-busybox"
	dpkg -x "$tmp"/busybox-static_*_arm64.deb "$tmp/x"
	install -D -m755 "$tmp/x/bin/busybox" "$bb"
	rm -rf "$tmp"
fi
