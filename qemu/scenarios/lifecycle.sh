# zsxram's lifecycle under races: background loops hit the same devices
# (zsxram0..3) at once for zsx.lifecycle_secs=N seconds (default 45; up to
# 60 s more until each kind of operation has succeeded once) with
# hot_add/hot_remove, reset, disksize, allocator and comp_algorithm writes,
# compact, stat reads, direct I/O, mkswap/swapon/swapoff and rmmod zsxram.
# Each loop counts successes and failures per operation; a failure must carry
# an errno on that operation's own list (its text as busybox prints it), every
# kind of operation must succeed at least once, and the kernel must stay
# quiet (the VM panics on any warning, lockdep, KASAN or kmemleak report).
SECS=$(sed -n 's/.*zsx\.lifecycle_secs=\([0-9]*\).*/\1/p' /proc/cmdline)
SECS=${SECS:-45}
LC=/tmp/lc
rm -rf $LC && mkdir -p $LC/dev
C=/sys/class/zsxram-control
echo "ZSX-INFO: lifecycle: $SECS s, $(grep -c ^processor /proc/cpuinfo) cpus"
check "insmod zsx.ko" insmod /lib/zsx/zsx.ko
check "insmod zsxram.ko" insmod /lib/zsx/zsxram.ko
check "hot_add zsxram1..3" sh -c "for i in 1 2 3; do [ \$(cat $C/hot_add) = \$i ] || exit 1; done; [ -b /dev/zsxram3 ]"

# The errnos a failure of each op may carry. Busybox prints an error as
# "TOOL: ...: TEXT", TEXT strerror(errno) or words of its own:
#   sh: write error: TEXT              sh: can't create FILE: TEXT
#   cat: can't open 'FILE': TEXT       cat: read error: TEXT
#   dd: can't open 'FILE': TEXT        dd: error writing 'FILE': TEXT
#   dd: FILE: TEXT (a read)            mkswap: can't open 'FILE': TEXT
#   mkswap: write error: TEXT          swapon: FILE: TEXT
#   rmmod: can't unload module 'NAME': TEXT
# and ash says "nonexistent directory" for ENOENT on a redirect. Every error
# line of a failure must end with one of its op's texts: anchored at the end,
# so ENODEV's "No such device" is not ENXIO's "No such device or address".
ENOENT="No such file or directory"
ENOENT_SH="nonexistent directory"
ENODEV="No such device"
ENXIO="No such device or address"
EBUSY="Device or resource busy"
EINVAL="Invalid argument"
ENOMEM="Cannot allocate memory"
ENOSPC="No space left on device"
ETXTBSY="Text file busy"
EAGAIN="Resource temporarily unavailable"
# a device's sysfs file, or the control class's, whose device (hot_remove) or
# module (rmmod) went: before the open (ENOENT), or after (kernfs's ENODEV)
GONE_READ="$ENOENT|$ENODEV"
GONE_WRITE="$ENOENT_SH|$ENODEV"

# allowed OP: the texts a failure of OP may end with; none: OP must not fail
allowed() {
	case $1 in
	# the shows never fail; only the device can go
	stat) echo "$GONE_READ" ;;
	# no memory for a device; zsxram-control goes with the module
	hot_add) echo "$ENOMEM|$GONE_READ" ;;
	# the device is open; ENODEV too for a number with no device
	hot_remove) echo "$EBUSY|$GONE_WRITE" ;;
	# reset of an open device; the others on an initialised (or going) one
	reset | allocator | comp_algorithm) echo "$EBUSY|$GONE_WRITE" ;;
	# initialised or going, or no memory for the store
	disksize) echo "$EBUSY|$ENOMEM|$GONE_WRITE" ;;
	# before disksize
	compact) echo "$EINVAL|$GONE_WRITE" ;;
	mem_used_max) echo "$GONE_WRITE" ;;
	# the open of a device going or gone (zsxram's own, or the module's)
	# fails with ENXIO; writing to an EMPTY device (capacity 0) ENOSPC, to
	# active swap ETXTBSY; a read past a capacity of 0 reads nothing
	ddwrite) echo "$ENXIO|$ENOSPC|$ETXTBSY" ;;
	ddread) echo "$ENXIO" ;;
	# an EMPTY device is too small for busybox before any write (which
	# would be ENOSPC); only this loop makes swap, and swaps off first
	mkswap) echo "$ENXIO|image is too small: 0 bytes|image is too small" ;;
	# no signature (reset, or dd wrote over it) or a size other than the
	# one it was made for; swapon is the only exclusive opener: no EBUSY
	swapon) echo "$ENXIO|$EINVAL" ;;
	# a device is open: delete_module(O_NONBLOCK) says EWOULDBLOCK
	rmmod) echo "$EAGAIN" ;;
	# swapoff, insmod: never
	esac
}
touch $LC/unexpected

