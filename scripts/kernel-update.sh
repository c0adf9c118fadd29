#!/bin/bash
# Kernel updates with zsx-dkms installed, in a Debian root (scripts/debroot.sh):
#   scripts/kernel-update.sh bookworm|trixie
# The root runs as a machine booted on its distribution kernel K0 (`uname -r`
# answers K0 inside). What a user does, in order, every apt run required to
# exit 0 with `dpkg --audit` empty afterwards:
#   1. install zsx-dkms (make deb; on trixie as the root's dh-dkms builds it):
#      DKMS builds zsx for K0
#   2. install the next kernel K1 (bookworm: linux-image-6.12-amd64 from
#      bookworm-security; trixie: 7.3 from trixie-backports): zsx's hook builds
#      zsx for it, before its initramfs
#   3. upgrade to a test build of zsx-dkms whose supported range holds K0's line
#      only: K1 is now outside it; the upgrade builds for K0 and skips K1
#   4. reinstall K1's image: its postinst runs the hooks; zsx says K1 is outside
#      its range and the kernel installs
#   5. remove, then purge, zsx-dkms: no module, source, DKMS state or hook left;
#      a kernel postinst after removal still succeeds
#   6. (bookworm) make dkms-install / dkms-uninstall / install / uninstall from
#      a checkout, each twice: idempotent, and each undoes the other
#   7. the failure zsx avoids: a DKMS module with AUTOINSTALL=yes whose
#      BUILD_EXCLUSIVE_KERNEL skips K1; on bookworm (dkms 3.0.10) reinstalling
#      K1 then fails, which must be seen (the test can fail); on trixie it is
#      reported
# The modules DKMS built for K0 on trixie, with K0 and its modules, are kept in
# $ZSX_BUILD/debroot/trixie/export for Debian 13's stock-kernel boot.
# Output: TAP lines; exits 1 if any check failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
SUITE=${1:?bookworm|trixie}
W=$ZSX_BUILD/debroot/$SUITE

if [ -z "${ZSX_KU_INNER:-}" ]; then
	base=$(bash "$ZSX_ROOT/scripts/debroot.sh" "$SUITE") || exit 1
	rm -rf "$W" && mkdir -p "$W/debs"
	# the package, and the test build whose range is K0's line alone
	case $SUITE in bookworm) narrow='^6\.1\.' ;; trixie) narrow='^6\.12\.' ;; esac
	ver=$(cat "$ZSX_ROOT/VERSION")
	{ make -s -C "$ZSX_ROOT" deb &&
	  ZSX_VERSION=$ver+narrow1 ZSX_KERNEL_RANGE=$narrow make -s -C "$ZSX_ROOT" deb; } > "$W/deb.log" 2>&1 ||
		{ cat "$W/deb.log"; echo "not ok 1 - make deb"; exit 1; }
	cp "$ZSX_BUILD/zsx-dkms_${ver}_all.deb" "$ZSX_BUILD/zsx-dkms_${ver}+narrow1_all.deb" "$W/debs/"
	# a checkout, as `make dkms-install` and `make install` run from
	mkdir -p "$W/checkout" && cp -a "$ZSX_ROOT"/{Makefile,Kbuild,dkms.conf.in,VERSION,COPYING,README.md,src,scripts,contrib,debian} "$W/checkout/"
	rm -rf "$W/checkout/src/generated"
	ZSX_KU_INNER=1 ZSX_KU_BASE=$base ZSX_KU_VER=$ver exec unshare --mount --propagation private bash "$0" "$SUITE"
fi

