#!/bin/bash
# The Debian packages a target needs, installed on this machine with apt-get
# (apt-get update first when anything is missing; idempotent):
#   scripts/deps.sh [GROUP...]    default: every group (what make check needs)
# It says what it installs, and why, before it does. Nothing is installed that
# the groups asked for do not need.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# group: why | packages
group() {
	case $1 in
	build) echo "build test kernels and modules|build-essential g++ flex bison bc libelf-dev libssl-dev cpio kmod rsync xz-utils python3 busybox-static" ;;
	source) echo "the 6.1 test kernels' sources (6.12 and 7.3 come from trixie through a private apt configuration)|linux-source-6.1" ;;
	x86) echo "x86_64 VMs|qemu-system-x86" ;;
	arm64) echo "arm64 VMs and cross builds (adds arm64 as a foreign architecture, for Debian's arm64 busybox and kernel headers)|qemu-system-arm gcc-aarch64-linux-gnu g++-aarch64-linux-gnu" ;;
	stock) echo "zsx on Debian 12's own kernel as a user installs it (the kernel image is booted in a VM, never on this machine)|linux-headers-amd64 linux-image-amd64 dkms" ;;
	host) echo "the C++ core's hosted tests|libgtest-dev cmake" ;;
	style) echo "the kernel style checks|sparse clang-format" ;;
	bench) echo "benchmark plots and perf in the guest|gnuplot-nox linux-perf" ;;
	package) echo "make deb and the Debian 12/13 build roots|debhelper dh-dkms dpkg-dev mmdebstrap" ;;
	*) die "deps: unknown group $1" ;;
	esac
}
GROUPS_ALL="build source x86 arm64 stock host style bench package"
want=${*:-$GROUPS_ALL}

missing="" need_arm64=0
for g in $want; do
	spec=$(group "$g")
	why=${spec%%|*} g_missing=""
	for p in ${spec#*|}; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || g_missing="$g_missing $p"
	done
	if [ "$g" = arm64 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
		need_arm64=1; g_missing="$g_missing (arm64 architecture)"
	fi
	[ -z "$g_missing" ] && continue
	log "deps: for $why, installing on this machine:$g_missing"
	missing="$missing ${g_missing/ (arm64 architecture)/}"
done
if [ -n "${missing// /}" ] || [ $need_arm64 = 1 ]; then
	[ $need_arm64 = 1 ] && dpkg --add-architecture arm64
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2
	# shellcheck disable=SC2086
	[ -n "${missing// /}" ] && apt-get install -y -q $missing >&2
fi

# arm64 busybox for the arm64 guest: Debian's own arm64 package, unpacked into
# the cache (not installed)
case " $want " in *" arm64 "*) ;; *) exit 0 ;; esac
bb=$ZSX_CACHE/arm64-busybox/bin/busybox
if [ ! -x "$bb" ]; then
	log "deps: fetching busybox-static:arm64 into $ZSX_CACHE (not installed)"
	tmp=$(mktemp -d)
	# apt downloads as its _apt user: let it write there (else apt warns)
	chown _apt "$tmp" 2>/dev/null || true
	( cd "$tmp" && apt-get download busybox-static:arm64 >&2 ) || { apt-get update -q >&2; ( cd "$tmp" && apt-get download busybox-static:arm64 >&2 ); }
	mkdir -p "$ZSX_CACHE/arm64-busybox"
	dpkg -x "$tmp"/busybox-static_*_arm64.deb "$tmp/x"
	install -D -m755 "$tmp/x/bin/busybox" "$bb"
	rm -rf "$tmp"
fi
