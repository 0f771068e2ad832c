#!/usr/bin/env bash
# Idempotent setup of a Debian host for the pipeline and its tests: what pip cannot do (system
# packages from apt, npm dependencies), then `mlir-release setup`, which creates the tools venv
# (MLIR_RELEASE_TOOLS, default .cache/tools) from containers/provision/requirements/tools-linux.txt
# with --require-hashes and checks the compiler: the same command `build` runs as its first steps.
# Each area adds its system packages as ci/setup.d/NN-area.sh, sourced in order with $ROOT and
# the helper apt_install defined.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$ROOT/.cache"

say() { printf '[setup] %s\n' "$*" >&2; }

apt_updated=0
apt_install() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ $apt_updated -eq 0 ]]; then say "apt-get update"; apt-get update -qq; apt_updated=1; fi
  say "apt-get install ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

for f in "$ROOT"/ci/setup.d/*.sh; do
  [[ -e "$f" ]] || continue
  # shellcheck source=/dev/null
  source "$f"
done

if [[ ! -d "$ROOT/node_modules" || "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]]; then
  say "npm ci"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
fi
say "mlir-release setup"
node "$ROOT/bin/mlir-release.mjs" setup --work "$ROOT/.cache/work"
say "ready"
