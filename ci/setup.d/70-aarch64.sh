# Linux aarch64 by cross-build + qemu-user (issue 7 item 4). Opt-in: the default test run does
# not need it. MLIR_RELEASE_AARCH64=1 installs the cross toolchain and emulator and prepares, under
# .cache/aarch64, the arm64 sysroot, the arm64 Debian root and the target Python's build
# requirements (pylib). Then: MLIR_RELEASE_AARCH64_CROSS=$PWD/.cache/aarch64 mlir-release build
#   --platform linux-aarch64 --python 3.11 --layer prebuilt:$PWD/.cache/aarch64/sysroot/usr/lib/llvm-22 --no-verify
# shellcheck shell=bash
if [[ "${MLIR_RELEASE_AARCH64:-0}" == 1 ]]; then
  apt_install g++-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-user-static debootstrap
  "$ROOT/containers/aarch64/sysroot.sh" "$ROOT/.cache/aarch64/sysroot"
  "$ROOT/containers/aarch64/rootfs.sh" "$ROOT/.cache/aarch64/root"
  if [[ ! -d "$ROOT/.cache/aarch64/pylib/nanobind" ]]; then
    # Pure-Python packages the emulated python3.11 imports (the nanobind pin is the release config's).
    nanobind=$("$TOOLS_PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["tools"]["nanobind"])' "$ROOT/release.config.json")
    "$TOOLS_PY" -m pip install -q --disable-pip-version-check --target "$ROOT/.cache/aarch64/pylib" "nanobind==$nanobind" typing_extensions
  fi
fi
