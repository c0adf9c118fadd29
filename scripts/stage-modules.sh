#!/bin/bash
# What README tells a user to do, into a staging root instead of the system:
#   scripts/stage-modules.sh dkms|install|prebuilt KVER HEADERS STAGE [ARCH]
#   dkms:    DKMS adds, builds and installs zsx (dkms.conf) for KVER against HEADERS,
#            its trees under STAGE; the modules land in updates/dkms
#   install: `make install KDIR=HEADERS INSTALL_MOD_PATH=...` from a copy of the
#            sources (cross-compiled for ARCH=arm64); the modules land in updates
#   prebuilt: the modules a Debian build root built (ZSX_STAGE_PREBUILT)
# The build machine's /usr/src, /lib/modules and DKMS tree are not touched (DKMS
# signs modules with the machine's MOK key, /var/lib/dkms/mok.*, which it creates
# once as on any Debian machine). STAGE/root/lib/modules/KVER ends up holding the
# zsx modules, the distribution modules the guest needs (ZSX_STAGE_KO: paths
# relative to the distribution's module tree ZSX_STAGE_MODTREE, default
# /lib/modules/KVER) and depmod's files. Prints STAGE/root.
set -euo pipefail
# make check's environment exports ARCH (empty) and maybe CROSS_COMPILE: this
# script's ARCH is its argument, not exported; a cross build names its own
unset ARCH CROSS_COMPILE
. "$(dirname "$0")/lib.sh"
MODE=${1:?dkms|install}; KVER=${2:?KVER}; HDR=${3:?HEADERS}; STAGE=${4:?STAGE}; ARCH=${5:-x86_64}
MODTREE=${ZSX_STAGE_MODTREE:-/lib/modules/$KVER}
root=$STAGE/root
mdir=$root/lib/modules/$KVER
rm -rf "$STAGE" && mkdir -p "$STAGE/src" "$STAGE/dkms" "$mdir"
# the distribution's modules first, with everything they depend on (modinfo:
# the packages ship no modules.dep), so depmod sees the whole tree
# (compressed modules, as 6.12's, are staged decompressed: busybox's modprobe
# in the guest reads plain .ko files)
stage_ko() {
	local rel=$1 dep path from
	[ -f "$mdir/$rel" ] && return 0
	from=$(ls "$MODTREE/$rel" "$MODTREE/$rel".xz "$MODTREE/$rel".zst 2>/dev/null | head -1 || true)
	[ -n "$from" ] || die "stage: no $rel in $MODTREE"
	mkdir -p "$(dirname "$mdir/$rel")"
	case $from in
	*.xz) xz -dc "$from" > "$mdir/$rel" ;;
	*.zst) zstd -qdc "$from" > "$mdir/$rel" ;;
	*) install -m644 "$from" "$mdir/$rel" ;;
	esac
	for dep in $(/sbin/modinfo -F depends "$from" | tr ',' ' '); do
		path=$(cd "$MODTREE" && find kernel -name "$dep.ko*" -o -name "$(echo "$dep" | tr _ -).ko*" | head -1)
		[ -n "$path" ] || die "stage: $rel depends on $dep, not found in $MODTREE"
		stage_ko "${path%.ko*}.ko"
	done
}
for ko in ${ZSX_STAGE_KO:-}; do stage_ko "$ko"; done
for f in modules.builtin modules.builtin.modinfo modules.order; do
	[ -f "$MODTREE/$f" ] && cp "$MODTREE/$f" "$mdir/"