# ---- inside a private mount namespace: the root is an overlay on the cached one ----
R=$W/merged
debroot_mount "$ZSX_KU_BASE" "$W" || exit 1
mkdir -p "$R/root/debs" && cp "$W"/debs/*.deb "$R/root/debs/" && cp -a "$W/checkout" "$R/root/zsx"
K0=$(ls "$R/lib/modules")
[ "$(echo "$K0" | wc -w)" = 1 ] || { echo "not ok 1 - the root holds one kernel (has: $K0)"; exit 1; }
# the root's machine runs K0
printf '#!/bin/sh\n[ "$*" = -r ] && { echo %s; exit 0; }\nexec /bin/uname "$@"\n' "$K0" > "$R/usr/local/bin/uname"
chmod 755 "$R/usr/local/bin/uname"
V=$ZSX_KU_VER
N=0 FAILS=0
LOGF=$W/apt.log
: > "$LOGF"
ok() {
	N=$((N + 1))
	if [ "$1" = 0 ]; then echo "ok $N - $2"; else echo "not ok $N - $2"; FAILS=$((FAILS + 1)); fi
}
check() { local d=$1; shift; "$@" >> "$LOGF" 2>&1; ok $? "$d"; }
check_that() { eval "$2" >> "$LOGF" 2>&1; ok $? "$1"; }
# apt_run DESC CMD: CMD exits 0 and leaves dpkg --audit empty; its output in $W/last.log
apt_run() {
	local d=$1 rc audit; shift
	echo "# ---- $d: $*" >> "$LOGF"
	in_root "$R" "$*" > "$W/last.log" 2>&1; rc=$?
	cat "$W/last.log" >> "$LOGF"
	audit=$(in_root "$R" dpkg --audit 2>&1)
	[ -z "$audit" ] || echo "$audit" >> "$LOGF"
	[ $rc = 0 ] && [ -z "$audit" ]
	ok $? "$d (exit $rc$([ -n "$audit" ] && echo ", dpkg --audit not empty"))"
}
# modules as DKMS or modules_install left them: compressed where the kernel's are
ko() { ls "$R/lib/modules/$1/updates/$2".ko* 2>/dev/null | head -1; }
has_zsx() { [ -n "$(ko "$1" dkms/zsx)" ] && [ -n "$(ko "$1" dkms/zsxram)" ]; }
no_zsx() { ! ls "$R"/lib/modules/*/updates/dkms/zsx*.ko "$R"/lib/modules/*/updates/zsx*.ko >/dev/null 2>&1; }
vermagic_is() { [ "$(/sbin/modinfo -F vermagic "$(ko "$1" "${2:-dkms}/zsx")" | cut -d' ' -f1)" = "$1" ]; }
clean() {
	no_zsx && [ -z "$(ls -d "$R"/usr/src/zsx-* 2>/dev/null)" ] && [ ! -e "$R/var/lib/dkms/zsx" ] &&
		[ -z "$(in_root "$R" dkms status -m zsx 2>/dev/null)" ]
}

echo "# $SUITE root, K0 = $K0, dkms $(in_root "$R" "dpkg-query -W -f='\${Version}' dkms")"
mk() { in_root "$R" "cd /root/zsx && make -s $*"; }
apt_run "apt-get update" apt-get update -q
if [ "$SUITE" = trixie ]; then
	# the package as Debian 13's dh-dkms builds it, installed below
	check "make deb in the Debian 13 root (dh-dkms $(in_root "$R" "dpkg-query -W -f='\${Version}' dh-dkms"))" mk deb
	check "the Debian 13 build replaces the host's" cp "$R/root/zsx/build/zsx-dkms_${V}_all.deb" "$R/root/debs/"
fi
apt_run "install zsx-dkms $V" apt-get install -y -q /root/debs/zsx-dkms_${V}_all.deb
check "DKMS built and installed zsx.ko and zsxram.ko for $K0" has_zsx "$K0"
check "zsx.ko for $K0 has $K0's vermagic" vermagic_is "$K0"
check "zsx's kernel hooks are installed" test -x "$R/etc/kernel/postinst.d/dkms-zsx" -a -x "$R/etc/kernel/header_postinst.d/dkms-zsx"

if [ "$SUITE" = trixie ]; then
	# Debian 13's stock boot takes zsx as DKMS built it for K0
	mkdir -p "$W/export"
	cp -a "$R/boot/vmlinuz-$K0" "$W/export/" && cp -a "$R/lib/modules/$K0/." "$W/export/modules/" &&
		cp "$R/var/lib/dkms/zsx/$V/$K0/x86_64/log/make.log" "$W/export/" && echo "$K0" > "$W/export/kver"
	check_that "kept $K0, its modules and DKMS's zsx and build log for Debian 13's stock boot" 'ls "$W"/export/modules/updates/dkms/zsx.ko* && [ -s "$W/export/make.log" ]'
fi

case $SUITE in
bookworm) K1PKGS="linux-image-6.12-amd64 linux-headers-6.12-amd64"; K1FROM=bookworm-security ;;
trixie) K1PKGS="-t trixie-backports linux-image-amd64 linux-headers-amd64"; K1FROM=trixie-backports ;;
esac
apt_run "install the next kernel from $K1FROM ($K1PKGS)" apt-get install -y -q $K1PKGS
K1=$(ls "$R/lib/modules" | grep -vx "$K0" | head -1)
echo "# K1 = $K1"
check "a second kernel is installed" test -n "$K1"
check_that "zsx's hook built zsx for $K1 (zsx.ko and zsxram.ko, its vermagic)" 'has_zsx "$K1" && vermagic_is "$K1"'
check "zsx's hook said what it built" grep -q "zsx: building zsx $V for $K1" "$W/last.log"
check "$K1 has its initramfs" test -s "$R/boot/initrd.img-$K1"

apt_run "upgrade to zsx-dkms $V+narrow1 (supports $K0's line only)" apt-get install -y -q /root/debs/zsx-dkms_${V}+narrow1_all.deb
check_that "the upgrade built zsx $V+narrow1 for $K0" 'has_zsx "$K0" && ls "$R/var/lib/dkms/zsx/$V+narrow1/$K0/x86_64/module/"zsx.ko* && [ ! -e "$R/var/lib/dkms/zsx/$V" ]'
check_that "the upgrade left $K1 without zsx (outside the range)" '[ -z "$(ko "$K1" dkms/zsx)" ]'
apt_run "reinstall $K1's image (a kernel outside the range)" apt-get install -y -q --reinstall "linux-image-$K1"
check "zsx's hook said $K1 is outside its range" grep -q "zsx: $K1 is outside the kernels zsx $V+narrow1 supports" "$W/last.log"
check_that "$K1 is still without zsx, its initramfs made" '[ -z "$(ko "$K1" dkms/zsx)" ] && [ -s "$R/boot/initrd.img-$K1" ]'

apt_run "remove zsx-dkms" apt-get remove -y -q zsx-dkms
check "no zsx module, source or DKMS state is left" clean
apt_run "a kernel postinst after the removal ($K1 reinstalled)" apt-get install -y -q --reinstall "linux-image-$K1"
apt_run "purge zsx-dkms" apt-get purge -y -q zsx-dkms
check_that "no hook, no package left" '! ls "$R"/etc/kernel/*/dkms-zsx && ! in_root "$R" dpkg-query -W zsx-dkms'

