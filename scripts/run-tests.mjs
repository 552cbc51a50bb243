#!/usr/bin/env node
// Runs every *.test.ts under test/ with Node's own test runner (TypeScript through tsx).
// Node 20 has no glob support in --test, so the files are listed here.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const testDirectory = fileURLToPath(new URL("../test/", import.meta.url));

function findTests(directory) {
  const found = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.name === "node_modules") continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...findTests(path));
    else if (entry.name.endsWith(".test.ts")) found.push(relative(testDirectory, path));
  }
  return found.sort();
}

const filter = process.argv.slice(2);
const files = findTests(testDirectory).filter(
  (file) => filter.length === 0 || filter.some((part) => file.includes(part)),
);
if (files.length === 0) {
  console.error(`No test files match ${filter.join(" ")}.`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ["--conditions=glance-source", "--import", "tsx", "--test", "--test-concurrency=2", ...files],
  {
    cwd: testDirectory,
    stdio: "inherit",
  },
);
process.exit(result.status ?? 1);
