# Wheel factory: Debian's LLVM/MLIR 22 layer and what the build runs besides the tools venv
# (compiler, strip, tar/xz/zstd, git). CMake, Ninja, auditwheel, lit, ... are pinned with hashes in
# containers/provision/requirements/tools-linux.txt and installed by `mlir-release setup`.
# shellcheck shell=bash
apt_install libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools libzstd-dev zlib1g-dev \
  ninja-build ccache cmake g++ binutils xz-utils zstd curl git
