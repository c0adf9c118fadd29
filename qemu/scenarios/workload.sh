# A real program whose working set does not fit its memory cgroup, through
# every compressed-swap set-up this kernel has, in this one boot:
#   zswap (where the kernel has zpool: 6.1, 6.12) on zsx with deferred freeing
#     and without, on the kernel's zsmalloc and on zbud where it exists, each
#     in front of a real swap disk (/dev/vda)
#   zram-style swap: zsxram on zsx with deferred freeing and without, and the
#     kernel's own zram (zsmalloc)
# The program: Debian's xz (-4: a 4 MiB dictionary, ~48 MiB of match-finder
# tables walked at random) compressing a tar of Debian binaries, in a cgroup
# limited to half of that. Rounds interleave the set-ups. One line per run:
#   ZSX-WORKLOAD config=C round=R wall_ms= user_ms= sys_ms= swapout_dev_pages=
#     stored_peak_pages= pool_peak_kib= ratio_x100= drained= drain_us=
#     enqueued= fallbacks= ok=1
# drained, drain_us: the handles zsx's drainers freed during the run and the
# time they took (every zsx pool's debugfs deferred file, summed).
# Then the race: on each zsxram set-up (and zswap's in full mode), the same
# xz while, in the same group, processes one after another (a quarter of a
# second apart) fill 8 MiB, push it to swap and exit: their slots are freed
# while xz allocates under the limit and reclaim runs (config=C+race,
# exiters= the processes that ran).
# Kernel command line: zsx.bench=quick (2 rounds) | full (4 rounds, and zbud).
# Each round runs the set-ups in another order (a run's time under TCG
# depends on what ran before it): medians over rounds are what to compare.
mode=$(sed -n 's/.*zsx\.bench=\([a-z]*\).*/\1/p' /proc/cmdline)
case $mode in quick|smoke) ROUNDS=2 ;; *) mode=full; ROUNDS=4 ;; esac
LIMIT=${ZSX_WORKLOAD_LIMIT:-32M}
# zswap's compressed copies are charged to the group and cannot be written back
# with zsx or zsmalloc in 6.1: half the group at most, the rest to the disk
ZSWAP_MAX=16M
IN=/data/input.tar
XZ="/usr/lib/zsx-xz/ld.so --library-path /usr/lib/zsx-xz /usr/lib/zsx-xz/xz.bin"
ZS=/sys/module/zswap/parameters
ZD=/sys/kernel/debug/zswap
ZX=/sys/module/zsx/parameters/deferred
CG=/sys/fs/cgroup
PAGE=$(swapverify pagesize)
echo "ZSX-WORKLOAD info mode=$mode rounds=$ROUNDS limit=$LIMIT zswap_max=$ZSWAP_MAX input_kib=$(($(wc -c < $IN) / 1024)) kernel=$(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo) mem_mib=$(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo)"
mkdir -p /sbin && ln -sf /bin/modprobe /sbin/modprobe
# a module from the kernel's tree, built in, or one of ours under /lib/zsx
load() { m=$1; shift; modprobe "$m" "$@" 2>/dev/null || [ -d /sys/module/$m ] || insmod /lib/zsx/$m.ko "$@"; }
load_all() {
	load virtio_blk && load virtio_pci && load zsx && load zsxram && load zram num_devices=1 || return 1
	for i in 1 2 3 4 5; do [ -b /dev/vda ] && return 0; sleep 1; done
	return 1
}
check "modules: virtio disk, zsx, zsxram, zram" load_all
check "swap disk formatted" sh -c "mkswap /dev/vda > /dev/null"
check "cgroup v2: a $LIMIT memory group" sh -c \
	"mount -t cgroup2 none $CG && echo +memory > $CG/cgroup.subtree_control && mkdir $CG/w && echo $LIMIT > $CG/w/memory.max && { [ ! -e $CG/w/memory.zswap.max ] || echo $ZSWAP_MAX > $CG/w/memory.zswap.max; }"
check "xz runs (Debian's binary and its libraries)" sh -c "$XZ --version | grep -q 'xz (XZ Utils)'"

