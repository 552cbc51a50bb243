/*
 * Faults: a fork pull request without a key, the model rate-limited then answering, the model down
 * for one image (the other findings are kept), and GitHub's rate limit on a GET.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { githubFaults } from "../fakes/github.js";
import { fakeSteps } from "../fakes/model-studio.js";
import {
  failedDetails,
  headSha,
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

async function twoImages() {
  const pull = pullRequest({
    files: [
      { filename: "ui/first.png", status: "added" },
      { filename: "ui/second.png", status: "added" },
    ],
  });
  scenario.github.addPullRequest(pull);
  // Larger changes are reviewed first: first.png is the bigger file, so it goes first.
  scenario.github.setFile(headSha, "ui/first.png", await screenPng("First", { width: 640, height: 400 }));
  scenario.github.setFile(headSha, "ui/second.png", await screenPng("Second", { width: 160, height: 120 }));
  return pull;
}

test("a fork pull request without a key is a green, honest skip with a notice", async () => {
  const pull = pullRequest({
    files: [{ filename: "ui/first.png", status: "added" }],
    head: { sha: headSha, ref: "patch-1", repoFullName: "stranger/web-app" },
  });
  scenario.github.addPullRequest(pull);
  const result = await run(scenario, pull, {}, { withoutKey: true });
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.match(result.log, /::notice::Glance image review skipped: no API key\. This pull request comes from a fork/);
  assert.match(result.summary, /skipped \(no API key\)/);
  assert.match(result.summary, /pull_request_target/);
  assert.equal(result.outputs["images-reviewed"], "0");
  assert.equal(scenario.model.requests.length, 0);
  assert.equal(scenario.github.comments(7).length, 0);
});

test("a Dependabot run without a key is told to add the key as a Dependabot secret", async () => {
  const pull = pullRequest({ files: [{ filename: "ui/first.png", status: "added" }] });
  scenario.github.addPullRequest(pull);
  const result = await run(scenario, pull, {}, { withoutKey: true, event: { actor: "dependabot[bot]" } });
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.match(
    result.log,
    /::notice::Glance image review skipped: no API key\. Runs started by Dependabot see only Dependabot secrets/,
  );
  assert.match(result.summary, /Add the Model Studio key as a Dependabot secret too/);
  assert.equal(result.outputs["highest-severity"], "skipped");
  assert.equal(scenario.github.requests.length, 0, "a skipped run asks GitHub nothing");
  assert.equal(scenario.model.requests.length, 0);
});

test("a rate-limited model answer is retried and the review completes", async () => {
  const pull = await twoImages();
  scenario.model.script(
    fakeSteps.rateLimited("0"),
    reviewAnswer("first", [{ severity: "low", title: "Tiny gap", detail: "x" }]),
    reviewAnswer("second", []),
  );
  const result = await run(scenario, pull);
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.equal(scenario.model.requests.length, 3);
  assert.match(scenario.github.comments(7)[0]?.body ?? "", /\*\*2 image\(s\) reviewed\*\*/);
  assert.equal(result.outputs.findings, "1");
});

test("the model down for one image: it is reported and warned about, the other findings are kept, the job stays green; a run that could review none fails", async () => {
  const pull = await twoImages();
  const down = {
    kind: "error",
    status: 503,
    code: "ServiceUnavailable",
    message: "The service is unavailable.",
    headers: { "retry-after": "0" },
  } as const;
  scenario.model.script(
    reviewAnswer("first", [{ severity: "low", title: "Kept finding", detail: "x" }]),
    down,
    down,
    down,
    down,
  );
  const green = await run(scenario, pull);
  assert.equal(green.exitCode, 0, failedDetails(green));
  const body = scenario.github.comments(7)[0]?.body ?? "";
  assert.match(body, /Kept finding/);
  assert.match(body, /Not reviewed: the model request failed/);
  assert.match(body, /`ui\/second\.png`: .*503/);
  assert.match(body, /\*\*1 failed\*\*/);
  assert.equal(green.outputs["images-skipped"], "1");
  assert.equal(green.outputs["images-failed"], "1");
  assert.match(
    green.log,
    /::warning::1 image\(s\) could not be reviewed \(the model request failed, or the file could not be read\)/,
  );

  // The next run retries only the image that failed. When that fails again, no image could be
  // reviewed this run: fail-on-error "all" (the default) fails the job although fail-on's findings
  // gate is not reached, and "never" lets it pass; the comment lists the failure either way.
  scenario.model.script(down, down, down, down);
  const gated = await run(scenario, pull, { "fail-on": "high" });
  assert.equal(gated.exitCode, 1, failedDetails(gated));
  assert.match(gated.log, /::error::No image could be reviewed: all 1 image\(s\) failed; the first: .*503/);
  assert.equal(gated.outputs["images-failed"], "1");
  assert.equal(scenario.model.requests.length, 5 + 4);
  assert.match(scenario.github.comments(7)[0]?.body ?? "", /Kept finding/);
  assert.match(scenario.github.comments(7)[0]?.body ?? "", /`ui\/second\.png`: .*503/);

  scenario.model.script(down, down, down, down);
  const tolerated = await run(scenario, pull, { "fail-on": "high", "fail-on-error": "never" });
  assert.equal(tolerated.exitCode, 0, failedDetails(tolerated));
  assert.equal(tolerated.outputs["images-failed"], "1");
  assert.match(scenario.github.comments(7)[0]?.body ?? "", /Not reviewed: the model request failed/);
});

test("GitHub's rate limit on a GET is waited out and retried; writes are not retried blindly", async () => {
  const pull = await twoImages();
  scenario.github.failNext(/^GET \/repos\/[^/]+\/[^/]+\/pulls\/7\/files$/, githubFaults.secondaryRateLimit(1), 1);
  scenario.model.script(reviewAnswer("first", []), reviewAnswer("second", []));
  const result = await run(scenario, pull);
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.match(result.log, /GitHub rate limit on GET .*retrying in 1 s/);
  const fileListings = scenario.github.requests.filter((request) => request.path.includes("/pulls/7/files"));
  assert.equal(fileListings.length, 2);

  // A comment creation that fails is not re-sent: the job reports it and keeps the summary.
  scenario.github.deleteComment(scenario.github.comments(7)[0]?.id ?? 0);
  scenario.github.failNext(/^POST \/repos\/[^/]+\/[^/]+\/issues\/7\/comments$/, githubFaults.serverError(502), 1);
  scenario.model.script(reviewAnswer("first", []), reviewAnswer("second", []));
  const failedPost = await run(scenario, pull);
  assert.equal(failedPost.exitCode, 0, failedDetails(failedPost));
  const posts = scenario.github.requests.filter((request) => request.method === "POST");
  assert.equal(posts.length, 2, "one POST per run");
  assert.match(failedPost.log, /::warning::The review comment could not be posted/);
  assert.match(failedPost.summary, /Glance image review/);
});
