#!/bin/bash
# Debian's perf for a guest arch, with every shared library it loads:
#   scripts/perf-bundle.sh ARCH   -> prints a directory holding perf.bin, ld.so and the libraries
# x86_64: the host's own linux-perf. arm64: the same Debian packages for arm64,
# downloaded (apt-get download) and unpacked, never installed. The library list
# is what ldd reports for the host's perf, mapped to packages with dpkg -S.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ARCH=${1:?ARCH}
ver=$(dpkg-query -W -f='${Version}' linux-perf)
out=$ZSX_CACHE/perf/$ARCH-$ver
if [ -x "$out/perf.bin" ]; then echo "$out"; exit 0; fi
rm -rf "$out.tmp"; mkdir -p "$out.tmp"
libs=$(ldd /usr/bin/perf | awk '$3 ~ /^\// {print $3}')
case $ARCH in
x86_64)
	cp -L /usr/bin/perf "$out.tmp/perf.bin"
	for l in $libs; do cp -L "$l" "$out.tmp/"; done
	cp -L /lib64/ld-linux-x86-64.so.2 "$out.tmp/ld.so"
	;;
arm64)
	pkgs="linux-perf libc6"
	for l in $libs; do
		p=$(dpkg -S "$l" 2>/dev/null || dpkg -S "$(readlink -f "$l")" 2>/dev/null || dpkg -S "/usr$l" 2>/dev/null) || die "no package owns $l"
		pkgs="$pkgs ${p%%:*}"
	done
	pkgs=$(echo $pkgs | tr ' ' '\n' | sort -u)
	log "perf for arm64: downloading $(echo $pkgs | wc -w) Debian arm64 packages"
	dl=$(mktemp -d)
	# shellcheck disable=SC2046
	( cd "$dl" && apt-get download $(for p in $pkgs; do echo "$p:arm64"; done) >&2 ) ||
		{ apt-get update -q >&2; ( cd "$dl" && apt-get download $(for p in $pkgs; do echo "$p:arm64"; done) >&2 ); }
	for d in "$dl"/*.deb; do dpkg -x "$d" "$dl/root"; done
	cp -L "$dl/root/usr/bin/perf" "$out.tmp/perf.bin"
	# the arm64 binary's own DT_NEEDED closure (sonames differ per arch, e.g. libunwind-aarch64)
	todo="$out.tmp/perf.bin"
	while [ -n "$todo" ]; do
		next=""
		for elf in $todo; do
			for so in $(readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
				[ -e "$out.tmp/$so" ] && continue
				case $so in ld-linux-*) continue ;; esac
				f=$(find "$dl/root" -name "$so" \( -type f -o -type l \) | head -1)
				[ -n "$f" ] || die "arm64 $so (needed by $(basename "$elf")) not in the downloaded packages"
				cp -L "$f" "$out.tmp/$so"
				next="$next $out.tmp/$so"
			done
		done
		todo=$next
	done
	cp -L "$(find "$dl/root" -name ld-linux-aarch64.so.1 | head -1)" "$out.tmp/ld.so"
	rm -rf "$dl"
	;;
*) die "unknown ARCH $ARCH" ;;
esac
mv "$out.tmp" "$out"
log "perf bundle $ARCH: $(du -sh "$out" | cut -f1) in $out"
echo "$out"
