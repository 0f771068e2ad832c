#!/usr/bin/env bash
# Fetch an upstream orig tarball from the Debian archive this machine already uses.
# The mirror URI is read from the apt configuration on the machine (never hard-coded);
# a deb-src entry for the requested suite is added beside it when missing.
# Usage: fetch-debian-orig.sh <source-package> <file-name> <sha256> <dest-dir> [suite]
# Exit: 0 fetched or cached, 2 no Debian mirror configured, 3 tarball not listed, 4 sha256 mismatch.
# MLIR_RELEASE_APT_ETC (default /etc/apt) lets the unit test use a scratch apt configuration.
set -euo pipefail
pkg=$1 file=$2 sha=$3 dest=$4 suite=${5:-sid}
apt_etc=${MLIR_RELEASE_APT_ETC:-/etc/apt}
mkdir -p "$dest"
out="$dest/$file"
if [[ -f "$out" ]] && echo "$sha  $out" | sha256sum -c --status; then
  echo "cached: $out"; exit 0
fi

# First URI of a Debian main archive (not -security) in deb822 or one-line sources.
mirror=$( { grep -hs '^URIs:' "$apt_etc"/sources.list.d/*.sources | awk '{print $2}';
            grep -hsE '^deb(-src)? ' "$apt_etc"/sources.list "$apt_etc"/sources.list.d/*.list | awk '{for(i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) {print $i; break}}'; } 2>/dev/null |
          grep -v -- '-security' | grep -i debian | sed -n 1p || true)
[[ -n "$mirror" ]] || { echo "error: no Debian mirror URI found in $apt_etc/sources.list{,.d}" >&2; exit 2; }
mirror=${mirror%/}

list=$apt_etc/sources.list.d/mlir-release-src-$suite.sources
if [[ ! -f "$list" ]]; then
  printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" "$suite" > "$list"
  apt-get update -q -o Dir::Etc::sourcelist="$list" -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0 >&2
fi

# The pool directory of the first source version whose file list holds this exact tarball.
# apt-cache's whole answer is read first and awk reads all of it (no early `exit`): under pipefail an
# early-exiting reader on a pipe kills the writer with SIGPIPE (exit 141) at random.
showsrc=$(apt-cache showsrc "$pkg")
dir=$(awk -v RS= -v f="$file" '
  dir == "" && (index($0, " " f "\n") || index($0, " " f) == length($0) - length(f)) {
    if (match($0, /\nDirectory: [^\n]+/)) dir = substr($0, RSTART + 12, RLENGTH - 12) }
  END { if (dir != "") print dir }' <<<"$showsrc")
[[ -n "$dir" ]] || { echo "error: $file is not listed by 'apt-cache showsrc $pkg' for suite $suite" >&2; exit 3; }

tmp="$out.part"
trap 'rm -f "$tmp"' EXIT # a failed download leaves no partial file behind
curl -fsSL --retry 3 -o "$tmp" "$mirror/$dir/$file"
got=$(sha256sum "$tmp" | cut -d' ' -f1)
if [[ "$got" != "$sha" ]]; then
  echo "error: $file sha256 mismatch: expected $sha, got $got" >&2; exit 4
fi
mv "$tmp" "$out"
echo "fetched: $out"
