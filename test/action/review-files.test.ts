/*
 * The review against the fakes: modified, added, renamed and removed images, an SVG diagram,
 * before/after pairs in one request, box mapping, outputs and the job summary.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  baseSha,
  diagramSvg,
  failedDetails,
  headSha,
  imagePartsOf,
  promptsOf,
  pullRequest,
  reviewAnswer,
  run,
  type Scenario,
  screenPng,
  startScenario,
} from "./action-scenario.js";

let scenario: Scenario;
before(async () => {
  scenario = await startScenario();
});
after(() => scenario.close());

test("reviews modified, added, renamed and SVG images, lists removed ones, and posts one comment", async () => {
  const { github, model } = scenario;
  const pull = pullRequest({
    files: [
      { filename: "src/app.ts", status: "modified", changes: 12 },
      { filename: "docs/screens/settings.png", status: "modified", changes: 0 },
      { filename: "docs/screens/profile.png", status: "added" },
      { filename: "docs/screens/billing-page.png", status: "renamed", previous_filename: "docs/billing.png" },
      { filename: "docs/architecture.svg", status: "added" },
      { filename: "docs/old-logo.png", status: "removed" },
    ],
  });
  github.addPullRequest(pull);
  github.setFile(baseSha, "docs/screens/settings.png", await screenPng("Settings"));
  github.setFile(headSha, "docs/screens/settings.png", await screenPng("Settings", { button: "Save changes now" }));
  github.setFile(headSha, "docs/screens/profile.png", await screenPng("Profile"));
  github.setFile(baseSha, "docs/billing.png", await screenPng("Billing"));
  github.setFile(headSha, "docs/screens/billing-page.png", await screenPng("Billing and plans"));
  github.setFile(headSha, "docs/architecture.svg", diagramSvg("Uploader"));
  // Priority order with concurrency 1: modified first, then added and renamed ones by bytes changed
  // (GitHub counts no lines for binaries), larger first.
  const sizes = {
    profile: (await screenPng("Profile")).length,
    billing: Math.abs((await screenPng("Billing and plans")).length - (await screenPng("Billing")).length),
    diagram: diagramSvg("Uploader").length,
  };
  const answers = {
    diagram: reviewAnswer(
      "The diagram shows the uploader and storage.",
      [{ severity: "low", title: "Arrow has no label", detail: "Say what flows from Uploader to Storage." }],
      "diagram",
    ),
    billing: reviewAnswer("The billing page was renamed; the heading is longer.", []),
    profile: reviewAnswer("A plain profile header.", [
      { severity: "medium", title: "Low contrast footer", detail: "Grey footer text on white." },
    ]),
  };
  const order = (Object.keys(sizes) as Array<keyof typeof sizes>).sort((first, second) => sizes[second] - sizes[first]);
  model.script(
    reviewAnswer("The save button label now overflows its button.", [
      {
        severity: "high",
        title: "Button text overflows",
        detail: "The label runs past the green button.",
        box: [0, 500, 500, 1000],
        image: "after",
      },
    ]),
    ...order.map((name) => answers[name]),
  );

  const result = await run(scenario, pull);
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.equal(model.requests.length, 4);
  // The modified and renamed images go as before/after pairs in one request; added ones alone.
  const at = (name: keyof typeof sizes) => 1 + order.indexOf(name);
  assert.deepEqual(
    [0, at("diagram"), at("billing"), at("profile")].map((index) => imagePartsOf(model, index)),
    [2, 1, 2, 1],
  );
  const prompts = promptsOf(model);
  assert.match(prompts[0] ?? "", /docs\/screens\/settings\.png/);
  assert.match(prompts[0] ?? "", /BEFORE/);
  assert.match(prompts[at("diagram")] ?? "", /This is a diagram/);
  assert.match(
    prompts[at("billing")] ?? "",
    /renamed from <untrusted field="previous file">"docs\/billing\.png"<\/untrusted>/,
  );
  assert.match(prompts[at("profile")] ?? "", /"docs\/screens\/profile\.png"<\/untrusted>, added/);
  // The PR title and changed paths are context for the diagram rubric.
  assert.match(prompts[at("diagram")] ?? "", /Redesign the settings page/);
  assert.match(prompts[at("diagram")] ?? "", /src\/app\.ts/);

  const comments = github.comments(7);
  assert.equal(comments.length, 1);
  const body = comments[0]?.body ?? "";
  assert.match(body, /<!-- glance-review:[0-9a-f]{16} -->/);
  assert.match(body, /\*\*4 image\(s\) reviewed\*\*/);
  assert.match(body, /3 finding\(s\)\*\*: 1 high, 1 medium, 1 low/);
  assert.match(body, /Button text overflows/);
  assert.match(body, /`docs\/old-logo\.png`/);
  assert.match(
    body,
    new RegExp(`\\[before\\]\\(${github.serverUrl}/octo-org/web-app/blob/${baseSha}/docs/screens/settings\\.png\\)`),
  );
  assert.match(
    body,
    new RegExp(`\\[after\\]\\(${github.serverUrl}/octo-org/web-app/blob/${headSha}/docs/screens/settings\\.png\\)`),
  );
  // The box [0,500,500,1000] on the 0..999 grid maps to the 320x200 original: x 0..160, y 100..200.
  assert.match(body, /after, at \(0, 100\)–\(160, 200\) px/);

  assert.equal(result.outputs.findings, "3");
  assert.equal(result.outputs["highest-severity"], "high");
  assert.equal(result.outputs["images-reviewed"], "4");
  assert.equal(result.outputs["images-skipped"], "0");
  assert.ok(Number(result.outputs["input-tokens"]) > 0);
  assert.equal(result.outputs["comment-url"], comments[0]?.html_url);
  assert.match(result.summary, /Button text overflows/);
  // The key is masked for the runner, and appears nowhere else in the log.
  assert.equal(result.log.split(model.apiKey).length - 1, 1);
  assert.match(result.log, new RegExp(`::add-mask::${model.apiKey}`));
});
