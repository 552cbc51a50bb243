/*
 * The committed bundle decodes BMP in core's worker thread: the worker is an entry point of its own
 * (action/dist/media-decode-worker.js) that core finds from the chunk it is bundled into. Run from a
 * clean copy of action/dist, as the runner uses it, so a worker file left out of the bundle fails here.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { pullRequestEvent } from "../fakes/github.js";
import { bmpImage } from "../support/media-factory.js";
import { runAction, runDetails } from "../support/run-action.js";
import { headSha, pullRequest, reviewAnswer, type Scenario, startScenario } from "./action-scenario.js";

const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));
let scenario: Scenario;
let checkout: string;

before(async () => {
  scenario = await startScenario();
  checkout = await mkdtemp(join(tmpdir(), "glance-bundle-worker-"));
  await cp(join(repositoryRoot, "action.yml"), join(checkout, "action.yml"));
  await cp(join(repositoryRoot, "action/dist"), join(checkout, "action/dist"), { recursive: true });
});
after(async () => {
  await scenario.close();
  await rm(checkout, { recursive: true, force: true });
});

test("the bundle reviews an added BMP, decoded in its worker thread", async () => {
  assert.ok(existsSync(join(checkout, "action/dist/media-decode-worker.js")));
  const { github, model } = scenario;
  const pull = pullRequest({ number: 31, files: [{ filename: "docs/screens/legacy.bmp", status: "added" }] });
  github.addPullRequest(pull);
  github.setFile(headSha, "docs/screens/legacy.bmp", await readFile(await bmpImage()));
  model.script(reviewAnswer("A two-colour legacy screen.", [{ severity: "low", title: "Flat", detail: "Plain." }]));
  const result = await runAction({
    entry: join(checkout, "action/dist/index.js"),
    cwd: checkout,
    inputs: { "api-key": model.apiKey, "base-url": model.baseUrl, "github-token": github.token, concurrency: "1" },
    event: pullRequestEvent(github, pull),
    repository: `${github.owner}/${github.repo}`,
    apiUrl: github.apiUrl,
    serverUrl: github.serverUrl,
  });
  assert.equal(result.exitCode, 0, runDetails(result));
  assert.equal(model.requests.length, 1, runDetails(result));
  // The BMP reached the model re-encoded by sharp from the worker's pixels.
  assert.match(JSON.stringify(model.requests[0]?.body), /data:image\/(png|jpeg);base64,/);
  assert.match(github.comments(31)[0]?.body ?? "", /Flat/);
});
