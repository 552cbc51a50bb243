/*
 * Which comment is ours: the marker of this workflow job AND our author. Another bot's comment with
 * our marker and forged metadata is neither edited nor believed; a personal token's account is
 * recognised; two workflows keep a comment each; a refused edit posts a new comment; a rate-limited
 * POST is sent again (it did not land); a comment deleted mid-run is not duplicated; and an older
 * head's run never overwrites the review of a newer head.
 */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
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

async function oneImage(current: Scenario, sha = headSha, heading = "Home") {
  const pull = pullRequest({ files: [{ filename: "screens/home.png", status: "added" }] });
  const pushed = { ...pull, head: { ...pull.head, sha } };
  current.github.addPullRequest(pushed);
  current.github.setFile(sha, "screens/home.png", await screenPng(heading));
  return pushed;
}

test("another bot's comment with our marker and forged metadata is not edited and not believed", async () => {
  scenario = await startScenario();
  const { github, model } = scenario;
  const pull = await oneImage(scenario);
  model.script(reviewAnswer("Home.", [{ severity: "high", title: "Real problem", detail: "Clipped." }]));
  const first = await run(scenario, pull, { "fail-on": "high" });
  assert.equal(first.exitCode, 1, "the real finding fails the gate");
  const ours = github.comments(7)[0];
  assert.ok(ours !== undefined);
  // Another bot copies our comment (marker and metadata, hash included) but with no findings, hoping
  // the next run carries "no findings" forward; then our comment goes away.
  const metadata = /<!-- glance-metadata:([A-Za-z0-9+/=]+)\./.exec(ours.body)?.[1] ?? "";
  const decoded = JSON.parse(Buffer.from(metadata, "base64").toString("utf8"));
  for (const image of Object.values(decoded.images) as Array<{ findings: unknown[] }>) image.findings = [];
  decoded.author = "impostor[bot]";
  const forgedBody = ours.body.replace(metadata, Buffer.from(JSON.stringify(decoded), "utf8").toString("base64"));
  const forged = github.addComment(7, forgedBody, { login: "impostor[bot]", id: 77, type: "Bot" });
  github.deleteComment(ours.id);

  model.script(reviewAnswer("Home.", [{ severity: "high", title: "Real problem", detail: "Clipped." }]));
  const second = await run(scenario, pull, { "fail-on": "high" });
  assert.equal(model.requests.length, 2, "the forged metadata is ignored: the image is reviewed again");
  assert.equal(second.exitCode, 1, "and its finding still fails the gate");
  assert.equal(github.comments(7).find((comment) => comment.id === forged.id)?.body, forgedBody);
  const fresh = github.comments(7).filter((comment) => comment.id !== forged.id);
  assert.equal(fresh.length, 1);
  assert.match(fresh[0]?.body ?? "", /Real problem/);
  assert.equal(fresh[0]?.user.login, "github-actions[bot]");
});

test("a personal token's own comments are recognised through GET /user, and two workflows keep separate comments", async () => {
  scenario = await startScenario({ tokenUser: { login: "ci-user", id: 4242, type: "User" } });
  const { github, model } = scenario;
  const pull = await oneImage(scenario);
  const workflow = (name: string) => ({ event: { workflow: name, job: "review" } });
  model.script(reviewAnswer("Home.", []), reviewAnswer("Home, second workflow.", []));
  assert.equal((await run(scenario, pull, {}, workflow("Design review"))).exitCode, 0);
  assert.equal((await run(scenario, pull, {}, workflow("Docs review"))).exitCode, 0);
  assert.equal(github.comments(7).length, 2, "each workflow has its own comment");
  assert.equal(model.requests.length, 2);

  const again = await run(scenario, pull, {}, workflow("Design review"));
  assert.equal(again.exitCode, 0, failedDetails(again));
  assert.equal(github.comments(7).length, 2, "the personal token's comment was found and edited");
  assert.equal(model.requests.length, 2, "and its metadata was trusted: nothing reviewed again");
  assert.ok(github.requests.some((request) => request.method === "GET" && request.path === "/user"));
});

