/*
 * What a pull request's author and the model can put into the comment, and where the action goes
 * for description images: HTML entities and Markdown links from the model stay text, an injected
 * description URL cannot add mentions or hide the rest, a broken URL is skipped, and neither the
 * token nor any request reaches a host that is not GitHub's unless it is public https.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, test } from "node:test";
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

test("entities and Markdown links in model text cannot become mentions, references, links or images", async () => {
  const { github, model } = scenario;
  const pull = pullRequest({ files: [{ filename: "ui/form.png", status: "added" }] });
  github.addPullRequest(pull);
  github.setFile(headSha, "ui/form.png", await screenPng("Form"));
  model.script(
    reviewAnswer("Ask &commat;octo-org/admins about &num;12.", [
      {
        severity: "low",
        title: "Ping &#64;octocat and &#x40;hubot",
        detail:
          "See &#35;13. [Click here](https://phish.example/login) ![](https://tracker.example/p.png) https://bare.example \\[escaped](https://x.example)",
      },
    ]),
  );
  const result = await run(scenario, pull);
  assert.equal(result.exitCode, 0, failedDetails(result));
  const comment = github.comments(7)[0]?.body ?? "";
  // Every "&" is escaped, so no entity can render as "@" or "#".
  for (const entity of ["&commat;", "&num;", "&#64;", "&#x40;", "&#35;"]) {
    assert.ok(!comment.includes(entity), `${entity} does not appear unescaped`);
  }
  assert.match(comment, /&amp;commat;octo-org/);
  assert.match(comment, /&amp;num;12/);
  assert.match(comment, /&amp;#\u200D?64;octocat/);
  // No link or image can form: brackets and parentheses are escaped, bare URLs are broken up.
  assert.doesNotMatch(comment, /\]\(https?:\/\/(?:phish|tracker|x)\./);
  assert.match(comment, /\\\[Click here\\\]\\\(https:\u200D\/\/phish\.example\/login\\\)/);
  assert.doesNotMatch(comment, /https:\/\/(?:phish|tracker|bare|x)\.example/);
  // A backslash the model sends cannot cancel the escape of the bracket after it.
  assert.match(comment, /\\\\\\\[escaped\\\]/);
});

test("an injected description image URL cannot add mentions or hide the rest of the comment", async () => {
  const { github, model } = scenario;
  const shot = github.addAttachment(await screenPng("Injected"), "image/png");
  const body = `Screens:\n\n<img alt="" src="${shot.signedUrl}&x= @octo-org/admins #1 <!--">\n\nThe end.`;
  const pull = pullRequest({ files: [], body });
  github.addPullRequest(pull);
  model.script(reviewAnswer("Injected image.", [{ severity: "low", title: "Visible finding", detail: "x" }]));
  const result = await run(scenario, pull);
  assert.equal(result.exitCode, 0, failedDetails(result));
  const comment = github.comments(7)[0]?.body ?? "";
  assert.match(comment, /Visible finding/);
  // Only the marker and the metadata open HTML comments; nothing after them is hidden.
  assert.equal(comment.split("<!--").length - 1, 2);
  // The URL was normalised: its spaces are %20, so "@octo-org/admins" and "#1" stay inside the link.
  assert.doesNotMatch(comment, /\s@octo-org|\s#1\b/);
  assert.match(
    comment,
    /\[image\]\(http:\/\/127\.0\.0\.1:\d+\/private-user-images\/[^\s)]+%20@octo-org\/admins%20#1%20%3C%21--\)/,
  );
});

test("a description URL that does not parse is skipped with the reason; the job does not fail", async () => {
  const { github, model } = scenario;
  const pull = pullRequest({ files: [{ filename: "ui/form.png", status: "added" }], body: "![broken](http://[oops)" });
  github.addPullRequest(pull);
  github.setFile(headSha, "ui/form.png", await screenPng("Form"));
  model.script(reviewAnswer("Form.", []));
  const result = await run(scenario, pull);
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.match(github.comments(7)[0]?.body ?? "", /`broken`: the description links it with a URL that is not valid/);
  assert.equal(result.outputs["images-reviewed"], "1");
});

test("the token and the runner's requests never reach a host that is not GitHub's", async () => {
  const { github } = scenario;
  const seen: IncomingHttpHeaders[] = [];
  const other = createServer((request, response) => {
    seen.push(request.headers);
    response.writeHead(200, { "content-type": "image/png" }).end();
  });
  await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
  const origin = `127.0.0.1:${(other.address() as AddressInfo).port}`;
  try {
    const attachment = github.addAttachment(await screenPng("Private"), "image/png");
    const body = [
      `![plain http elsewhere](http://${origin}/shot.png)`,
      `![loopback over https](https://${origin}/shot.png)`,
      "![cloud metadata](https://169.254.169.254/latest/meta-data/shot.png)",
      `![private attachment](${attachment.url})`,
    ].join("\n\n");
    // As a GitHub Enterprise Server without the image proxy renders it: the other hosts' URLs stay
    // as written (github.com would route them through camo), so the downloader's own rules decide.
    const pull = pullRequest({ files: [], body, imageProxy: false });
    github.addPullRequest(pull);
    scenario.model.script(reviewAnswer("Private.", []));
    const result = await run(scenario, pull);
    assert.equal(result.exitCode, 0, failedDetails(result));
    assert.equal(seen.length, 0, "no request of any kind reached the other host");
    const comment = github.comments(7)[0]?.body ?? "";
    assert.match(comment, /`plain http elsewhere`: could not be downloaded: only https images/);
    assert.match(comment, /`loopback over https`: could not be downloaded: .*public addresses/);
    assert.match(comment, /`cloud metadata`: could not be downloaded: .*public addresses/);
    assert.match(comment, /`private attachment` \(in the description\)/);
    // On GitHub's own origin, the token went only to the API and to the attachment paths.
    for (const request of github.requests) {
      if (request.headers.authorization !== undefined) {
        assert.match(request.path, /^\/(?:repos\/|user-attachments\/|private-user-images\/|user$)/, request.path);
      }
    }
  } finally {
    await new Promise<void>((resolve) => other.close(() => resolve()));
  }
});
