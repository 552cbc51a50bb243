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
  /** A private attachment (like user-attachments/assets/<id>): returns its URL; fetching it needs the token (Authorization header) or the signed query the body_html carries. */
  addAttachment(content: Buffer, contentType: string): { url: string; signedUrl: string };
  /** Live view: the fake's own list for the issue, changed in place by later requests. */
  comments(issueNumber: number): FakeComment[];
  addComment(issueNumber: number, body: string, user: FakeUser): FakeComment;
  deleteComment(id: number): void;
  /** Every request, in order: method, path (with query), headers, parsed JSON body if any. */
  requests: FakeRequest[];
  /** The next `times` requests whose "METHOD /path" (path without query) matches `pattern` get this answer instead. */
  failNext(pattern: RegExp, answer: FakeAnswer, times?: number): void;
  /** Extra: the primary rate limit state behind the x-ratelimit-* headers. */
  rateLimit: FakeRateLimit;
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
