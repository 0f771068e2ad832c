#!/usr/bin/env bash
# Installs the Node runtime the CLI runs on inside a build image, from a tarball whose sha256
# comes from containers/images.lock.json (which keeps file names only: the download base is
# MLIR_RELEASE_NODE_DIST_URL, resolved by the caller). Refuses a tarball with another digest.
#   node.sh <node-*.tar.xz> <sha256> [prefix=/opt/node]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
[[ $# -ge 2 ]] || die "usage: node.sh <node tarball> <sha256> [prefix]"
tarball=$1 want=$2 prefix=${3:-/opt/node}
[[ -f "$tarball" ]] || die "node tarball $tarball does not exist"
[[ $want =~ ^[0-9a-f]{64}$ ]] || die "expected sha256 is not 64 hex characters: '$want'"
got=$(sha256sum "$tarball" | cut -d' ' -f1)
[[ "$got" == "$want" ]] || die "node tarball $tarball has sha256 $got, the lock says $want"
if [[ -x "$prefix/bin/node" && -f "$prefix/.sha256" && "$(cat "$prefix/.sha256")" == "$want" ]]; then
  say "node already installed in $prefix"
  exit 0
fi
rm -rf "$prefix"
mkdir -p "$prefix"
tar -xJf "$tarball" -C "$prefix" --strip-components=1
printf '%s\n' "$want" >"$prefix/.sha256"
say "node $("$prefix/bin/node" --version) in $prefix"
