#!/usr/bin/env bash
# Provisions a pinned manylinux image for the wheel factory: checks the compiler the image's
# policy depends on, installs ccache, creates the tools venv from the one hashed tools list
# (requirements/tools-linux.txt, pip --require-hashes) and lists the CPythons under /opt/python.
# The venv's stamp is the one `mlir-release setup` writes, so the CLI's provisioning steps (the
# first steps of `build`) find it up to date in the image; this layer needs only these scripts.
# Environment: NANOBIND_VERSION (required; must be requirements/build.txt's pin), PYTHONS (e.g.
# "3.10 3.12 3.13t", default all), TOOLS_DIR (default /opt/mlir-release-tools), PYTHON_ROOT
# (default /opt/python).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"
: "${NANOBIND_VERSION:?set NANOBIND_VERSION to the release config tools.nanobind}"
pinned=$(sed -n 's/^nanobind==\([^ ;\\]*\).*/\1/p' "$here/requirements/build.txt")
[[ "$pinned" == "$NANOBIND_VERSION" ]] || die "NANOBIND_VERSION $NANOBIND_VERSION differs from requirements/build.txt's nanobind==$pinned"
tools=${TOOLS_DIR:-/opt/mlir-release-tools}
python_root=${PYTHON_ROOT:-/opt/python}

# Compiler: the image's gcc-toolset is first on PATH; it is what keeps symbol versions within the
# policy. LLVM 22 needs GCC >= 7.4; we ask for 10 so C++17 library support is complete.
command -v g++ >/dev/null || die "no g++ on PATH: is this a manylinux image?"
gxx=$(g++ -dumpfullversion -dumpversion)
version_ge "$gxx" 10 || die "g++ $gxx is older than 10"
say "g++ $gxx ($(command -v g++))"

# ccache from the distribution (EPEL on CentOS 7 / AlmaLinux 8); the cache dir is a volume.
if ! command -v ccache >/dev/null; then
  pkg_install ccache || { pkg_install epel-release && pkg_install ccache; } || die "cannot install ccache"
fi
say "$(ccache --version | sed -n 1p)" # sed reads everything: no SIGPIPE to the writer under pipefail

# CPythons the image carries, e.g. /opt/python/cp312-cp312, /opt/python/cp313-cp313t.
declare -A available=()
for dir in "$python_root"/cp3*; do
  [[ -x "$dir/bin/python" ]] || continue
  name=${dir##*/}                   # cp313-cp313t
  abi=${name#*-}                    # cp313t
  digits=${abi#cp3}; digits=${digits%t}
  version=3.$digits
  [[ $abi == *t ]] && version+=t
  available[$version]=$dir/bin/python
done
[[ ${#available[@]} -gt 0 ]] || die "no CPython under $python_root"
say "CPythons: ${!available[*]}"
for v in ${PYTHONS:-}; do
  [[ -n "${available[$v]:-}" ]] || die "CPython $v is not in $python_root (have: ${!available[*]})"
done

# Tools venv from the image's CPython 3.12: never one of the interpreters being built for.
host_python=${available[3.12]:-}
[[ -n "$host_python" ]] || die "CPython 3.12 (for the tools venv) is not in $python_root"
req="$here/requirements/tools-linux.txt"
stamp="$tools/.mlir-release-requirements"
want="$(sha256sum "$req" | cut -d' ' -f1)  $host_python"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  "$host_python" -m venv --clear "$tools"
  "$tools/bin/python" -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r "$req"
  printf '%s\n' "$want" >"$stamp"
fi
say "tools venv $tools: $("$tools/bin/ninja" --version) ninja, $("$tools/bin/cmake" --version | sed -n 1p)"
