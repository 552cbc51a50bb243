/*
 * Proof that the committed bundle runs from a clean checkout, as the runner uses it: only action.yml
 * and action/dist are copied into a fresh directory with no node_modules anywhere above it, and
 * `node action/dist/index.js` reviews a pull request against the fakes, sharp's native code included.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, parse } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { pullRequestEvent } from "../fakes/github.js";
import { runAction, runDetails } from "../support/run-action.js";
import {
  baseSha,
  diagramSvg,
  headSha,
  pullRequest,
  reviewAnswer,
  type Scenario,
  screenPng,
  startScenario,
} from "./action-scenario.js";

const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));
let scenario: Scenario;
let checkout: string;

before(async () => {
  scenario = await startScenario();
  checkout = await mkdtemp(join(tmpdir(), "glance-clean-checkout-"));
  await cp(join(repositoryRoot, "action.yml"), join(checkout, "action.yml"));
  await cp(join(repositoryRoot, "action/dist"), join(checkout, "action/dist"), { recursive: true });
});
after(async () => {
  await scenario.close();
  await rm(checkout, { recursive: true, force: true });
});

function nodeModulesAbove(directory: string): string[] {
  const found: string[] = [];
  for (let current = directory; ; current = dirname(current)) {
    if (existsSync(join(current, "node_modules"))) found.push(join(current, "node_modules"));
    if (current === parse(current).root) return found;
  }
}

test("action.yml runs action/dist/index.js on node24", async () => {
  const manifest = await readFile(join(checkout, "action.yml"), "utf8");
  assert.match(manifest, /using: ["']?node24["']?/);
  assert.match(manifest, /main: ["']?action\/dist\/index\.js["']?/);
});

test("the copied bundle reviews a modified PNG and an SVG with no install step", async () => {
  assert.deepEqual(
    nodeModulesAbove(join(checkout, "action")),
    [],
    "no node_modules may be reachable from the checkout",
  );
  const { github, model } = scenario;
  const pull = pullRequest({
    files: [
      { filename: "docs/screens/home.png", status: "modified" },
      { filename: "docs/flow.svg", status: "added" },
    ],
  });
  github.addPullRequest(pull);
  github.setFile(baseSha, "docs/screens/home.png", await screenPng("Home"));
  github.setFile(headSha, "docs/screens/home.png", await screenPng("Home page"));
  github.setFile(headSha, "docs/flow.svg", diagramSvg("Upload"));
  model.script(
    reviewAnswer("Home heading changed.", [{ severity: "low", title: "Heading wraps", detail: "Tight." }]),
    reviewAnswer("Upload flow.", [], "diagram"),
  );
  const result = await runAction({
    entry: join(checkout, "action/dist/index.js"),
    cwd: checkout,
    inputs: {
      "api-key": model.apiKey,
      "base-url": model.baseUrl,
      "github-token": github.token,
      concurrency: "1",
    },
    event: pullRequestEvent(github, pull),
    repository: `${github.owner}/${github.repo}`,
    apiUrl: github.apiUrl,
    serverUrl: github.serverUrl,
  });
  assert.equal(result.exitCode, 0, runDetails(result));
  assert.equal(model.requests.length, 2);
  // sharp really ran: the SVG reached the model as a rasterized PNG.
  const svgRequest = JSON.stringify(model.requests[1]?.body);
  assert.match(svgRequest, /data:image\/png;base64,/);
  assert.equal(github.comments(7).length, 1);
  assert.match(github.comments(7)[0]?.body ?? "", /Heading wraps/);
  assert.equal(result.outputs.findings, "1");
  assert.equal(result.outputs["comment-url"], github.comments(7)[0]?.html_url);
});
