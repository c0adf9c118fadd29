#!/bin/bash
# A Debian root file system, made with mmdebstrap from the Debian mirror and
# cached, for the packaging tests and Debian 13's kernels:
#   scripts/debroot.sh SUITE    prints the cached root's directory (bookworm | trixie)
# Tests use it as the lower layer of an overlay and never change it.
# The root holds what a user of zsx-dkms has: dkms, a compiler, the distribution
# kernel and its headers (the metapackages), initramfs-tools; plus debhelper and
# dh-dkms (make deb), and on trixie the arm64 cross compilers (Debian 13's arm64
# kernel headers need trixie's compiler). Its apt sources are the suite's own:
# SUITE, -updates, -security and -backports. The cache key is the suite and
# this list; the host's apt set-up is not used or changed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SUITE=${1:?bookworm|trixie}
PKGS="dkms build-essential g++ make kmod initramfs-tools linux-image-amd64 linux-headers-amd64 debhelper dh-dkms"
case $SUITE in
bookworm) ;;
trixie) PKGS="$PKGS gcc-aarch64-linux-gnu g++-aarch64-linux-gnu" ;;
*) die "debroot: unknown suite $SUITE (bookworm or trixie)" ;;
esac
M=http://deb.debian.org/debian
SOURCES=("deb $M $SUITE main" "deb $M $SUITE-updates main" "deb http://deb.debian.org/debian-security $SUITE-security main" "deb $M $SUITE-backports main")
OPTS="--variant=apt, no man pages"
key=$(printf '%s\n' "$SUITE" "$PKGS" "$OPTS" "${SOURCES[@]}" | sha256sum | cut -c1-12)
root=$ZSX_CACHE/roots/$SUITE-$key
cache_lock "root-$SUITE-$key"
if [ ! -f "$root/.done" ]; then
	command -v mmdebstrap >/dev/null || die "mmdebstrap is not installed (scripts/deps.sh)"
	rm -rf "$root.new" && mkdir -p "$ZSX_CACHE/roots"
	log "debroot: making a $SUITE root with mmdebstrap (once; cached in $root)"
	# shellcheck disable=SC2086
	run_logged "$ZSX_CACHE/roots/$SUITE-$key.log" mmdebstrap --variant=apt --include="$(echo $PKGS | tr ' ' ,)" \
		--aptopt='Acquire::Retries "3"' --dpkgopt='path-exclude=/usr/share/man/*' \
		"$SUITE" "$root.new" "${SOURCES[@]}" || { tail -20 "$ZSX_CACHE/roots/$SUITE-$key.log" >&2; die "mmdebstrap $SUITE failed"; }
	rm -rf "$root" && mv "$root.new" "$root" && touch "$root/.done"
fi
echo "$root"
