#!/usr/bin/env bash
# An arm64 sysroot for cross-building the bindings against Debian's MLIR 22 layer, without
# installing anything arm64 system-wide: the packages are fetched with `apt-get download
# <pkg>:arm64` and unpacked with `dpkg -x` (libmlir-22-dev:arm64 cannot co-install with the
# amd64 one: both own /usr/lib/llvm-22/bin/*).
# Usage: sysroot.sh <sysroot dir> [deb cache dir]
set -euo pipefail
root=$(realpath -m "$1")
debs=$(realpath -m "${2:-$root.debs}")
pkgs=(
  libmlir-22-dev libmlir-22 mlir-22-tools llvm-22-dev libllvm22 llvm-22-linker-tools llvm-22-runtime llvm-22-tools
  libzstd-dev libzstd1 zlib1g-dev zlib1g libc6-dev libc6 linux-libc-dev libstdc++-12-dev libstdc++6 libgcc-12-dev libgcc-s1
  libpython3.11-dev libpython3.11 python3.11-dev libexpat1 libffi-dev libffi8 libxml2-dev libxml2 libz3-dev libz3-4
  libncurses-dev libtinfo6 libedit2 libicu72 liblzma5 libbsd0 libmd0
)
foreign=$(dpkg --print-foreign-architectures) # captured: no early-exiting `grep -q` on a pipe under pipefail
if ! grep -qx arm64 <<<"$foreign"; then
  echo "[sysroot] dpkg --add-architecture arm64" >&2
  dpkg --add-architecture arm64
  apt-get update -qq
elif ! apt-cache show libmlir-22-dev:arm64 >/dev/null 2>&1; then
  apt-get update -qq
fi
mkdir -p "$debs" "$root"
(cd "$debs" && for p in "${pkgs[@]}"; do ls "${p}"_*_arm64.deb "${p}"_*_all.deb >/dev/null 2>&1 || echo "$p:arm64"; done \
  | xargs -r apt-get download -qq)
for d in "$debs"/*.deb; do
  stamp="$root/.unpacked/$(basename "$d")"
  [[ -f "$stamp" ]] && continue
  dpkg -x "$d" "$root"
  mkdir -p "$root/.unpacked" && touch "$stamp"
done
# Debian's LLVMExports.cmake names one absolute path; every other path is relative to the prefix.
exports="$root/usr/lib/llvm-22/lib/cmake/llvm/LLVMExports.cmake"
sed -i -E "s#([\";])/usr/lib/aarch64-linux-gnu/#\1$root/usr/lib/aarch64-linux-gnu/#g" "$exports"
# Absolute symlinks (libfoo.so -> /lib/aarch64-linux-gnu/libfoo.so.1) must resolve inside the sysroot.
find "$root" -xtype l -lname '/*' | while read -r l; do
  ln -sfn "$root$(readlink "$l")" "$l"
done
echo "[sysroot] ready: $root ($(find "$debs" -name "*.deb" | wc -l) packages)" >&2
