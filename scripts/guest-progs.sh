#!/bin/bash
# Static guest programs for an arch: scripts/guest-progs.sh ARCH -> build/guest/ARCH/
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ARCH=${1:?ARCH}
out=$ZSX_BUILD/guest/$ARCH
mkdir -p "$out"
cc=gcc
[ "$ARCH" = arm64 ] && cc=aarch64-linux-gnu-gcc
for src in "$ZSX_ROOT"/qemu/guest/*.c; do
	bin=$out/$(basename "$src" .c)
	if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
		$cc -static -O2 -Wall -Werror -o "$bin" "$src" || die "guest program $src failed to build for $ARCH"
	fi
done
