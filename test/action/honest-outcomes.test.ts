/*
 * Honest outcomes: a refused key, a model the endpoint does not know and an endpoint that does not
 * answer stop the run at once with one line and no comment; fail-on-error decides when images the
 * model could not review fail the job; the comment's header says what happened; the region input
 * picks core's endpoint, an explicit base-url wins, and api-key is optional.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { afterEach, beforeEach, describe, test } from "node:test";
import { regionBaseUrls } from "@glance/core";
import { readConfig } from "../../action/src/config.js";
import { modelBaseUrl } from "../../action/src/model-client.js";
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

async function threeImages() {
  const pull = pullRequest({
    files: [
      { filename: "ui/first.png", status: "added" },
      { filename: "ui/second.png", status: "added" },
      { filename: "ui/third.png", status: "added" },
    ],
  });
  scenario.github.addPullRequest(pull);
  scenario.github.setFile(headSha, "ui/first.png", await screenPng("First", { width: 480, height: 300 }));
  scenario.github.setFile(headSha, "ui/second.png", await screenPng("Second", { width: 400, height: 260 }));
  scenario.github.setFile(headSha, "ui/third.png", await screenPng("Third"));
  return pull;
}

const down = {
  kind: "error",
  status: 503,
  code: "ServiceUnavailable",
  message: "The service is unavailable.",
  headers: { "retry-after": "0" },
} as const;

/** Lines the runner prints as ::error::, decoded. */
function errorLines(log: string): string[] {
  return log
    .split("\n")
    .filter((line) => line.startsWith("::error::"))
    .map((line) => line.slice("::error::".length));
}

describe("set-up failures stop the run at once", () => {
  test("a refused key: one request, one line naming the cause and the fix, no comment", async () => {
    const pull = await threeImages();
    const result = await run(scenario, pull, { "api-key": "sk-a-key-of-another-region" });
    assert.equal(result.exitCode, 1, failedDetails(result));
    assert.equal(scenario.model.requests.length, 1, "no request after the key was refused");
    const errors = errorLines(result.log);
    assert.equal(errors.length, 1, result.log);
    assert.match(
      errors[0] ?? "",
      /^The Model Studio key was refused \(401 invalid_api_key\): check the api-key secret, and that the key's region matches base-url\/region/,
    );
    assert.doesNotMatch(result.log, /::warning::ui\/.* was not reviewed/, "one line, not one per image");
    assert.equal(scenario.github.comments(7).length, 0, "no comment claims a review happened");
    assert.match(result.summary, /Glance image review: stopped/);
    assert.match(result.summary, /3 image\(s\) were not reviewed/);
    assert.equal(result.outputs["images-failed"], "3");
    assert.equal(result.outputs["images-reviewed"], "0");
    const printed = result.log.replace("::add-mask::sk-a-key-of-another-region\n", "");
    assert.ok(!printed.includes("sk-a-key-of-another-region"), "the key is masked and never printed");
  });

  test("a model the endpoint does not know (404) stops the run with the fix", async () => {
    const pull = await threeImages();
    // What the OpenAI-compatible endpoint answers for a model it does not serve, e.g.
    // "The model `Qwen-Plus` does not exist or you do not have access to it."
    // (https://github.com/AIDotNet/OpenDeepWiki/issues/308, 2025-12-18).
    scenario.model.script({
      kind: "error",
      status: 404,
      code: "model_not_found",
      message: "The model does not exist or you do not have access to it.",
    });
    const result = await run(scenario, pull);
    assert.equal(result.exitCode, 1, failedDetails(result));
    assert.equal(scenario.model.requests.length, 1);
    assert.match(
      errorLines(result.log)[0] ?? "",
      /^Model Studio answered 404 model_not_found for model ".+" at http:\/\/127\.0\.0\.1:\d+\/compatible-mode\/v1: .*Check the model input and base-url\/region\.$/,
    );
    assert.equal(scenario.github.comments(7).length, 0);
  });

  test("a model name core cannot resolve fails before GitHub or the model is asked anything", async () => {
    const pull = await threeImages();
    const result = await run(scenario, pull, { model: "not-a-vision-model" });
    assert.equal(result.exitCode, 1, failedDetails(result));
    assert.equal(errorLines(result.log).length, 1, result.log);
    assert.match(errorLines(result.log)[0] ?? "", /not-a-vision-model/);
    assert.equal(scenario.model.requests.length, 0);
    assert.equal(scenario.github.requests.length, 0);
  });

  test("an endpoint that does not answer stops the run, naming the endpoint and the fix", async () => {
    const pull = await threeImages();
    const closed = await closedPort();
    const result = await run(scenario, pull, { "base-url": `http://127.0.0.1:${closed}/compatible-mode/v1` });
    assert.equal(result.exitCode, 1, failedDetails(result));
    const errors = errorLines(result.log);
    assert.equal(errors.length, 1, result.log);
    assert.match(
      errors[0] ?? "",
      new RegExp(
        `^Model Studio at http://127\\.0\\.0\\.1:${closed}/compatible-mode/v1 did not answer: check base-url/region, and that the runner can reach that endpoint\\.`,
      ),
    );
    assert.equal(scenario.github.comments(7).length, 0);
    assert.equal(result.outputs["images-failed"], "3");
  });

  test('fail-on-error "never" turns a set-up failure into a warning; still no comment', async () => {
    const pull = await threeImages();
    const result = await run(scenario, pull, { "api-key": "sk-revoked", "fail-on-error": "never" });
    assert.equal(result.exitCode, 0, failedDetails(result));
    assert.match(
      result.log,
      /::warning::The Model Studio key was refused \(401 invalid_api_key\).*fail-on-error is "never"/,
    );
    assert.equal(scenario.github.comments(7).length, 0);
    assert.equal(scenario.model.requests.length, 1);
  });
});

