#!/usr/bin/env bash
# Installs StrykerJS for `npm run mutate` into the git-ignored .tools/stryker/, from the pinned
# scripts/stryker/package.json and its lockfile, with the pinned Node 22 (scripts/install-node.sh):
# StrykerJS 10 and its Babel 8 need Node 22, so they are not in the project's devDependencies,
# where `npm ci` on Node 20 printed an EBADENGINE warning for each of their 69 packages.
# Idempotent: when the installed lockfile equals the pinned one it only prints the path.
# Prints the path of stryker's bin script on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

node="$(bash scripts/install-node.sh 22)"
prefix="$PWD/.tools/stryker"
bin="$prefix/node_modules/@stryker-mutator/core/bin/stryker.js"
if [ ! -f "$bin" ] || ! cmp -s scripts/stryker/package-lock.json "$prefix/package-lock.json"; then
  rm -rf "$prefix"
  mkdir -p "$prefix"
  cp scripts/stryker/package.json scripts/stryker/package-lock.json "$prefix/"
  (cd "$prefix" && PATH="$(dirname "$node"):$PATH" npm ci --no-audit --no-fund --loglevel=error >&2)
fi
echo "$bin"
