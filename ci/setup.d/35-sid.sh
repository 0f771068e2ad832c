# CPython 3.14 and 3.15 from Debian sid (issue 27). Opt-in (MLIR_RELEASE_SID=1): debootstrap of a
# minimal sid root with python3.14/3.15 (+ -dev, -venv) from the mirror apt already uses (474 MB, ~2 min here),
# outside the work tree: $MLIR_RELEASE_SID_ROOT, else $MLIR_RELEASE_CACHE/sid-root, else
# ~/.cache/mlir-release/sid-root. The interpreters need sid's glibc: containers/sid/root.sh adds
# wrappers that run them with the root's own loader, and the build compiles on this host against
# the root's headers (manylinux_2_36 wheels). Then:
#   MLIR_RELEASE_SID_ROOT=<root> node bin/mlir-release.mjs build --python 3.14,3.15 --no-dev
# shellcheck shell=bash
if [[ "${MLIR_RELEASE_SID:-0}" == 1 ]]; then
  apt_install debootstrap
  sid_root=${MLIR_RELEASE_SID_ROOT:-${MLIR_RELEASE_CACHE:-$HOME/.cache/mlir-release}/sid-root}
  "$ROOT/containers/sid/root.sh" "$sid_root"
  say "sid root ready: export MLIR_RELEASE_SID_ROOT=$sid_root"
fi
