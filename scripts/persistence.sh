#!/bin/bash
# zswap on zsx across reboots, set up exactly as README tells a user, on
# Debian 12's own kernels (6.1 and 6.12 from bookworm-security), in a Debian
# 12 root (scripts/debroot.sh) booted under QEMU from a disk image:
#   scripts/persistence.sh
# 1. zsx-dkms installed; README's boot-time way: zsx in the initramfs and its
#    init-premount script; then a kernel update (6.12), whose initramfs must
#    carry zsx without another step. Each kernel boots; qemu/guest/persist-check finds
#    zswap on zsx from before the root was mounted, and a workload's pages all
#    in a zsx pool.
# 2. README's after-boot way instead (modules-load.d and zsx-zswap.service,
#    swap from fstab): a systemd boot finds zswap switched to zsx early, and
#    the workload's pages all in a zsx pool.
# 3. zsx-dkms purged, the files of 2 left in place: the next boot comes up on
#    the kernel's default zpool, zsx not loaded.
# Each boot is judged by scripts/verdict.sh; exits 1 if any failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
W=$ZSX_BUILD/debroot/persist
EX=/usr/share/doc/zsx-dkms/examples

if [ -z "${ZSX_PERSIST_INNER:-}" ]; then
	base=$(bash "$ZSX_ROOT/scripts/debroot.sh" bookworm) || exit 1
	rm -rf "$W" && mkdir -p "$W/out"
	make -s -C "$ZSX_ROOT" deb > "$W/deb.log" 2>&1 || { cat "$W/deb.log"; exit 1; }
	bash "$ZSX_ROOT/scripts/guest-progs.sh" x86_64 || exit 1
	fails=0
	# set-up N: the root changed as README says, then a disk image of it
	for stage in initramfs systemd purged; do
		ZSX_PERSIST_INNER=$stage unshare --mount --propagation private bash "$0" "$base" || {
			log "persistence: setting up '$stage' failed (log: $W/setup.log)"; tail -30 "$W/setup.log"; exit 1; }
		read -r k0 k1 < "$W/out/kernels"
		case $stage in
		initramfs) boots="$k0:zsx:init=/usr/local/sbin/zsx-persist-check $k1:zsx:init=/usr/local/sbin/zsx-persist-check" ;;
		systemd) boots="$k0:zsx:" ;;
		purged) boots="$k0:default:" ;;
		esac
		for b in $boots; do
			IFS=: read -r k expect extra <<< "$b"
			ZSX_VM_APPEND="root=/dev/vda rw zsx.expect=$expect $extra" ZSX_VM_DISK=$W/out/root.img \
				bash "$ZSX_ROOT/scripts/vm.sh" x86_64 "$W/out/vmlinuz-$k" "$W/out/initrd.img-$k" persist \
				"$ZSX_BUILD/vm/persist-$stage-$k.log" 600 || fails=$((fails + 1))
		done
	done
	[ $fails = 0 ]
	exit
fi

# ---- inside a private mount namespace: one stage's changes to the root ----
stage=$ZSX_PERSIST_INNER base=$1
R=$W/merged
exec >> "$W/setup.log" 2>&1
echo "==== $stage"
debroot_mount "$base" "$W" || exit 1
set -e
run() { echo "# $*"; in_root "$R" "$*"; }
K0=$(ls "$R/lib/modules" | sort -V | head -1)
case $stage in
initramfs)
	cp "$ZSX_BUILD"/zsx-dkms_"$(cat "$ZSX_ROOT/VERSION")"_all.deb "$R/root/"
	install -m755 "$ZSX_ROOT/qemu/guest/persist-check" "$R/usr/local/sbin/zsx-persist-check"
	install -m755 "$ZSX_BUILD/guest/x86_64/swapverify" "$R/usr/local/bin/swapverify"
	run apt-get update -q
	# a machine with systemd and 6.1
	run apt-get install -y -q systemd-sysv /root/zsx-dkms_*_all.deb
	# no zero blocks: the image copy (mkfs.ext4 -d) leaves holes for them, and
	# swapon refuses a file with holes
	run "tr '\\0' '\\377' < /dev/zero | head -c 256M > /swapfile && chmod 600 /swapfile && mkswap /swapfile"
	run "echo root:zsx | chpasswd"
	# README, "At boot, before swap is on"
	run "echo zsx >> /etc/initramfs-tools/modules"
	run "install -m755 $EX/initramfs-zsx-zswap /etc/initramfs-tools/scripts/init-premount/zsx-zswap"
	run update-initramfs -u -k all
	# then a kernel update, 6.12 from bookworm-security: zsx's hook builds zsx
	# for it before its initramfs is made, which must carry zsx too
	run apt-get install -y -q linux-image-6.12-amd64 linux-headers-6.12-amd64
	run "lsinitramfs /boot/initrd.img-\$(ls /lib/modules | sort -V | tail -1) | grep -q '/zsx\.ko'"
	;;
systemd)
	# README's uninstall of the boot-time way, then "After boot, from systemd"
	run "rm /etc/initramfs-tools/scripts/init-premount/zsx-zswap && sed -i '/^zsx\$/d' /etc/initramfs-tools/modules && update-initramfs -u -k all"
	run "cp $EX/modules-load.d/zsx.conf /etc/modules-load.d/zsx.conf"
	run "cp $EX/zsx-zswap.service /etc/systemd/system/ && systemctl enable zsx-zswap"
	run "echo '/swapfile none swap sw 0 0' >> /etc/fstab"
	# the harness's own unit: the checks once the system is up
	printf '[Unit]\nDescription=zsx persistence check\nAfter=zsx-zswap.service swap.target\n[Service]\nType=simple\nExecStart=/usr/local/sbin/zsx-persist-check\nStandardOutput=journal+console\n[Install]\nWantedBy=multi-user.target\n' \
		> "$R/etc/systemd/system/zsx-persist-check.service"
	run systemctl enable zsx-persist-check
	;;
purged)
	run apt-get purge -y -q zsx-dkms
	;;
esac
K1=$(ls "$R/lib/modules" | sort -V | tail -1)
echo "$K0 $K1" > "$W/out/kernels"
cp "$R/boot/vmlinuz-$K0" "$R/boot/vmlinuz-$K1" "$R/boot/initrd.img-$K0" "$R/boot/initrd.img-$K1" "$W/out/"
# the disk the VM boots: the root as it now is (without the host's mounts)
umount -R "$R/proc" "$R/sys" "$R/dev" "$R/tmp"
rm -f "$W/out/root.img"
truncate -s 3G "$W/out/root.img"
mkfs.ext4 -q -L root -E root_owner=0:0 -d "$R" "$W/out/root.img"