# r N: a pseudo-random number in 0..N-1 in $r (an LCG: no fork)
r() {
	R=$(((R * 1103515245 + 12345) % 2147483648))
	r=$((R / 65536 % $1))
}

# run OP CMD...: run CMD, count OP's success or failure (in this loop's
# shell). A failure is written down as unexpected unless it printed an
# error line and each of its error lines ends with a text OP allows (the
# other lines are the tools' own: dd's records, mkswap's size).
run() {
	op=$1
	shift
	if "$@" > $LC/out.$L 2>&1; then
		eval "ok_$op=\$((\${ok_$op:-0} + 1))"
		[ -e $LC/ok.$op ] || : > $LC/ok.$op
		return 0
	fi
	eval "err_$op=\$((\${err_$op:-0} + 1))"
	allow=$(allowed $op)
	grep -E "^(sh|cat|dd|mkswap|swapon|swapoff|rmmod|insmod): " $LC/out.$L > $LC/errs.$L
	if [ -z "$allow" ] || [ ! -s $LC/errs.$L ] || grep -qvE ": ($allow)\$" $LC/errs.$L; then
		echo "$op: $(tr '\n' ' ' < $LC/out.$L | head -c 300)" >> $LC/unexpected
	fi
	return 1
}

# a shell write, its error text on stdout: "sh: write error: Device or resource busy"
put() { sh -c "echo $1 > $2" 2>&1; }

# end OPS...: the loop's counts, one line per op, for the tally; then its
# exit marker, done.LOOP
end() {
	for op in "$@"; do
		eval "echo $op \${ok_$op:-0} \${err_$op:-0}"
	done > $LC/counts.$L
	touch $LC/done.$L
}

going() { [ ! -e $LC/stop ]; }

# hot_add, and hot_remove of 1..3 (a device numbered above 3 goes at once)
loop_hotplug() {
	L=hotplug R=11
	while going; do
		if run hot_add cat $C/hot_add; then
			id=$(cat $LC/out.$L)
			[ "$id" -gt 3 ] && run hot_remove put "$id" $C/hot_remove
		fi
		r 3
		run hot_remove put $((r + 1)) $C/hot_remove
		sleep 0.1
	done
	end hot_add hot_remove
}

# reset, disksize, allocator, comp_algorithm, compact, mem_used_max
loop_config() {
	L=config R=23
	while going; do
		r 4
		d=/sys/block/zsxram$r
		r 6
		case $r in
		0 | 1) run reset put 1 $d/reset ;;
		2)
			r 4
			run disksize put $(((r + 1) * 16))M $d/disksize
			;;
		3)
			r 6
			set -- zsx zsmalloc zsx:classidx zsx:base:nodeferred zsx:classidx_unlocked_free:deferred zsx:classidx
			shift $r
			run allocator put $1 $d/allocator
			;;
		4)
			r 3
			set -- lzo-rle lzo lz4
			shift $r
			run comp_algorithm put $1 $d/comp_algorithm
			;;
		5)
			run compact put 1 $d/compact
			run mem_used_max put 0 $d/mem_used_max
			;;
		esac
	done
	end reset disksize allocator comp_algorithm compact mem_used_max
}

# every show, read while the device changes under it
loop_stat() {
	L=stat R=37
	while going; do
		r 4
		d=/sys/block/zsxram$r
		run stat cat $d/initstate $d/disksize $d/comp_algorithm $d/allocator $d/mm_stat \
			$d/io_stat $d/debug_stat
	done
	end stat
}

