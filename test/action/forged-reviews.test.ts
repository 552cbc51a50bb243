/*
 * A pull request's author cannot take over the review (issue 10, items 3 and 4). The marker is
 * public and a bot can be made to quote the author's text, so only a comment that starts with the
 * marker and carries metadata signed with the action's key for this pull request is believed or
 * edited: a bot comment quoting a review, a forged block at the start of one, and a genuine block
 * copied from another pull request are all left alone and never carried forward. A run without a key
 * reads no earlier metadata. And a run that a newer push overtook while it ran never replaces the
 * newer head's review: the head is read again just before publishing.
 */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { actionsBot, type FakePullRequest } from "../fakes/github.js";
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

let scenario: Scenario | undefined;
afterEach(async () => {
  await scenario?.close();
  scenario = undefined;
});

const realProblem = { severity: "high", title: "Real problem", detail: "The heading is clipped." } as const;

async function oneImage(current: Scenario, options: { number?: number; sha?: string; heading?: string } = {}) {
  const sha = options.sha ?? headSha;
  const base = pullRequest({ files: [{ filename: "screens/home.png", status: "added" }] });
  const pull: FakePullRequest = { ...base, number: options.number ?? 7, head: { ...base.head, sha } };
  current.github.addPullRequest(pull);
  current.github.setFile(sha, "screens/home.png", await screenPng(options.heading ?? "Home"));
  return pull;
}

/** Our hidden block (marker and metadata) copied, with every finding removed: what an author would forge. */
function withoutFindings(body: string): string {
  const hidden = body.slice(0, body.indexOf(" -->", body.indexOf("glance-metadata:")) + 4);
  return hidden.replace(/(glance-metadata:)([A-Za-z0-9+/=]+)/, (_whole, opening: string, payload: string) => {
    const metadata = JSON.parse(Buffer.from(payload, "base64").toString("utf8"));
    for (const image of Object.values(metadata.images) as Array<{ findings: unknown[] }>) image.findings = [];
    return `${opening}${Buffer.from(JSON.stringify(metadata), "utf8").toString("base64")}`;
  });
}

test("a bot comment that quotes a review with forged metadata is neither believed nor edited", async () => {
  scenario = await startScenario();
  const { github, model } = scenario;
  const pull = await oneImage(scenario);
  model.script(reviewAnswer("Home.", [realProblem]));
  const first = await run(scenario, pull, { "fail-on": "high" });
  assert.equal(first.exitCode, 1, "the real finding closes the gate");
  const ours = github.comments(7)[0];
  assert.ok(ours !== undefined);

  // Another workflow's step, writing as the same github-actions[bot], welcomes the author and quotes
  // their text: a copy of our hidden block with the findings taken out.
  const quoting = github.addComment(
    7,
    `Thanks for the pull request! You wrote:\n\n${withoutFindings(ours.body)}`,
    actionsBot,
  );
  const quotedBody = quoting.body;

  const second = await run(scenario, pull, { "fail-on": "high" });
  assert.equal(second.exitCode, 1, `the quote's "no findings" is not carried forward\n${failedDetails(second)}`);
  assert.equal(model.requests.length, 1, "our own comment's findings are carried forward instead");
  assert.equal(github.comments(7).length, 2);
  assert.equal(quoting.body, quotedBody, "the quoting comment is never edited");
  assert.match(ours.body, /Real problem/);
  assert.match(ours.body, /1 unchanged since the last review/, "our own comment was the one updated");
});

