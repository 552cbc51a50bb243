/*
 * The JSON shapes the fake GitHub answers with, trimmed to the fields real clients read but kept in
 * GitHub's own spelling (snake_case, html_url next to url, node ids), so code written against the
 * fake reads real payloads unchanged.
 */
import type { FakeComment, FakePullRequest, FakePullRequestFile, FakeUser } from "./github-types.js";

/** What the payload builders need to know about the fake they describe. */
export interface PayloadContext {
  apiUrl: string;
  serverUrl: string;
  owner: string;
  repo: string;
}

export function userJson(context: PayloadContext, user: FakeUser): Record<string, unknown> {
  return {
    login: user.login,
    id: user.id,
    node_id: `U_${user.id}`,
    avatar_url: `${context.serverUrl}/avatars/${user.id}`,
    url: `${context.apiUrl}/users/${encodeURIComponent(user.login)}`,
    html_url: `${context.serverUrl}/${user.login}`,
    type: user.type,
    site_admin: false,
  };
}

/** A repository object; `fullName` may be a fork's. Ids are stable per name so payloads compare. */
export function repositoryJson(context: PayloadContext, fullName: string): Record<string, unknown> {
  const [ownerLogin = context.owner, name = context.repo] = fullName.split("/");
  const isBase = fullName.toLowerCase() === `${context.owner}/${context.repo}`.toLowerCase();
  const id = stableId(fullName);
  return {
    id,
    node_id: `R_${id}`,
    name,
    full_name: fullName,
    private: false,
    owner: userJson(context, { login: ownerLogin, id: stableId(ownerLogin), type: "User" }),
    html_url: `${context.serverUrl}/${fullName}`,
    url: `${context.apiUrl}/repos/${fullName}`,
    fork: !isBase,
    default_branch: "main",
  };
}

export function pullRequestJson(
  context: PayloadContext,
  pullRequest: FakePullRequest,
  extras: Record<string, unknown> = {},
): Record<string, unknown> {
  const baseFullName = `${context.owner}/${context.repo}`;
  const headOwner = pullRequest.head.repoFullName.split("/")[0] ?? context.owner;
  const files = pullRequest.files;
  const additions = files.reduce((sum, file) => sum + (file.additions ?? 0), 0);
  const deletions = files.reduce((sum, file) => sum + (file.deletions ?? 0), 0);
  const pullUrl = `${context.apiUrl}/repos/${baseFullName}/pulls/${pullRequest.number}`;
  return {
    url: pullUrl,
    id: 1_000_000 + pullRequest.number,
    node_id: `PR_${pullRequest.number}`,
    html_url: `${context.serverUrl}/${baseFullName}/pull/${pullRequest.number}`,
    diff_url: `${context.serverUrl}/${baseFullName}/pull/${pullRequest.number}.diff`,
    issue_url: `${context.apiUrl}/repos/${baseFullName}/issues/${pullRequest.number}`,
    comments_url: `${context.apiUrl}/repos/${baseFullName}/issues/${pullRequest.number}/comments`,
    number: pullRequest.number,
    state: "open",
    locked: false,
    title: pullRequest.title,
    user: userJson(context, pullRequest.user),
    body: pullRequest.body,
    ...extras,
    created_at: "2025-01-01T00:00:00Z",
    updated_at: "2025-01-01T00:00:00Z",
    draft: false,
    head: {
      label: `${headOwner}:${pullRequest.head.ref}`,
      ref: pullRequest.head.ref,
      sha: pullRequest.head.sha,
      user: userJson(context, { login: headOwner, id: stableId(headOwner), type: "User" }),
      repo: repositoryJson(context, pullRequest.head.repoFullName),
    },
    base: {
      label: `${context.owner}:${pullRequest.base.ref}`,
      ref: pullRequest.base.ref,
      sha: pullRequest.base.sha,
      user: userJson(context, { login: context.owner, id: stableId(context.owner), type: "User" }),
      repo: repositoryJson(context, baseFullName),
    },
    author_association: "CONTRIBUTOR",
    merged: false,
    mergeable: null,
    comments: 0,
    commits: 1,
    additions,
    deletions,
    changed_files: files.length,
  };
}

export function pullRequestFileJson(
  context: PayloadContext,
  pullRequest: FakePullRequest,
  file: FakePullRequestFile,
  sha: string,
): Record<string, unknown> {
  const fullName = `${context.owner}/${context.repo}`;
  const encodedPath = file.filename.split("/").map(encodeURIComponent).join("/");
  const additions = file.additions ?? 0;
  const deletions = file.deletions ?? 0;
  return {
    sha,
    filename: file.filename,
    status: file.status,
    additions,
    deletions,
    changes: file.changes ?? additions + deletions,
    blob_url: `${context.serverUrl}/${fullName}/blob/${pullRequest.head.sha}/${encodedPath}`,
    raw_url: `${context.serverUrl}/${fullName}/raw/${pullRequest.head.sha}/${encodedPath}`,
    contents_url: `${context.apiUrl}/repos/${fullName}/contents/${encodedPath}?ref=${pullRequest.head.sha}`,
    ...(file.previous_filename === undefined ? {} : { previous_filename: file.previous_filename }),
  };
}

export function commentJson(
  context: PayloadContext,
  issueNumber: number,
  comment: FakeComment,
): Record<string, unknown> {
  const fullName = `${context.owner}/${context.repo}`;
  return {
    id: comment.id,
    node_id: `IC_${comment.id}`,
    url: `${context.apiUrl}/repos/${fullName}/issues/comments/${comment.id}`,
    html_url: comment.html_url,
    issue_url: `${context.apiUrl}/repos/${fullName}/issues/${issueNumber}`,
    body: comment.body,
    user: userJson(context, comment.user),
    created_at: comment.created_at,
    updated_at: comment.updated_at,
    author_association: comment.user.type === "Bot" ? "NONE" : "MEMBER",
  };
}

/** A small deterministic id from a name, so the same login or repository always gets the same id. */
function stableId(name: string): number {
  let hash = 7;
  for (const character of name.toLowerCase()) {
    hash = (hash * 31 + (character.codePointAt(0) ?? 0)) % 90_000_000;
  }
  return 10_000_000 + hash;
}
