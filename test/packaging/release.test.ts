/*
 * The release procedure (action/scripts/release.mjs) run for real against a throwaway repository: the
 * working tree's files (tracked and new, not ignored) are committed into a fresh repository whose only
 * remote is a local bare repository, with this checkout's installed node_modules linked in so the real
 * bundle can be built. Two releases are cut; the tags, the changelog, the release commit and the
 * remote (which must receive nothing) are checked, and so are the refusals.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { appendFile, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));
let scratch: string;
let work: string;
let origin: string;

function git(directory: string, ...gitArguments: string[]): string {
  return execFileSync("git", gitArguments, { cwd: directory, encoding: "utf8" }).trim();
}

function release(...releaseArguments: string[]) {
  const result = spawnSync(process.execPath, [join(work, "action/scripts/release.mjs"), ...releaseArguments], {
    cwd: work,
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), "glance-release-"));
  work = join(scratch, "work");
  origin = join(scratch, "origin.git");
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: repositoryRoot,
    encoding: "utf8",
  })
    .split("\0")
    .filter((file) => file !== "" && existsSync(join(repositoryRoot, file)));
  for (const file of files) {
    await mkdir(dirname(join(work, file)), { recursive: true });
    await cp(join(repositoryRoot, file), join(work, file));
  }
  for (const directory of ["", "core", "core/cli", "action", "bot", "test"]) {
    const modules = join(repositoryRoot, directory, "node_modules");
    if (existsSync(modules)) await symlink(modules, join(work, directory, "node_modules"));
  }
  git(scratch, "init", "--quiet", "--bare", origin);
  git(work, "init", "--quiet", "--initial-branch=main");
  await appendFile(join(work, ".git/info/exclude"), "node_modules\n");
  git(work, "config", "user.name", "Release Test");
  git(work, "config", "user.email", "release-test@example.invalid");
  git(work, "config", "commit.gpgsign", "false");
  git(work, "config", "tag.gpgsign", "false");
  git(work, "add", "--all");
  git(work, "commit", "--quiet", "-m", "Glance before its first release");
  git(work, "remote", "add", "origin", origin);
  git(work, "push", "--quiet", "origin", "main");
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

test("a dry run says what it would do and changes nothing", () => {
  const head = git(work, "rev-parse", "HEAD");
  const result = release("1.0.0", "--dry-run");
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /would release v1\.0\.0/);
  assert.match(result.stdout, /move v1 to it/);
  assert.equal(git(work, "rev-parse", "HEAD"), head);
  assert.equal(git(work, "tag", "--list"), "");
  assert.equal(git(work, "status", "--porcelain", "--untracked-files=no"), "");
});

test("a version that is not X.Y.Z and a changed tracked file are refused, each in one line", async () => {
  const badVersion = release("1.2");
  assert.equal(badVersion.status, 1);
  assert.match(badVersion.stderr, /^release: the version is "1\.2", but must be X\.Y\.Z/);
  assert.equal(badVersion.stderr.trim().split("\n").length, 1);

  await appendFile(join(work, "README.md"), "\nAn uncommitted line.\n");
  const dirty = release("1.0.0");
  assert.equal(dirty.status, 1);
  assert.match(dirty.stderr, /^release: tracked files have uncommitted changes/);
  git(work, "checkout", "--", "README.md");
  assert.equal(git(work, "tag", "--list"), "");
});

test("a release rebuilds and checks the bundle, updates the changelog, tags vX.Y.Z and vX, and pushes nothing", async () => {
  const before = git(work, "rev-parse", "HEAD");
  const result = release("1.0.0", "--date", "2026-12-01");
  assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /action\/dist is up to date/, "check-dist ran");
  assert.match(result.stdout, /Nothing was pushed/);
  const head = git(work, "rev-parse", "HEAD");
  assert.notEqual(head, before);
  assert.equal(git(work, "rev-parse", "HEAD^"), before);
  assert.equal(git(work, "log", "-1", "--format=%s"), "Release v1.0.0");
  assert.equal(git(work, "rev-parse", "v1.0.0^{commit}"), head);
  assert.equal(git(work, "rev-parse", "v1^{commit}"), head);
  assert.equal(git(work, "cat-file", "-t", "v1.0.0"), "tag", "an annotated tag");
  assert.match(result.stdout, new RegExp(`uses: OWNER/glance@${head} # v1\\.0\\.0`));

  const changelog = await readFile(join(work, "CHANGELOG.md"), "utf8");
  assert.match(changelog, /## Unreleased\n\n## 1\.0\.0 - 2026-12-01\n\n- /);
  const manifest = JSON.parse(await readFile(join(work, "action/package.json"), "utf8")) as { version: string };
  assert.equal(manifest.version, "1.0.0");
  // The commit holds what was rebuilt and checked: nothing is left over.
  assert.equal(git(work, "status", "--porcelain", "--untracked-files=no"), "");
  assert.equal(git(work, "show", "HEAD:THIRD-PARTY-NOTICES.md").length > 0, true);
  // The remote received nothing: still only main at the commit pushed in the set-up.
  assert.equal(git(work, "ls-remote", "--heads", "--tags", "origin"), `${before}\trefs/heads/main`);
});

test("the next release needs changelog notes and a new tag, and moves the major tag", async () => {
  const sameTag = release("1.0.0");
  assert.equal(sameTag.status, 1);
  assert.match(sameTag.stderr, /^release: the tag v1\.0\.0 exists already/);
  const noNotes = release("1.1.0");
  assert.equal(noNotes.status, 1);
  assert.match(noNotes.stderr, /"## Unreleased" section is empty/);

  const changelogPath = join(work, "CHANGELOG.md");
  const changelog = await readFile(changelogPath, "utf8");
  await writeFile(changelogPath, changelog.replace("## Unreleased\n", "## Unreleased\n\n- A second change.\n"));
  git(work, "commit", "--quiet", "-am", "Note a second change");
  const first = git(work, "rev-parse", "v1.0.0^{commit}");
  const result = release("1.1.0", "--date", "2026-12-02");
  assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
  const head = git(work, "rev-parse", "HEAD");
  assert.equal(git(work, "rev-parse", "v1.1.0^{commit}"), head);
  assert.equal(git(work, "rev-parse", "v1^{commit}"), head, "v1 follows the newest 1.x release");
  assert.equal(git(work, "rev-parse", "v1.0.0^{commit}"), first, "v1.0.0 stays where it was");
  const released = await readFile(changelogPath, "utf8");
  assert.match(released, /## Unreleased\n\n## 1\.1\.0 - 2026-12-02\n\n- A second change\.\n\n## 1\.0\.0 - 2026-12-01/);
  assert.doesNotMatch(git(work, "ls-remote", "--tags", "origin"), /v1/);
});