# zswap: only where zpool exists; its pool is made when zpool changes, so a
# set-up first moves zswap off the allocator it wants
zswap_select() {
	[ "$(cat $ZS/zpool)" = "$1" ] && { echo zsmalloc > $ZS/zpool || return 1; }
	[ "$1" = zsmalloc ] && [ "$(cat $ZS/zpool)" = zsmalloc ] && { echo zsx > $ZS/zpool || return 1; }
	echo "$1" > $ZS/zpool
}
setup() {
	case $1 in
	zswap-zsx) echo percpu > $ZX && zswap_select zsx && echo 1 > $ZS/enabled && swapon /dev/vda ;;
	zswap-zsx-sync) echo off > $ZX && zswap_select zsx && echo 1 > $ZS/enabled && swapon /dev/vda ;;
	zswap-*) zswap_select "${1#zswap-}" && echo 1 > $ZS/enabled && swapon /dev/vda ;;
	zsxram) zsxram-up -s zsx:classidx_unlocked_free:deferred 1G ;;
	zsxram-sync) zsxram-up -s zsx:classidx_unlocked_free:nodeferred 1G ;;
	zram) echo 1G > /sys/block/zram0/disksize && mkswap /dev/zram0 > /dev/null && swapon /dev/zram0 ;;
	esac
}
teardown() {
	case $1 in
	zswap-*) swapoff /dev/vda && echo 0 > $ZS/enabled && echo percpu > $ZX ;;
	zsxram*) swapoff /dev/zsxram0 && echo 1 > /sys/block/zsxram0/reset ;;
	zram) swapoff /dev/zram0 && echo 1 > /sys/block/zram0/reset ;;
	esac
}
# pool bytes and stored (uncompressed) bytes of the set-up now
pool_now() {
	case $1 in
	zswap-*) echo "$(cat $ZD/pool_total_size) $(($(cat $ZD/stored_pages) * PAGE))" ;;
	zsxram*) awk '{print $3, $1}' /sys/block/zsxram0/mm_stat ;;
	zram) awk '{print $3, $1}' /sys/block/zram0/mm_stat ;;
	esac
}
# the drainers' work so far, over every zsx pool: "drained drain_us enqueued fallbacks"
drainers_now() {
	cat /sys/kernel/debug/zsx/*/deferred 2>/dev/null | awk '
		$1 == "drained" { d += $2 } $1 == "drain_time_us" { t += $2 }
		$1 == "enqueued" { e += $2 } $1 == "sync_fallbacks" { f += $2 }
		END { printf "%d %d %d %d\n", d, t, e, f }'
}
# sample the pool until the flag file goes; keep the peak and what it stored then
sampler() {
	peak=0; at=0
	while [ -f /tmp/running ]; do
		set -- $(pool_now "$cfg")
		[ "${1:-0}" -gt $peak ] && { peak=$1; at=${2:-0}; }
		usleep 200000
	done
	echo "$peak $at" > /tmp/peak
}
# processes that fill 8 MiB in the group, push it to swap and exit, one after
# another until the flag file goes
exiters() {
	n=0
	echo 0 > $CG/w/cgroup.procs # this process (a subshell: $$ is its parent's)
	while [ -f /tmp/running ]; do
		munmapbench 1 8 $((n + 11)) > /dev/null 2>&1 && n=$((n + 1))
		usleep 250000
	done
	echo $n > /tmp/exiters
}

# one run of xz on set-up $cfg; $1: "race" to run the exiters beside it
run_xz() {
	sync; echo 3 > /proc/sys/vm/drop_caches
	out0=$(awk '$1 == "pswpout" {print $2}' /proc/vmstat)
	set -- "${1:-}" $(drainers_now)
	race=$1; d0=$2; t0=$3; e0=$4; f0=$5
	touch /tmp/running; sampler & sp=$!
	ep=
	[ "$race" = race ] && { rm -f /tmp/exiters; exiters & ep=$!; }
	runstat $CG/w $XZ -4 -T1 -c $IN > /tmp/xz.out 2> /tmp/rs
	rc=$?
	rm -f /tmp/running; wait $sp; [ -n "$ep" ] && wait $ep
	out1=$(awk '$1 == "pswpout" {print $2}' /proc/vmstat)
	set -- $(cat /tmp/peak) $(drainers_now)
	peak=$1; at=$2
	ratio=0; [ "$peak" -gt 0 ] && ratio=$((at * 100 / peak))
	# the output must be xz's own: decompress it and compare with the input
	ok=0; [ $rc = 0 ] && $XZ -dc < /tmp/xz.out | cmp -s - $IN && ok=1
	name=$cfg; extra=
	[ "$race" = race ] && { name=$cfg+race; extra="exiters=$(cat /tmp/exiters) "; }
	echo "ZSX-WORKLOAD config=$name round=$r $(awk '/^runstat:/ {for (i = 2; i < NF; i += 2) printf "%s=%s ", $i, $(i + 1)}' /tmp/rs)swapout_dev_pages=$((out1 - out0)) stored_peak_pages=$((at / PAGE)) pool_peak_kib=$((peak / 1024)) ratio_x100=$ratio drained=$(($3 - d0)) drain_us=$(($4 - t0)) enqueued=$(($5 - e0)) fallbacks=$(($6 - f0)) ${extra}out_kib=$(($(wc -c < /tmp/xz.out) / 1024)) ok=$ok" | tee -a /tmp/wl
	rm -f /tmp/xz.out
	[ $ok = 1 ]
}

CONFIGS="zsxram zsxram-sync zram"
RACE="zsxram zsxram-sync"
if [ -e $ZS/zpool ]; then
	zbud=; [ $mode = full ] && load zbud && zbud=zswap-zbud
	CONFIGS="zswap-zsx zswap-zsx-sync zswap-zsmalloc $zbud $CONFIGS"
	# behind zswap a run takes minutes under TCG (reclaim against its cap):
	# the race runs there in full mode only
	[ $mode = full ] && RACE="zswap-zsx zswap-zsx-sync $RACE"
elif [ -e $ZS/enabled ]; then
	echo 0 > $ZS/enabled # 7.x: zswap would sit in front of every swap device
fi
echo "ZSX-WORKLOAD configs $CONFIGS race $RACE"
fails=0
# the set-ups of round r, rotated by r
rotate() { echo $2 | awk -v r=$1 '{ for (i = 0; i < NF; i++) printf "%s ", $(((i + r - 1) % NF) + 1) }'; }
for r in $(seq 1 $ROUNDS); do
	for cfg in $(rotate $r "$CONFIGS"); do
		if ! setup $cfg; then fails=$((fails + 1)); echo "ZSX-WORKLOAD config=$cfg round=$r ok=0 (set-up failed)"; continue; fi
		run_xz || fails=$((fails + 1))
		teardown $cfg || fails=$((fails + 1))
	done
	for cfg in $(rotate $r "$RACE"); do
		if ! setup $cfg; then fails=$((fails + 1)); echo "ZSX-WORKLOAD config=$cfg+race round=$r ok=0 (set-up failed)"; continue; fi
		run_xz race || fails=$((fails + 1))
		teardown $cfg || fails=$((fails + 1))
	done
done
check "every run compressed and decompressed back to its input, every set-up came up and went" test $fails = 0
# swapped: pages held compressed at the peak, or written to the disk
check "the working set did not fit: every run swapped (pool or disk)" awk \
	'{ sw = 0; for (i = 1; i <= NF; i++) if ($i ~ /^(swapout_dev_pages|stored_peak_pages)=[1-9]/) sw = 1; if (!sw) bad++ } END { exit bad > 0 || NR == 0 }' /tmp/wl
check "deferred set-ups parked their frees and drainers freed them; the synchronous ones parked none" awk \
	'/config=(zswap-zsx|zsxram)(\+race)? / { if ($0 !~ / enqueued=[1-9]/ || $0 !~ / drained=[1-9]/) bad++ }
	 /config=(zswap-zsx-sync|zsxram-sync)(\+race)? / { if ($0 !~ / enqueued=0 /) bad++ }
	 END { exit bad > 0 }' /tmp/wl
check "the race: processes exited (and freed their slots) during every raced run" awk \
	'/\+race / { if ($0 !~ / exiters=[1-9]/) bad++; n++ } END { exit bad > 0 || n == 0 }' /tmp/wl
