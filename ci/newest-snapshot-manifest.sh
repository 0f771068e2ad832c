#!/usr/bin/env bash
# Downloads manifest.json of the newest published snapshot release of a repository (the weekly
# integrity job rebuilds it with no cache and compares every artifact's sha256 with it).
# Usage: ci/newest-snapshot-manifest.sh <owner/name> <out-dir>
# Needs GITHUB_API_URL (set by the runner) and GITHUB_TOKEN (read access). Prints the release tag.
# A snapshot is a release whose tag ends in .devYYYYMMDDNN; the newest is the highest version, and
# only a release whose manifest.json is uploaded (the publisher's last asset) counts.
# Exit status: 0 found, 1 no published snapshot, 2 bad arguments or environment.
set -euo pipefail
if [[ $# -ne 2 || ! $1 =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]]; then
  echo "usage: $0 <owner/name> <out-dir>" >&2
  exit 2
fi
repo=$1 out=$2
api=${GITHUB_API_URL:-}
if [[ ! $api =~ ^https?://[^[:space:]]+$ ]]; then
  echo "GITHUB_API_URL is not set to an http(s) URL (the runner sets it)" >&2
  exit 2
fi
if [[ -z ${GITHUB_TOKEN:-} ]]; then
  echo "GITHUB_TOKEN is not set" >&2
  exit 2
fi
auth=(-H "Authorization: Bearer $GITHUB_TOKEN" -H "X-GitHub-Api-Version: 2022-11-28")
candidates=$(mktemp)
trap 'rm -f "$candidates"' EXIT
page=1
while :; do
  body=$(curl -fsSL "${auth[@]}" -H "Accept: application/vnd.github+json" -- "$api/repos/$repo/releases?per_page=100&page=$page")
  jq -r '.[] | select(.draft | not) | select(.tag_name | test("\\.dev[0-9]{10}$"))
         | . as $r | (.assets[] | select(.name == "manifest.json" and .state == "uploaded") | "\($r.tag_name) \(.url)")' <<<"$body" >>"$candidates"
  [[ $(jq 'length' <<<"$body") -lt 100 ]] && break
  page=$((page + 1))
done
newest=$(sort -V -k1,1 "$candidates" | tail -n 1)
if [[ -z $newest ]]; then
  echo "no published snapshot release (tag *.devYYYYMMDDNN with an uploaded manifest.json) in $repo" >&2
  exit 1
fi
tag=${newest%% *} url=${newest#* }
mkdir -p -- "$out"
curl -fsSL "${auth[@]}" -H "Accept: application/octet-stream" -o "$out/manifest.json" -- "$url"
jq -e '.plan.version' "$out/manifest.json" >/dev/null || { echo "$tag: manifest.json has no plan.version" >&2; exit 1; }
echo "$tag"
