#!/usr/bin/env bash
# Cross-check in a real sid system: install wheels into a fresh venv of the sid root's own
# python3.X *inside* the root (chroot; /proc, /sys, /dev bound in a private mount namespace that
# ends with the command, so nothing stays mounted) and run containers/verify/smoke.py there.
# pip inside the root reaches the package index through the root's copy of /etc/resolv.conf and
# trusts what this host trusts (its CA bundle is handed in: a re-signing proxy's CA included).
# Usage: chroot-smoke.sh <root> <3.14|3.15> <wheel>...
set -euo pipefail
root=$(realpath "$1") v=$2; shift 2
[[ -f "$root/.mlir-release-sid-root" ]] || { echo "error: $root is not a prepared sid root (containers/sid/root.sh)" >&2; exit 2; }
[[ "$v" == 3.14 || "$v" == 3.15 ]] || { echo "error: python '$v': the sid root has 3.14 and 3.15" >&2; exit 2; }
[[ $# -gt 0 ]] || { echo "error: no wheel given" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
check=$(mktemp -d "$root/tmp/mlir-release-check.XXXXXX")
trap 'rm -rf "$check"' EXIT
for w in "$@"; do cp "$w" "$check/"; done
cp "$here/../verify/smoke.py" "$check/"
cat /etc/ssl/certs/ca-certificates.crt ${NODE_EXTRA_CA_CERTS:+"$NODE_EXTRA_CA_CERTS"} >"$check/ca.crt"
cp /etc/resolv.conf "$root/etc/resolv.conf"
inner=/tmp/$(basename "$check")
# shellcheck disable=SC2016 # expanded by the inner shell, from its arguments
unshare -m bash -euo pipefail -c '
  root=$1 inner=$2 v=$3
  for d in proc sys dev; do mount --rbind "/$d" "$root/$d"; done
  chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root PIP_CERT=$inner/ca.crt bash -euo pipefail -c "
    python$v -m venv $inner/venv
    $inner/venv/bin/python -m pip install -q --disable-pip-version-check $inner/*.whl
    cd / && $inner/venv/bin/python $inner/smoke.py"
' _ "$root" "$inner" "$v"
