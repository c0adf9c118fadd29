#!/bin/bash
# Debian packages from another suite, without touching the host's apt set-up:
#   scripts/apt-suite.sh SUITE download PKG[=VER]...   .debs into the current directory
#   scripts/apt-suite.sh SUITE policy PKG              the candidate version ("" if none)
# SUITE: bookworm-backports, trixie, trixie-backports, ... (trixie-backports also
# reads trixie, bookworm-backports also bookworm). A private sources list, state
# and cache live under $ZSX_CACHE/apt/SUITE; the lists are refreshed once a day.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
SUITE=${1:?SUITE}; CMD=${2:?download|policy}; shift 2
base=${SUITE%%-*}
dir=$ZSX_CACHE/apt/$SUITE
# one apt run per private set-up at a time (make check's prefetch runs beside the steps)
cache_lock "apt-$SUITE"
mkdir -p "$dir/state/lists/partial" "$dir/cache/archives/partial" "$dir/etc/preferences.d"
suites=$base; [ "$SUITE" = "$base" ] || suites="$base $SUITE"
# one line per suite (apt's one-line format takes a single suite)
: > "$dir/sources.list.new"
for s in $suites; do
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $s main" >> "$dir/sources.list.new"
done
mv "$dir/sources.list.new" "$dir/sources.list"
opts=(-o "Dir::Etc::SourceList=$dir/sources.list" -o "Dir::Etc::SourceParts=-"
      -o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=$dir/etc/preferences.d"
      -o "Dir::State=$dir/state" -o "Dir::State::Status=$dir/state/status"
      -o "Dir::Cache=$dir/cache" -o "APT::Architectures::=amd64" -o "APT::Architectures::=arm64"
      -o "APT::Sandbox::User=root" -o "Debug::NoLocking=1")
touch "$dir/state/status"
if [ -z "$(find "$dir/state" -name stamp -mmin -1440 2>/dev/null)" ]; then
	log "apt ($SUITE): updating private package lists"
	apt-get "${opts[@]}" update -q >&2 || die "apt-get update for $SUITE failed"
	touch "$dir/state/stamp"
fi
case $CMD in
download) apt-get "${opts[@]}" download "$@" >&2 ;;
policy) apt-cache "${opts[@]}" policy "$1" | sed -n 's/^  Candidate: //p' | sed 's/(none)//' ;;
*) die "apt-suite: unknown command $CMD" ;;
esac
