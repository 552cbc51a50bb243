/*
 * The runner's side of the contract, through the BUILT bundle in a child process (every other action
 * test runs the review in-process): inputs arrive as INPUT_* variables, the event in the file named
 * by GITHUB_EVENT_PATH, the workflow, job, run and actor in GITHUB_* variables; what comes back is the
 * GITHUB_OUTPUT file, the GITHUB_STEP_SUMMARY file, workflow commands on stdout and the exit code.
 * Needs a fresh `pnpm build:action` after a change under action/src.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { commentMarkerOf, decodeMetadata, MetadataKey } from "../../action/src/review-metadata.js";
import { type FakePullRequest, pullRequestEvent } from "../fakes/github.js";
import { type ActionRun, runAction, runDetails } from "../support/run-action.js";
import {
  baseSha,
  headSha,
  pullRequest,
  reviewAnswer,
  type Scenario,
  screenPng,
  startScenario,
} from "./action-scenario.js";

let scenario: Scenario;
beforeEach(async () => {
  scenario = await startScenario();
});
afterEach(() => scenario.close());

function runBundle(
  pull: FakePullRequest,
  inputs: Record<string, string>,
  environment: Record<string, string> = {},
): Promise<ActionRun> {
  const { github } = scenario;
  return runAction({
    inputs: { "base-url": scenario.model.baseUrl, "github-token": github.token, ...inputs },
    event: pullRequestEvent(github, pull),
    repository: `${github.owner}/${github.repo}`,
    apiUrl: github.apiUrl,
    serverUrl: github.serverUrl,
    environment,
  });
}

async function oneModifiedImage(): Promise<FakePullRequest> {
  const pull = pullRequest({
    files: [
      { filename: "docs/screens/home.png", status: "modified" },
      { filename: "src/home.ts", status: "modified" },
    ],
  });
  scenario.github.addPullRequest(pull);
  scenario.github.setFile(baseSha, "docs/screens/home.png", await screenPng("Home"));
  scenario.github.setFile(headSha, "docs/screens/home.png", await screenPng("Home page"));
  return pull;
}

const highFinding = () =>
  reviewAnswer("Home heading changed.", [{ severity: "high", title: "Heading clipped", detail: "Cut at the right." }]);

test("a review reads INPUT_*, the event file and GITHUB_*, and answers with the outputs file, the summary file and exit code 1 for fail-on", async () => {
  const { github, model } = scenario;
  const pull = await oneModifiedImage();
  model.script(highFinding());
  const result = await runBundle(
    pull,
    // A multi-line input with a comment line, as a workflow's `|` block passes it.
    { "api-key": model.apiKey, include: "docs/**/*.png\n# screenshots only", "fail-on": "high" },
    { GITHUB_WORKFLOW: "Design review", GITHUB_JOB: "screens" },
  );
  assert.equal(result.exitCode, 1, runDetails(result));
  assert.match(result.stdout, /^::error::1 finding\(s\) at or above fail-on "high" \(highest: high\)/m);
  assert.equal(model.requests.length, 1);
  // The key is masked for the runner, and appears nowhere else in the log.
  assert.match(result.stdout, new RegExp(`^::add-mask::${model.apiKey}$`, "m"));
  assert.equal(result.stdout.split(model.apiKey).length - 1, 1);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");

  const comments = github.comments(7);
  assert.equal(comments.length, 1);
  const body = comments[0]?.body ?? "";
  assert.ok(
    body.startsWith(commentMarkerOf("Design review", "screens")),
    "the marker names GITHUB_WORKFLOW and GITHUB_JOB",
  );
  // Signed with the key of the api-key input and GITHUB_REPOSITORY, for this pull request and job.
  const key = MetadataKey.derive(model.apiKey, `${github.owner}/${github.repo}`);
  assert.ok(key !== undefined);
  const seal = { key, marker: commentMarkerOf("Design review", "screens"), pullRequestNumber: 7 };
  assert.match(
    decodeMetadata(body, seal)?.run ?? "",
    /^4242-1-/,
    "the run id comes from GITHUB_RUN_ID and GITHUB_RUN_ATTEMPT",
  );
  assert.deepEqual(
    { ...result.outputs, "input-tokens": "", "output-tokens": "" },
    {
      findings: "1",
      "highest-severity": "high",
      "images-reviewed": "1",
      "images-skipped": "0",
      "images-failed": "0",
      "input-tokens": "",
      "output-tokens": "",
      "comment-url": comments[0]?.html_url,
    },
  );
  assert.ok(Number(result.outputs["input-tokens"]) > 0 && Number(result.outputs["output-tokens"]) > 0);
  assert.match(result.summary, /^## 🔴 Glance image review/);
  assert.match(result.summary, /Heading clipped/);
});

test("without a key: a notice, the summary file, outputs that say skipped and exit 0; GITHUB_ACTOR picks the advice", async () => {
  const pull = await oneModifiedImage();
  const result = await runBundle(pull, { "api-key": "" }, { GITHUB_ACTOR: "dependabot[bot]" });
  assert.equal(result.exitCode, 0, runDetails(result));
  assert.match(result.stdout, /^::notice::Glance image review skipped: no API key\. Runs started by Dependabot/m);
  assert.match(result.summary, /skipped \(no API key\)/);
  assert.match(result.summary, /Dependabot secret/);
  assert.equal(result.outputs["highest-severity"], "skipped");
  assert.equal(result.outputs["images-reviewed"], "0");
  assert.equal(scenario.github.requests.length, 0, "a skipped run asks GitHub nothing");
});

test("a summary file that cannot be written is a warning; the outputs and fail-on still reach the runner", async () => {
  const pull = await oneModifiedImage();
  scenario.model.script(highFinding());
  const result = await runBundle(
    pull,
    { "api-key": scenario.model.apiKey, "fail-on": "high" },
    { GITHUB_STEP_SUMMARY: "/nonexistent-directory/summary.md" },
  );
  assert.equal(result.exitCode, 1, runDetails(result));
  assert.match(result.stdout, /^::warning::The job summary could not be written/m);
  assert.equal(result.outputs["highest-severity"], "high");
  assert.equal(scenario.github.comments(7).length, 1);
});

test("an invalid input fails the step with one line, before any request", async () => {
  const pull = await oneModifiedImage();
  const result = await runBundle(pull, { "api-key": scenario.model.apiKey, "max-images": "many" });
  assert.equal(result.exitCode, 1);
  assert.match(
    result.stdout,
    /^::error::Invalid input: max-images is "many"; it must be a whole number, at least 1\.$/m,
  );
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  assert.equal(scenario.github.requests.length, 0);
  assert.deepEqual(result.outputs, {});
});
