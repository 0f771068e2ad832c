#!/usr/bin/env bash
# Does this LLVM version's binding code compile against CPython's limited API (what nanobind's
# STABLE_ABI / a cp312-abi3 wheel needs)? Recompiles every bindings source of a configured build
# directory with Py_LIMITED_API=3.12 and reports how many fail, and the first errors.
# Usage: probe-stable-abi.sh <bindings build dir> [report file]
set -euo pipefail
build=$1
report=${2:-/dev/stdout}
db=$build/compile_commands.json
[[ -f "$db" ]] || { echo "error: $db missing (configure the bindings first)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$db" "$tmp" > "$tmp/cmds" <<'PY'
import json, shlex, sys
db, tmp = sys.argv[1], sys.argv[2]
seen = set()
for i, e in enumerate(json.load(open(db))):
    f = e["file"]
    # The bindings' own sources (not nanobind's runtime, not the aggregate's).
    if "/lib/Bindings/Python/" not in f or f in seen:
        continue
    seen.add(f)
    args = shlex.split(e["command"])
    out = []
    skip = False
    for a in args:
        if skip:
            skip = False
            continue
        if a == "-o":
            skip = True
            continue
        out.append(a)
    out += ["-DPy_LIMITED_API=0x030C0000", "-fsyntax-only", "-fdiagnostics-color=never"]
    print(e["directory"] + "\t" + f + "\t" + shlex.join(out))
PY
total=0 failed=0
: > "$tmp/errors"
while IFS=$'\t' read -r dir file cmd; do
  total=$((total + 1))
  if ! (cd "$dir" && eval "$cmd") > "$tmp/out" 2>&1; then
    failed=$((failed + 1))
    { echo "== $(basename "$file")"; grep -m3 'error:' "$tmp/out" || true; } >> "$tmp/errors"
  fi
done < "$tmp/cmds"
{
  echo "limited-API (Py_LIMITED_API=3.12) compile of the bindings sources: $failed of $total fail"
  cat "$tmp/errors"
} > "$report"
