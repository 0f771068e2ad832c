# Linux aarch64 by cross-build + qemu-user (issue 7 item 4). Opt-in: the default test run does
# not need it. MLIR_RELEASE_AARCH64=1 installs the cross toolchain and emulator and prepares the
# arm64 sysroot and Debian root under .cache/aarch64.
# shellcheck shell=bash
if [[ "${MLIR_RELEASE_AARCH64:-0}" == 1 ]]; then
  apt_install g++-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-user-static debootstrap
  "$ROOT/containers/aarch64/sysroot.sh" "$ROOT/.cache/aarch64/sysroot"
  "$ROOT/containers/aarch64/rootfs.sh" "$ROOT/.cache/aarch64/root"
fi
