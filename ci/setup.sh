#!/usr/bin/env bash
# Idempotent setup of a Debian host for the pipeline and its tests: what pip cannot do (system
# packages from apt, npm dependencies), then `mlir-release setup`, which creates the tools venv
# (MLIR_RELEASE_TOOLS, default .cache/tools) from containers/provision/requirements/tools-linux.txt
# with --require-hashes and checks the compiler: the same command `build` runs as its first steps.
# Each area adds its system packages as ci/setup.d/NN-area.sh, sourced in order with $ROOT and
# the helper apt_install defined.
#   ci/setup.sh                                 everything (system packages, npm ci, mlir-release setup)
#   ci/setup.sh --system-only [NN-area ...]     only the system packages of the named (default: all)
#                                               ci/setup.d areas, e.g. `--system-only 20-wheels`: what a
#                                               fresh Debian 12 machine (or a runner image) needs before
#                                               `npm ci` and `mlir-release setup`
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export DEBIAN_FRONTEND=noninteractive
system_only=0 areas=()
if [[ "${1:-}" == "--system-only" ]]; then
  system_only=1; shift; areas=("$@")
  for a in "${areas[@]}"; do
    [[ -f "$ROOT/ci/setup.d/$a.sh" ]] || { echo "ci/setup.sh: --system-only: no area $a (ci/setup.d/$a.sh)" >&2; exit 2; }
  done
fi
[[ $system_only -eq 1 ]] || mkdir -p "$ROOT/.cache"

say() { printf '[setup] %s\n' "$*" >&2; }

apt_updated=0
apt_install() {
  local missing=()
  local status
  # dpkg-query's answer is captured, not piped into `grep -q`: under pipefail an early-exiting reader can
  # kill the writer with SIGPIPE and count an installed package as missing.
  for p in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) || status=
    [[ "$status" == *"install ok installed"* ]] || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ $apt_updated -eq 0 ]]; then say "apt-get update"; apt-get update -qq; apt_updated=1; fi
  say "apt-get install ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

for f in "$ROOT"/ci/setup.d/*.sh; do
  [[ -e "$f" ]] || continue
  if [[ ${#areas[@]} -gt 0 ]]; then
    want=0
    for a in "${areas[@]}"; do [[ "$(basename "$f" .sh)" == "$a" ]] && want=1; done
    [[ $want -eq 1 ]] || continue
  fi
  # shellcheck source=/dev/null
  source "$f"
done
if [[ $system_only -eq 1 ]]; then say "system packages ready"; exit 0; fi

if [[ ! -d "$ROOT/node_modules" || "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]]; then
  say "npm ci"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
fi
say "mlir-release setup"
node "$ROOT/bin/mlir-release.mjs" setup --work "$ROOT/.cache/work"
say "ready"
