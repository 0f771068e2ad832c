#!/usr/bin/env bash
# Lays out per-platform build outputs (<dist>/<platform>/: wheels, dev distribution, manifest.json,
# build-report.json) as one artifacts folder and stages the release from every platform's manifest.
# Two platforms shipping the same file name with different bytes is an error, never an overwrite.
#   stage-dist.sh <dist> <artifacts dir> <stage dir>
set -euo pipefail
[[ $# -eq 3 ]] || { echo "usage: stage-dist.sh <dist> <artifacts dir> <stage dir>" >&2; exit 2; }
dist=$1 artifacts=$2 stage=$3
[[ -d "$dist" ]] || { echo "stage-dist: $dist is not a directory" >&2; exit 1; }
mkdir -p "$artifacts"
manifests=()
while IFS= read -r -d '' f; do
  name=${f##*/}
  case "$name" in
    manifest.json) manifests+=("$f"); continue ;;
    build-report.json) continue ;;
  esac
  if [[ -e "$artifacts/$name" ]]; then
    cmp -s "$f" "$artifacts/$name" || { echo "stage-dist: two different files named $name (one is $f)" >&2; exit 1; }
  else
    cp "$f" "$artifacts/$name"
  fi
done < <(find "$dist" -mindepth 2 -maxdepth 2 -type f -print0 | sort -z)
[[ ${#manifests[@]} -gt 0 ]] || { echo "stage-dist: no <platform>/manifest.json under $dist" >&2; exit 1; }
echo "stage-dist: ${#manifests[@]} manifests, $(find "$artifacts" -type f | wc -l) files" >&2
exec node bin/mlir-release.mjs stage --manifest "${manifests[@]}" --artifacts "$artifacts" --out "$stage"
