/*
 * A fake of the GitHub REST API the action uses: a real HTTP server on 127.0.0.1 with an ephemeral
 * port, so the real Octokit client from @actions/github talks to it over a real socket. It keeps
 * pull requests, file contents by commit, comments and private attachments in memory, answers with
 * GitHub's status codes, JSON shapes, rate-limit and pagination headers, and records every request.
 * Its limits are GitHub's: 1,000 requests an hour for the Actions token, a secondary limit on
 * content-creating requests per minute, signed attachment URLs that expire (github-web-host.ts), all
 * on a clock tests can move. Scripted faults (`failNext`) stand in for other secondary limits and outages.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { bodyProblem, githubFaults, notFound } from "./github-answers.js";
import {
  errorBody,
  gitBlobSha,
  paginate,
  parseJson,
  readBody,
  requestedFormat,
  sendBytes,
  sendJson,
  wrappedBase64,
} from "./github-http.js";
import { renderBodyHtml, renderBodyText } from "./github-markdown.js";
import {
  commentJson,
  type PayloadContext,
  pullRequestFileJson,
  pullRequestJson,
  repositoryJson,
} from "./github-payloads.js";
import {
  actionsBot,
  contentCreatingRequestsPerMinute,
  contentsInlineLimit,
  type FakeAnswer,
  type FakeComment,
  type FakeGitHub,
  type FakeGitHubOptions,
  type FakePullRequest,
  type FakePullRequestFile,
  type FakeRequest,
  fakeGitHubToken,
  githubTokenRequestsPerHour,
  pullRequestFilesLimit,
  userTokenRequestsPerHour,
} from "./github-types.js";
import { createFakeWebHost } from "./github-web-host.js";

export { githubFaults } from "./github-answers.js";
export { pullRequestEvent } from "./github-event.js";
export * from "./github-types.js";

interface ScriptedFault {
  pattern: RegExp;
  answer: FakeAnswer;
  remaining: number;
}

interface RequestHook {
  pattern: RegExp;
  action: () => void;
  remaining: number;
}

const contentCreatingMethods = new Set(["POST", "PATCH", "PUT", "DELETE"]);

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const pullRequests = new Map<number, FakePullRequest>();
  /** commit sha -> path -> content */
  const files = new Map<string, Map<string, Buffer>>();
  const blobs = new Map<string, Buffer>();
  const commentsByIssue = new Map<number, FakeComment[]>();
  const faults: ScriptedFault[] = [];
  const hooks: RequestHook[] = [];
  /** When each content-creating request arrived, on the fake's clock. */
  const contentCreations: number[] = [];
  let clockOffset = 0;
  const now = () => Date.now() + clockOffset;
  const requests: FakeRequest[] = [];
  let nextCommentId = 1_000_001;

  const server = createServer((request, response) => {
    readBody(request)
      .then((raw) => handle(request, response, raw))
      .catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const webHost = createFakeWebHost(origin, now);
  const tokenUser = options.tokenUser ?? actionsBot;
  const hourlyLimit = tokenUser.type === "Bot" ? githubTokenRequestsPerHour : userTokenRequestsPerHour;

  const fake: FakeGitHub = {
    apiUrl: origin,
    serverUrl: origin,
    token: options.token ?? fakeGitHubToken,
    owner: options.owner ?? "octo-org",
    repo: options.repo ?? "web-app",
    tokenUser,
    requests,
    rateLimit: { limit: hourlyLimit, remaining: hourlyLimit, reset: Math.floor(Date.now() / 1000) + 3600 },
    contentCreationPerMinute: contentCreatingRequestsPerMinute,
    addPullRequest(pullRequest) {
      pullRequests.set(pullRequest.number, pullRequest);
    },
    setFile(commitSha, path, content) {
      let tree = files.get(commitSha);
      if (tree === undefined) {
        tree = new Map();
        files.set(commitSha, tree);
      }
      tree.set(path, content);
      blobs.set(gitBlobSha(content), content);
    },
    addAttachment: (content, contentType) => webHost.addAttachment(content, contentType),
    addExternalImage: (url, content, contentType) => webHost.addExternalImage(url, content, contentType),
    now,
    advanceClock(milliseconds) {
      clockOffset += milliseconds;
    },
    whenRequested(pattern, action, times = 1) {
      hooks.push({ pattern, action, remaining: times });
    },
    comments: commentsOf,
    addComment(issueNumber, body, user) {
      const now = new Date().toISOString();
      const id = nextCommentId++;
      const comment: FakeComment = {
        id,
        body,
        user,
        created_at: now,
        updated_at: now,
        html_url: `${origin}/${fake.owner}/${fake.repo}/pull/${issueNumber}#issuecomment-${id}`,
      };
      commentsOf(issueNumber).push(comment);
      return comment;
    },
    deleteComment(id) {
      const found = findComment(id);
      if (found !== undefined) {
        found.list.splice(found.list.indexOf(found.comment), 1);
      }
    },
    failNext(pattern, answer, times = 1) {
      faults.push({ pattern, answer, remaining: times });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };

  function context(): PayloadContext {
    return { apiUrl: fake.apiUrl, serverUrl: fake.serverUrl, owner: fake.owner, repo: fake.repo };
  }

  function commentsOf(issueNumber: number): FakeComment[] {
    let list = commentsByIssue.get(issueNumber);
    if (list === undefined) {
      list = [];
      commentsByIssue.set(issueNumber, list);
    }
    return list;
  }

  function findComment(id: number): { comment: FakeComment; list: FakeComment[]; issueNumber: number } | undefined {
    for (const [issueNumber, list] of commentsByIssue) {
      const comment = list.find((candidate) => candidate.id === id);
      if (comment !== undefined) {
        return { comment, list, issueNumber };
      }
    }
    return undefined;
  }

  function rateLimitHeaders(): Record<string, string> {
    const { limit, remaining, reset } = fake.rateLimit;
    return {
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-remaining": String(remaining),
      "x-ratelimit-reset": String(reset),
      "x-ratelimit-used": String(limit - remaining),
      "x-ratelimit-resource": "core",
      "x-github-media-type": "github.v3; format=json",
      "x-github-request-id": `FAKE:${requests.length}`,
    };
  }

  function isAuthorized(request: IncomingMessage): boolean {
    const match = /^(?:token|bearer)\s+(\S+)$/i.exec(String(request.headers.authorization ?? ""));
    return match?.[1] === fake.token;
  }

  function runHooks(key: string): void {
    for (const hook of [...hooks]) {
      hook.pattern.lastIndex = 0;
      if (hook.remaining > 0 && hook.pattern.test(key)) {
        hook.remaining -= 1;
        if (hook.remaining <= 0) hooks.splice(hooks.indexOf(hook), 1);
        hook.action();
      }
    }
  }

  /** True when this content-creating request is over the per-minute secondary limit. */
  function overContentCreationLimit(method: string): boolean {
    if (!contentCreatingMethods.has(method)) return false;
    const minuteAgo = now() - 60_000;
    while (contentCreations.length > 0 && (contentCreations[0] ?? 0) <= minuteAgo) contentCreations.shift();
    if (contentCreations.length >= fake.contentCreationPerMinute) return true;
    contentCreations.push(now());
    return false;
  }

  function takeFault(key: string): FakeAnswer | undefined {
    const fault = faults.find((candidate) => {
      candidate.pattern.lastIndex = 0;
      return candidate.pattern.test(key);
    });
    if (fault === undefined) {
      return undefined;
    }
    fault.remaining -= 1;
    if (fault.remaining <= 0) {
      faults.splice(faults.indexOf(fault), 1);
    }
    return fault.answer;
  }

  async function handle(request: IncomingMessage, response: ServerResponse, raw: Buffer): Promise<void> {
    const method = request.method ?? "GET";
    const url = new URL(request.url ?? "/", origin);
    requests.push({ method, path: `${url.pathname}${url.search}`, headers: request.headers, body: parseJson(raw) });

    runHooks(`${method} ${url.pathname}`);
    const fault = takeFault(`${method} ${url.pathname}`);
    if (fault !== undefined) {
      return sendJson(response, fault.status, fault.body, { ...rateLimitHeaders(), ...fault.headers });
    }
    // Uploads, signed images and camo live on other hosts than the API, outside its rate limits.
    if (webHost.serve(request, response, url)) {
      return;
    }
    if (!isAuthorized(request)) {
      return sendJson(response, 401, errorBody(401, "Bad credentials"), rateLimitHeaders());
    }
    if (fake.rateLimit.remaining <= 0) {
      const answer = githubFaults.primaryRateLimit(fake.rateLimit.reset);
      return sendJson(response, answer.status, answer.body, { ...rateLimitHeaders(), ...answer.headers });
    }
    fake.rateLimit.remaining -= 1;
    if (overContentCreationLimit(method)) {
      // GitHub's secondary limits usually come without retry-after (see githubFaults.secondaryRateLimit).
      const answer = githubFaults.secondaryRateLimit();
      return sendJson(response, answer.status, answer.body, rateLimitHeaders());
    }
    const answer = route(method, url, request, parseJson(raw));
    if (answer.bytes !== undefined) {
      return sendBytes(response, answer.bytes, "text/plain; charset=utf-8", rateLimitHeaders());
    }
    return sendJson(response, answer.status, answer.body, { ...rateLimitHeaders(), ...answer.headers });
  }

  interface RouteAnswer {
    status: number;
    body?: unknown;
    headers?: Record<string, string>;
    /** Raw bytes for the raw media type. */
    bytes?: Buffer;
  }

  function route(method: string, url: URL, request: IncomingMessage, body: unknown): RouteAnswer {
    const segments = url.pathname.split("/").slice(1).map(safeDecode);
    const [root, owner = "", repo = "", ...rest] = segments;
    const fullName = `${owner}/${repo}`.toLowerCase();
    if (method === "GET" && root === "user" && owner === "") {
      // Installation tokens (GITHUB_TOKEN) may not read /user; a personal token reads its own account.
      return fake.tokenUser.type === "Bot"
        ? { status: 403, body: errorBody(403, "Resource not accessible by integration") }
        : { status: 200, body: { login: fake.tokenUser.login, id: fake.tokenUser.id, type: fake.tokenUser.type } };
    }
    if (root !== "repos" || !knownRepositories().has(fullName)) {
      return notFound();
    }
    const isBase = fullName === `${fake.owner}/${fake.repo}`.toLowerCase();
    const [section, first, second, third] = rest;
    if (method === "GET" && section === undefined) {
      return { status: 200, body: repositoryJson(context(), `${owner}/${repo}`) };
    }
    if (section === "contents" && method === "GET") {
      // The path may come as several segments or as one with %2F, as Octokit sends it.
      return contents(rest.slice(1).join("/"), url, request);
    }
    if (section === "git" && first === "blobs" && second !== undefined && third === undefined && method === "GET") {
      return blob(second, request);
    }
    if (!isBase) {
      return notFound();
    }
    if (section === "compare" && first !== undefined && second === undefined && method === "GET") {
      return compare(first);
    }
    if (section === "pulls" && first !== undefined && method === "GET") {
      const pullRequest = pullRequests.get(Number(first));
      if (pullRequest === undefined || !/^\d+$/.test(first)) {
        return notFound();
      }
      if (second === undefined) {
        return { status: 200, body: pullRequestAnswer(pullRequest, request) };
      }
      if (second === "files" && third === undefined) {
        return listed(
          pullRequest.files
            .slice(0, pullRequestFilesLimit)
            .map((file) => pullRequestFileJson(context(), pullRequest, file, fileSha(pullRequest, file))),
          url,
        );
      }
      return notFound();
    }
    if (section === "issues" && first === "comments" && second !== undefined && third === undefined) {
      return existingComment(method, Number(second), body);
    }
    if (section === "issues" && first !== undefined && second === "comments" && third === undefined) {
      const issueNumber = Number(first);
      if (!/^\d+$/.test(first) || !pullRequests.has(issueNumber)) {
        return notFound();
      }
      if (method === "GET") {
        return listed(
          commentsOf(issueNumber).map((comment) => commentJson(context(), issueNumber, comment)),
          url,
        );
      }
      if (method === "POST") {
        const problem = bodyProblem(body);
        if (problem !== undefined) {
          return problem;
        }
        const comment = fake.addComment(issueNumber, (body as { body: string }).body, fake.tokenUser);
        return {
          status: 201,
          body: commentJson(context(), issueNumber, comment),
          headers: { location: `${fake.apiUrl}/repos/${fake.owner}/${fake.repo}/issues/comments/${comment.id}` },
        };
      }
    }
    return notFound();
  }

  /** Only merge_base_commit and the two ends: what clients of the compare API read first. */
  function compare(range: string): RouteAnswer {
    const [base = "", head = ""] = range.split("...");
    const pullRequest = [...pullRequests.values()].find(
      (candidate) => candidate.base.sha === base && candidate.head.sha === head,
    );
    if (pullRequest === undefined) {
      return notFound();
    }
    return {
      status: 200,
      body: {
        status: "ahead",
        merge_base_commit: { sha: pullRequest.mergeBaseSha ?? pullRequest.base.sha },
        base_commit: { sha: base },
        commits: [{ sha: head }],
      },
    };
  }

  function knownRepositories(): Set<string> {
    const names = new Set([`${fake.owner}/${fake.repo}`.toLowerCase()]);
    for (const pullRequest of pullRequests.values()) {
      names.add(pullRequest.head.repoFullName.toLowerCase());
    }
    return names;
  }

  function listed(all: Array<Record<string, unknown>>, url: URL): RouteAnswer {
    const page = paginate(all, url, fake.apiUrl);
    return { status: 200, body: page.items, ...(page.link === undefined ? {} : { headers: { link: page.link } }) };
  }

  function pullRequestAnswer(pullRequest: FakePullRequest, request: IncomingMessage): Record<string, unknown> {
    const format = requestedFormat(request);
    const extras: Record<string, unknown> = {};
    if (format === "full" || format === "html") {
      // Rendered on each read, as GitHub does: every read carries freshly signed attachment URLs.
      extras.body_html =
        pullRequest.bodyHtml ??
        renderBodyHtml(pullRequest.body, (url) => webHost.renderedSource(url, pullRequest.imageProxy ?? true));
    }
    if (format === "full" || format === "text") {
      extras.body_text = renderBodyText(pullRequest.body);
    }
    return pullRequestJson(context(), pullRequest, extras);
  }

  /** The blob sha GitHub reports for a changed file: the head version's, or the base one for a removal. */
  function fileSha(pullRequest: FakePullRequest, file: FakePullRequestFile): string {
    const side = file.status === "removed" ? pullRequest.base.sha : pullRequest.head.sha;
    const content = files.get(side)?.get(file.filename);
    return content === undefined ? gitBlobSha(Buffer.from(`${side}:${file.filename}`)) : gitBlobSha(content);
  }

  function resolveRef(ref: string | null): string {
    const name = ref ?? "main";
    for (const pullRequest of pullRequests.values()) {
      if (pullRequest.base.ref === name) {
        return pullRequest.base.sha;
      }
      if (pullRequest.head.ref === name) {
        return pullRequest.head.sha;
      }
    }
    return name;
  }

  function contents(path: string, url: URL, request: IncomingMessage): RouteAnswer {
    const commit = resolveRef(url.searchParams.get("ref"));
    const content = files.get(commit)?.get(path);
    if (content === undefined) {
      return notFound();
    }
    if (requestedFormat(request) === "raw") {
      return { status: 200, bytes: content };
    }
    const sha = gitBlobSha(content);
    const name = path.split("/").at(-1) ?? path;
    const encodedPath = path.split("/").map(encodeURIComponent).join("/");
    const fullName = `${fake.owner}/${fake.repo}`;
    const inline = content.length <= contentsInlineLimit;
    return {
      status: 200,
      body: {
        type: "file",
        encoding: inline ? "base64" : "none",
        size: content.length,
        name,
        path,
        content: inline ? wrappedBase64(content) : "",
        sha,
        url: `${fake.apiUrl}/repos/${fullName}/contents/${encodedPath}?ref=${commit}`,
        git_url: `${fake.apiUrl}/repos/${fullName}/git/blobs/${sha}`,
        html_url: `${fake.serverUrl}/${fullName}/blob/${commit}/${encodedPath}`,
        download_url: null,
      },
    };
  }

  function blob(sha: string, request: IncomingMessage): RouteAnswer {
    const content = blobs.get(sha);
    if (content === undefined) {
      return notFound();
    }
    if (requestedFormat(request) === "raw") {
      return { status: 200, bytes: content };
    }
    return {
      status: 200,
      body: {
        sha,
        node_id: `B_${sha.slice(0, 12)}`,
        size: content.length,
        url: `${fake.apiUrl}/repos/${fake.owner}/${fake.repo}/git/blobs/${sha}`,
        content: wrappedBase64(content),
        encoding: "base64",
      },
    };
  }

  function existingComment(method: string, id: number, body: unknown): RouteAnswer {
    const found = findComment(id);
    if (found === undefined || (method !== "PATCH" && method !== "DELETE" && method !== "GET")) {
      return notFound();
    }
    if (method === "DELETE") {
      fake.deleteComment(id);
      return { status: 204 };
    }
    if (method === "PATCH") {
      const problem = bodyProblem(body);
      if (problem !== undefined) {
        return problem;
      }
      found.comment.body = (body as { body: string }).body;
      found.comment.updated_at = new Date().toISOString();
    }
    return { status: 200, body: commentJson(context(), found.issueNumber, found.comment) };
  }

  return fake;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