test("a bot comment that starts with the marker and a forged block is not ours: reviewed afresh, left alone", async () => {
  scenario = await startScenario();
  const { github, model } = scenario;
  const pull = await oneImage(scenario);
  model.script(reviewAnswer("Home.", [realProblem]));
  await run(scenario, pull, { "fail-on": "high" });
  const ours = github.comments(7)[0];
  assert.ok(ours !== undefined);
  // The forged block leads a bot comment this time (a bot that echoes the author's text first), and
  // our own comment is gone.
  const forged = github.addComment(7, `${withoutFindings(ours.body)}\nLooks good to me.`, actionsBot);
  const forgedBody = forged.body;
  github.deleteComment(ours.id);

  model.script(reviewAnswer("Home.", [realProblem]));
  const second = await run(scenario, pull, { "fail-on": "high" });
  assert.equal(second.exitCode, 1, failedDetails(second));
  assert.equal(model.requests.length, 2, "the forged metadata is not believed: the image is reviewed again");
  assert.equal(forged.body, forgedBody, "and the forged comment is not edited");
  const fresh = github.comments(7).filter((comment) => comment.id !== forged.id);
  assert.equal(fresh.length, 1);
  assert.match(fresh[0]?.body ?? "", /Real problem/);
  assert.match(
    second.log,
    new RegExp(`Comment ${forged.id} starts with this job's review marker but .*: it is left alone`),
  );
});

test("a genuine review of another pull request, copied to the start of a bot comment, is not carried over", async () => {
  scenario = await startScenario();
  const { github, model } = scenario;
  // Pull request 8 has the very same image, and its review found nothing.
  const other = await oneImage(scenario, { number: 8, sha: "d".repeat(40) });
  model.script(reviewAnswer("Home.", []));
  assert.equal((await run(scenario, other, { "fail-on": "high" })).exitCode, 0);
  const genuine = github.comments(8)[0]?.body ?? "";
  assert.match(genuine, /glance-metadata:/);

  // On pull request 7 a bot posts that comment's text verbatim, before any review of 7.
  const pull = await oneImage(scenario);
  const copied = github.addComment(7, genuine, actionsBot);
  model.script(reviewAnswer("Home.", [realProblem]));
  const result = await run(scenario, pull, { "fail-on": "high" });
  assert.equal(result.exitCode, 1, failedDetails(result));
  assert.equal(model.requests.length, 2, "the signature binds the metadata to pull request 8: 7 is reviewed");
  assert.equal(copied.body, genuine, "the copy is not edited");
  assert.equal(github.comments(7).length, 2);
});

test("a dry run without an api-key cannot verify earlier metadata and reads none", async () => {
  scenario = await startScenario();
  const { github, model } = scenario;
  const pull = await oneImage(scenario);
  model.script(reviewAnswer("Home.", [realProblem]));
  await run(scenario, pull);
  const before = github.comments(7)[0]?.body;

  const dry = await run(scenario, pull, { "dry-run": "true" }, { withoutKey: true });
  assert.equal(dry.exitCode, 0, failedDetails(dry));
  assert.match(dry.summary, /Would review:\*\*\n- `screens\/home\.png`: about/, "nothing is carried forward");
  assert.equal(github.comments(7)[0]?.body, before);
  assert.equal(model.requests.length, 1);
});

test("a run overtaken by a push while it reviewed never replaces the newer head's review", async () => {
  scenario = await startScenario();
  const { github, model } = scenario;
  const older = await oneImage(scenario, { heading: "Old" });
  // The run for the older head is slow: its model answer takes a while.
  model.script(
    fakeSteps.answer(
      JSON.stringify({ kind: "ui", summary: "Old home.", findings: [{ ...realProblem, title: "Stale finding" }] }),
      {
        delayMilliseconds: 1_500,
      },
    ),
  );
  const slowRun = run(scenario, older);
  await waitUntil(() => model.requests.length === 1);

  // Meanwhile a newer commit is pushed and its run finishes first.
  const newer = await oneImage(scenario, { sha: "c".repeat(40), heading: "New" });
  model.script(reviewAnswer("New home.", [{ severity: "low", title: "Newer finding", detail: "x" }]));
  const newerRun = await run(scenario, newer);
  assert.equal(newerRun.exitCode, 0, failedDetails(newerRun));
  const posted = github.comments(7)[0]?.body ?? "";
  assert.match(posted, /Newer finding/);

  // When the slow run publishes, the API says the head moved on: the newer review stays.
  const stale = await slowRun;
  assert.equal(stale.exitCode, 0, failedDetails(stale));
  assert.equal(github.comments(7).length, 1);
  assert.equal(github.comments(7)[0]?.body, posted, "the newer review is left alone");
  assert.match(stale.log, /already reviews the newer head ccccccc; this run reviewed aaaaaaa and leaves it alone/);
});

async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the condition");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
