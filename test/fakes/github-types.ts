/*
 * The data model of the fake GitHub REST API: what tests put in (users, pull requests, files,
 * comments) and the interface of the running fake. Re-exported by github.ts, the fake's entry.
 */

export interface FakeUser {
  login: string;
  id: number;
  type: "User" | "Bot";
}

export const actionsBot: FakeUser = { login: "github-actions[bot]", id: 41898282, type: "Bot" };

export interface FakePullRequestFile {
  filename: string;
  status: "added" | "modified" | "removed" | "renamed" | "changed" | "copied" | "unchanged";
  previous_filename?: string;
  additions?: number;
  deletions?: number;
  changes?: number;
}

export interface FakePullRequest {
  number: number;
  title: string;
  body: string;
  /** Rendered body, returned as body_html when the client asks for application/vnd.github.full+json (or .html+json). Defaults to a minimal rendering of `body`. */
  bodyHtml?: string;
  user: FakeUser;
  /** repoFullName differs from the base repo for a fork PR. */
  head: { sha: string; ref: string; repoFullName: string };
  base: { sha: string; ref: string };
  files: FakePullRequestFile[];
  /** What GET compare/{base}...{head} reports as merge_base_commit.sha; base.sha when absent. */
  mergeBaseSha?: string;
  /**
   * False renders body_html as a GitHub Enterprise Server with the image proxy turned off does: other
   * hosts' images keep their own URLs instead of camo ones. Default true, as on github.com.
   */
  imageProxy?: boolean;
}

export interface FakeComment {
  id: number;
  body: string;
  user: FakeUser;
  created_at: string;
  updated_at: string;
  html_url: string;
}

export interface FakeRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface FakeAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** The primary rate limit the fake counts down; tests may change it (remaining 0 gives GitHub's 403). */
export interface FakeRateLimit {
  limit: number;
  remaining: number;
  /** Epoch seconds. */
  reset: number;
}

export interface FakeGitHub {
  /** "http://127.0.0.1:PORT": what GITHUB_API_URL is set to. */
  apiUrl: string;
  /** Same origin; GITHUB_SERVER_URL, base of html_url and attachment URLs. */
  serverUrl: string;
  /** The only token accepted ("Authorization: token X" or "Bearer X"). */
  token: string;
  owner: string;
  repo: string;
  /** The identity the token acts as (author of comments it creates). Default actionsBot. */
  tokenUser: FakeUser;
  addPullRequest(pullRequest: FakePullRequest): void;
  /** File content at a commit; served by the contents API (and the git blobs API via the sha it reports). */
  setFile(commitSha: string, path: string, content: Buffer): void;
  /**
   * A private upload (user-attachments/assets/<id>): returns its URL, which no token opens, and a
   * signed URL as body_html carries it, valid five minutes of the fake's clock (see github-web-host.ts).
   */
  addAttachment(content: Buffer, contentType: string): { url: string; signedUrl: string };
  /** An image on another host: reachable only through the camo URL body_html gives it. */
  addExternalImage(url: string, content: Buffer, contentType: string): void;
  /** The fake's clock (epoch milliseconds): signed URLs and the per-minute write limit follow it. */
  now(): number;
  /** Moves the fake's clock forward, as if that much time had passed. */
  advanceClock(milliseconds: number): void;
  /** Runs `action` when the next `times` requests whose "METHOD /path" matches arrive, before they are answered. */
  whenRequested(pattern: RegExp, action: () => void, times?: number): void;
  /** Live view: the fake's own list for the issue, changed in place by later requests. */
  comments(issueNumber: number): FakeComment[];
  addComment(issueNumber: number, body: string, user: FakeUser): FakeComment;
  deleteComment(id: number): void;
  /** Every request, in order: method, path (with query), headers, parsed JSON body if any. */
  requests: FakeRequest[];
  /** The next `times` requests whose "METHOD /path" (path without query) matches `pattern` get this answer instead. */
  failNext(pattern: RegExp, answer: FakeAnswer, times?: number): void;
  /**
   * The primary rate limit behind the x-ratelimit-* headers: 1,000 requests an hour for the Actions
   * token (a Bot token user), 5,000 for a user's token. Tests may change it.
   */
  rateLimit: FakeRateLimit;
  /**
   * Content-creating requests (POST, PATCH, PUT, DELETE) allowed per minute of the fake's clock before
   * the secondary rate limit answers 403 without retry-after; GitHub documents about 80.
   */
  contentCreationPerMinute: number;
  close(): Promise<void>;
}

export interface FakeGitHubOptions {
  token?: string;
  owner?: string;
  repo?: string;
  tokenUser?: FakeUser;
}

export const fakeGitHubToken = "ghs_fakeGitHubToken0123456789abcdefABCDEF";

/** GitHub's limit on an issue comment body, in characters. */
export const commentBodyLimit = 65536;
/** Above this size the contents API sends no content (encoding "none"). */
export const contentsInlineLimit = 1024 * 1024;
/** GitHub lists at most this many files of a pull request. */
export const pullRequestFilesLimit = 3000;

/*
 * Primary and secondary rate limits, per
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api: "The rate limit for
 * GITHUB_TOKEN is 1,000 requests per hour per repository"; a personal token has 5,000; and "No more than
 * 80 content-generating requests per minute".
 */
export const githubTokenRequestsPerHour = 1000;
export const userTokenRequestsPerHour = 5000;
export const contentCreatingRequestsPerMinute = 80;
