#!/usr/bin/env bash
# `dagger call` on this repository's module, with the constructor arguments every workflow call needs,
# written once: the image registry and the Node download base, which the repository names no constant
# for (the workflows set MLIR_RELEASE_IMAGE_REGISTRY / MLIR_RELEASE_NODE_DIST_URL from the repository
# variables IMAGE_REGISTRY / NODE_DIST_URL; the module does not see the runner's environment).
# Usage: ci/dagger-call.sh <function> [arguments...]   e.g. ci/dagger-call.sh site ... export --path site
# Exit: dagger's status; 2 when a variable is empty or no function is named.
set -euo pipefail
for v in MLIR_RELEASE_IMAGE_REGISTRY MLIR_RELEASE_NODE_DIST_URL; do
  [[ -n "${!v:-}" ]] || { echo "ci/dagger-call.sh: $v is empty (set the repository variable ${v#MLIR_RELEASE_})" >&2; exit 2; }
done
(($#)) || { echo "usage: ci/dagger-call.sh <function> [arguments...]" >&2; exit 2; }
exec dagger call --image-registry "$MLIR_RELEASE_IMAGE_REGISTRY" --node-dist-url "$MLIR_RELEASE_NODE_DIST_URL" "$@"
