#!/usr/bin/env bash
# Re-resolves every pin in containers/images.lock.json and rewrites the file.
# It needs a machine that can reach the image registries and the Node download site: the
# project's own CI machine cannot, which is why the lock may hold placeholder pins (and why the
# pipeline refuses them). Run it on a workstation or a hosted runner, review the diff, commit.
#
#   containers/refresh-image-pins.sh            # resolve and rewrite the lock
#   containers/refresh-image-pins.sh --check    # resolve, print, and fail if the lock differs
#
# Each pin records its source and date: pins copied from a public file that pins them (kind
# published-pin: repository, path, commit) are kept while the registry still agrees; a pin this
# script changes is recorded as {"kind": "registry"} with today's date.
# Image digests are the digest of the manifest the tag points at (an index for multi-arch
# repositories), i.e. exactly what `<repository>@<digest>` pulls. Resolved with the first tool
# found: skopeo, docker buildx imagetools, crane.
# Environment: LOCK (lock file path), IMAGE_TRANSPORT (skopeo transport prefix, default
# docker://; oci:<dir>: lets the resolution be exercised against a local OCI layout).
# The lock names no hosts: the registry host comes from the variable the lock's registryEnv names
# (MLIR_RELEASE_IMAGE_REGISTRY) and the Node download base from node.distEnv
# (MLIR_RELEASE_NODE_DIST_URL; files are fetched from <base>/v<version>/<file>).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lock=${LOCK:-$here/images.lock.json}
transport=${IMAGE_TRANSPORT:-docker://}
mode="write"
case "${1:-}" in
  --check) mode=check ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

die() { echo "refresh-image-pins: $*" >&2; exit 1; }
[[ -f "$lock" ]] || die "lock file $lock not found"
command -v python3 >/dev/null || die "python3 is needed to edit the lock file"

lock_field() { # <python expression over `lock`> -> value
  python3 -c 'import json,sys; lock=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$lock" "$1"
}
need_env() { # <variable name> <what to set it to> -> value
  [[ -n "${!1:-}" ]] || die "$1 is not set: set it to $2"
  printf '%s\n' "${!1}"
}
registry=$(need_env "$(lock_field 'lock.get("registryEnv", "MLIR_RELEASE_IMAGE_REGISTRY")')" \
  "the host[:port] of the registry that serves pypa's manylinux images (e.g. registry.example.org)")
registry=${registry%/}

resolve_digest() { # <repository> <tag> -> sha256:<hex>
  local ref=$registry/$1:$2
  if command -v skopeo >/dev/null; then
    local raw
    raw=$(skopeo inspect --raw "$transport$ref") || die "skopeo could not inspect $transport$ref"
    printf 'sha256:%s\n' "$(printf '%s' "$raw" | sha256sum | cut -d' ' -f1)"
  elif docker buildx version >/dev/null 2>&1; then
    docker buildx imagetools inspect "$ref" --format '{{json .Manifest}}' |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["digest"])'
  elif command -v crane >/dev/null; then
    crane digest "$ref"
  else
    die "none of skopeo, docker buildx, crane is installed"
  fi
}

sha256_of_url() { # <url> -> hex
  command -v curl >/dev/null || die "curl is needed to hash the Node downloads"
  curl -fsSL --retry 3 "$1" | sha256sum | cut -d' ' -f1
}

updates=$(mktemp)
trap 'rm -f "$updates"' EXIT

while IFS=$'\t' read -r key repository tag; do
  digest=$(resolve_digest "$repository" "$tag")
  [[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || die "$repository:$tag resolved to '$digest', not a sha256 digest"
  printf 'image\t%s\t%s\n' "$key" "$digest" >>"$updates"
  echo "$registry/$repository:$tag -> $digest" >&2
done < <(python3 -c 'import json,sys
for k,v in json.load(open(sys.argv[1]))["images"].items(): print(k, v["repository"], v["tag"], sep="\t")' "$lock")

if [[ -z "${SKIP_NODE:-}" ]]; then
  node_version=$(lock_field 'lock["node"]["version"]')
  node_base=$(need_env "$(lock_field 'lock["node"].get("distEnv", "MLIR_RELEASE_NODE_DIST_URL")')" \
    "the base URL of a Node.js release mirror serving <base>/v$node_version/<file> (e.g. https://downloads.example.org/node)")
  node_base=${node_base%/}
  while IFS=$'\t' read -r key file version; do
    # A build may pin its own Node version (the newest with a published checksum); else node.version.
    url=$node_base/v${version:-$node_version}/$file
    sum=$(sha256_of_url "$url")
    printf 'node\t%s\t%s\n' "$key" "$sum" >>"$updates"
    echo "$url -> $sum" >&2
  done < <(python3 -c 'import json,sys
for k,v in json.load(open(sys.argv[1]))["node"]["builds"].items(): print(k, v["file"], v.get("version", ""), sep="\t")' "$lock")
fi

python3 - "$lock" "$updates" "$mode" <<'PY'
import datetime, json, socket, sys
lock_path, updates_path, mode = sys.argv[1:]
lock = json.load(open(lock_path))
today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
changed = []
for line in open(updates_path):
    kind, key, value = line.rstrip("\n").split("\t")
    entry = lock["images"][key] if kind == "image" else lock["node"]["builds"][key]
    field = "digest" if kind == "image" else "sha256"
    if entry.get(field) != value or entry.get("placeholder"):
        changed.append(key)
    if entry.get(field) != value or entry.get("placeholder") or not entry.get("source"):
        # A new pin records where it came from (no host: the registry is an input) and when.
        entry["source"] = {"kind": "registry", "by": "containers/refresh-image-pins.sh"}
        entry["date"] = today
    entry[field] = value
    entry["placeholder"] = False
if mode == "check":
    if changed:
        sys.exit("refresh-image-pins: pins differ from the registry for: " + ", ".join(changed))
    print("refresh-image-pins: all pins current")
    sys.exit(0)
lock["refreshed"] = {
    "at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "by": "containers/refresh-image-pins.sh on " + socket.gethostname() + " (registry reachable)",
    "registryAccess": True,
}
with open(lock_path, "w") as f:
    json.dump(lock, f, indent=2)
    f.write("\n")
print("refresh-image-pins: updated " + (", ".join(changed) if changed else "nothing (pins current)"))
PY