# node N: $node is a device node of our own for zsxramN, named after the
# major the module has now: writing to a device that is gone then fails
# (ENXIO), where dd or mkswap on /dev/zsxramN would create a regular file
# that hides the next zsxramN. Fails if zsxram is not loaded.
node() {
	maj=$(awk '$2 == "zsxram" {print $1}' /proc/devices)
	[ -n "$maj" ] || return 1
	node=$LC/dev/zsxram$1.$maj
	[ -b $node ] || mknod $node b $maj $1 2>/dev/null
	[ -b $node ]
}

# direct I/O: 64 pages of random data written, then read back
loop_dio() {
	L=dio R=41
	dd if=/dev/urandom of=$LC/rand bs=4096 count=64 2>/dev/null
	while going; do
		r 4
		node $r || { sleep 0.1; continue; }
		run ddwrite dd if=$LC/rand of=$node bs=4096 count=64 oflag=direct
		r 4
		node $r || continue
		run ddread dd if=$node of=/dev/null bs=4096 count=64 iflag=direct
	done
	end ddwrite ddread
}

# mkswap, swapon, a moment as swap, swapoff
loop_swap() {
	L=swap R=53
	while going; do
		r 4
		node $r || { sleep 0.1; continue; }
		run disksize put 64M /sys/block/zsxram$r/disksize
		if run mkswap mkswap $node && run swapon swapon $node; then
			sleep 0.3
			run swapoff swapoff $node
		fi
	done
	end disksize mkswap swapon swapoff
}

# back: the module is as a load leaves it, its major, zsxram0 and
# zsxram-control there (the loops never hot_remove zsxram0); a failure says
# what is missing
back() {
	grep -q ' zsxram$' /proc/devices || { echo "back: no zsxram major"; return 1; }
	[ -d /sys/block/zsxram0 ] || { echo "back: no zsxram0"; return 1; }
	[ -e $C/hot_add ] || { echo "back: no $C/hot_add"; return 1; }
}

# rmmod zsxram: refused while a device is open; when it goes, it comes back
loop_rmmod() {
	L=rmmod R=67
	while going; do
		sleep 1
		if run rmmod rmmod zsxram; then
			run insmod insmod /lib/zsx/zsxram.ko && run back back
		fi
	done
	end rmmod insmod back
}

# the ops that must succeed in the race at least once (see all_succeeded)
OPS="hot_add hot_remove reset disksize allocator stat ddwrite ddread mkswap swapon swapoff"
# the race runs SECS seconds, and on until every op in OPS has succeeded
# once (its ok.OP marker), for at most 60 s more: an op's success depends on
# what the other loops did just before (a direct write needs an initialised
# device that is not swap), and a short race on a slow machine can miss one
# by chance; an op that a defect keeps failing still fails the check below
covered() {
	for op in $OPS; do
		[ -e $LC/ok.$op ] || return 1
	done
}
LOOPS="hotplug config stat dio swap rmmod"
for l in $LOOPS; do
	loop_$l &
done
t0=$(date +%s)
sleep "$SECS"
wait_for 60 covered
echo "ZSX-INFO: lifecycle: the race ran $(($(date +%s) - t0)) s"
touch $LC/stop

# A loop stuck in the kernel (a deadlock) would hang a plain wait: give the
# loops 30 s to write their exit markers, fail the check for those that did
# not, and go on to the cleanup anyway (best effort; the tally lacks them).
stopped() { ls $LC | grep -c '^done\.'; }
t=0
while [ "$(stopped)" -lt 6 ] && [ $t -lt 30 ]; do
	sleep 1
	t=$((t + 1))
done
all_stopped() {
	bad=0
	for l in $LOOPS; do
		[ -e $LC/done.$l ] || { echo "loop_$l still running"; bad=1; }
	done
	return $bad
}
check "lifecycle: every loop stopped within 30 s" all_stopped
if [ "$(stopped)" = 6 ]; then
	wait
else
	echo "ZSX-INFO: lifecycle: going on without the loops still running"
fi

