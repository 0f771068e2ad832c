#!/usr/bin/env bash
# The target Python of a linux-aarch64 cross build: the arm64 Debian root's python3.11 run under
# qemu-user (binfmt_misc is not mounted, so the emulator is called directly). CMake asks it for
# EXT_SUFFIX and nanobind's location, and stubgen imports the freshly built arm64 extensions with
# it. $MLIR_RELEASE_AARCH64_CROSS/pylib holds the pure-Python build requirements (nanobind).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cross=${MLIR_RELEASE_AARCH64_CROSS:-$here/../../.cache/aarch64}
root=$cross/root
export PYTHONPATH="$cross/pylib${PYTHONPATH:+:$PYTHONPATH}"
exec qemu-aarch64-static -L "$root" "$root/usr/bin/python3.11" "$@"