if [ "$SUITE" = bookworm ]; then
	check "make dkms-install KVER=$K0" mk dkms-install KVER="$K0"
	check "make dkms-install again (replaces what it installed)" mk dkms-install KVER="$K0"
	check_that "zsx $V installed by DKMS for $K0, the hooks in place" 'has_zsx "$K0" && [ -x "$R/etc/kernel/postinst.d/dkms-zsx" ] && [ -f "$R/usr/src/zsx-$V/dkms.conf" ]'
	check "make dkms-uninstall" mk dkms-uninstall
	check "make dkms-uninstall again" mk dkms-uninstall
	check_that "nothing left by dkms-install" 'clean && ! ls "$R"/etc/kernel/*/dkms-zsx'
	check "make install KVER=$K0" mk install KVER="$K0"
	check "make install again" mk install KVER="$K0"
	check_that "zsx.ko and zsxram.ko in /lib/modules/$K0/updates, known to modprobe" '[ -f "$R/lib/modules/$K0/updates/zsx.ko" ] && grep -q "^updates/zsxram.ko: updates/zsx.ko" "$R/lib/modules/$K0/modules.dep"'
	# the same tree built for another kernel: probed again for it
	check "make install KVER=$K1 from the same tree" mk install KVER="$K1"
	check "zsx.ko for $K1 has $K1's vermagic" vermagic_is "$K1" .
	check "make uninstall KVER=$K0" mk uninstall KVER="$K0"
	check "make uninstall again" mk uninstall KVER="$K0"
	check "make uninstall KVER=$K1" mk uninstall KVER="$K1"
	check_that "nothing left by make install" 'no_zsx && ! grep -q zsx "$R/lib/modules/$K0/modules.dep" "$R/lib/modules/$K1/modules.dep"'
fi

# the failure zsx avoids: a module dkms's own hook autoinstalls, excluded from K1
o=$R/usr/src/zsx-0.0.1
mkdir -p "$o" && cp -a "$R/root/zsx/Kbuild" "$R/root/zsx/src" "$o/"
k0re=$(printf '%s' "$K0" | sed 's/[.+]/\\&/g')
grep -v '^BUILD_EXCLUSIVE_KERNEL=' "$R/root/zsx/dkms.conf.in" | sed 's/@VERSION@/0.0.1/' > "$o/dkms.conf"
printf 'BUILD_EXCLUSIVE_KERNEL="^%s$"\nAUTOINSTALL="yes"\n' "$k0re" >> "$o/dkms.conf"
in_root "$R" "dkms add zsx/0.0.1" >> "$LOGF" 2>&1
in_root "$R" "apt-get install -y -q --reinstall linux-image-$K1" > "$W/last.log" 2>&1; rc=$?
cat "$W/last.log" >> "$LOGF"
if [ "$SUITE" = bookworm ]; then
	[ $rc != 0 ]; ok $? "control: with AUTOINSTALL=yes and BUILD_EXCLUSIVE_KERNEL skipping $K1, dkms 3.0.10 fails $K1's postinst (exit $rc)"
else
	echo "# control: with AUTOINSTALL=yes and BUILD_EXCLUSIVE_KERNEL skipping $K1, this dkms's hook exits $rc"
fi

echo "1..$N"
echo "# $SUITE: $((N - FAILS)) passed, $FAILS failed; apt's output in $LOGF"
[ $FAILS = 0 ]
