#!/usr/bin/env bash
# Regenerates the hashed requirements files that `mlir-release setup` and the build venvs install
# with `pip install --require-hashes` (one file per platform family; build.txt for every build venv).
# Needs uv (`pip install uv`) and access to the package index pip is configured for.
#   containers/provision/compile-requirements.sh
set -euo pipefail
dir=$(cd "$(dirname "$0")/requirements" && pwd)
command -v uv >/dev/null || { echo "compile-requirements: uv is not on PATH (pip install uv)" >&2; exit 2; }
# --universal: one file serves every Python >= 3.10 and OS of its family (markers where they differ);
# --generate-hashes: the sha256 of every file of each pinned version, which pip then enforces.
# The tools venv runs on CPython >= 3.11 (zizmor needs it); build venvs serve every Python >= 3.10.
compile() { # <name> <oldest Python>
  (cd "$dir" && uv pip compile --quiet --universal --generate-hashes --python-version "$2" \
    --no-header --output-file "$1.txt" "$1.in")
}
compile tools-linux 3.11
compile tools-macos 3.11
compile tools-windows 3.11
compile build 3.10
