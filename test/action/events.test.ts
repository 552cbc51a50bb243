/* The events the action runs on: pull_request_target (fork PRs, with secrets) and workflow_dispatch with a number. */
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
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

async function forkPullRequest() {
  const pull = pullRequest({
    files: [{ filename: "ui/fork.png", status: "added" }],
    head: { sha: headSha, ref: "patch-1", repoFullName: "stranger/web-app" },
  });
  scenario.github.addPullRequest(pull);
  scenario.github.setFile(headSha, "ui/fork.png", await screenPng("Fork"));
  return pull;
}

test("pull_request_target reviews a fork's images through the API, reading the head commit", async () => {
  const pull = await forkPullRequest();
  scenario.model.script(reviewAnswer("fork", []));
  const result = await run(scenario, pull, {}, { eventName: "pull_request_target" });
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.equal(scenario.github.comments(7).length, 1);
  assert.ok(scenario.github.requests.some((request) => request.path.includes(`ref=${headSha}`)));
});

test("workflow_dispatch needs the pull-request input, and reviews that pull request", async () => {
  const pull = await forkPullRequest();
  const { github, model } = scenario;
  const dispatch = { eventName: "workflow_dispatch", payload: { inputs: {} } } as const;
  const missing = await run(scenario, pull, {}, dispatch);
  assert.equal(missing.exitCode, 1);
  assert.match(missing.log, /::error::This run was started by "workflow_dispatch", which names no pull request/);

  model.script(reviewAnswer("dispatched", []));
  const dispatched = await run(scenario, pull, { "pull-request": String(pull.number) }, dispatch);
  assert.equal(dispatched.exitCode, 0, failedDetails(dispatched));
  assert.equal(github.comments(7).length, 1);
});
