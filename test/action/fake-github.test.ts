/*
 * Proves the fake GitHub REST API against the real Octokit client from @actions/github: if Octokit
 * can page, decode, post and fail against it the way it does against github.com, tests of the action
 * that run on the fake say something about the action on a runner.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { getOctokit } from "@actions/github";
import {
  actionsBot,
  type FakeGitHub,
  type FakePullRequest,
  githubFaults,
  pullRequestEvent,
  startFakeGitHub,
} from "../fakes/github.js";

type Octokit = ReturnType<typeof getOctokit>;

const headSha = "a".repeat(40);
const baseSha = "b".repeat(40);
const author = { login: "mona", id: 583231, type: "User" } as const;

function pullRequest(number: number, overrides: Partial<FakePullRequest> = {}): FakePullRequest {
  return {
    number,
    title: `Redesign the settings page (${number})`,
    body: "Screens below.",
    user: author,
    head: { sha: headSha, ref: "feature/settings", repoFullName: "octo-org/web-app" },
    base: { sha: baseSha, ref: "main" },
    files: [{ filename: "docs/settings.png", status: "modified", additions: 0, deletions: 0 }],
    ...overrides,
  };
}

/** Bytes that are not valid UTF-8, so any text decoding on the way would change them. */
function binaryContent(size: number, seed: number): Buffer {
  const content = Buffer.alloc(size);
  for (let index = 0; index < size; index += 1) {
    content[index] = (index * 131 + seed * 17) % 256;
  }
  return content;
}

/** Octokit's type for pulls.get leaves out the fields the full/html/text media types add. */
function renderedBody(data: object): { body_html?: string; body_text?: string } {
  return data as { body_html?: string; body_text?: string };
}

function statusOf(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "status" in error ? Number(error.status) : undefined;
}

