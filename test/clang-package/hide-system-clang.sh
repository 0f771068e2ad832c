#!/bin/sh
# Runs "$@" with a system clang's builtin headers out of reach: meant to run inside a private mount
# namespace (unshare -m --propagation private), where an empty tmpfs goes over every folder a
# system clang keeps them in (Debian: /usr/lib/llvm-N/lib/clang, /usr/lib/clang = /lib/clang,
# /usr/include/clang). Nothing outside the namespace changes.
set -eu
for d in /usr/lib/llvm-*/lib/clang /usr/lib/clang /usr/include/clang /usr/local/lib/clang; do
  if [ -d "$d" ]; then mount -t tmpfs none "$d"; fi
done
exec "$@"
