/*
 * Which images are reviewed first and what a re-run does: larger changes first by bytes (GitHub
 * counts no lines for binaries), max-tokens held against the usage the model really reports, the
 * "before" image from the merge base, GitHub 5xx retried, an image that cannot be downloaded keeping
 * its earlier findings, Git LFS pointers skipped, settings in the incremental hash, the model's own
 * box coordinates, the 3,000-file cap, and outputs that say a keyless run was skipped.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { githubFaults } from "../fakes/github.js";
import { fakeSteps } from "../fakes/model-studio.js";
import {
  baseSha,
  failedDetails,
  headSha,
  promptsOf,
  pullRequest,
  reviewAnswer,
  run,
  type Scenario,
  screenPng,
  startScenario,
} from "./action-scenario.js";

let scenario: Scenario;
beforeEach(async () => {
  scenario = await startScenario();
});
afterEach(() => scenario.close());

test("larger changes first: a big change to b.png is reviewed before a small one to a.png", async () => {
  const { github, model } = scenario;
  const pull = pullRequest({
    files: [
      { filename: "ui/a-small-change.png", status: "modified" },
      { filename: "ui/b-big-change.png", status: "modified" },
    ],
  });
  github.addPullRequest(pull);
  github.setFile(baseSha, "ui/a-small-change.png", await screenPng("Orders"));
  github.setFile(headSha, "ui/a-small-change.png", await screenPng("Orders!"));
  github.setFile(baseSha, "ui/b-big-change.png", await screenPng("Billing"));
  github.setFile(headSha, "ui/b-big-change.png", await screenPng("Billing", { width: 1280, height: 800 }));
  model.script(reviewAnswer("big", []));
  const result = await run(scenario, pull, { "max-images": "1" });
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.equal(model.requests.length, 1);
  assert.match(promptsOf(model)[0] ?? "", /Image: <untrusted field="file">"ui\/b-big-change\.png"/);
  assert.match(github.comments(7)[0]?.body ?? "", /`ui\/a-small-change\.png`: max-images/);
});

test("max-tokens holds against what the model reports: a long answer stops the requests after it", async () => {
  const { github, model } = scenario;
  const files = ["ui/one.png", "ui/two.png", "ui/three.png"].map((filename) => ({
    filename,
    status: "added" as const,
  }));
  const pull = pullRequest({ files });
  github.addPullRequest(pull);
  for (const [index, file] of files.entries()) {
    github.setFile(headSha, file.filename, await screenPng(`Screen ${index}`, { width: 320 + index * 8 }));
  }
  // Room for all three by the estimate (each about 1,900 with the output allowance: 320-px screens
  // cost a few hundred input tokens), but the first answer reports 7,000.
  const answer = JSON.stringify({ kind: "ui", summary: "long", findings: [] });
  model.script(
    fakeSteps.answer(answer, { usage: { prompt_tokens: 6_000, completion_tokens: 1_000, total_tokens: 7_000 } }),
    reviewAnswer("two", []),
    reviewAnswer("three", []),
  );
  const result = await run(scenario, pull, { "max-tokens": "8000" });
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.equal(model.requests.length, 1, "nothing is sent once the reported usage leaves too little");
  const body = github.comments(7)[0]?.body ?? "";
  assert.equal([...body.matchAll(/max-tokens: the answers so far used more than estimated/g)].length, 2);
  assert.equal(result.outputs["input-tokens"], "6000");
  assert.equal(result.outputs["output-tokens"], "1000");
  assert.equal(result.outputs["images-skipped"], "2");
});

test("the before image comes from the merge base, and from base.sha with a warning when compare fails", async () => {
  const { github, model } = scenario;
  const mergeBase = "d".repeat(40);
  const pull = pullRequest({ files: [{ filename: "ui/page.png", status: "modified" }], mergeBaseSha: mergeBase });
  github.addPullRequest(pull);
  github.setFile(mergeBase, "ui/page.png", await screenPng("Forked from here"));
  github.setFile(baseSha, "ui/page.png", await screenPng("Main moved on"));
  github.setFile(headSha, "ui/page.png", await screenPng("Changed by the PR"));
  model.script(reviewAnswer("page", []));
  const result = await run(scenario, pull);
  assert.equal(result.exitCode, 0, failedDetails(result));
  const contentRefs = github.requests
    .filter((request) => request.path.includes("/contents/"))
    .map((request) => request.path);
  assert.ok(contentRefs.some((path) => path.includes(`ref=${mergeBase}`)));
  assert.ok(!contentRefs.some((path) => path.includes(`ref=${baseSha}`)));
  assert.match(
    github.comments(7)[0]?.body ?? "",
    new RegExp(`\\[before\\]\\([^)]*/blob/${mergeBase}/ui/page\\.png\\)`),
  );

  github.failNext(/^GET \/repos\/[^/]+\/[^/]+\/compare\//, { status: 404, body: { message: "Not Found" } });
  // A changed review setting: the image is reviewed again (and so downloaded from base.sha).
  model.script(reviewAnswer("page", []));
  const fallback = await run(scenario, pull, { language: "German" });
  assert.equal(fallback.exitCode, 0, failedDetails(fallback));
  assert.match(fallback.log, /::warning::The merge base .* could not be read/);
  assert.ok(
    github.requests.some(
      (request) =>
        request.path.includes(`/contents/ui%2Fpage.png?ref=${baseSha}`) ||
        request.path.includes(`/contents/ui/page.png?ref=${baseSha}`),
    ),
  );
  assert.equal(model.requests.length, 2, "changing the language re-reviews the unchanged image");
  assert.match(promptsOf(model)[1] ?? "", /in German/);
});

test("GitHub 5xx on GETs is retried; an image that still cannot be downloaded keeps its earlier findings", async () => {
  const { github, model } = scenario;
  const pull = pullRequest({ files: [{ filename: "ui/form.png", status: "added" }] });
  github.addPullRequest(pull);
  github.setFile(headSha, "ui/form.png", await screenPng("Form"));
  github.failNext(/^GET \/repos\/[^/]+\/[^/]+\/pulls\/7$/, githubFaults.serverError(502), 1);
  model.script(reviewAnswer("form", [{ severity: "medium", title: "Earlier finding", detail: "x" }]));
  const first = await run(scenario, pull);
  assert.equal(first.exitCode, 0, failedDetails(first));
  assert.match(first.log, /GitHub answered 502 to GET .*retrying/);

  github.failNext(/^GET \/repos\/[^/]+\/[^/]+\/contents\//, githubFaults.serverError(503), 3);
  const second = await run(scenario, pull, { "fail-on": "medium" });
  assert.equal(model.requests.length, 1, "nothing new to review");
  const body = github.comments(7)[0]?.body ?? "";
  assert.match(body, /Earlier finding/);
  assert.match(body, /could not be downloaded this run .*the findings are from the last review/);
  assert.equal(second.outputs.findings, "1");
  assert.equal(second.exitCode, 1, "the carried finding still counts for fail-on");
});

test("Git LFS pointers are skipped; screenshots folders are UI; Qwen2.5-VL is asked for pixel boxes", async () => {
  const { github, model } = scenario;
  const pull = pullRequest({
    files: [
      { filename: "tests/__screenshots__/home.png", status: "added" },
      { filename: "e2e/snapshots/b.png", status: "added" },
    ],
  });
  github.addPullRequest(pull);
  github.setFile(
    headSha,
    "tests/__screenshots__/home.png",
    Buffer.from("version https://git-lfs.github.com/spec/v1\noid sha256:4d7a2146\nsize 12345\n"),
  );
  github.setFile(headSha, "e2e/snapshots/b.png", await screenPng("Snapshot"));
  model.script(reviewAnswer("snapshot", []));
  const result = await run(scenario, pull, { model: "qwen-vl-max" });
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.equal(model.requests.length, 1);
  assert.match(
    github.comments(7)[0]?.body ?? "",
    /`tests\/__screenshots__\/home\.png`: stored in Git LFS; not reviewed/,
  );
  const prompt = promptsOf(model)[0] ?? "";
  assert.match(prompt, /This is a UI screenshot/);
  assert.match(prompt, /in pixels of the image as you see it/);
});

test("thinking asks for max_completion_tokens that covers the thinking budget and the answer", async () => {
  const { github, model } = scenario;
  const pull = pullRequest({ files: [{ filename: "ui/form.png", status: "added" }] });
  github.addPullRequest(pull);
  github.setFile(headSha, "ui/form.png", await screenPng("Form"));
  model.script(reviewAnswer("form", []));
  const result = await run(scenario, pull, { thinking: "true" });
  assert.equal(result.exitCode, 0, failedDetails(result));
  const body = model.requests[0]?.body as { max_completion_tokens?: number; thinking_budget?: number };
  assert.ok(body.thinking_budget !== undefined && body.max_completion_tokens !== undefined);
  assert.ok(
    body.max_completion_tokens > body.thinking_budget,
    `max_completion_tokens ${body.max_completion_tokens} vs budget ${body.thinking_budget}`,
  );
});

test("over 3,000 files the comment says GitHub listed only the first 3,000", async () => {
  const { github, model } = scenario;
  const files = Array.from({ length: 3_001 }, (_, index) => ({
    filename: `src/f${index}.ts`,
    status: "added" as const,
  }));
  files[5] = { filename: "ui/shot.png", status: "added" };
  const pull = pullRequest({ files });
  github.addPullRequest(pull);
  github.setFile(headSha, "ui/shot.png", await screenPng("Shot"));
  model.script(reviewAnswer("shot", []));
  const result = await run(scenario, pull);
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.match(github.comments(7)[0]?.body ?? "", /GitHub lists only the first 3,000 changed files/);
  assert.match(result.log, /::warning::GitHub lists only the first 3,000/);
});

test("a run without a key says skipped in its outputs and gives the advice for its event", async () => {
  const { github } = scenario;
  const pull = pullRequest({ files: [{ filename: "ui/form.png", status: "added" }] });
  github.addPullRequest(pull);
  const result = await run(scenario, pull, {}, { withoutKey: true, eventName: "pull_request_target" });
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.equal(result.outputs["highest-severity"], "skipped");
  assert.match(result.summary, /empty on this `pull_request_target` run/);
  assert.match(result.summary, /repository or organization secret/);
  assert.doesNotMatch(result.summary, /fork/);
});

test("a repair request's tokens are counted, and a job summary that cannot be written skips neither outputs nor fail-on", async () => {
  const { github, model } = scenario;
  const pull = pullRequest({ files: [{ filename: "ui/form.png", status: "added" }] });
  github.addPullRequest(pull);
  github.setFile(headSha, "ui/form.png", await screenPng("Form"));
  const valid = JSON.stringify({
    kind: "ui",
    summary: "form",
    findings: [{ severity: "high", title: "Broken", detail: "x" }],
  });
  model.script(
    fakeSteps.answer("Sorry, here is my review in prose.", {
      usage: { prompt_tokens: 1_000, completion_tokens: 100, total_tokens: 1_100 },
    }),
    fakeSteps.answer(valid, { usage: { prompt_tokens: 1_200, completion_tokens: 50, total_tokens: 1_250 } }),
  );
  const result = await run(scenario, pull, { "fail-on": "high" }, { summaryFails: true });
  assert.equal(model.requests.length, 2, "one answer and one repair request");
  assert.equal(result.outputs["input-tokens"], "2200");
  assert.equal(result.outputs["output-tokens"], "150");
  assert.match(result.log, /::warning::The job summary could not be written/);
  assert.equal(result.outputs["highest-severity"], "high");
  assert.equal(result.exitCode, 1, "fail-on still applies");
});

test("a GitHub permission error names the pull request and the permission the token lacks", async () => {
  const { github } = scenario;
  const pull = pullRequest({ files: [{ filename: "ui/form.png", status: "added" }] });
  github.addPullRequest(pull);
  github.failNext(/^GET \/repos\/[^/]+\/[^/]+\/pulls\/7$/, {
    status: 403,
    body: { message: "Resource not accessible by integration" },
  });
  const result = await run(scenario, pull);
  assert.equal(result.exitCode, 1);
  assert.match(
    result.log,
    /::error::Could not read pull request #7 of octo-org\/web-app: GitHub answered 403 \(Resource not accessible by integration.*\)\. The token lacks a permission: add "permissions: pull-requests: read"/,
  );
});
