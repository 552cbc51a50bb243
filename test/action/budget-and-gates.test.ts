/*
 * The budget is decided before any model call (max-images, max-tokens, dry-run), and fail-on turns
 * findings into a failing job only at or above its threshold.
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

/** One modified pair (the most important) and three added images of growing size. */
async function fourImages() {
  const pull = pullRequest({
    files: [
      { filename: "ui/a-added.png", status: "added" },
      { filename: "ui/b-added.png", status: "added" },
      { filename: "ui/c-added.png", status: "added" },
      { filename: "ui/z-modified.png", status: "modified" },
    ],
  });
  const { github } = scenario;
  github.addPullRequest(pull);
  github.setFile(baseSha, "ui/z-modified.png", await screenPng("Before"));
  github.setFile(headSha, "ui/z-modified.png", await screenPng("After"));
  github.setFile(headSha, "ui/a-added.png", await screenPng("A", { width: 640, height: 400 }));
  github.setFile(headSha, "ui/b-added.png", await screenPng("B"));
  github.setFile(headSha, "ui/c-added.png", await screenPng("C"));
  return pull;
}

test("max-images reviews the most important images first and reports the rest as skipped", async () => {
  const pull = await fourImages();
  scenario.model.script(reviewAnswer("modified", []), reviewAnswer("a", []));
  const result = await run(scenario, pull, { "max-images": "2" });
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.equal(scenario.model.requests.length, 2);
  const body = scenario.github.comments(7)[0]?.body ?? "";
  assert.match(body, /### .* `ui\/z-modified\.png` \(modified\)/);
  assert.match(body, /`ui\/b-added\.png`: max-images: only the first 2 images are reviewed/);
  assert.match(body, /`ui\/c-added\.png`: max-images/);
  assert.equal(result.outputs["images-skipped"], "2");
});

test("max-tokens cuts the run before any call, and dry-run only estimates", async () => {
  const pull = await fourImages();
  const dry = await run(scenario, pull, { "dry-run": "true" });
  assert.equal(dry.exitCode, 0, failedDetails(dry));
  assert.equal(scenario.model.requests.length, 0, "a dry run sends nothing");
  assert.equal(scenario.github.comments(7).length, 0, "a dry run posts nothing");
  const estimates = [...dry.summary.matchAll(/- `([^`]+)`: about ([\d,]+) tokens/g)].map((match) => ({
    name: match[1] ?? "",
    tokens: Number((match[2] ?? "").replace(/,/g, "")),
  }));
  assert.equal(estimates.length, 4);
  // Modified first, then added ones by bytes, larger first (GitHub counts no lines for binaries):
  // the 640x400 one, then b and c (same dimensions, so the same estimate) in the order of their sizes.
  const sizeB = (await screenPng("B")).length;
  const sizeC = (await screenPng("C")).length;
  const [bigger, smaller] =
    sizeB >= sizeC ? ["ui/b-added.png", "ui/c-added.png"] : ["ui/c-added.png", "ui/b-added.png"];
  assert.deepEqual(
    estimates.map((estimate) => estimate.name),
    ["ui/z-modified.png", "ui/a-added.png", bigger, smaller],
  );
  const [pair, large, small] = [estimates[0]?.tokens ?? 0, estimates[1]?.tokens ?? 0, estimates[2]?.tokens ?? 0];
  assert.ok(large > small, "the larger image costs more");
  assert.equal(estimates[3]?.tokens, small, "same dimensions, same estimate");
  // Budget: the modified pair and one small image fit exactly; the large one and the last do not.
  const maxTokens = pair + small;
  scenario.model.script(reviewAnswer("modified", []), reviewAnswer("small", []));
  const result = await run(scenario, pull, { "max-tokens": String(maxTokens) });
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.equal(scenario.model.requests.length, 2);
  const body = scenario.github.comments(7)[0]?.body ?? "";
  assert.match(body, /`ui\/a-added\.png`: max-tokens: needs about/);
  assert.ok(body.includes(`\`${smaller}\`: max-tokens`));
  assert.ok(!body.includes(`\`${bigger}\`: max-tokens`));
  // What was really used stays within the budget the estimate promised.
  const used = Number(result.outputs["input-tokens"]) + Number(result.outputs["output-tokens"]);
  assert.ok(used <= maxTokens, `${used} tokens used of ${maxTokens}`);
});

test("a dry run needs no key: it estimates, writes the summary and posts nothing", async () => {
  const pull = await fourImages();
  const dry = await run(scenario, pull, { "dry-run": "true" }, { withoutKey: true });
  assert.equal(dry.exitCode, 0, failedDetails(dry));
  assert.match(dry.summary, /\*\*Dry run:\*\* nothing was sent to the model\. 4 image\(s\) would be reviewed/);
  assert.match(dry.log, /Dry run: nothing was sent to the model and no comment was posted\./);
  assert.equal(scenario.model.requests.length, 0);
  assert.equal(scenario.github.comments(7).length, 0);
  assert.equal(dry.outputs["highest-severity"], "none", "estimated, not skipped");
  assert.equal(dry.outputs["comment-url"], "");
});

test("fail-on fails the job only when a finding reaches the threshold", async () => {
  const pull = pullRequest({ files: [{ filename: "ui/form.png", status: "added" }] });
  scenario.github.addPullRequest(pull);
  scenario.github.setFile(headSha, "ui/form.png", await screenPng("Form"));
  const medium = () => reviewAnswer("form", [{ severity: "medium", title: "Misaligned label", detail: "2 px off." }]);

  scenario.model.script(medium());
  const below = await run(scenario, pull, { "fail-on": "high" });
  assert.equal(below.exitCode, 0, failedDetails(below));

  // Same content would be carried forward; fail-on still counts carried findings.
  const at = await run(scenario, pull, { "fail-on": "medium" });
  assert.equal(at.exitCode, 1, failedDetails(at));
  assert.match(at.log, /::error::1 finding\(s\) at or above fail-on "medium"/);
  assert.equal(at.outputs["highest-severity"], "medium");

  const none = await run(scenario, pull, { "fail-on": "none" });
  assert.equal(none.exitCode, 0);
  const invalid = await run(scenario, pull, { "fail-on": "critical" });
  assert.equal(invalid.exitCode, 1);
  assert.match(invalid.log, /fail-on is "critical"; it must be one of none, low, medium, high/);
});
