#!/usr/bin/env node
/*
 * The `glance` bin. It is plain, committed JavaScript so that it runs before anything is built: without
 * the CLI's build or core's build (or without the install that links them), it says in one line how to
 * set them up, instead of Node's stack trace about a missing module. With both present, it runs the CLI.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/main.js", import.meta.url);
const repositoryRoot = fileURLToPath(new URL("../../../", import.meta.url));

function coreBuild() {
  try {
    return fileURLToPath(import.meta.resolve("@glance/core"));
  } catch {
    // Not linked: the install has not run.
    return undefined;
  }
}

const core = coreBuild();
const missing = !existsSync(entry)
  ? fileURLToPath(entry)
  : core === undefined
    ? "the link to @glance/core (the install has not run)"
    : existsSync(core)
      ? undefined
      : core;
if (missing === undefined) {
  await import(entry.href);
} else {
  process.stderr.write(
    `glance: the glance build is missing: ${missing}. Set it up once, in ${repositoryRoot}: npm run setup && npm run build\n`,
  );
  process.exitCode = 1;
}
