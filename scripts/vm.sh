#!/bin/bash
# Boot a guest under QEMU TCG and judge the run:
#   scripts/vm.sh ARCH KERNEL INITRD SCENARIO LOG [TIMEOUT_S]
# Fails on any splat (BUG, WARNING, Oops, KASAN, KCSAN, lockdep, kmemleak), a
# failed check or KUnit case, a panic, a timeout, or a missing sentinel.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
ARCH=${1:?ARCH}; KERNEL=${2:?KERNEL}; INITRD=${3:?INITRD}; SCENARIO=${4:?SCENARIO}; LOG=${5:?LOG}
TIMEOUT=${6:-600}
MEM=${ZSX_VM_MEM:-1024}
append="panic=-1 oops=panic panic_on_warn=1 kasan.fault=panic softlockup_panic=1 zsx.scenario=$SCENARIO ${ZSX_VM_APPEND:-}"
mkdir -p "$(dirname "$LOG")"
log "vm: $ARCH scenario=$SCENARIO${ZSX_VM_ICOUNT:+ icount=$ZSX_VM_ICOUNT} kernel=$(basename "$(dirname "$(dirname "$(dirname "$KERNEL")")")")/$(basename "$KERNEL") log=$LOG"
t0=$(date +%s.%N)
# ZSX_VM_ICOUNT=1: one vCPU on single-threaded TCG with -icount shift=0, where QEMU
# counts every retired guest instruction (one per ns of virtual time) and the
# arm64 PMU's INST_RETIRED reads that count (make bench ARCH=arm64, icount boot)
if [ "${ZSX_VM_ICOUNT:-0}" = 1 ]; then
	accel=(-accel tcg,thread=single -icount shift=0 -smp 1)
else
	accel=(-accel tcg,thread=multi -smp 2)
	# ZSX_VM_MAXCPUS=N (x86_64): two present CPUs of N possible (hot-pluggable
	# slots: per-CPU memory sized by N). TCG takes at most 255 without x2APIC.
	# arm64 has no such boot: the virt board's device tree lists present CPUs
	# only, and N present vCPUs (GICv3, maxcpus=2) took 646 s to boot at 512.
	if [ -n "${ZSX_VM_MAXCPUS:-}" ]; then
		[ "$ARCH" = x86_64 ] || die "ZSX_VM_MAXCPUS: x86_64 only"
		append="$append zsx.possible_cpus=$ZSX_VM_MAXCPUS"
		accel=(-accel tcg,thread=multi -smp "2,maxcpus=$ZSX_VM_MAXCPUS")
	fi
fi
case $ARCH in
x86_64) qemu=(qemu-system-x86_64 -cpu max -append "console=ttyS0 $append") ;;
arm64) qemu=(qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on -append "console=ttyAMA0 $append") ;;
esac
# ZSX_VM_DISK: a raw image the guest sees as /dev/vda (results handed back to the host)
if [ -n "${ZSX_VM_DISK:-}" ]; then
	case $ARCH in x86_64) dev=virtio-blk-pci ;; arm64) dev=virtio-blk-device ;; esac
	qemu+=(-drive "if=none,id=out0,format=raw,file=$ZSX_VM_DISK" -device "$dev,drive=out0")
fi
timeout --foreground -k 5 "$TIMEOUT" "${qemu[@]}" "${accel[@]}" -m "$MEM" \
	-nographic -no-reboot -kernel "$KERNEL" -initrd "$INITRD" </dev/null >"$LOG" 2>&1 &
pid=$!
# a progress line every 30 s: elapsed time and the guest's last check or suite
start=$SECONDS last=$SECONDS
while kill -0 $pid 2>/dev/null; do
	sleep 2
	if (( SECONDS - last >= 30 )); then
		last=$SECONDS
		phase=$(tr -d '\r' < "$LOG" | grep -E 'ZSX-CHECK|# Subtest:|ZSX-INFO' | tail -n1 | cut -c1-100)
		log "  ... $((SECONDS - start))s of at most ${TIMEOUT}s: ${phase:-booting}"
	fi
done
wait $pid
rc=$?
secs=$(echo "$(date +%s.%N) - $t0" | bc)
tr -d '\r' < "$LOG" > "$LOG.tmp" && mv "$LOG.tmp" "$LOG"
exec "$(dirname "$0")/verdict.sh" "$LOG" "$rc" "$secs"
