#!/usr/bin/env bash
# An arm64 Debian root to run the cross-built wheel in, under qemu-user. binfmt_misc is not
# mounted here, so debootstrap's second stage (which executes arm64 binaries in a chroot) cannot
# run: the first stage (--foreign) downloads and unpacks the base system, and the packages it
# only downloaded (python3.11, numpy) are unpacked with dpkg -x. qemu-aarch64-static is then
# called directly with -L <root>.
# Usage: rootfs.sh <root dir>
set -euo pipefail
root=$(realpath -m "$1")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=/dev/null
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
mirror=$("$here/apt-mirror.sh" "$suite")
if [[ ! -x "$root/usr/bin/python3.11" || ! -d "$root/usr/lib/python3/dist-packages/yaml" || ! -e "$root/usr/lib/aarch64-linux-gnu/libedit.so.2" ]]; then
  echo "[rootfs] debootstrap --foreign --arch=arm64 $suite from the apt-configured mirror" >&2
  debootstrap --foreign --arch=arm64 --variant=minbase \
    --include=python3.11,libpython3.11-stdlib,python3-numpy,python3-yaml,libyaml-0-2,libstdc++6,zlib1g,libzstd1,libedit2,libbsd0,libmd0,libffi8,libxml2,libz3-4,libicu72,libtinfo6 \
    "$suite" "$root" "$mirror" >&2
  for d in "$root"/var/cache/apt/archives/*.deb; do dpkg -x "$d" "$root"; done
fi
# Maintainer scripts never ran: create the update-alternatives links numpy's BLAS/LAPACK need.
lib=$root/usr/lib/aarch64-linux-gnu
for l in blas/libblas.so.3 lapack/liblapack.so.3; do
  [[ -e "$lib/$l" && ! -e "$lib/$(basename "$l")" ]] && ln -s "$l" "$lib/$(basename "$l")"
done
"$root/usr/bin/python3.11" --version >/dev/null 2>&1 && { echo "error: $root/usr/bin/python3.11 runs natively: not an arm64 root" >&2; exit 1; }
echo "[rootfs] ready: $root" >&2