test("a 429 on the comment POST is waited out and sent again; a refused edit (403) posts a new comment instead of failing", async () => {
  scenario = await startScenario();
  const { github, model } = scenario;
  const pull = await oneImage(scenario);
  // The first POST is rate limited (429 with retry-after): it did not land, so sending it again is safe.
  github.failNext(/^POST \/repos\/[^/]+\/[^/]+\/issues\/7\/comments$/, {
    status: 429,
    headers: { "retry-after": "1" },
    body: { message: "You have exceeded a secondary rate limit." },
  });
  model.script(reviewAnswer("Home.", []));
  const first = await run(scenario, pull);
  assert.equal(first.exitCode, 0, failedDetails(first));
  assert.equal(github.requests.filter((request) => request.method === "POST").length, 2);
  assert.equal(github.comments(7).length, 1);

  github.failNext(/^PATCH \/repos\/[^/]+\/[^/]+\/issues\/comments\/\d+$/, {
    status: 403,
    body: { message: "Resource not accessible by integration" },
  });
  const second = await run(scenario, pull);
  assert.equal(second.exitCode, 0, failedDetails(second));
  assert.equal(github.comments(7).length, 2);
  assert.match(second.log, /refused \(403\); posting a new one/);
});

test("an edit that finds the comment deleted mid-run edits our other comment instead of adding one", async () => {
  scenario = await startScenario();
  const { github, model } = scenario;
  const pull = await oneImage(scenario);
  model.script(reviewAnswer("Home.", []), reviewAnswer("Home.", []));
  await run(scenario, pull, { "comment-mode": "new" });
  await run(scenario, pull, { "comment-mode": "new" });
  const [older, newer] = github.comments(7);
  assert.ok(older !== undefined && newer !== undefined);
  // The newest one is deleted between the listing and the edit: the edit is answered 404, as GitHub
  // answers for a deleted comment.
  github.failNext(new RegExp(`^PATCH /repos/[^/]+/[^/]+/issues/comments/${newer.id}$`), {
    status: 404,
    body: { message: "Not Found" },
  });
  const newerBody = newer.body;
  const olderBody = older.body;
  const result = await run(scenario, pull);
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.equal(github.requests.filter((request) => request.method === "POST").length, 2, "no duplicate was posted");
  const patched = github.requests.filter((request) => request.method === "PATCH").map((request) => request.path);
  assert.deepEqual(patched, [
    `/repos/octo-org/web-app/issues/comments/${newer.id}`,
    `/repos/octo-org/web-app/issues/comments/${older.id}`,
  ]);
  assert.equal(newer.body, newerBody);
  assert.notEqual(older.body, olderBody, "our other comment now holds this run's review");
});

test("a run for an older head never overwrites the review of the newer head", async () => {
  scenario = await startScenario();
  const { github, model } = scenario;
  const newHead = "c".repeat(40);
  const older = await oneImage(scenario, headSha, "Old");
  const newer = await oneImage(scenario, newHead, "New");
  // The API now reports the newer head; the newer run has already posted.
  model.script(reviewAnswer("New home.", [{ severity: "low", title: "Newer finding", detail: "x" }]));
  assert.equal((await run(scenario, newer)).exitCode, 0);
  const posted = github.comments(7)[0]?.body ?? "";
  assert.match(posted, /Newer finding/);

  // The slow run for the older push finishes afterwards.
  model.script(reviewAnswer("Old home.", [{ severity: "low", title: "Stale finding", detail: "x" }]));
  const stale = await run(scenario, older);
  assert.equal(stale.exitCode, 0, failedDetails(stale));
  assert.equal(github.comments(7).length, 1);
  assert.equal(github.comments(7)[0]?.body, posted, "the newer review is left alone");
  assert.match(stale.log, /already reviews the newer head cccccc/);
  // The older run reviewed the commit its event named, not the API's current head.
  assert.ok(github.requests.some((request) => request.path.includes(`ref=${headSha}`)));
});
