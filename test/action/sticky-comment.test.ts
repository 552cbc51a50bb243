/*
 * One comment per pull request across runs: updated in place, incremental re-runs that review only
 * changed images and carry the other findings forward, a deleted comment not resurrected, a
 * person's comment quoting the marker never taken over, and the new/off comment modes.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import {
  baseSha,
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

async function twoImagePullRequest() {
  const pull = pullRequest({
    files: [
      { filename: "screens/home.png", status: "added" },
      { filename: "screens/login.png", status: "added" },
    ],
  });
  scenario.github.addPullRequest(pull);
  // home.png is the larger file, so it is reviewed (and answered) first.
  scenario.github.setFile(headSha, "screens/home.png", await screenPng("Home", { width: 480 }));
  scenario.github.setFile(headSha, "screens/login.png", await screenPng("Login"));
  return pull;
}

test("a second run updates the same comment, and an incremental run reviews only the changed image", async () => {
  const { github, model } = scenario;
  const pull = await twoImagePullRequest();
  model.script(
    reviewAnswer("Home screen.", [{ severity: "medium", title: "Home heading clipped", detail: "Cut at the right." }]),
    reviewAnswer("Login screen.", [{ severity: "low", title: "Login typo", detail: "Pasword." }]),
  );
  const first = await run(scenario, pull);
  assert.equal(first.exitCode, 0, failedDetails(first));
  assert.equal(github.comments(7).length, 1);
  const firstId = github.comments(7)[0]?.id;

  // Same content: nothing to review, the comment is edited (not duplicated) with the findings carried.
  const second = await run(scenario, pull);
  assert.equal(second.exitCode, 0, failedDetails(second));
  assert.equal(model.requests.length, 2, "no model call for unchanged images");
  assert.equal(github.comments(7).length, 1);
  assert.equal(github.comments(7)[0]?.id, firstId);
  assert.match(github.comments(7)[0]?.body ?? "", /Home heading clipped/);
  assert.match(github.comments(7)[0]?.body ?? "", /2 unchanged since the last review/);
  assert.equal(second.outputs.findings, "2");

  // A new push changes login.png only: one request, home's finding carried forward.
  const newHead = "c".repeat(40);
  const pushed = { ...pull, head: { ...pull.head, sha: newHead } };
  github.addPullRequest(pushed);
  github.setFile(newHead, "screens/home.png", await screenPng("Home", { width: 480 }));
  github.setFile(newHead, "screens/login.png", await screenPng("Login", { button: "Sign in" }));
  model.script(reviewAnswer("Login screen, fixed.", []));
  const third = await run(scenario, pushed);
  assert.equal(third.exitCode, 0, failedDetails(third));
  assert.equal(model.requests.length, 3);
  const body = github.comments(7)[0]?.body ?? "";
  assert.equal(github.comments(7).length, 1);
  assert.match(body, /Home heading clipped/);
  assert.doesNotMatch(body, /Login typo/);
  assert.match(body, /1 image\(s\) reviewed\*\* · 1 unchanged since the last review/);
  assert.equal(third.outputs.findings, "1");
  assert.equal(third.outputs["images-reviewed"], "2");
});

test("after our comment is deleted the next run reviews everything afresh in a new comment, and a person's comment quoting the marker is left alone", async () => {
  const { github, model } = scenario;
  const pull = await twoImagePullRequest();
  model.script(
    reviewAnswer("Home.", [{ severity: "low", title: "First finding", detail: "x" }]),
    reviewAnswer("Login.", []),
  );
  await run(scenario, pull);
  const ours = github.comments(7)[0];
  assert.ok(ours !== undefined);
  github.deleteComment(ours.id);
  // Someone quotes the marker (and the metadata) in their own comment: it must never be edited or read.
  const quoted = github.addComment(7, `Quoting the bot: ${ours.body}`, {
    login: "reviewer",
    id: 9,
    type: "User",
  });

  model.script(reviewAnswer("Home again.", []), reviewAnswer("Login again.", []));
  const result = await run(scenario, pull);
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.equal(model.requests.length, 4, "the metadata went with the deleted comment, so both are reviewed again");
  const comments = github.comments(7);
  assert.equal(comments.length, 2);
  assert.equal(comments.find((comment) => comment.id === quoted.id)?.body, quoted.body);
  const fresh = comments.find((comment) => comment.id !== quoted.id);
  assert.ok(fresh !== undefined && fresh.id !== ours.id);
  assert.doesNotMatch(fresh.body, /First finding/);
  assert.equal(fresh.user.type, "Bot");
});

test("comment-mode new always posts, off posts nothing but still writes the summary", async () => {
  const { github, model } = scenario;
  const pull = await twoImagePullRequest();
  model.script(reviewAnswer("Home.", []), reviewAnswer("Login.", []));
  const first = await run(scenario, pull, { "comment-mode": "new" });
  assert.equal(first.exitCode, 0, failedDetails(first));
  // The second run's images are unchanged, so it carries the first run's review forward and posts again.
  const second = await run(scenario, pull, { "comment-mode": "new" });
  assert.equal(second.exitCode, 0, failedDetails(second));
  assert.equal(model.requests.length, 2);
  const comments = github.comments(7);
  assert.equal(comments.length, 2);
  assert.notEqual(comments[0]?.id, comments[1]?.id);
  assert.match(comments[1]?.body ?? "", /2 unchanged since the last review/);
  assert.equal(second.outputs["comment-url"], comments[1]?.html_url);
  model.script(reviewAnswer("Home.", []), reviewAnswer("Login.", []));
  const before = github.requests.filter((request) => request.method !== "GET").length;
  const off = await run(scenario, pull, { "comment-mode": "off" });
  assert.equal(off.exitCode, 0, failedDetails(off));
  assert.equal(github.requests.filter((request) => request.method !== "GET").length, before);
  assert.equal(off.outputs["comment-url"], "");
  assert.match(off.summary, /Glance image review/);
});

test("two runs racing on a pull request without a comment end with exactly one", async () => {
  const { github } = scenario;
  const pull = await twoImagePullRequest();
  // The fake model's default answer is not JSON, so give both runs valid answers.
  scenario.model.script(reviewAnswer("a", []), reviewAnswer("b", []), reviewAnswer("c", []), reviewAnswer("d", []));
  const results = await Promise.all([run(scenario, pull), run(scenario, pull)]);
  for (const result of results) assert.equal(result.exitCode, 0, failedDetails(result));
  assert.equal(github.comments(7).length, 1);
  void baseSha;
});
