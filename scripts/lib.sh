# Shared helpers for zsx scripts (sourced, not run).
ZSX_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ZSX_CACHE=${ZSX_CACHE:-$HOME/.cache/zsx}
ZSX_BUILD=${ZSX_BUILD:-$ZSX_ROOT/build}

# a kernel splat of any kind in a console log (grep -E): every VM verdict
# (scripts/verdict.sh) and every count of them (scripts/stress.sh) uses this
ZSX_SPLAT_RE='BUG: |WARNING: |Oops|general protection fault|Kernel panic|KASAN: |KCSAN: |UBSAN: |'
ZSX_SPLAT_RE+='possible recursive locking|possible circular locking|inconsistent lock state|'
ZSX_SPLAT_RE+='turning off the locking correctness validator|suspicious RCU usage|'
ZSX_SPLAT_RE+='kmemleak: [0-9]+ new suspected memory leaks|unreferenced object 0x|Call Trace:|watchdog: BUG'

log() { printf '[zsx %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[zsx] ERROR: %s\n' "$*" >&2; exit 1; }

# cross prefix and kernel image for an arch
arch_cross() { case $1 in arm64) echo aarch64-linux-gnu- ;; x86_64) echo "" ;; *) die "unknown ARCH $1" ;; esac; }
arch_image() { case $1 in arm64) echo arch/arm64/boot/Image ;; x86_64) echo arch/x86/boot/bzImage ;; esac; }

# version of Debian's linux-source-6.1 package, part of every kernel cache key
source_version() { dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || die "linux-source-6.1 is not installed (run scripts/deps.sh)"; }

# run a long command with its output in a log file and a progress line every 30 s
run_logged() {
	local logf=$1; shift
	"$@" >"$logf" 2>&1 &
	local pid=$! start=$SECONDS last=$SECONDS
	while kill -0 $pid 2>/dev/null; do
		sleep 2
		if (( SECONDS - last >= 30 )); then
			last=$SECONDS
			log "  ... $((SECONDS - start))s: $(tail -n1 "$logf" | cut -c1-100)"
		fi
	done
	wait $pid
}

# cache_lock NAME: hold an exclusive lock on the cache item NAME until the
# calling script exits (fd 9), so that two scripts filling the same item (make
# check's prefetch and a step) take turns; the second finds the item done
cache_lock() {
	mkdir -p "$ZSX_CACHE/locks"
	exec 9>"$ZSX_CACHE/locks/$1.lock"
	flock -n 9 && return
	log "waiting for $1 (make check's prefetch or another run is filling it)"
	flock 9
}

# Kernel lines zsx is tested on, and the Debian suite whose linux-source-<line>
# package carries each ("host": installed on this machine by scripts/deps.sh)
ZSX_LINES="6.1 6.12 7.3"
line_suite() {
	case $1 in
	6.1) echo host ;;
	6.12) echo trixie ;;
	7.3) echo trixie-backports ;;
	*) die "unknown kernel line '$1' (one of: $ZSX_LINES)" ;;
	esac
}

# Debian build roots (scripts/debroot.sh). In a private mount namespace
# (unshare --mount --propagation private), debroot_mount BASE W makes W/merged
# an overlay of the cached root BASE with W/upper (the cache is never written),
# with /proc, /sys, /dev, a /tmp and the host's DNS; in_root DIR CMD runs CMD
# (sh -c) chrooted in DIR as root, with a clean environment.
debroot_mount() {
	local base=$1 w=$2
	mkdir -p "$w/upper" "$w/work" "$w/merged"
	mount -t overlay overlay -o "lowerdir=$base,upperdir=$w/upper,workdir=$w/work" "$w/merged" &&
		mount -t proc proc "$w/merged/proc" && mount -t sysfs sys "$w/merged/sys" &&
		mount --rbind /dev "$w/merged/dev" && mount -t tmpfs tmpfs "$w/merged/tmp" &&
		cp -L /etc/resolv.conf "$w/merged/etc/resolv.conf"
}
in_root() {
	local r=$1; shift
	chroot "$r" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 /bin/sh -c "$*"
}