done
cross=()
karch=x86_64
if [ "$ARCH" = arm64 ]; then cross=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-); karch=aarch64; fi
# the sources as a user has them: dkms, the tree `make dkms-install` copies to
# /usr/src/zsx-<ver>; install, a checkout
ver=$(bash "$ZSX_ROOT/scripts/dkms-tree.sh" "$STAGE/src")
src=$STAGE/src/zsx-$ver
[ "$MODE" = install ] && cp -a "$ZSX_ROOT"/{Makefile,VERSION} "$src/"
case $MODE in
dkms)
	command -v dkms >/dev/null || die "dkms is not installed (scripts/deps.sh installs it)"
	trees=(--sourcetree "$STAGE/src" --dkmstree "$STAGE/dkms" --installtree "$root/lib/modules")
	log "stage: dkms add, build, install zsx $ver for $KVER ($ARCH) against $HDR"
	{ dkms add -m zsx -v "$ver" "${trees[@]}" &&
	  env "${cross[@]}" dkms build -m zsx -v "$ver" -k "$KVER/$karch" --kernelsourcedir "$HDR" "${trees[@]}" &&
	  env "${cross[@]}" dkms install -m zsx -v "$ver" -k "$KVER/$karch" --kernelsourcedir "$HDR" --force "${trees[@]}"
	} >"$STAGE/build.log" 2>&1 || { cat "$STAGE/build.log" "$STAGE"/dkms/zsx/"$ver"/build/make.log >&2 2>/dev/null; die "dkms failed"; }
	cat "$STAGE/dkms/zsx/$ver/$KVER/$karch/log/make.log" >> "$STAGE/build.log"
	where=updates/dkms
	;;
install)
	log "stage: make install for $KVER ($ARCH) against $HDR"
	make -C "$src" KDIR="$HDR" INSTALL_MOD_PATH="$root" "${cross[@]}" install >"$STAGE/build.log" 2>&1 || {
		cat "$STAGE/build.log" >&2; die "make install failed"; }
	where=updates
	;;
prebuilt)
	# built in a build root of the kernel's own release (Debian 13's compiler):
	# ZSX_STAGE_PREBUILT holds zsx.ko and zsxram.ko as installed there (maybe
	# compressed), ZSX_STAGE_WHERE where (updates/dkms or updates),
	# ZSX_STAGE_BUILDLOG the build's output
	where=${ZSX_STAGE_WHERE:-updates/dkms}
	mkdir -p "$mdir/$where"
	for m in zsx zsxram; do
		from=$(ls "$ZSX_STAGE_PREBUILT/$m.ko" "$ZSX_STAGE_PREBUILT/$m.ko.xz" "$ZSX_STAGE_PREBUILT/$m.ko.zst" 2>/dev/null | head -1 || true)
		[ -n "$from" ] || die "stage: no $m.ko in $ZSX_STAGE_PREBUILT"
		case $from in
		*.xz) xz -dc "$from" > "$mdir/$where/$m.ko" ;;
		*.zst) zstd -qdc "$from" > "$mdir/$where/$m.ko" ;;
		*) cp "$from" "$mdir/$where/$m.ko" ;;
		esac
	done
	cp "${ZSX_STAGE_BUILDLOG:-/dev/null}" "$STAGE/build.log"
	;;
*) die "stage mode $MODE: dkms, install or prebuilt" ;;
esac
if grep -E "warning:|error:" "$STAGE/build.log" | grep -v "Skipping BTF" >&2; then die "the build produced warnings (see above)"; fi
inst=$(cd "$mdir/$where" && ls | tr '\n' ' ')
[ "$inst" = "zsx.ko zsxram.ko " ] || die "$MODE installed '$inst' in $where, expected exactly zsx.ko and zsxram.ko"
# the product build exports the zsmalloc-like API alone (tests use a test build)
objc=objcopy; [ "$ARCH" = arm64 ] && objc=aarch64-linux-gnu-objcopy
exports=$($objc -O binary --only-section=__ksymtab_strings "$mdir/$where/zsx.ko" /dev/stdout | tr '\0' '\n' | grep . | sort)
leaked=$(echo "$exports" | grep -vE '^zsx_(create_pool|create_pool_opts|destroy_pool|malloc|free|free_deferred|free_deferred_flush|map_object|unmap_object|obj_read_begin|obj_read_end|obj_write|get_total_pages|compact|pool_stats|huge_class_size|lookup_class_index)$' || true)
[ -n "$exports" ] && [ -z "$leaked" ] || die "$MODE: the product zsx.ko exports more than the public API: ${leaked:-nothing at all}"
depmod -b "$root" "$KVER"
grep -q "^$where/zsxram.ko:.*$where/zsx.ko" "$mdir/modules.dep" || die "depmod: zsxram does not depend on zsx"
log "stage: $MODE installed $inst-> $mdir/$where"
echo "$root"