describe("the fake GitHub REST API, driven by the real Octokit client", () => {
  let fake: FakeGitHub;
  let octokit: Octokit;
  const repository = () => ({ owner: fake.owner, repo: fake.repo });

  before(async () => {
    fake = await startFakeGitHub();
    octokit = getOctokit(fake.token, { baseUrl: fake.apiUrl });
  });
  after(() => fake.close());

  test("octokit.paginate follows the link headers through a 60-file pull request", async () => {
    const files = Array.from({ length: 60 }, (_, index) => ({
      filename: `screens/screen-${String(index).padStart(2, "0")}.png`,
      status: "added" as const,
    }));
    fake.addPullRequest(pullRequest(60, { files }));
    const before = fake.requests.length;
    const listed = await octokit.paginate(octokit.rest.pulls.listFiles, { ...repository(), pull_number: 60 });
    assert.deepEqual(
      listed.map((file) => file.filename),
      files.map((file) => file.filename),
    );
    // 30 per page by default: two requests, the second one taken from the first one's link header.
    const paths = fake.requests.slice(before).map((request) => request.path);
    assert.equal(paths.length, 2);
    assert.match(paths[1] ?? "", /[?&]page=2\b/);

    const firstPage = await octokit.rest.pulls.listFiles({ ...repository(), pull_number: 60, per_page: 25 });
    assert.match(firstPage.headers.link ?? "", /page=2>; rel="next"/);
    assert.match(firstPage.headers.link ?? "", /page=3>; rel="last"/);
    const maxPage = await octokit.rest.pulls.listFiles({ ...repository(), pull_number: 60, per_page: 500 });
    assert.equal(maxPage.data.length, 60, "per_page is capped at 100, which holds all 60");
    assert.equal(maxPage.headers.link, undefined);
  });

  test("the contents API round-trips bytes through base64 wrapped at 60 characters", async () => {
    const content = binaryContent(5000, 1);
    fake.setFile(headSha, "docs/settings.png", content);
    const { data } = await octokit.rest.repos.getContent({ ...repository(), path: "docs/settings.png", ref: headSha });
    assert.ok(!Array.isArray(data) && data.type === "file");
    assert.equal(data.encoding, "base64");
    assert.equal(data.size, 5000);
    const lines = data.content.split("\n").filter((line) => line !== "");
    assert.ok(lines.every((line) => line.length <= 60));
    assert.deepEqual(Buffer.from(data.content, "base64"), content);
    // The sha is git's blob sha, so the blob API finds the same bytes.
    const gitSha = createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
    assert.equal(data.sha, gitSha);
    const blob = await octokit.rest.git.getBlob({ ...repository(), file_sha: data.sha });
    assert.equal(blob.data.encoding, "base64");
    assert.deepEqual(Buffer.from(blob.data.content, "base64"), content);

    await assert.rejects(
      octokit.rest.repos.getContent({ ...repository(), path: "docs/settings.png", ref: baseSha }),
      (error) => statusOf(error) === 404,
    );
  });

  test("files over 1 MB come with encoding none; the raw media type gives the bytes", async () => {
    const large = binaryContent(1024 * 1024 + 1, 2);
    fake.setFile(headSha, "docs/large.png", large);
    const { data } = await octokit.rest.repos.getContent({ ...repository(), path: "docs/large.png", ref: headSha });
    assert.ok(!Array.isArray(data) && data.type === "file");
    assert.equal(data.encoding, "none");
    assert.equal(data.content, "");
    assert.equal(data.size, large.length);

    const raw = await octokit.rest.repos.getContent({
      ...repository(),
      path: "docs/large.png",
      ref: headSha,
      mediaType: { format: "raw" },
      // GitHub labels raw content text/plain; charset=utf-8, so Octokit would decode it as text.
      request: { parseSuccessResponseBody: false },
    });
    const bytes = Buffer.from(await new Response(raw.data as unknown as ReadableStream).arrayBuffer());
    assert.deepEqual(bytes, large);

    const rawBlob = await octokit.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", {
      ...repository(),
      file_sha: data.sha,
      headers: { accept: "application/vnd.github.raw" },
      request: { parseSuccessResponseBody: false },
    });
    assert.deepEqual(Buffer.from(await new Response(rawBlob.data as unknown as ReadableStream).arrayBuffer()), large);
  });

  test("the raw media type mangles binary content when Octokit parses it, as on github.com", async () => {
    const content = binaryContent(300, 3);
    fake.setFile(headSha, "docs/mangled.png", content);
    const raw = await octokit.rest.repos.getContent({
      ...repository(),
      path: "docs/mangled.png",
      ref: headSha,
      mediaType: { format: "raw" },
    });
    assert.equal(typeof raw.data, "string");
    assert.notDeepEqual(Buffer.from(raw.data as unknown as string, "utf8"), content);
  });

  test("pulls/{n} carries body_html and body_text only when the media type asks for them", async () => {
    const attachment = fake.addAttachment(Buffer.from("image bytes"), "image/png");
    const body = `Before:\n\n![the old header](${attachment.url})\n\n<img width="300" alt="after" src="${attachment.url}">`;
    fake.addPullRequest(pullRequest(7, { body }));

    const plain = await octokit.rest.pulls.get({ ...repository(), pull_number: 7 });
    assert.equal(plain.data.body, body);
    assert.equal(renderedBody(plain.data).body_html, undefined);
    assert.equal(plain.data.head.sha, headSha);
    assert.equal(plain.data.base.repo.full_name, "octo-org/web-app");

    const full = await octokit.rest.pulls.get({ ...repository(), pull_number: 7, mediaType: { format: "full" } });
    const html = renderedBody(full.data).body_html ?? "";
    // Both image forms are rendered, each pointing at a signed URL instead of the private one.
    const signedPrefix = attachment.signedUrl.slice(0, attachment.signedUrl.indexOf("?jwt="));
    assert.equal(html.split(`src="${signedPrefix}?jwt=`).length - 1, 2);
    assert.ok(!html.includes(`src="${attachment.url}"`));
    assert.match(html, /alt="the old header"/);
    assert.equal(typeof renderedBody(full.data).body_text, "string");

    fake.addPullRequest(pullRequest(8, { bodyHtml: "<p>given</p>" }));
    const given = await octokit.rest.pulls.get({ ...repository(), pull_number: 8, mediaType: { format: "html" } });
    assert.equal(renderedBody(given.data).body_html, "<p>given</p>");

    await assert.rejects(
      octokit.rest.pulls.get({ ...repository(), pull_number: 404 }),
      (error) => statusOf(error) === 404,
    );
  });

  test("comments are created, listed, updated and deleted as the token's user", async () => {
    fake.addPullRequest(pullRequest(11));
    fake.addComment(11, "A human comment", author);
    const created = await octokit.rest.issues.createComment({ ...repository(), issue_number: 11, body: "first" });
    assert.equal(created.status, 201);
    assert.equal(created.data.user?.login, actionsBot.login);
    assert.equal(created.data.user?.type, "Bot");
    assert.match(created.data.html_url, /\/octo-org\/web-app\/pull\/11#issuecomment-\d+$/);

    const listed = await octokit.paginate(octokit.rest.issues.listComments, { ...repository(), issue_number: 11 });
    assert.deepEqual(
      listed.map((comment) => [comment.body, comment.user?.login]),
      [
        ["A human comment", "mona"],
        ["first", actionsBot.login],
      ],
    );

    const updated = await octokit.rest.issues.updateComment({
      ...repository(),
      comment_id: created.data.id,
      body: "second",
    });
    assert.equal(updated.data.body, "second");
    assert.equal(fake.comments(11).find((comment) => comment.id === created.data.id)?.body, "second");

    const deleted = await octokit.rest.issues.deleteComment({ ...repository(), comment_id: created.data.id });
    assert.equal(deleted.status, 204);
    assert.equal(fake.comments(11).length, 1);
    await assert.rejects(
      octokit.rest.issues.updateComment({ ...repository(), comment_id: created.data.id, body: "third" }),
      (error) => statusOf(error) === 404,
    );

    // A comment a user deleted in the UI is gone for the API too.
    const other = fake.addComment(11, "to be removed", actionsBot);
    fake.deleteComment(other.id);
    await assert.rejects(
      octokit.rest.issues.updateComment({ ...repository(), comment_id: other.id, body: "back" }),
      (error) => statusOf(error) === 404,
    );
  });

  test("a comment body over 65536 characters is refused with GitHub's 422", async () => {
    fake.addPullRequest(pullRequest(12));
    await octokit.rest.issues.createComment({ ...repository(), issue_number: 12, body: "x".repeat(65536) });
    await assert.rejects(
      octokit.rest.issues.createComment({ ...repository(), issue_number: 12, body: "x".repeat(65537) }),
      (error: unknown) => {
        assert.equal(statusOf(error), 422);
        assert.match(String((error as Error).message), /Body is too long \(maximum is 65536 characters\)/);
        return true;
      },
    );
    assert.equal(fake.comments(12).length, 1);
  });

  test("a wrong token gets 401 Bad credentials; Bearer works like token", async () => {
    const stranger = getOctokit("ghs_wrong", { baseUrl: fake.apiUrl });
    await assert.rejects(stranger.rest.pulls.get({ ...repository(), pull_number: 11 }), (error: unknown) => {
      assert.equal(statusOf(error), 401);
      assert.match(String((error as Error).message), /Bad credentials/);
      return true;
    });
    const response = await fetch(`${fake.apiUrl}/repos/octo-org/web-app/pulls/11`, {
      headers: { authorization: `Bearer ${fake.token}` },
    });
    assert.equal(response.status, 200);
  });

  test("failNext answers a secondary rate limit and a 5xx, then the route works again", async () => {
    fake.addPullRequest(pullRequest(13));
    fake.failNext(/^GET \/repos\/[^/]+\/[^/]+\/pulls\/13$/, githubFaults.secondaryRateLimit(7));
    fake.failNext(/^GET \/repos\/[^/]+\/[^/]+\/pulls\/13$/, githubFaults.secondaryRateLimit(undefined, 429));
    fake.failNext(/^GET \/repos\/[^/]+\/[^/]+\/pulls\/13$/, githubFaults.serverError(502), 2);
    await assert.rejects(octokit.rest.pulls.get({ ...repository(), pull_number: 13 }), (error: unknown) => {
      assert.equal(statusOf(error), 403);
      assert.match(String((error as Error).message), /You have exceeded a secondary rate limit/);
      const headers = (error as { response?: { headers: Record<string, string> } }).response?.headers;
      assert.equal(headers?.["retry-after"], "7");
      return true;
    });
    await assert.rejects(octokit.rest.pulls.get({ ...repository(), pull_number: 13 }), (error: unknown) => {
      assert.equal(statusOf(error), 429);
      assert.match(String((error as Error).message), /secondary rate limit/);
      const headers = (error as { response?: { headers: Record<string, string> } }).response?.headers;
      assert.equal(headers?.["retry-after"], undefined);
      return true;
    });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await assert.rejects(
        octokit.rest.pulls.get({ ...repository(), pull_number: 13 }),
        (error) => statusOf(error) === 502,
      );
    }
    const healthy = await octokit.rest.pulls.get({ ...repository(), pull_number: 13 });
    assert.equal(healthy.status, 200);
  });

  test("an upload's own URL opens for no token; the signed URL from body_html does, for five minutes", async () => {
    const content = binaryContent(64, 4);
    const attachment = fake.addAttachment(content, "image/png");
    assert.equal((await fetch(attachment.url)).status, 404);
    const withToken = await fetch(attachment.url, { headers: { authorization: `token ${fake.token}` } });
    assert.equal(withToken.status, 404, "API tokens do not open user-attachments URLs");
    const signed = await fetch(attachment.signedUrl);
    assert.equal(signed.status, 200);
    assert.equal(signed.headers.get("content-type"), "image/png");
    assert.deepEqual(Buffer.from(await signed.arrayBuffer()), content);
    const forged = new URL(attachment.signedUrl);
    forged.searchParams.set("jwt", "forged.jwt.value");
    assert.equal((await fetch(forged)).status, 404);

    // Each read of body_html signs anew; a URL read six minutes ago has expired.
    fake.addPullRequest(pullRequest(14, { body: `![shot](${attachment.url})` }));
    const read = async () => {
      const full = await octokit.rest.pulls.get({ ...repository(), pull_number: 14, mediaType: { format: "full" } });
      return /src="([^"]+)"/.exec(renderedBody(full.data).body_html ?? "")?.[1]?.replace(/&amp;/g, "&") ?? "";
    };
    const early = await read();
    assert.match(early, /\/private-user-images\/.+\?jwt=/);
    assert.equal((await fetch(early)).status, 200);
    fake.advanceClock(6 * 60_000);
    assert.equal((await fetch(early)).status, 404, "expired after five minutes");
    const fresh = await read();
    assert.notEqual(fresh, early);
    assert.equal((await fetch(fresh)).status, 200);
  });

  test("other hosts' images come through camo with data-canonical-src, unless the image proxy is off", async () => {
    const original = "http://images.example.test/screens/überblick.png";
    const content = binaryContent(32, 5);
    fake.addExternalImage(original, content, "image/png");
    fake.addPullRequest(pullRequest(15, { body: `![overview](${original})` }));
    const full = await octokit.rest.pulls.get({ ...repository(), pull_number: 15, mediaType: { format: "full" } });
    const html = renderedBody(full.data).body_html ?? "";
    const src = /src="([^"]+)"/.exec(html)?.[1] ?? "";
    assert.match(src, /\/camo\/[0-9a-f]+\/[0-9a-f]+$/);
    // The renderer percent-encodes the destination, as cmark-gfm does.
    assert.match(html, /data-canonical-src="http:\/\/images\.example\.test\/screens\/%C3%BCberblick\.png"/);
    assert.deepEqual(Buffer.from(await (await fetch(src)).arrayBuffer()), content);
    const tampered = src.replace(/\/camo\/[0-9a-f]{4}/, "/camo/0000");
    assert.equal((await fetch(tampered)).status, 404);

    fake.addPullRequest(pullRequest(16, { body: `![overview](${original})`, imageProxy: false }));
    const direct = await octokit.rest.pulls.get({ ...repository(), pull_number: 16, mediaType: { format: "full" } });
    assert.match(
      renderedBody(direct.data).body_html ?? "",
      /src="http:\/\/images\.example\.test\/screens\/überblick\.png"/,
    );
  });

  test("the Actions token has 1,000 requests an hour; content-creating requests hit a per-minute secondary limit", async () => {
    assert.equal(fake.rateLimit.limit, 1000);
    const personal = await startFakeGitHub({ tokenUser: author });
    assert.equal(personal.rateLimit.limit, 5000);
    await personal.close();

    fake.addPullRequest(pullRequest(17));
    const saved = fake.contentCreationPerMinute;
    fake.contentCreationPerMinute = 2;
    try {
      await octokit.rest.issues.createComment({ ...repository(), issue_number: 17, body: "one" });
      await octokit.rest.issues.createComment({ ...repository(), issue_number: 17, body: "two" });
      await assert.rejects(
        octokit.rest.issues.createComment({ ...repository(), issue_number: 17, body: "three" }),
        (error: unknown) => {
          assert.equal(statusOf(error), 403);
          assert.match(String((error as Error).message), /secondary rate limit/);
          const headers = (error as { response?: { headers: Record<string, string> } }).response?.headers;
          assert.equal(headers?.["retry-after"], undefined, "no retry-after, as GitHub usually sends");
          return true;
        },
      );
      assert.equal(fake.comments(17).length, 2);
      // Reads are not content-creating; a minute later writes work again.
      await octokit.rest.pulls.get({ ...repository(), pull_number: 17 });
      fake.advanceClock(61_000);
      await octokit.rest.issues.createComment({ ...repository(), issue_number: 17, body: "three" });
      assert.equal(fake.comments(17).length, 3);
    } finally {
      fake.contentCreationPerMinute = saved;
    }
  });

  test("every answer carries the rate-limit headers, counting down", async () => {
    const first = await octokit.rest.pulls.get({ ...repository(), pull_number: 11 });
    const second = await octokit.rest.pulls.get({ ...repository(), pull_number: 11 });
    for (const name of ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-ratelimit-used"]) {
      assert.match(String(first.headers[name]), /^\d+$/, name);
    }
    assert.equal(first.headers["x-ratelimit-resource"], "core");
    assert.equal(Number(second.headers["x-ratelimit-remaining"]), Number(first.headers["x-ratelimit-remaining"]) - 1);
    const missing = await fetch(`${fake.apiUrl}/repos/octo-org/web-app/nothing`, {
      headers: { authorization: `token ${fake.token}` },
    });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("x-ratelimit-resource"), "core");
    assert.equal(((await missing.json()) as { message: string }).message, "Not Found");
  });

  test("an exhausted primary rate limit answers 403 with remaining 0", async () => {
    const saved = fake.rateLimit.remaining;
    fake.rateLimit.remaining = 0;
    try {
      await assert.rejects(octokit.rest.pulls.get({ ...repository(), pull_number: 11 }), (error: unknown) => {
        assert.equal(statusOf(error), 403);
        const headers = (error as { response?: { headers: Record<string, string> } }).response?.headers;
        assert.equal(headers?.["x-ratelimit-remaining"], "0");
        return true;
      });
    } finally {
      fake.rateLimit.remaining = saved;
    }
  });
});

