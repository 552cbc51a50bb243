/*
 * One review comment per pull request. Ours is the newest comment that carries the marker and was
 * written by a bot (the default token acts as github-actions[bot]; GET /user is not open to
 * installation tokens, and a person's comment quoting the marker must never be taken over).
 *
 * - update: edit ours; with none, re-list right before creating (another run may have just posted),
 *   then create. After creating, if another run's comment also exists, the oldest one wins: it gets
 *   our text and our own new comment is deleted, so concurrent runs converge on one comment.
 * - new: always a new comment. off: nothing.
 * - A failed create is never retried blindly: the comments are listed again and a comment carrying
 *   this run's id counts as posted.
 * - A comment a person deleted is not brought back: its metadata is gone with it, so the next run
 *   reviews everything afresh and posts a new comment with only that run's findings.
 */
import type { GitHubClient } from "./github-client.js";
import type { PullRequestContext } from "./pull-request-context.js";
import { commentMarker, decodeMetadata } from "./review-metadata.js";

export interface ExistingComment {
  id: number;
  body: string;
  url: string;
}

export interface PublishResult {
  url: string | undefined;
  action: "created" | "updated" | "none";
}

export async function listOurComments(
  github: GitHubClient,
  pullRequest: PullRequestContext,
): Promise<ExistingComment[]> {
  const comments = await github.paginate(github.rest.issues.listComments, {
    owner: pullRequest.owner,
    repo: pullRequest.repo,
    issue_number: pullRequest.number,
    per_page: 100,
  });
  return comments
    .filter((comment) => comment.user?.type === "Bot" && (comment.body ?? "").includes(commentMarker))
    .map((comment) => ({ id: comment.id, body: comment.body ?? "", url: comment.html_url }))
    .sort((first, second) => first.id - second.id);
}

export async function publishComment(
  github: GitHubClient,
  pullRequest: PullRequestContext,
  body: string,
  mode: "update" | "new" | "off",
  runId: string,
): Promise<PublishResult> {
  if (mode === "off") {
    return { url: undefined, action: "none" };
  }
  const target = { owner: pullRequest.owner, repo: pullRequest.repo };
  if (mode === "update") {
    const existing = (await listOurComments(github, pullRequest)).at(-1);
    if (existing !== undefined) {
      const updated = await updateComment(github, target, existing.id, body);
      if (updated !== undefined) {
        return { url: updated, action: "updated" };
      }
      // Deleted between listing and editing: fall through and post a new one.
    }
  }
  const created = await createComment(github, pullRequest, body, runId);
  if (mode === "new") {
    return { url: created.url, action: "created" };
  }
  // Converge with a run that posted at the same moment: the oldest comment stays.
  const ours = await listOurComments(github, pullRequest);
  const oldest = ours[0];
  if (oldest !== undefined && oldest.id !== created.id) {
    const updated = await updateComment(github, target, oldest.id, body);
    if (updated !== undefined) {
      await github.rest.issues.deleteComment({ ...target, comment_id: created.id }).catch(() => undefined);
      return { url: updated, action: "updated" };
    }
  }
  return { url: created.url, action: "created" };
}

async function updateComment(
  github: GitHubClient,
  target: { owner: string; repo: string },
  id: number,
  body: string,
): Promise<string | undefined> {
  try {
    const response = await github.rest.issues.updateComment({ ...target, comment_id: id, body });
    return response.data.html_url;
  } catch (error) {
    if ((error as { status?: number }).status === 404) {
      return undefined;
    }
    throw error;
  }
}

async function createComment(
  github: GitHubClient,
  pullRequest: PullRequestContext,
  body: string,
  runId: string,
): Promise<{ id: number; url: string }> {
  try {
    const response = await github.rest.issues.createComment({
      owner: pullRequest.owner,
      repo: pullRequest.repo,
      issue_number: pullRequest.number,
      body,
    });
    return { id: response.data.id, url: response.data.html_url };
  } catch (error) {
    // The request may have landed even though the answer was lost: look before reporting failure.
    const landed = (await listOurComments(github, pullRequest).catch(() => [])).find(
      (comment) => decodeMetadata(comment.body)?.run === runId,
    );
    if (landed !== undefined) {
      return { id: landed.id, url: landed.url };
    }
    throw error;
  }
}
