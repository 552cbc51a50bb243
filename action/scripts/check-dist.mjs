#!/usr/bin/env node
/*
 * Fails when the committed action/dist differs from a fresh build of the sources: rebuilds into a
 * temporary directory and compares every file byte for byte, both ways. The third-party notices
 * (THIRD-PARTY-NOTICES.md at the repository root, generated from the bundled packages' metadata) are
 * rebuilt and compared too, so a dependency change cannot ship without its licence.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const actionDirectory = fileURLToPath(new URL("../", import.meta.url));
const committed = join(actionDirectory, "dist");
const committedNotices = join(actionDirectory, "../THIRD-PARTY-NOTICES.md");
const scratch = mkdtempSync(join(tmpdir(), "glance-action-dist-"));
const fresh = join(scratch, "dist");
const freshNotices = join(scratch, "THIRD-PARTY-NOTICES.md");

function filesUnder(root, directory = root) {
  let entries;
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? filesUnder(root, path) : [relative(root, path)];
  });
}

try {
  execFileSync(
    process.execPath,
    [join(actionDirectory, "scripts/bundle.mjs"), "--outdir", fresh, "--notices", freshNotices],
    { stdio: "ignore" },
  );
  const expected = new Set(filesUnder(fresh));
  const actual = new Set(filesUnder(committed));
  const problems = [];
  for (const file of expected) {
    if (!actual.has(file)) problems.push(`missing: ${file}`);
    else if (!readFileSync(join(fresh, file)).equals(readFileSync(join(committed, file))))
      problems.push(`differs: ${file}`);
  }
  for (const file of actual) {
    if (!expected.has(file)) problems.push(`not built from the sources: ${file}`);
  }
  if (!existsSync(committedNotices) || !readFileSync(freshNotices).equals(readFileSync(committedNotices))) {
    problems.push("differs: THIRD-PARTY-NOTICES.md (the notices of the bundled packages)");
  }
  if (problems.length > 0) {
    console.error(
      `action/dist is out of date: run pnpm --filter @glance/action run build\n${problems
        .slice(0, 20)
        .map((problem) => `  ${problem}`)
        .join("\n")}${problems.length > 20 ? `\n  ... and ${problems.length - 20} more` : ""}`,
    );
    process.exitCode = 1;
  } else {
    console.log(`action/dist is up to date (${expected.size} files), and so is THIRD-PARTY-NOTICES.md.`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
