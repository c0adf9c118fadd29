#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Kernel feature probes, as out-of-tree modules probe the kernel they build
# against: each probes/<feature>.c is compiled with the kernel's own flags,
# and this prints a header with ZSX_HAVE_<FEATURE> 1 for each that compiles.
#   probe.sh probes/a.c probes/b.c ... -- <compiler> <flags>...
# The probes compile at once (in parallel); a probe's errors are the answer,
# not a failure, so they are not shown.
probes=
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	probes="$probes $1"
	shift
done
[ "$1" = -- ] && shift
[ $# -gt 0 ] && [ -n "$probes" ] || { echo "usage: probe.sh PROBE.c... -- CC FLAGS..." >&2; exit 1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
for p in $probes; do
	name=$(basename "$p" .c)
	( "$@" -Werror -fsyntax-only "$p" >/dev/null 2>&1 && : > "$tmp/$name" ) &
done
wait
echo "/* kernel features found by src/kernel/probes (src/kernel/probe.sh) */"
for p in $probes; do
	name=$(basename "$p" .c)
	macro=ZSX_HAVE_$(echo "$name" | tr 'a-z' 'A-Z')
	if [ -e "$tmp/$name" ]; then
		echo "#define $macro 1"
	else
		echo "/* #undef $macro */"
	fi
done
