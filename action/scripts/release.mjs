#!/usr/bin/env node
/*
 * Cuts a release of the action, locally, never pushing:
 *   1. refuses unless the version is X.Y.Z, its tag is new, tracked files are unchanged and
 *      CHANGELOG.md has notes under "## Unreleased";
 *   2. rebuilds action/dist and THIRD-PARTY-NOTICES.md (bundle.mjs) and checks them (check-dist.mjs);
 *   3. moves the Unreleased notes under "## X.Y.Z - <date>" and sets action/package.json's version;
 *   4. commits that as "Release vX.Y.Z", creates the annotated tag vX.Y.Z and moves the major tag vX
 *      to it (the tag workflows use as OWNER/glance@vX);
 *   5. prints the push command and the commit SHA to pin; pushing is left to the person releasing.
 *
 * Usage: node action/scripts/release.mjs X.Y.Z [--dry-run] [--date YYYY-MM-DD]
 *   --dry-run  checks and prints the steps, changes nothing.
 *   --date     the release date in the changelog (default today, UTC).
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const actionDirectory = fileURLToPath(new URL("../", import.meta.url));
const repository = resolve(actionDirectory, "..");
const changelogPath = join(repository, "CHANGELOG.md");
const actionManifestPath = join(actionDirectory, "package.json");

const argumentsGiven = process.argv.slice(2);
const dryRun = argumentsGiven.includes("--dry-run");
const dateFlag = argumentsGiven.indexOf("--date");
const date = dateFlag === -1 ? new Date().toISOString().slice(0, 10) : (argumentsGiven[dateFlag + 1] ?? "");
const version = argumentsGiven.find(
  (argument, index) => !argument.startsWith("--") && (dateFlag === -1 || index !== dateFlag + 1),
);

try {
  release();
} catch (error) {
  console.error(`release: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}

function release() {
  if (version === undefined || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(
      `the version is ${version === undefined ? "missing" : `"${version}"`}, but must be X.Y.Z (such as 1.2.0): node action/scripts/release.mjs 1.2.0`,
    );
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    throw new Error(`the date is "${date}", but must be YYYY-MM-DD.`);
  }
  const tag = `v${version}`;
  const majorTag = `v${version.split(".")[0]}`;
  if (git("tag", "--list", tag) !== "") {
    throw new Error(`the tag ${tag} exists already: choose the next version.`);
  }
  const changed = git("status", "--porcelain", "--untracked-files=no");
  if (changed !== "") {
    throw new Error(
      `tracked files have uncommitted changes (${changed.split("\n").length}): commit or stash them first, so the release holds exactly what is committed.`,
    );
  }
  const changelog = readFileSync(changelogPath, "utf8");
  const { notes, updated } = releaseChangelog(changelog, version, date);

  const steps = [
    "rebuild action/dist and THIRD-PARTY-NOTICES.md (action/scripts/bundle.mjs)",
    "check them against a fresh build (action/scripts/check-dist.mjs)",
    `move the ${notes.split("\n").filter((line) => line.trim() !== "").length} line(s) of Unreleased notes under "## ${version} - ${date}" in CHANGELOG.md`,
    `set action/package.json's version to ${version}`,
    `commit "Release ${tag}", tag ${tag} and move ${majorTag} to it`,
  ];
  if (dryRun) {
    console.log(`Dry run: would release ${tag} from ${git("rev-parse", "--short", "HEAD")}:`);
    for (const step of steps) console.log(`  - ${step}`);
    return;
  }

  run(process.execPath, [join(actionDirectory, "scripts/bundle.mjs")]);
  run(process.execPath, [join(actionDirectory, "scripts/check-dist.mjs")]);
  writeFileSync(changelogPath, updated);
  const manifest = JSON.parse(readFileSync(actionManifestPath, "utf8"));
  manifest.version = version;
  writeFileSync(actionManifestPath, `${JSON.stringify(manifest, null, 2)}\n`);

  git("add", "--all", "--", "action/dist", "THIRD-PARTY-NOTICES.md", "CHANGELOG.md", "action/package.json");
  git("commit", "--quiet", "-m", `Release ${tag}`, "-m", notes.trim());
  git("tag", "--annotate", tag, "-m", `Glance ${tag}`);
  // The major tag follows the newest release of that major version: workflows on @vX get it.
  git("tag", "--force", "--annotate", majorTag, "-m", `Glance ${majorTag} (${tag})`);
  const sha = git("rev-parse", "HEAD");
  console.log(`Released ${tag} at ${sha}; ${majorTag} now points there too. Nothing was pushed. To publish:`);
  console.log(`  git push origin HEAD ${tag} && git push --force origin ${majorTag}`);
  console.log(`Workflows that pin by SHA: uses: OWNER/glance@${sha} # ${tag}`);
}

/** CHANGELOG.md with the Unreleased notes moved under the new version, and a fresh, empty Unreleased. */
function releaseChangelog(changelog, releaseVersion, releaseDate) {
  const heading = /^## Unreleased[ \t]*$/m.exec(changelog);
  if (heading === null) {
    throw new Error('CHANGELOG.md has no "## Unreleased" section: add one with the notes of this release.');
  }
  const bodyStart = heading.index + heading[0].length;
  const next = /^## /m.exec(changelog.slice(bodyStart));
  const bodyEnd = next === null ? changelog.length : bodyStart + next.index;
  const notes = changelog.slice(bodyStart, bodyEnd);
  if (notes.trim() === "") {
    throw new Error('CHANGELOG.md\'s "## Unreleased" section is empty: write what this release changes first.');
  }
  const updated = `${changelog.slice(0, heading.index)}## Unreleased\n\n## ${releaseVersion} - ${releaseDate}\n\n${notes.trim()}\n\n${changelog.slice(bodyEnd)}`;
  return { notes, updated: `${updated.trimEnd()}\n` };
}

function git(...gitArguments) {
  return execFileSync("git", gitArguments, { cwd: repository, encoding: "utf8" }).trim();
}

function run(program, programArguments) {
  execFileSync(program, programArguments, { cwd: repository, stdio: "inherit" });
}
