# Dagger module and workflows: shellcheck for every .sh file and skopeo, which the lock-refresh test
# drives against a local OCI layout. actionlint and zizmor are in the tools venv
# (containers/provision/requirements/tools-linux.txt).
# shellcheck shell=bash
apt_install shellcheck skopeo
