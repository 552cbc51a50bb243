/*
 * Answers as real models write them: each finding is read on its own, so a malformed optional field
 * or one unreadable finding never costs the whole image its review, and no repair request is sent
 * while something usable came back. What was dropped or mapped is counted in the debug log.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { fakeSteps } from "../fakes/model-studio.js";
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

test("malformed optional fields are mapped or dropped, unreadable findings dropped, the rest kept; no repair", async () => {
  const { github, model } = scenario;
  const pull = pullRequest({ files: [{ filename: "ui/settings.png", status: "modified" }] });
  github.addPullRequest(pull);
  github.setFile(baseSha, "ui/settings.png", await screenPng("Settings"));
  github.setFile(headSha, "ui/settings.png", await screenPng("Settings page"));
  model.script(
    fakeSteps.answer(
      JSON.stringify({
        kind: "ui",
        summary: "The settings page after the redesign.",
        findings: [
          // A severity word outside the enum that maps cleanly, and a box of three numbers (dropped).
          { severity: "critical", title: "Save button clipped", detail: "The label is cut.", box: [10, 20, 30] },
          // A box wholly outside the image (the model's 0..1000 grid), and an image that is neither side.
          {
            severity: "minor",
            title: "Footer spacing",
            detail: "Uneven.",
            box: [1200, 1300, 1400, 1500],
            image: "middle",
          },
          // A box written as numeric strings is still a box.
          {
            severity: "Medium",
            title: "Heading contrast",
            detail: "Low contrast.",
            box: ["100", "0", "600", "120"],
            image: "after",
          },
          // No detail is fine; no title or an unknown severity cannot be read, nor can a bare string.
          { severity: "low", title: "Typo in footer" },
          { severity: "high", detail: "A finding without a title." },
          { severity: "purple", title: "Unknown severity", detail: "x" },
          "the layout looks off",
        ],
      }),
    ),
  );
  const result = await run(scenario, pull);
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.equal(model.requests.length, 1, "no repair request: the answer was usable");
  assert.equal(result.outputs["images-reviewed"], "1");
  assert.equal(result.outputs["images-failed"], "0");
  assert.equal(result.outputs.findings, "4");
  assert.equal(result.outputs["highest-severity"], "high");
  const comment = github.comments(7)[0]?.body ?? "";
  // The three-number box is gone (no "at ... px"), the finding kept.
  assert.match(comment, /🔴 \*\*high\*\* · \*\*Save button clipped\*\*: The label is cut\. _\(after\)_$/m);
  assert.match(comment, /🟡 \*\*low\*\* · \*\*Footer spacing\*\*: Uneven\. _\(after\)_$/m);
  assert.match(
    comment,
    /🟠 \*\*medium\*\* · \*\*Heading contrast\*\*: Low contrast\. _\(after, at \(\d+, 0\)–\(\d+, \d+\) px\)_/,
  );
  assert.match(comment, /\*\*Typo in footer\*\*: /);
  assert.doesNotMatch(comment, /Unknown severity|without a title|layout looks off/);
  assert.match(
    result.log,
    /::debug::ui\/settings\.png: the answer was read leniently: 3 unreadable finding\(s\) dropped, 3 invalid optional field\(s\) dropped, 3 value\(s\) mapped\./,
  );
});

test("an answer with no usable shape still gets one repair request", async () => {
  const { github, model } = scenario;
  const pull = pullRequest({ files: [{ filename: "ui/form.png", status: "added" }] });
  github.addPullRequest(pull);
  github.setFile(headSha, "ui/form.png", await screenPng("Form"));
  model.script(fakeSteps.answer("I could not review this image."), reviewAnswer("A form.", []));
  const result = await run(scenario, pull);
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.equal(model.requests.length, 2);
  assert.equal(result.outputs["images-reviewed"], "1");
});
