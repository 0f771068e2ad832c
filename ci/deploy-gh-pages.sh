#!/usr/bin/env bash
# Deploys the generated wheel index (the directory `dagger call site` exports) to the gh-pages
# branch of this repository, which GitHub Pages serves.
#   deploy-gh-pages.sh <site dir>
# Needs GITHUB_TOKEN (contents: write), GITHUB_REPOSITORY (owner/name) and GITHUB_SERVER_URL;
# GITHUB_RUN_ID, when set, is named in the commit message.
#
# Why a branch push and not actions/deploy-pages: that action needs id-token: write, which only the
# PyPI job may hold. Why one fresh commit, force-pushed: the site is rebuilt whole from the releases
# on every run, so history would only grow the branch by a site per snapshot; the branch always
# holds exactly the last site. A site identical to the deployed one is not pushed again.
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: deploy-gh-pages.sh <site dir>" >&2; exit 2; }
site=$1
for v in GITHUB_TOKEN GITHUB_REPOSITORY GITHUB_SERVER_URL; do
  [[ -n ${!v:-} ]] || { echo "deploy-gh-pages: $v is not set (GitHub Actions sets it; GITHUB_TOKEN comes from secrets.GITHUB_TOKEN)" >&2; exit 1; }
done
[[ $GITHUB_REPOSITORY =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+$ ]] || { echo "deploy-gh-pages: GITHUB_REPOSITORY '$GITHUB_REPOSITORY' is not owner/name" >&2; exit 1; }
[[ -d $site ]] || { echo "deploy-gh-pages: $site is not a directory" >&2; exit 1; }
[[ -n $(find "$site" -mindepth 1 -print -quit) ]] || { echo "deploy-gh-pages: $site is empty; refusing to deploy an empty site" >&2; exit 1; }
[[ -f $site/index.html ]] || { echo "deploy-gh-pages: $site has no index.html; refusing to deploy something that is not the site" >&2; exit 1; }

server=${GITHUB_SERVER_URL%/}
remote="$server/$GITHUB_REPOSITORY.git"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The token travels as an HTTP header scoped to the server, set through git's environment
# configuration: it is in no command line, no remote URL and no file.
basic=$(printf 'x-access-token:%s' "$GITHUB_TOKEN" | base64 | tr -d '\n')
export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0="http.$server/.extraheader" GIT_CONFIG_VALUE_0="AUTHORIZATION: basic $basic"
# Nothing from the runner's or a user's git configuration (hooks, signing, templates) applies.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
export GIT_AUTHOR_NAME="mlir-release[bot]" GIT_AUTHOR_EMAIL="mlir-release-bot@users.noreply.github.com"
export GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL

repo=$work/site
git init -q -b gh-pages "$repo"
cp -R "$site/." "$repo/"
git -C "$repo" add -A
if [[ -n ${GITHUB_RUN_ID:-} ]]; then
  message="Wheel index from release run $GITHUB_RUN_ID"$'\n\n'"$server/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID"
else
  message="Wheel index (deployed outside a GitHub Actions run)"
fi
git -C "$repo" commit -q --no-verify -m "$message"
tree=$(git -C "$repo" rev-parse 'HEAD^{tree}')

# The deployed site, if any: an unchanged site is left as it is (no new commit, no Pages rebuild).
if git -C "$repo" fetch -q --depth=1 "$remote" "+refs/heads/gh-pages:refs/remotes/deployed/gh-pages" 2>/dev/null \
  && [[ $(git -C "$repo" rev-parse 'refs/remotes/deployed/gh-pages^{tree}') == "$tree" ]]; then
  echo "deploy-gh-pages: gh-pages of $GITHUB_REPOSITORY already holds this site (tree $tree); nothing to push"
  exit 0
fi
git -C "$repo" push -q --force "$remote" HEAD:refs/heads/gh-pages
echo "deploy-gh-pages: pushed $(git -C "$repo" ls-files | wc -l | tr -d ' ') files (tree $tree) to gh-pages of $GITHUB_REPOSITORY"
