/*
 * GitHub's real failure shapes, against a fake that has them: secondary rate limits without
 * retry-after (reads wait a minute and more, writes are not repeated), the Actions token's 1,000
 * requests an hour (a large pull request is cut to fit, and says so), signed description URLs that
 * expire after five minutes, upload URLs no token opens, and other hosts' images behind camo.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { githubFaults } from "../fakes/github.js";
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

const filesListing = /^GET \/repos\/[^/]+\/[^/]+\/pulls\/7\/files$/;
const commentCreation = /^POST \/repos\/[^/]+\/[^/]+\/issues\/7\/comments$/;

async function oneImage() {
  const pull = pullRequest({ files: [{ filename: "ui/form.png", status: "added" }] });
  scenario.github.addPullRequest(pull);
  scenario.github.setFile(headSha, "ui/form.png", await screenPng("Form"));
  return pull;
}

test("a secondary rate limit without retry-after: a read waits a minute, then two, and is sent again", async () => {
  const pull = await oneImage();
  scenario.github.failNext(filesListing, githubFaults.secondaryRateLimit(), 1);
  scenario.github.failNext(filesListing, githubFaults.secondaryRateLimit(undefined, 429), 1);
  scenario.model.script(reviewAnswer("form", []));
  const result = await run(scenario, pull);
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.deepEqual(result.githubWaits, [60_000, 120_000]);
  assert.match(
    result.log,
    /GitHub rate limit on GET .*\/pulls\/7\/files.* \(secondary\); retrying in 60 s \(try 2 of 3\)/,
  );
  assert.equal(scenario.github.requests.filter((request) => request.path.includes("/pulls/7/files")).length, 3);
  assert.equal(result.outputs["images-reviewed"], "1");
});

test("a secondary rate limit on creating the comment is not repeated blindly; the review stays in the job summary", async () => {
  const pull = await oneImage();
  scenario.github.failNext(commentCreation, githubFaults.secondaryRateLimit(undefined, 429), 1);
  scenario.model.script(reviewAnswer("form", []));
  const result = await run(scenario, pull);
  assert.equal(result.exitCode, 0, failedDetails(result));
  const posts = scenario.github.requests.filter((request) => request.method === "POST");
  assert.equal(posts.length, 1, "the POST was sent once");
  assert.deepEqual(result.githubWaits, []);
  assert.match(result.log, /GitHub's secondary rate limit refused POST .* it is not sent again/);
  assert.match(result.log, /::warning::The review comment could not be posted/);
  assert.match(result.summary, /Glance image review/);
});

test("a large pull request is cut to the token's remaining requests, says so, and still posts its comment", async () => {
  const { github, model } = scenario;
  const files = Array.from({ length: 12 }, (_, index) => ({
    filename: `ui/screen-${String(index).padStart(2, "0")}.png`,
    status: "modified" as const,
  }));
  const pull = pullRequest({ files });
  github.addPullRequest(pull);
  const [before, after] = await Promise.all([screenPng("Before"), screenPng("After")]);
  for (const file of files) {
    github.setFile(baseSha, file.filename, before);
    github.setFile(headSha, file.filename, after);
  }
  // Other workflows of the repository spent most of the hour's 1,000 requests.
  github.rateLimit.remaining = 25;
  for (let index = 0; index < 12; index += 1) model.script(reviewAnswer(`screen ${index}`, []));
  const result = await run(scenario, pull, { "max-images": "12" });
  assert.equal(result.exitCode, 0, failedDetails(result));
  const comment = github.comments(7)[0]?.body ?? "";
  assert.ok(comment !== "", "the comment was posted");
  // 4 requests went before the downloads (pull request, merge base, files, earlier comments).
  const note =
    /Downloading this pull request's images needs about 24 GitHub API requests, but the token had 21 left of 1,000 an hour until \d\d:\d\d UTC \(the Actions token gets 1,000 an hour per repository, shared by all its workflows\)\. 9 image\(s\) were not downloaded to stay within it/;
  assert.match(result.log, new RegExp(`::warning::${note.source}`));
  assert.match(comment, /> \[!WARNING\]\n> Downloading this pull request's images needs about 24 GitHub API requests/);
  assert.match(comment, /`ui\/screen-11\.png`: not downloaded: the run's GitHub API requests ran short/);
  assert.equal(model.requests.length, 3);
  assert.ok(github.rateLimit.remaining > 0, "the hour's limit was never reached");
});

test("signed description URLs older than four minutes are read again before the download", async () => {
  const { github, model } = scenario;
  const shot = github.addAttachment(await screenPng("Private"), "image/png");
  const pull = pullRequest({
    files: [{ filename: "docs/readme.md", status: "modified" }],
    body: `![private shot](${shot.url})`,
  });
  github.addPullRequest(pull);
  // Listing a large pull request's files and its earlier comments can take minutes.
  github.whenRequested(filesListing, () => github.advanceClock(6 * 60_000));
  model.script(reviewAnswer("Private.", [{ severity: "low", title: "Found in the private shot", detail: "x" }]));
  const result = await run(scenario, pull);
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.equal(result.outputs["images-reviewed"], "1", result.summary);
  assert.match(github.comments(7)[0]?.body ?? "", /Found in the private shot/);
  // The pull request is read for its body_html, again for a fresh signed URL, and once more for its
  // head just before publishing (which needs no body_html).
  const reads = github.requests.filter((request) => /^\/repos\/[^/]+\/[^/]+\/pulls\/7$/.test(request.path));
  const renderedReads = reads.filter((request) => /\.full/.test(String(request.headers.accept)));
  assert.equal(renderedReads.length, 2, "body_html was read again for a fresh signed URL");
});

test("an upload URL is never sent the token (no token opens it); the skip says why", async () => {
  const { github, model } = scenario;
  const shot = github.addAttachment(await screenPng("Hidden"), "image/png");
  const visible = github.addAttachment(await screenPng("Visible"), "image/png");
  // An image inside an HTML comment is not rendered, so body_html has no signed URL for it.
  const body = `<!-- ![hidden shot](${shot.url}) -->\n\n![visible shot](${visible.url})`;
  const pull = pullRequest({ files: [], body });
  github.addPullRequest(pull);
  model.script(reviewAnswer("Visible.", []));
  const result = await run(scenario, pull);
  assert.equal(result.exitCode, 0, failedDetails(result));
  const comment = github.comments(7)[0]?.body ?? "";
  assert.match(comment, /`visible shot` \(in the description\)/);
  assert.match(comment, /`hidden shot`: could not be downloaded: downloading it failed with HTTP 404/);
  for (const request of github.requests) {
    if (!request.path.startsWith("/repos/")) {
      assert.equal(request.headers.authorization, undefined, `${request.path} got no token`);
    }
  }
});

test("another host's image is downloaded through camo, matched by data-canonical-src, never from its host", async () => {
  const { github, model } = scenario;
  // Plain http and a non-ASCII path: GitHub records the percent-encoded URL and serves it over camo.
  const original = "http://images.example.test/screens/überblick.png";
  github.addExternalImage(original, await screenPng("Overview"), "image/png");
  const pull = pullRequest({ files: [], body: `Overview:\n\n![overview](${original})` });
  github.addPullRequest(pull);
  model.script(reviewAnswer("Overview.", []));
  const result = await run(scenario, pull);
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.equal(result.outputs["images-reviewed"], "1", github.comments(7)[0]?.body);
  assert.ok(github.requests.some((request) => request.path.startsWith("/camo/")));
  // The comment links the author's URL, not the proxy.
  assert.match(
    github.comments(7)[0]?.body ?? "",
    /\[image\]\(http:\/\/images\.example\.test\/screens\/%C3%BCberblick\.png\)/,
  );
});
