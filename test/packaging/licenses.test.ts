/*
 * Glance's licence is stated once at the root (LICENSE, Apache-2.0) and in every package.json, and the
 * third-party notices generated with the bundle name the LGPL libraries it ships and how their terms
 * are met. That the notices match the bundled packages is checked by check-dist
 * (test/action/dist-up-to-date.test.ts); the multi-platform bundle is built in sharp-platforms.test.ts.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string) => readFileSync(join(repositoryRoot, path), "utf8");

test("LICENSE is the Apache License 2.0", () => {
  const license = read("LICENSE");
  assert.match(license, /Apache License\s+Version 2\.0, January 2004/);
  assert.match(license, /END OF TERMS AND CONDITIONS/);
});

test("every package.json of the workspace says Apache-2.0", () => {
  const { packages } = parse(read("pnpm-workspace.yaml")) as { packages: string[] };
  assert.ok(packages.length >= 5, packages.join(", "));
  for (const directory of ["", ...packages]) {
    const manifest = JSON.parse(read(join(directory, "package.json"))) as { license?: string; name?: string };
    assert.equal(manifest.license, "Apache-2.0", `${directory || "."}/package.json (${manifest.name})`);
  }
});

test("the third-party notices name the LGPL libraries in action/dist and how the LGPL is met", () => {
  const notices = read("THIRD-PARTY-NOTICES.md");
  for (const name of [
    "@img/sharp-libvips-linux-x64",
    "@img/sharp-libvips-linux-arm64",
    "@img/sharp-libvips-darwin-arm64",
  ]) {
    assert.match(
      notices,
      new RegExp(`\\| ${name} \\| [\\d.]+ \\| LGPL-3\\.0-or-later \\| copied into node_modules \\|`),
    );
  }
  assert.match(notices, /\| libheif-js \| [\d.]+ \| LGPL-3\.0 \|/);
  assert.match(notices, /## LGPL components and how the LGPL's terms are met/);
  assert.match(notices, /dynamic linking/);
  assert.match(notices, /GNU LESSER GENERAL PUBLIC LICENSE\s+Version 3, 29 June 2007/);
  assert.match(notices, /GNU GENERAL PUBLIC LICENSE\s+Version 3, 29 June 2007/);
});
