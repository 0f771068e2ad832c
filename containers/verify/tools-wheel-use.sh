#!/usr/bin/env bash
# The tools wheel used as a user would, from a venv holding it alone: its commands run from PATH, and
# every ELF file it installed needs nothing but the C/C++ runtime. Last line: a one-line summary.
#   tools-wheel-use.sh <venv>/bin
set -euo pipefail
bin=${1:?usage: tools-wheel-use.sh <venv>/bin}
export PATH="$bin:$PATH"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

mlir-opt --version | head -n 3
cat > "$scratch/add.mlir" <<'EOF'
func.func @add(%a: i32, %b: i32) -> i32 {
  %c = arith.addi %a, %b : i32
  return %c : i32
}
EOF
# CHECK lines for FileCheck: the pipeline lowers to the LLVM dialect, mlir-translate to LLVM IR.
printf '%s\n' '// CHECK: llvm.func @add' '// CHECK: llvm.add' > "$scratch/dialect.check"
printf '%s\n' '; CHECK: define i32 @add(i32 %0, i32 %1)' '; CHECK: add i32' > "$scratch/ir.check"
mlir-opt "$scratch/add.mlir" --convert-arith-to-llvm --convert-func-to-llvm --reconcile-unrealized-casts > "$scratch/llvm.mlir"
FileCheck "$scratch/dialect.check" < "$scratch/llvm.mlir"
mlir-translate --mlir-to-llvmir "$scratch/llvm.mlir" | FileCheck "$scratch/ir.check"
echo hello | not grep bye
split-file --help > /dev/null
mlir-tblgen --version > /dev/null

# Every ELF file under the installed package: only the C/C++ runtime, nothing "not found".
pkg=$("$bin/python" -c 'import importlib.util, os, sys; n = next(d for d in os.listdir(sys.argv[1]) if d.endswith("_tools")); print(os.path.dirname(importlib.util.find_spec(n).origin))' \
  "$("$bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')")
elves=0
while IFS= read -r -d '' f; do
  head -c 4 "$f" | grep -q $'\x7fELF' || continue
  elves=$((elves + 1))
  others=$(ldd "$f" | awk '{ print $1 }' | grep -vE '^(linux-vdso\.so|/lib64/ld-linux|libc\.so|libm\.so|libstdc\+\+\.so|libgcc_s\.so|libpthread\.so|libdl\.so|librt\.so)' || true)
  if [[ -n $others ]] || ldd "$f" | grep -q 'not found'; then
    echo "error: $f needs more than the C/C++ runtime: $others" >&2
    exit 1
  fi
done < <(find "$pkg" -type f -print0)
echo "tools wheel in use: mlir-opt, mlir-translate, FileCheck, not, split-file, mlir-tblgen ran from PATH; $elves ELF files need only the C/C++ runtime"
