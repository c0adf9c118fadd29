# make trace: where does zs_free time go, and which path did it take? perf in
# the guest records the zsx:* tracepoints plus entry/return probes on
# zsx_free, zsx_free_deferred and the kernel's own zs_free while the munmap
# workload releases swap on zsxram, once per free path and once with the
# kernel's zsmalloc. The raw perf data and `perf script` text go back to the
# host on /dev/vda (a tar archive); scripts/trace-report.py summarises them.
# Kernel command line: zsx.trace_mib=N (MiB per process, 2 processes).
MIB=$(sed -n 's/.*zsx\.trace_mib=\([0-9]*\).*/\1/p' /proc/cmdline)
MIB=${MIB:-32}
S=/sys/block/zsxram0
O=/tmp/trace
mkdir -p $O
mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
echo "ZSX-TRACE info mib=$MIB kernel=$(uname -r) arch=$(uname -m)"
check "insmod zsx, zsxram" sh -c "insmod /lib/zsx/zsx.ko && insmod /lib/zsx/zsxram.ko"
check "perf runs in the guest" sh -c "perf --version | tee $O/perf-version"
check "perf lists the 6 zsx tracepoints" sh -c "[ \$(perf list 'zsx:*' 2>/dev/null | grep -c 'zsx:zsx_') = 6 ]"
check "perf probe: zsx_free, zsx_free_deferred entry and return (zsx.ko debug info)" sh -c \
	"perf probe -q -m /lib/zsx/zsx.ko -a zsx_free -a zsx_free%return -a zsx_free_deferred -a zsx_free_deferred%return 2>&1"
check "perf probe: the kernel's zs_free entry and return" sh -c "perf probe -q -a zs_free -a zs_free%return 2>&1"
perf probe -l 2>&1 | sed 's/^/ZSX-INFO: probe: /'
PROBES="-e probe:zsx_free -e probe:zsx_free__return -e probe:zsx_free_deferred -e probe:zsx_free_deferred__return -e probe:zs_free -e probe:zs_free__return"
# record NAME OUTFILE PERF-ARGS...: run the munmap workload and record its munmap
# phase (plus one second after it, for the deferred drain). "@pids" in the
# arguments becomes the workload's processes (for a profile of munmap alone).
record() {
	rname=$1 rout=$2; shift 2
	rm -f /tmp/gate.ready /tmp/gate.go
	MUNMAPBENCH_GATE=/tmp/gate munmapbench 2 $MIB > $O/$rname.munmap 2>&1 &
	mbpid=$!
	while [ ! -f /tmp/gate.ready ] && kill -0 $mbpid 2>/dev/null; do sleep 0.2; done
	if [ "$1" = @pids ]; then
		shift
		perf record -q -p "$(cat /tmp/gate.ready)" "$@" -o $rout > $O/$rname.record 2>&1 &
	else
		perf record -q -a "$@" -o $rout > $O/$rname.record 2>&1 &
	fi
	ppid=$!
	sleep 2 # perf is set up
	touch /tmp/gate.go
	wait $mbpid
	mbrc=$?
	sleep 1
	kill -INT $ppid
	wait $ppid
	prc=$?
	# perf record ends on SIGINT by re-raising it (status 130)
	[ $mbrc = 0 ] && { [ $prc = 0 ] || [ $prc = 130 ]; } && ! grep -qi lost $O/$rname.record
}
D=/sys/kernel/debug/zsx/zsxram0/deferred
for run in zsx-base:zsx:base:nodeferred zsx-classidx:zsx:classidx:nodeferred \
	zsx-unlocked:zsx:classidx_unlocked_free:nodeferred zsx-deferred:zsx:classidx_unlocked_free:deferred \
	kernel-zsmalloc:zsmalloc; do
	name=${run%%:*} alloc=${run#*:}
	check "$name: zsxram0 ($alloc) as swap" zsxram-up -s "$alloc" 512M
	# 1. latency: entry/return probes only (tracepoints off: they would bill
	#    their own cost to zsx and not to zs_free); the drain event is once per drain
	check "$name: latency recording (probes), munmap phase, no lost events" \
		record $name.lat $O/$name.lat.data -m 1024 $PROBES -e zsx:zsx_deferred_drain
	perf script -i $O/$name.lat.data --ns -F cpu,time,event,trace > $O/$name.lat.txt 2>/dev/null
	check "$name: perf script decoded the probe events" test "$(grep -c 'probe:z' $O/$name.lat.txt)" -gt 1000
	sed 's/^/ZSX-INFO: latency run: /' $O/$name.lat.munmap
	# 2. paths: every zsx:* tracepoint, no probes
	check "$name: path recording (zsx:* tracepoints), munmap phase, no lost events" \
		record $name.paths $O/$name.paths.data -m 1024 -e 'zsx:*'
	perf script -i $O/$name.paths.data --ns -F cpu,time,event,trace > $O/$name.paths.txt 2>/dev/null
	[ -f $D ] && sed 's/^/ZSX-DEFERRED '$name' /' $D | tee $O/$name.deferred
	# 3. where the munmap time goes: cpu-clock samples of the workload's processes
	case $name in zsx-base|zsx-deferred|kernel-zsmalloc)
		check "$name: cpu-clock profile of the munmap phase" record $name.prof $O/$name.prof.data @pids -g -e cpu-clock -F 10000
		perf report -i $O/$name.prof.data --stdio --no-children --sort sym --percent-limit 2 -g none 2>/dev/null |
			grep -v '^#' | grep '%' | head -20 > $O/$name.profile
		sed 's/^/ZSX-INFO: profile '$name': /' $O/$name.profile
	esac
	check "$name: swapoff, reset" sh -c "swapoff /dev/zsxram0 && echo 1 > $S/reset"
done
perf probe -q -d 'probe:*'
check "hand the recordings to the host (/dev/vda)" sh -c "[ -b /dev/vda ] && tar -cf /dev/vda -C /tmp trace && sync"
check "rmmod zsxram zsx" sh -c "rmmod zsxram && rmmod zsx"
