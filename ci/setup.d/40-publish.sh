# Publish stage: Debian's chromium (the dashboard test drives it via playwright-core), a local
# PyPI-compatible server and twine for the upload tests, and rattler-build (shipped as a binary
# inside the py-rattler-build wheel) for the conda recipe.
# shellcheck shell=bash
apt_install chromium zstd
pip_tools pypiserver==2.4.2 passlib==1.7.4 twine==7.0.0 py-rattler-build==0.73.0
