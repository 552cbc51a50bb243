#!/bin/sh
# Builds the Slack app's production artifact into an empty directory: bot/dist and core's build, with
# production dependencies only (sharp and ffmpeg for this machine's platform), started with
# `node dist/index.js` from that directory. The Dockerfile runs exactly this, and so does
# test/bot/service-artifact.test.ts, so the image and the test cannot drift apart.
#
# Needs: an installed workspace (`pnpm install --frozen-lockfile`), whose store then holds every
# package the artifact needs: the deploy reads it offline, from the lockfile's versions.
# Usage: scripts/build-bot-artifact.sh OUTPUT_DIRECTORY
set -eu

output="${1:-}"
if [ -z "$output" ]; then
  echo "Usage: scripts/build-bot-artifact.sh OUTPUT_DIRECTORY (a new or empty directory)." >&2
  exit 2
fi
if [ -e "$output" ] && [ -n "$(ls -A "$output")" ]; then
  echo "$output is not empty: the artifact is built into a new or empty directory only." >&2
  exit 2
fi
cd "$(dirname "$0")/.."

# core first, then the bot (pnpm runs filtered builds in dependency order).
pnpm --filter @glance/core --filter @glance/bot run build

# pnpm deploy copies the bot's published files (bot/package.json "files": dist) and installs its
# production dependencies from the lockfile; the workspace's @glance/core is copied in (injected) with
# its own published files (core/dist). Injecting is set for this command only: the workspace itself
# keeps linking core, so edits to core are seen at once in development.
pnpm --config.inject-workspace-packages=true --filter @glance/bot deploy --prod --offline "$output"
