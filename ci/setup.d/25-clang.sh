# The clang package (src/packages/clang, issue 31): clang's static archives and headers
# (libclang-22-dev) and its builtin headers (libclang-common-22-dev, a dependency) in Debian's
# /usr/lib/llvm-22, which libclang is linked from and whose resource dir the wheel ships.
# shellcheck shell=bash
apt_install libclang-22-dev libclang-common-22-dev
