#!/bin/bash
# The source tree of a kernel line, unpacked from Debian's linux-source package:
#   scripts/kernel-source.sh LINE        LINE: 6.1 | 6.12 | 7.3
# Prints the tree's directory. 6.1 comes from this machine's linux-source-6.1
# (scripts/deps.sh installs it); the others are downloaded from the suite that
# carries them (scripts/apt-suite.sh, the host's apt set-up untouched) and
# unpacked once into $ZSX_CACHE/src/linux-<package version>.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
LINE=${1:?kernel line}
suite=$(line_suite "$LINE")
if [ "$suite" = host ]; then
	ver=$(dpkg-query -W -f='${Version}' "linux-source-$LINE" 2>/dev/null) || die "linux-source-$LINE is not installed (run scripts/deps.sh)"
	tarball=/usr/src/linux-source-$LINE.tar.xz
else
	ver=$(bash "$ZSX_ROOT/scripts/apt-suite.sh" "$suite" policy "linux-source-$LINE")
	[ -n "$ver" ] || die "no linux-source-$LINE in $suite"
fi
src=$ZSX_CACHE/src/linux-${ver//\~/_}
cache_lock "src-${ver//\~/_}"
if [ ! -f "$src/.zsx-unpacked" ]; then
	rm -rf "$src.tmp" && mkdir -p "$src.tmp"
	if [ "$suite" != host ]; then
		log "downloading linux-source-$LINE $ver from $suite"
		dl=$ZSX_CACHE/src/deb-$ver && mkdir -p "$dl"
		( cd "$dl" && ls linux-source-"$LINE"_*.deb >/dev/null 2>&1 ||
		  bash "$ZSX_ROOT/scripts/apt-suite.sh" "$suite" download "linux-source-$LINE=$ver" )
		dpkg -x "$dl"/linux-source-"$LINE"_*.deb "$dl/x"
		tarball=$dl/x/usr/src/linux-source-$LINE.tar.xz
	fi
	log "unpacking linux-source-$LINE ($ver)"
	tar -xf "$tarball" -C "$src.tmp" --strip-components=1
	rm -rf "$src" "${dl:-/nonexistent}" && mv "$src.tmp" "$src"
	touch "$src/.zsx-unpacked"
fi
echo "$src"
