#!/usr/bin/env bash
# Prints the Debian mirror this machine's apt is configured with (the first `deb` source whose
# suite is the release itself, not -security/-updates), read from deb822 .sources files or
# one-line sources.list entries. Nothing in the repo names a mirror host.
# Usage: apt-mirror.sh [suite]   (default: this system's VERSION_CODENAME)
# APT_ETC=<dir> reads another apt configuration directory (tests).
set -euo pipefail
etc=${APT_ETC:-/etc/apt}
# shellcheck source=/dev/null
suite=${1:-$(. /etc/os-release && echo "$VERSION_CODENAME")}
shopt -s nullglob
for f in "$etc"/sources.list.d/*.sources; do
  uri=$(awk -v suite="$suite" '
    BEGIN { RS=""; FS="\n" }
    {
      types=""; uris=""; suites=""
      for (i = 1; i <= NF; i++) {
        if ($i ~ /^Types:/)  { types=$i }
        if ($i ~ /^URIs:/)   { uris=$i }
        if ($i ~ /^Suites:/) { suites=$i }
      }
      if (types ~ /(^|[ \t])deb([ \t]|$)/ && (" " suites " ") ~ (" " suite " ")) {
        sub(/^URIs:[ \t]*/, "", uris); split(uris, u, /[ \t]+/); print u[1]; exit
      }
    }' "$f")
  if [[ -n "$uri" ]]; then echo "$uri"; exit 0; fi
done
for f in "$etc"/sources.list "$etc"/sources.list.d/*.list; do
  [[ -f "$f" ]] || continue
  uri=$(awk -v suite="$suite" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i+1) == suite) { print $i; exit } }' "$f")
  if [[ -n "$uri" ]]; then echo "$uri"; exit 0; fi
done
echo "error: no 'deb' source for suite '$suite' in $etc/sources.list{,.d/*}" >&2
exit 1
