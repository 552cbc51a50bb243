/*
 * The action's model input against the catalogue: a newer model named like the vendor's runs with one
 * ::warning:: saying what was assumed, strict-models refuses it before anything is downloaded or sent,
 * and an unknown name fails the step in one line.
 */
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
  // The service of tomorrow serves a model Glance's catalogue has not heard of yet.
  scenario = await startScenario({ servedModels: ["qwen3.9-plus"] });
});
afterEach(() => scenario.close());

async function onePullRequest() {
  const { github } = scenario;
  const pull = pullRequest({ files: [{ filename: "ui/settings.png", status: "added" }] });
  github.addPullRequest(pull);
  github.setFile(headSha, "ui/settings.png", await screenPng("Settings"));
  return pull;
}

test("a newer model is reviewed with, and named in, the request, after one warning", async () => {
  const pull = await onePullRequest();
  scenario.model.script(reviewAnswer("settings", []));
  const result = await run(scenario, pull, { model: "qwen3.9-plus" });
  assert.equal(result.exitCode, 0, failedDetails(result));
  const warnings = result.log.split("\n").filter((line) => line.startsWith("::warning::"));
  assert.deepEqual(warnings, [
    `::warning::Model "qwen3.9-plus" is not in Glance's catalogue; assuming it takes images and has the limits of qwen3.7-plus, the nearest known model.`,
  ]);
  const body = scenario.model.requests[0]?.body as { model?: string } | undefined;
  assert.equal(body?.model, "qwen3.9-plus");
});

test("strict-models refuses a newer model: the step fails in one line and nothing is sent", async () => {
  const pull = await onePullRequest();
  const result = await run(scenario, pull, { model: "qwen3.9-plus", "strict-models": "true" });
  assert.equal(result.exitCode, 1, failedDetails(result));
  assert.match(result.log, /^::error::Model "qwen3\.9-plus" is not in Glance's catalogue, and strict models refuse/m);
  assert.equal(scenario.model.requests.length, 0);
  assert.deepEqual(scenario.github.comments(7), []);
});

test("an unknown model fails the step in one line listing the known ones", async () => {
  const pull = await onePullRequest();
  const result = await run(scenario, pull, { model: "gpt-4o" });
  assert.equal(result.exitCode, 1, failedDetails(result));
  assert.match(result.log, /^::error::Unknown model "gpt-4o"\. Known models: qwen3\.7-plus, /m);
  assert.equal(scenario.model.requests.length, 0);
});

test("strict-models accepts a known model without a warning", async () => {
  const pull = await onePullRequest();
  scenario.model.script(reviewAnswer("settings", []));
  const result = await run(scenario, pull, { model: "qwen3.7-plus", "strict-models": "true" });
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.doesNotMatch(result.log, /::warning::Model/);
});
