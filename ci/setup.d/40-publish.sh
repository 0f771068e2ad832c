# Publish stage: Debian's chromium (the dashboard test drives it via playwright-core). The local
# PyPI-compatible server, twine, rattler-build (py-rattler-build) and py-rattler (installs built packages into
# a prefix without a solver, for the conda tests) are pinned with their hashes in the tools venv
# (containers/provision/requirements/tools-linux.txt).
# shellcheck shell=bash
apt_install chromium zstd