describe("pullRequestEvent", () => {
  let fake: FakeGitHub;
  before(async () => {
    fake = await startFakeGitHub();
  });
  after(() => fake.close());

  test("describes a same-repository pull request the way the webhook does", () => {
    const event = pullRequestEvent(fake, pullRequest(21)) as {
      action: string;
      number: number;
      pull_request: {
        number: number;
        title: string;
        body: string;
        html_url: string;
        user: { login: string };
        head: { sha: string; ref: string; repo: { full_name: string; fork: boolean } };
        base: { sha: string; ref: string; repo: { full_name: string } };
      };
      repository: { full_name: string; name: string; owner: { login: string } };
      sender: { login: string };
    };
    assert.equal(event.action, "synchronize");
    assert.equal(event.number, 21);
    assert.equal(event.pull_request.number, 21);
    assert.equal(event.pull_request.title, "Redesign the settings page (21)");
    assert.equal(event.pull_request.body, "Screens below.");
    assert.equal(event.pull_request.html_url, `${fake.serverUrl}/octo-org/web-app/pull/21`);
    assert.equal(event.pull_request.user.login, "mona");
    assert.deepEqual(
      [event.pull_request.head.sha, event.pull_request.head.ref, event.pull_request.head.repo.full_name],
      [headSha, "feature/settings", "octo-org/web-app"],
    );
    assert.equal(event.pull_request.head.repo.fork, false);
    assert.deepEqual(
      [event.pull_request.base.sha, event.pull_request.base.ref, event.pull_request.base.repo.full_name],
      [baseSha, "main", "octo-org/web-app"],
    );
    assert.deepEqual(
      [event.repository.full_name, event.repository.name, event.repository.owner.login],
      ["octo-org/web-app", "web-app", "octo-org"],
    );
    assert.equal(event.sender.login, "mona");
  });

  test("marks the head repository of a fork pull request as a fork", () => {
    const fork = pullRequest(22, { head: { sha: headSha, ref: "patch-1", repoFullName: "outsider/web-app" } });
    const event = pullRequestEvent(fake, fork, { action: "opened" }) as {
      action: string;
      pull_request: {
        head: { label: string; repo: { full_name: string; fork: boolean } };
        base: { repo: { fork: boolean } };
      };
    };
    assert.equal(event.action, "opened");
    assert.equal(event.pull_request.head.repo.full_name, "outsider/web-app");
    assert.equal(event.pull_request.head.repo.fork, true);
    assert.equal(event.pull_request.head.label, "outsider:patch-1");
    assert.equal(event.pull_request.base.repo.fork, false);
  });
});
