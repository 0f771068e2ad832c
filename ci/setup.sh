#!/usr/bin/env bash
# Idempotent setup of everything the pipeline and its tests need on a Debian host:
# system packages (apt), Python tools (a venv at .cache/tools), npm dependencies.
# Each area adds its own needs as ci/setup.d/NN-area.sh, sourced in order with
# $ROOT, $TOOLS (venv dir), $TOOLS_PY and the helpers apt_install / pip_tools defined.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS=${MLIR_RELEASE_TOOLS:-$ROOT/.cache/tools}
TOOLS_PY=$TOOLS/bin/python
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$ROOT/.cache"
stamp_dir=$ROOT/.cache/setup-stamps
mkdir -p "$stamp_dir"

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

pip_tools() {
  local key; key=$(printf '%s\n' "$@" | sha256sum | cut -c1-16)
  [[ -f "$stamp_dir/pip-$key" ]] && return 0
  say "pip install $*"
  "$TOOLS_PY" -m pip install -q --disable-pip-version-check "$@"
  touch "$stamp_dir/pip-$key"
}

if [[ ! -x "$TOOLS_PY" ]]; then
  # shellcheck disable=SC2015 # "|| true" is meant to cover either failure: no pyenv, or no 3.11 under it
  base=$(command -v pyenv >/dev/null && pyenv prefix 3.11 2>/dev/null || true)
  py=${base:+$base/bin/python3}; py=${py:-python3}
  say "creating tools venv $TOOLS with $py"
  "$py" -m venv "$TOOLS"
fi

for f in "$ROOT"/ci/setup.d/*.sh; do
  [[ -e "$f" ]] || continue
  # shellcheck source=/dev/null
  source "$f"
done

if [[ ! -d "$ROOT/node_modules" || "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]]; then
  say "npm ci"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
fi
say "ready"
