# Helpers shared by the provisioning scripts (sourced, not run).
# shellcheck shell=bash
say() { printf '[provision] %s\n' "$*" >&2; }
die() { printf '[provision] error: %s\n' "$*" >&2; exit 1; }

# First of dnf/yum/apt-get: manylinux2014 is CentOS 7 (yum), manylinux_2_28 AlmaLinux 8 (dnf).
pkg_install() {
  if command -v dnf >/dev/null; then dnf install -y -q "$@"
  elif command -v yum >/dev/null; then yum install -y -q "$@"
  elif command -v apt-get >/dev/null; then apt-get install -y -qq --no-install-recommends "$@"
  else die "no package manager found to install $*"
  fi
}

# version_ge A B: A >= B for dotted numeric versions.
# `sed -n 1p` reads all its input (`head -n1` may exit first and SIGPIPE the writer under pipefail).
version_ge() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | sed -n 1p)" == "$2" ]]; }
