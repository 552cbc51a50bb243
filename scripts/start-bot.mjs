#!/usr/bin/env node
// `npm run bot`: starts the built Slack app in this very process (no package-manager launcher in
// between, so SIGTERM and SIGINT reach the bot and its shutdown), or says in one line how to build it.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const required = ["../core/dist/index.js", "../bot/dist/index.js"].map((path) => new URL(path, import.meta.url));
const missing = required.find((url) => !existsSync(url));
if (missing !== undefined) {
  console.error(`The Slack app is not built (${fileURLToPath(missing)} is missing): run \`npm run build\` first.`);
  process.exit(1);
}
await import(required[1].href);
