# Wheel factory: Debian's LLVM/MLIR 22 layer and what the build runs besides the tools venv
# (compiler, strip, tar/xz/zstd, git). CMake, Ninja, auditwheel, lit, ... are pinned with hashes in
# containers/provision/requirements/tools-linux.txt and installed by `mlir-release setup`.
# shellcheck shell=bash
apt_install libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools libzstd-dev zlib1g-dev \
  ninja-build ccache cmake g++ binutils xz-utils zstd curl git

# Packages whose bytes reach the wheels (the layer's static archives, the library auditwheel grafts,
# the compiler and linker): brought to the archive's current version whenever setup runs, so two
# machines set up on the same day build the same bytes. A machine set up before a Debian update kept
# the old libzstd1 (its graft's name and SBOM carry the file's digest and version); the build report
# and manifest record these versions and `rebuild` names any that differ (src/rebuild/inputs.ts).
bytes_packages=(libmlir-22-dev llvm-22-dev libclang-22-dev libzstd1 libzstd-dev g++-12 binutils)
stale=()
for p in "${bytes_packages[@]}"; do
  policy=$(apt-cache policy "$p" 2>/dev/null)
  installed=$(awk '/Installed:/ { print $2 }' <<<"$policy")
  candidate=$(awk '/Candidate:/ { print $2 }' <<<"$policy")
  [[ -n $installed && $installed != "(none)" && $installed != "$candidate" ]] && stale+=("$p")
done
if [[ ${#stale[@]} -gt 0 ]]; then
  say "upgrade ${stale[*]} to the archive's current version (their bytes reach the wheels)"
  apt-get install -y -qq --no-install-recommends --only-upgrade "${stale[@]}" >/dev/null
fi
