/* The committed bundle must be exactly what the sources build to: the end-to-end tests run it. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const checkScript = fileURLToPath(new URL("../../action/scripts/check-dist.mjs", import.meta.url));

test("action/dist matches a fresh build of action/src", () => {
  const result = spawnSync(process.execPath, [checkScript], { encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /action\/dist is up to date/);
});