# the tally: op ok err, summed over the loops
cat $LC/counts.* | awk '{ok[$1] += $2; err[$1] += $3} END {for (o in ok) print o, ok[o], err[o]}' |
	sort > $LC/tally
while read -r op ok err; do
	echo "ZSX-INFO: lifecycle: $op ok $ok err $err"
done < $LC/tally
n=$(wc -l < $LC/unexpected)
# the first 10 in the check's output
unexpected_none() {
	[ "$n" = 0 ] && return 0
	echo "$n unexpected, the first 10:"
	head -n 10 $LC/unexpected
	return 1
}
check "lifecycle: every failure carried an errno its op allows ($n unexpected)" unexpected_none
# counts OP: OP's "ok err" from the tally, "0 0" for an op no loop counted
# (every loop writes 0 0 for the ops it never ran: presence means nothing)
counts() { awk -v op="$1" '$1 == op {o = $2; e = $3} END {print o + 0, e + 0}' $LC/tally; }
# the ops in OPS must run and succeed in the race; rmmod must run, and insmod
# runs only after a rmmod that succeeded (checked below). comp_algorithm
# (before init), compact and mem_used_max (after it) must run; that they work
# is checked on a quiet device after the race.
all_ran() {
	bad=0
	for op in $OPS rmmod comp_algorithm compact mem_used_max; do
		set -- $(counts $op)
		[ $(($1 + $2)) -gt 0 ] || { echo "never ran: $op"; bad=1; }
	done
	return $bad
}
all_succeeded() {
	bad=0
	for op in $OPS; do
		set -- $(counts $op)
		[ "$1" -gt 0 ] || { echo "never succeeded: $op ($2 failures)"; bad=1; }
	done
	return $bad
}
check "lifecycle: every op kind ran" all_ran
check "lifecycle: every op kind succeeded at least once" all_succeeded
# each rmmod that succeeded: an insmod that did, and the devices back (how
# many rmmods succeeded depends on the run; 0 of 0 is no failure)
reloads() { set -- $(counts rmmod); echo "$1"; }
reloaded() {
	set -- $(counts rmmod) $(counts insmod) $(counts back)
	echo "rmmod ok $1; insmod ok $3 err $4; devices back $5, not $6"
	[ "$3" = "$1" ] && [ "$4" = 0 ] && [ "$5" = "$1" ] && [ "$6" = 0 ]
}
check "lifecycle: each of the $(reloads) rmmods that went was followed by insmod, zsxram0 back" \
	reloaded

# ---- the end: everything released and unloaded ----
check "lifecycle: zsxram is loaded" sh -c "grep -q '^zsxram ' /proc/modules || insmod /lib/zsx/zsxram.ko"
for dev in $(awk 'NR > 1 {print $1}' /proc/swaps); do swapoff "$dev"; done
check "lifecycle: no swap left" sh -c "[ \$(wc -l < /proc/swaps) = 1 ]"
check "lifecycle: reset every device" sh -c "for d in /sys/block/zsxram*; do echo 1 > \$d/reset || exit 1; [ \$(cat \$d/initstate) = 0 ] || exit 1; done"
check "lifecycle: quiet zsxram0: comp_algorithm, disksize, compact, mem_used_max, reset" sh -c \
	"d=/sys/block/zsxram0; echo lz4 > \$d/comp_algorithm && echo 32M > \$d/disksize && echo 1 > \$d/compact &&
	 echo 0 > \$d/mem_used_max && grep -q '\[lz4\]' \$d/comp_algorithm && echo 1 > \$d/reset"
check "lifecycle: hot_remove every device but zsxram0" sh -c "for d in /sys/block/zsxram*; do n=\${d#/sys/block/zsxram}; [ \$n = 0 ] || echo \$n > $C/hot_remove || exit 1; done; [ \$(ls -d /sys/block/zsxram* | wc -l) = 1 ]"
check "lifecycle: hot_remove of a device that is gone -> ENODEV" sh -c "sh -c 'echo 1 > $C/hot_remove' 2>&1 | grep -q 'No such device\$'"
check "lifecycle: rmmod zsxram" rmmod zsxram
check "lifecycle: rmmod zsx" rmmod zsx
check "kmemleak reports nothing after unload" kmemleak_clean
