#!/usr/bin/env bash
# A Debian sid root holding the CPython 3.14 and 3.15 binaries Debian ships (python3.14, python3.15,
# with -dev and -venv). They need sid's glibc, newer than this host's. The wheels are built on the
# host against the root's headers (manylinux_2_36 like every other wheel built here) and the root's
# interpreters run only where the build executes Python (venvs, CMake's questions, stubgen, tests):
#   <root>/usr/local/bin/python3.X   runs <root>/usr/bin/python3.X with the root's own loader and
#                                    libraries (ld.so --library-path), host paths all visible;
#                                    --argv0 keeps the invoked path, so a venv made with it works.
#   <root>/usr/local/include/mlir-release-host/python3.X   the root's Python headers with the
#                                    x86_64 pyconfig.h in place: Debian's python3.X/pyconfig.h includes
#                                    <x86_64-linux-gnu/python3.X/pyconfig.h>, and putting the root's
#                                    /usr/include on the host compiler's path would bring sid's glibc
#                                    headers (and their GLIBC_2.38+ symbol redirects) in.
# The root's sysconfig names WHEEL_PKG_DIR=/usr/share/python-wheels (Debian's ensurepip takes pip
# from there): rewritten to the root's copy, else `-m venv` on the host finds the host's older pip.
# chroot <root> python3.X still works (the extra files are under /usr/local; the rewritten
# WHEEL_PKG_DIR resolves inside the root through a link). Idempotent: a stamp holds the package
# list and this layout's version. The mirror is the one this machine's apt uses (not written here).
# Usage: root.sh <root dir>
set -euo pipefail
root=$(realpath -m "$1")
here=$(cd "$(dirname "$0")" && pwd)
pkgs=python3.14,python3.14-dev,python3.14-venv,python3.15,python3.15-dev,python3.15-venv,ca-certificates
versions=(3.14 3.15)
want="$pkgs layout=2"
stamp=$root/.mlir-release-sid-root
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "[sid-root] ready: $root" >&2; exit 0
fi
if [[ ! -x "$root/usr/bin/python3.15" || ! -f "$root/.mlir-release-debootstrap" || "$(cat "$root/.mlir-release-debootstrap")" != "$pkgs" ]]; then
  mirror=$("$here/../aarch64/apt-mirror.sh")
  echo "[sid-root] debootstrap --variant=minbase sid from the apt-configured mirror into $root" >&2
  rm -rf "$root"
  mkdir -p "$(dirname "$root")"
  debootstrap --variant=minbase --include="$pkgs" sid "$root" "$mirror" >&2
  echo "$pkgs" >"$root/.mlir-release-debootstrap"
fi
loader=$root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
mkdir -p "$root/usr/local/bin"
rm -rf "$root/usr/local/include/mlir-release-host"
mkdir -p "$root/usr/local/include/mlir-release-host"
for v in "${versions[@]}"; do
  # shellcheck disable=SC2016 # $0 and $@ belong to the generated wrapper
  printf '#!/bin/sh\n# CPython %s of the sid root on this host: the root'"'"'s loader and libraries (made by containers/sid/root.sh).\nexec "%s" --library-path "%s" --argv0 "$0" "%s" "$@"\n' \
    "$v" "$loader" "$root/usr/lib/x86_64-linux-gnu" "$root/usr/bin/python$v" >"$root/usr/local/bin/python$v"
  chmod +x "$root/usr/local/bin/python$v"
  inc=$root/usr/local/include/mlir-release-host/python$v
  cp -a "$root/usr/include/python$v" "$inc"
  cp "$root/usr/include/x86_64-linux-gnu/python$v/pyconfig.h" "$inc/pyconfig.h"
  for f in "$root/usr/lib/python$v"/_sysconfigdata_*.py; do
    sed -i "s|'WHEEL_PKG_DIR': '[^']*'|'WHEEL_PKG_DIR': '$root/usr/share/python-wheels/'|" "$f"
  done
  find "$root/usr/lib/python$v" -path '*__pycache__*' -name '_sysconfigdata_*.pyc' -delete
done
# Inside a chroot the rewritten WHEEL_PKG_DIR is <root>/usr/share/... of the root itself: a link back.
mkdir -p "$root$root/usr/share"
ln -sfn /usr/share/python-wheels "$root$root/usr/share/python-wheels"
for v in "${versions[@]}"; do
  "$root/usr/local/bin/python$v" -c 'import sys, sysconfig; print("[sid-root] python", sys.version.split()[0], sysconfig.get_config_var("EXT_SUFFIX"))' >&2
done
echo "$want" >"$stamp"
echo "[sid-root] ready: $root" >&2
