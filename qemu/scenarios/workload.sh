# A real program whose working set does not fit its memory cgroup, on Debian's
# own kernel, through every compressed-swap set-up in this one boot:
#   zswap on zsx, on the kernel's zsmalloc and on zbud (Debian 12's default),
#     each in front of a real swap disk (/dev/vda)
#   zram-style swap: zsxram on zsx, and the kernel's own zram (zsmalloc)
# The program: Debian's xz (-4: a 4 MiB dictionary, ~48 MiB of match-finder
# tables walked at random) compressing a tar of Debian binaries, in a cgroup
# limited to half of that. Rounds interleave the set-ups. One line per run:
#   ZSX-WORKLOAD config=C round=R wall_ms= user_ms= sys_ms= swapout_dev_pages=
#     stored_peak_pages= pool_peak_kib= ratio_x100= ok=1
# Kernel command line: zsx.bench=quick (1 round) | full (3 rounds)
mode=$(sed -n 's/.*zsx\.bench=\([a-z]*\).*/\1/p' /proc/cmdline)
case $mode in quick|smoke) ROUNDS=1 ;; *) mode=full; ROUNDS=3 ;; esac
LIMIT=${ZSX_WORKLOAD_LIMIT:-32M}
# zswap's compressed copies are charged to the group and cannot be written back
# with zsx or zsmalloc in 6.1: half the group at most, the rest to the disk
ZSWAP_MAX=16M
IN=/data/input.tar
XZ="/usr/lib/zsx-xz/ld.so --library-path /usr/lib/zsx-xz /usr/lib/zsx-xz/xz.bin"
ZS=/sys/module/zswap/parameters
ZD=/sys/kernel/debug/zswap
CG=/sys/fs/cgroup
PAGE=$(swapverify pagesize)
echo "ZSX-WORKLOAD info mode=$mode rounds=$ROUNDS limit=$LIMIT zswap_max=$ZSWAP_MAX input_kib=$(($(wc -c < $IN) / 1024)) kernel=$(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo) mem_mib=$(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo)"
mkdir -p /sbin && ln -sf /bin/modprobe /sbin/modprobe
check "modules: virtio disk, zsx, zsxram, zsmalloc, zram" sh -c \
	'modprobe virtio_blk && modprobe virtio_pci && modprobe zsx && modprobe zsxram && modprobe zram num_devices=1 &&
	 for i in 1 2 3 4 5; do [ -b /dev/vda ] && exit 0; sleep 1; done; exit 1'
check "swap disk formatted" sh -c "mkswap /dev/vda > /dev/null"
check "cgroup v2: a $LIMIT memory group" sh -c \
	"mount -t cgroup2 none $CG && echo +memory > $CG/cgroup.subtree_control && mkdir $CG/w && echo $LIMIT > $CG/w/memory.max && echo $ZSWAP_MAX > $CG/w/memory.zswap.max"
check "xz runs (Debian's binary and its libraries)" sh -c "$XZ --version | grep -q 'xz (XZ Utils)'"

setup() {
	case $1 in
	zswap-*) echo "${1#zswap-}" > $ZS/zpool && echo 1 > $ZS/enabled && swapon /dev/vda ;;
	zsxram) zsxram-up -s zsx 1G ;;
	zram) echo 1G > /sys/block/zram0/disksize && mkswap /dev/zram0 > /dev/null && swapon /dev/zram0 ;;
	esac
}
teardown() {
	case $1 in
	zswap-*) swapoff /dev/vda && echo 0 > $ZS/enabled ;;
	zsxram) swapoff /dev/zsxram0 && echo 1 > /sys/block/zsxram0/reset ;;
	zram) swapoff /dev/zram0 && echo 1 > /sys/block/zram0/reset ;;
	esac
}
# pool bytes and stored (uncompressed) bytes of the set-up now
pool_now() {
	case $1 in
	zswap-*) echo "$(cat $ZD/pool_total_size) $(($(cat $ZD/stored_pages) * PAGE))" ;;
	zsxram) awk '{print $3, $1}' /sys/block/zsxram0/mm_stat ;;
	zram) awk '{print $3, $1}' /sys/block/zram0/mm_stat ;;
	esac
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

CONFIGS="zswap-zsx zswap-zsmalloc zswap-zbud zsxram zram"
fails=0
for r in $(seq 1 $ROUNDS); do
	for cfg in $CONFIGS; do
		if ! setup $cfg; then fails=$((fails + 1)); echo "ZSX-WORKLOAD config=$cfg round=$r ok=0 (set-up failed)"; continue; fi
		sync; echo 3 > /proc/sys/vm/drop_caches
		out0=$(awk '$1 == "pswpout" {print $2}' /proc/vmstat)
		touch /tmp/running; sampler & sp=$!
		runstat $CG/w $XZ -4 -T1 -c $IN > /tmp/xz.out 2> /tmp/rs
		rc=$?
		rm -f /tmp/running; wait $sp
		out1=$(awk '$1 == "pswpout" {print $2}' /proc/vmstat)
		set -- $(cat /tmp/peak)
		peak=$1; at=$2
		ratio=0; [ "$peak" -gt 0 ] && ratio=$((at * 100 / peak))
		# the output must be xz's own: decompress it and compare with the input
		ok=0; [ $rc = 0 ] && $XZ -dc < /tmp/xz.out | cmp -s - $IN && ok=1
		[ $ok = 1 ] || fails=$((fails + 1))
		echo "ZSX-WORKLOAD config=$cfg round=$r $(awk '/^runstat:/ {for (i = 2; i < NF; i += 2) printf "%s=%s ", $i, $(i + 1)}' /tmp/rs)swapout_dev_pages=$((out1 - out0)) stored_peak_pages=$((at / PAGE)) pool_peak_kib=$((peak / 1024)) ratio_x100=$ratio out_kib=$(($(wc -c < /tmp/xz.out) / 1024)) ok=$ok" | tee -a /tmp/wl
		rm -f /tmp/xz.out
		teardown $cfg || fails=$((fails + 1))
	done
done
check "every run compressed and decompressed back to its input, every set-up came up and went" test $fails = 0
# swapped: pages held compressed at the peak, or written to the disk
check "the working set did not fit: every run swapped (pool or disk)" awk \
	'{ sw = 0; for (i = 1; i <= NF; i++) if ($i ~ /^(swapout_dev_pages|stored_peak_pages)=[1-9]/) sw = 1; if (!sw) bad++ } END { exit bad > 0 || NR == 0 }' /tmp/wl
