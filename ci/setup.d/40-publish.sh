# Publish stage: Debian's chromium (the dashboard test drives it via playwright-core). The local
# PyPI-compatible server, twine and rattler-build (py-rattler-build) are in the tools venv
# (containers/provision/requirements/tools-linux.txt).
# shellcheck shell=bash
apt_install chromium zstd
