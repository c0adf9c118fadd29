#!/bin/bash
# The sources DKMS builds, as /usr/src/zsx-<version> holds them:
#   scripts/dkms-tree.sh DEST
# writes DEST/zsx-<version>/ (Kbuild, COPYING, src/, dkms.conf) and
# DEST/dkms-zsx (the kernel hook), and prints the version. The version is the
# VERSION file's; the kernels zsx supports are KERNEL_RANGE (an extended
# regular expression over the kernel release, dkms.conf's
# BUILD_EXCLUSIVE_KERNEL). ZSX_VERSION and ZSX_KERNEL_RANGE override both
# (test packages only).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
DEST=${1:?DEST}
# Linux 6.1 to 7.3: the lines make check tests, and those between them
KERNEL_RANGE='^(6\.([1-9]|1[0-9])|7\.[0-3])\.'
ver=${ZSX_VERSION:-$(cat "$ZSX_ROOT/VERSION")}
range=${ZSX_KERNEL_RANGE:-$KERNEL_RANGE}
[[ $ver =~ ^[0-9][0-9A-Za-z.+~]*$ ]] || die "dkms-tree: bad version '$ver'"
t=$DEST/zsx-$ver
rm -rf "$t" && mkdir -p "$t"
cp -a "$ZSX_ROOT"/{Kbuild,COPYING,src} "$t/"
rm -rf "$t/src/generated"
# sed's replacement text: & and \ and the delimiter escaped
esc=$(printf '%s' "$range" | sed -e 's/[\\&|]/\\&/g')
sed -e "s|@VERSION@|$ver|g" -e "s|@KERNEL_RANGE@|$esc|g" "$ZSX_ROOT/dkms.conf.in" > "$t/dkms.conf"
sed -e "s|@VERSION@|$ver|g" "$ZSX_ROOT/contrib/kernel/dkms-zsx" > "$DEST/dkms-zsx"
chmod 755 "$DEST/dkms-zsx"
echo "$ver"
