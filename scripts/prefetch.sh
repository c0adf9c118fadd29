#!/bin/bash
# Fill the cache items later make check steps need, at the lowest CPU and I/O
# priority, while the steps before them run:
#   scripts/prefetch.sh ITEM...
#   ITEM: src-LINE (a kernel line's source, scripts/kernel-source.sh),
#         root-SUITE (a Debian build root, scripts/debroot.sh),
#         debian-arm64 (Debian 12's arm64 kernel, scripts/debian-arm64.sh)
# Most of this work waits on the network and the disk, which the kernel
# builds and VM runs in front of it leave idle. Each item is locked
# (cache_lock in lib.sh): a step that needs an item still being fetched waits
# for it, and one whose fetch failed here tries again and reports the error
# itself. Exits 1 if an item failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
renice -n 19 -p $$ >/dev/null
# make check starts this in a session of its own, which the scheduler's
# autogroups would otherwise weigh as much as make check's whole session
[ -w /proc/self/autogroup ] && { echo 19 > /proc/self/autogroup; } 2>/dev/null
ionice -c 2 -n 7 -p $$ 2>/dev/null || true
fail=0
for item in "$@"; do
	t0=$SECONDS
	case $item in
	src-*) bash "$ZSX_ROOT/scripts/kernel-source.sh" "${item#src-}" >/dev/null ;;
	root-*) bash "$ZSX_ROOT/scripts/debroot.sh" "${item#root-}" >/dev/null ;;
	debian-arm64) bash "$ZSX_ROOT/scripts/debian-arm64.sh" >/dev/null ;;
	*) echo "prefetch: unknown item $item"; false ;;
	esac
	rc=$?
	echo "prefetch: $item $([ $rc = 0 ] && echo ready || echo "failed ($rc)") after $((SECONDS - t0))s"
	[ $rc = 0 ] || fail=1
done
exit $fail