describe("fail-on-error and the header", () => {
  test('"any" fails on one image the model could not review; "all" does not while another was reviewed', async () => {
    const pull = await threeImages();
    scenario.model.script(reviewAnswer("first", []), down, down, down, down, reviewAnswer("third", []));
    const any = await run(scenario, pull, { "fail-on-error": "any" });
    assert.equal(any.exitCode, 1, failedDetails(any));
    assert.match(
      errorLines(any.log)[0] ?? "",
      /^1 image\(s\) could not be reviewed \(fail-on-error "any"\); the first: .*503/,
    );
    const comment = scenario.github.comments(7)[0]?.body ?? "";
    assert.match(comment, /`ui\/\w+\.png`: .*503/, "failures are listed in the comment either way");
    // No findings and a failure: the header warns, and no sentence speaks of findings "above".
    assert.match(comment, /^## ⚠️ Glance image review$/m);
    assert.doesNotMatch(comment, /✅ Glance image review/);
    assert.doesNotMatch(comment, /findings above/);
    assert.match(comment, /These images will be reviewed on the next run\./);

    scenario.model.script(down, down, down, down);
    const all = await run(scenario, pull);
    // Only the failed image is sent again (the others are unchanged): it fails, so no image was reviewed this run.
    assert.equal(all.exitCode, 1, failedDetails(all));
    assert.match(errorLines(all.log)[0] ?? "", /^No image could be reviewed/);
  });

  test("the header: ✅ only when all were reviewed and nothing found; the severity's colour with findings, plus what failed", async () => {
    const pull = await threeImages();
    scenario.model.script(reviewAnswer("first", []), reviewAnswer("second", []), reviewAnswer("third", []));
    const clean = await run(scenario, pull);
    assert.equal(clean.exitCode, 0, failedDetails(clean));
    assert.match(scenario.github.comments(7)[0]?.body ?? "", /^## ✅ Glance image review$/m);

    scenario.github.setFile(headSha, "ui/first.png", await screenPng("First, changed", { width: 480, height: 300 }));
    scenario.github.setFile(headSha, "ui/second.png", await screenPng("Second, changed", { width: 400, height: 260 }));
    scenario.model.script(
      reviewAnswer("first", [{ severity: "medium", title: "Clipped label", detail: "x" }]),
      down,
      down,
      down,
      down,
    );
    const mixed = await run(scenario, pull);
    assert.equal(mixed.exitCode, 0, failedDetails(mixed));
    const comment = scenario.github.comments(7)[0]?.body ?? "";
    assert.match(comment, /^## 🟠 Glance image review · ⚠️ 1 image\(s\) not reviewed$/m);
    assert.match(comment, /The findings above are kept; these images will be reviewed on the next run\./);
  });
});

describe("region, base-url and api-key inputs", () => {
  const inputs = (values: Record<string, string>) => (name: string) =>
    ({ "github-token": "ghs_token", ...values })[name] ?? "";

  test("region picks core's endpoint for that region; base-url wins; an unknown region lists the known ones", () => {
    for (const [region, url] of Object.entries(regionBaseUrls)) {
      const config = readConfig(inputs({ region: region.toUpperCase() }));
      assert.equal(config.region, region);
      assert.equal(modelBaseUrl(config), url);
      const explicit = readConfig(inputs({ region, "base-url": "https://proxy.example.com/compatible-mode/v1" }));
      assert.equal(modelBaseUrl(explicit), "https://proxy.example.com/compatible-mode/v1");
    }
    assert.equal(modelBaseUrl(readConfig(inputs({}))), undefined, "neither set: core's default endpoint");
    assert.throws(
      () => readConfig(inputs({ region: "mars" })),
      (error: Error) =>
        error.message.includes(`region is "mars"; it must be one of ${Object.keys(regionBaseUrls).join(", ")}.`),
    );
  });

  test("action.yml: api-key is optional, region and fail-on-error are declared, base-url has no default that would beat region", () => {
    const manifest = readFileSync(new URL("../../action.yml", import.meta.url), "utf8");
    const input = (name: string) => new RegExp(`^ {2}${name}:\\n((?: {4}.*\\n)+)`, "m").exec(manifest)?.[1] ?? "";
    assert.match(input("api-key"), /^ {4}required: false$/m);
    assert.match(input("region"), /intl.*us.*cn.*hk/);
    assert.match(input("fail-on-error"), /^ {4}default: all$/m);
    assert.match(input("base-url"), /^ {4}default: ""$/m);
    assert.equal(readConfig(inputs({})).failOnError, "all");
  });
});

/** A local port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
