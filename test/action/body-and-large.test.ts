/*
 * Description images (Markdown, HTML <img>, a private attachment only reachable with the token or
 * its signed URL, and a non-image refused by its bytes), a 60-file pull request read over several
 * pages, neutralized mentions and references, and a comment cut to GitHub's size limit.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, test } from "node:test";
import sharp from "sharp";
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

test("images in the description are reviewed, private attachments included; non-images are refused", async () => {
  const { github, model } = scenario;
  const privateShot = github.addAttachment(await screenPng("Private"), "image/png");
  const publicShot = github.addAttachment(await screenPng("Inline"), "image/png");
  const notAnImage = github.addAttachment(Buffer.from("<html>sign in</html>"), "image/png");
  const body = [
    "Before and after of the settings page:",
    "",
    `![settings screenshot](${privateShot.url})`,
    "",
    `<img width="300" alt="inline mockup" src="${publicShot.url}">`,
    "",
    `![disguised](${notAnImage.url})`,
    "",
    "`![in code](https://example.invalid/x.png)`",
  ].join("\n");
  const pull = pullRequest({ files: [], body });
  github.addPullRequest(pull);
  model.script(
    reviewAnswer("Private screenshot.", [{ severity: "low", title: "Private finding", detail: "x" }]),
    reviewAnswer("Inline mockup.", []),
  );
  const result = await run(scenario, pull);
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.equal(model.requests.length, 2);
  const comment = github.comments(7)[0]?.body ?? "";
  assert.match(comment, /`settings screenshot` \(in the description\)/);
  assert.match(comment, /`inline mockup` \(in the description\)/);
  assert.match(comment, /`disguised`: could not be downloaded: .*not .*image/i);
  // The signed URL came from body_html (the full media type was asked for).
  assert.ok(github.requests.some((request) => request.path.startsWith("/private-user-images/")));
  const pullRead = github.requests.find((request) => /^\/repos\/[^/]+\/[^/]+\/pulls\/7$/.test(request.path));
  assert.match(String(pullRead?.headers.accept), /\.full/);
  // The token never leaves for another host, and the comment links the stable URL, not the signed one.
  assert.doesNotMatch(comment, /jwt=/);
});

test("a 60-file pull request finds its one image; mentions and references from the model are neutralized", async () => {
  const { github, model } = scenario;
  const files = Array.from({ length: 60 }, (_, index) => ({
    filename: `src/module-${String(index).padStart(2, "0")}.ts`,
    status: "modified" as const,
    changes: 3,
  }));
  files[41] = { filename: "ui/late-screen.png", status: "modified", changes: 0 };
  const pull = pullRequest({ files });
  github.addPullRequest(pull);
  github.setFile(baseSha, "ui/late-screen.png", await screenPng("Late"));
  github.setFile(headSha, "ui/late-screen.png", await screenPng("Late screen"));
  model.script(
    reviewAnswer("Ping @octocat and @octo-org/design about #12 and octo-org/web-app#99.", [
      { severity: "medium", title: "Ask @admin", detail: "See GH-42 <!-- glance-review --> <img src=x>" },
    ]),
  );
  const result = await run(scenario, pull, {}, {});
  assert.equal(result.exitCode, 0, failedDetails(result));
  const listings = github.requests.filter((request) => request.path.includes("/pulls/7/files"));
  assert.ok(listings.length >= 1);
  assert.equal(model.requests.length, 1, "the image on the 41st file was found");
  const comment = github.comments(7)[0]?.body ?? "";
  assert.doesNotMatch(comment, /@octocat|@octo-org\/design|@admin/);
  assert.match(comment, /@\u200Doctocat/);
  assert.doesNotMatch(comment, /#12\b|#99\b|GH-42/);
  assert.match(comment, /#\u200D12/);
  assert.equal(comment.split("<!-- glance-review").length, 2, "model text cannot add a second marker");
  assert.doesNotMatch(comment, /<img src=x>/);
});

test("pagination: the action's per_page of 100 means a 150-file list takes exactly two pages", async () => {
  const { github, model } = scenario;
  const files = Array.from({ length: 150 }, (_, index) => ({ filename: `f/${index}.txt`, status: "added" as const }));
  files.push({ filename: "z/last.png", status: "added" });
  const pull = pullRequest({ files });
  github.addPullRequest(pull);
  github.setFile(headSha, "z/last.png", await screenPng("Last"));
  model.script(reviewAnswer("last", []));
  const result = await run(scenario, pull);
  assert.equal(result.exitCode, 0, failedDetails(result));
  const listings = github.requests.filter((request) => request.path.includes("/pulls/7/files"));
  assert.equal(listings.length, 2);
  assert.match(listings[0]?.path ?? "", /per_page=100/);
  assert.match(listings[1]?.path ?? "", /per_page=100&page=2|page=2&per_page=100/);
  // The only image is file 151: it is on the second page, so finding it proves that page was read.
  assert.equal(model.requests.length, 1);
});

test("a comment over GitHub's size limit is cut cleanly and the rest goes to the job summary", async () => {
  const { github, model } = scenario;
  const count = 6;
  const files = Array.from({ length: count }, (_, index) => ({
    filename: `ui/screen-${index}.png`,
    status: "added" as const,
  }));
  const pull = pullRequest({ files });
  github.addPullRequest(pull);
  for (const [index, file] of files.entries()) {
    github.setFile(headSha, file.filename, await screenPng(`Screen ${index}`));
  }
  const longDetail = "The spacing between the form rows differs from the design system. ".repeat(60);
  for (let index = 0; index < count; index += 1) {
    model.script(
      reviewAnswer(
        `Screen ${index}.`,
        Array.from({ length: 4 }, (_, finding) => ({
          severity: "low" as const,
          title: `Finding ${index}.${finding}`,
          detail: longDetail,
        })),
      ),
    );
  }
  const result = await run(scenario, pull);
  assert.equal(result.exitCode, 0, failedDetails(result));
  const comments = github.comments(7);
  assert.equal(comments.length, 1);
  const comment = comments[0]?.body ?? "";
  assert.ok(comment.length <= 65_536, `comment is ${comment.length} characters`);
  assert.match(comment, /reached GitHub's size limit: \d+ more section\(s\) are in the \[job summary\]/);
  assert.match(comment, /<!-- glance-metadata:/);
  // Whole sections only: every <details> that opens also closes.
  assert.equal(comment.split("<details>").length, comment.split("</details>").length);
  assert.match(result.summary, /Finding 5\.3/);
  assert.doesNotMatch(comment, /Finding 5\.3/);
});

test("image files over 1 MB, which the contents API does not embed, arrive intact", async () => {
  const { github, model } = scenario;
  // Random pixels do not compress: these PNGs are over 1 MB, so the action must fetch them another way.
  const noisy = () =>
    sharp(randomBytes(800 * 600 * 3), { raw: { width: 800, height: 600, channels: 3 } })
      .png()
      .toBuffer();
  const [before, after] = await Promise.all([noisy(), noisy()]);
  assert.ok(before.length > 1_048_576 && after.length > 1_048_576);
  const pull = pullRequest({ files: [{ filename: "docs/texture.png", status: "modified" }] });
  github.addPullRequest(pull);
  github.setFile(baseSha, "docs/texture.png", before);
  github.setFile(headSha, "docs/texture.png", after);
  model.script(reviewAnswer("Texture.", []));
  const result = await run(scenario, pull);
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.equal(result.outputs["images-reviewed"], "1");
  assert.equal(model.requests.length, 1);
  const body = model.requests[0]?.body as {
    messages: Array<{ content: Array<{ type: string; image_url?: { url: string } }> }>;
  };
  const images = body.messages.flatMap((message) => message.content).filter((part) => part.type === "image_url");
  assert.equal(images.length, 2);
  // A plain 8-bit PNG within the limits is sent as it is (the model scales it to 800x608 itself, for
  // the same tokens), so what reaches the model must be the very bytes of each commit.
  const sent = images.map((image) =>
    Buffer.from((image.image_url?.url ?? "").replace(/^data:image\/png;base64,/, ""), "base64"),
  );
  assert.ok(sent[0]?.equals(before), "the before image is sent byte for byte");
  assert.ok(sent[1]?.equals(after), "the after image is sent byte for byte");
});
