# Free-threaded CPython 3.13t (issue 18 item 5), built from Debian's orig tarball pinned by sha256
# and installed under .cache/python3.13t (./configure --disable-gil; ~2 min on 2 cores, once).
# `build --python 3.13t` finds it through MLIR_RELEASE_PYTHON313T or this default location.
# Opt-in (MLIR_RELEASE_FREE_THREADED=1): the interpreter build costs every fresh CI machine minutes;
# with it, test/integration/free-threaded.test.ts builds and tests the cp313t wheel (skipped, and
# saying so, without it); `build --python 3.13t` without it names this script.
# shellcheck shell=bash
py313t_file=python3.13_3.13.15.orig.tar.xz
py313t_sha=1e66a7945a48390ee4c2a4268a0e4185884059a13c4aab6d148aa208deea4a76
py313t_prefix=$ROOT/.cache/python3.13t
if [[ "${MLIR_RELEASE_FREE_THREADED:-0}" == 1 && ! -f "$py313t_prefix/.installed-$py313t_sha" ]]; then
  apt_install build-essential libssl-dev zlib1g-dev libbz2-dev libffi-dev liblzma-dev libsqlite3-dev libreadline-dev
  "$ROOT/containers/host/fetch-debian-orig.sh" python3.13 "$py313t_file" "$py313t_sha" "$ROOT/.cache/sources" sid >&2
  say "building free-threaded CPython 3.13t under $py313t_prefix (log: $ROOT/.cache/python3.13t-build.log)"
  py313t_src=$(mktemp -d "$ROOT/.cache/python3.13t-src.XXXXXX")
  rm -rf "$py313t_prefix"
  tar -xJf "$ROOT/.cache/sources/$py313t_file" -C "$py313t_src" --strip-components=1
  if ! ( cd "$py313t_src" && ./configure --disable-gil --prefix="$py313t_prefix" --with-ensurepip=install \
           && make -j"$(nproc)" && make install ) >"$ROOT/.cache/python3.13t-build.log" 2>&1; then
    say "error: building CPython 3.13t failed; see $ROOT/.cache/python3.13t-build.log"; exit 1
  fi
  rm -rf "$py313t_src"
  # The stamp names the source digest: a prefix without it (an interrupted build) is rebuilt.
  touch "$py313t_prefix/.installed-$py313t_sha"
fi
