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
    # The pure-Python build requirements the emulated python3.11 imports, with their hashes from the
    # one build requirements file (numpy comes from the arm64 root's Debian package).
    pure=$(mktemp)
    awk '/^[a-z]/{keep = ($1 ~ /^(nanobind|typing-extensions)==/)} keep' "$ROOT/containers/provision/requirements/build.txt" >"$pure"
    # shellcheck disable=SC2015 # "|| true" covers either failure: no pyenv, or no 3.11 under it
    base=$(command -v pyenv >/dev/null && pyenv prefix 3.11 2>/dev/null || true)
    py=${base:+$base/bin/python3}; py=${py:-python3}
    "$py" -m pip install -q --disable-pip-version-check --require-hashes --no-deps --target "$ROOT/.cache/aarch64/pylib" -r "$pure"
    rm -f "$pure"
  fi
fi
