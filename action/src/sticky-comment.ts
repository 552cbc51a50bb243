/*
 * One review comment per pull request and workflow job. Ours is a comment that carries this job's
 * marker (workflow and job hashed into it, so two workflows never fight over one comment) AND was
 * written by our identity:
 * - the Bot github-actions[bot], which is who the default GITHUB_TOKEN writes as, or
 * - the account of a personal token, read from GET /user (only asked when a marker comment by
 *   someone else exists: installation tokens may not read /user, and then only the bot counts), or
 * - the author of the comment this very run created.
 * A comment by anyone else is never edited and its metadata never read, whatever it claims; the
 * metadata also records its author, and is ignored when that does not match the comment's author.
 *
 * - update: edit the newest of ours. If it disappeared meanwhile (404), the comments are listed
 *   again and another of ours is edited, else one is created. If editing is refused (403), a new
 *   comment is posted instead of failing. With none, create; after creating, if another run's
 *   comment also exists, the oldest one wins and our new one is deleted, so concurrent runs converge.
 * - A run for an older head commit never overwrites the review of the newer head that is already
 *   there (a slow run finishing after a newer push's run): it leaves the comment alone.
 * - new: always a new comment. off: nothing.
 * - A failed create is not retried blindly (rate limits excepted: those requests did not land):
 *   the comments are listed again and a comment carrying this run's id counts as posted.
 * - Deleted comments: nothing is stored outside the comment, so a run that finds no comment of ours
 *   posts a new one with a full review; a comment deleted during a run is not duplicated when
 *   another comment of ours still exists.
 */
import type { GitHubClient } from "./github-client.js";
import type { PullRequestContext } from "./pull-request-context.js";
import { decodeMetadata, type ReviewMetadata } from "./review-metadata.js";

export const actionsBotLogin = "github-actions[bot]";

export interface ExistingComment {
  id: number;
  body: string;
  url: string;
  author: string;
  /** Undefined when the comment has none, it fails validation, or it names another author. */
  metadata: ReviewMetadata | undefined;
}

export interface PublishResult {
  url: string | undefined;
  action: "created" | "updated" | "none";
}

/** Who "we" are on this pull request: the marker of this workflow job and the logins that write as us. */
export class CommentIdentity {
  readonly marker: string;
  private readonly logins = new Set<string>();
  private userLookup: Promise<void> | undefined;

  constructor(marker: string) {
    this.marker = marker;
  }

  /** The login our comments are expected to carry, for the metadata written before we know better. */
  get expectedAuthor(): string {
    return [...this.logins][0] ?? actionsBotLogin;
  }

  remember(login: string): void {
    this.logins.add(login);
  }

  isOurs(user: { login: string; type: string } | null | undefined): boolean {
    if (user === null || user === undefined) return false;
    return (user.type === "Bot" && user.login === actionsBotLogin) || this.logins.has(user.login);
  }

  /** Asks GET /user once; a 403 (installation token) or any error leaves only the bot identity. */
  async learnTokenUser(github: GitHubClient): Promise<void> {
    this.userLookup ??= github.rest.users.getAuthenticated().then(
      (response) => this.remember(response.data.login),
      () => undefined,
    );
    await this.userLookup;
  }
}

export async function listOurComments(
  github: GitHubClient,
  pullRequest: PullRequestContext,
  identity: CommentIdentity,
): Promise<ExistingComment[]> {
  const comments = await github.paginate(github.rest.issues.listComments, {
    owner: pullRequest.owner,
    repo: pullRequest.repo,
    issue_number: pullRequest.number,
    per_page: 100,
  });
  const marked = comments.filter((comment) => (comment.body ?? "").includes(identity.marker));
  if (marked.some((comment) => !identity.isOurs(comment.user))) {
    // Maybe written by this personal token's account; ask once who that is.
    await identity.learnTokenUser(github);
  }
  return marked
    .filter((comment) => identity.isOurs(comment.user))
    .map((comment): ExistingComment => {
      const author = comment.user?.login ?? "";
      const metadata = decodeMetadata(comment.body ?? "");
      return {
        id: comment.id,
        body: comment.body ?? "",
        url: comment.html_url,
        author,
        metadata: metadata?.author === author ? metadata : undefined,
      };
    })
    .sort((first, second) => first.id - second.id);
}

export interface PublishRequest {
  mode: "update" | "new" | "off";
  runId: string;
  /** The comment text with the given author recorded in its metadata. */
  render: (author: string) => string;
  /** The head commit this run reviewed (from the event), and the pull request's head now. */
  reviewedHead: string;
  currentHead: string;
  log: (message: string) => void;
}

export async function publishComment(
  github: GitHubClient,
  pullRequest: PullRequestContext,
  identity: CommentIdentity,
  request: PublishRequest,
): Promise<PublishResult> {
  if (request.mode === "off") {
    return { url: undefined, action: "none" };
  }
  const target = { owner: pullRequest.owner, repo: pullRequest.repo };
  let refused = false;
  if (request.mode === "update") {
    let existing = (await listOurComments(github, pullRequest, identity)).at(-1);
    const existingHead = existing?.metadata?.head;
    if (
      existing !== undefined &&
      existingHead !== undefined &&
      existingHead !== request.reviewedHead &&
      existingHead === request.currentHead
    ) {
      request.log(
        `The comment already reviews the newer head ${existingHead.slice(0, 7)}; this run reviewed ${request.reviewedHead.slice(0, 7)} and leaves it alone.`,
      );
      return { url: existing.url, action: "none" };
    }
    for (let tries = 0; existing !== undefined && tries < 3; tries += 1) {
      const outcome = await updateComment(github, target, existing.id, request.render(existing.author));
      if (outcome.kind === "updated") {
        return { url: outcome.url, action: "updated" };
      }
      if (outcome.kind === "forbidden") {
        request.log("Editing the earlier review comment was refused (403); posting a new one.");
        refused = true;
        existing = undefined;
        break;
      }
      // Deleted since the listing: another comment of ours may still be there.
      const deletedId = existing.id;
      existing = (await listOurComments(github, pullRequest, identity))
        .filter((comment) => comment.id !== deletedId)
        .at(-1);
    }
  }
  const created = await createComment(github, pullRequest, identity, request);
  if (request.mode === "new" || refused) {
    // After a refused edit, converging onto the older comment would only be refused again.
    return { url: created.url, action: "created" };
  }
  // Converge with a run that posted at the same moment: the oldest comment stays.
  const ours = await listOurComments(github, pullRequest, identity);
  const oldest = ours[0];
  if (oldest !== undefined && oldest.id !== created.id) {
    const outcome = await updateComment(github, target, oldest.id, request.render(oldest.author));
    if (outcome.kind === "updated") {
      await github.rest.issues.deleteComment({ ...target, comment_id: created.id }).catch(() => undefined);
      return { url: outcome.url, action: "updated" };
    }
  }
  return { url: created.url, action: "created" };
}

type UpdateOutcome = { kind: "updated"; url: string } | { kind: "gone" } | { kind: "forbidden" };

async function updateComment(
  github: GitHubClient,
  target: { owner: string; repo: string },
  id: number,
  body: string,
): Promise<UpdateOutcome> {
  try {
    const response = await github.rest.issues.updateComment({ ...target, comment_id: id, body });
    return { kind: "updated", url: response.data.html_url };
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 404) return { kind: "gone" };
    if (status === 403) return { kind: "forbidden" };
    throw error;
  }
}

async function createComment(
  github: GitHubClient,
  pullRequest: PullRequestContext,
  identity: CommentIdentity,
  request: PublishRequest,
): Promise<{ id: number; url: string }> {
  const expected = identity.expectedAuthor;
  let created: { id: number; url: string; author: string };
  try {
    const response = await github.rest.issues.createComment({
      owner: pullRequest.owner,
      repo: pullRequest.repo,
      issue_number: pullRequest.number,
      body: request.render(expected),
    });
    created = { id: response.data.id, url: response.data.html_url, author: response.data.user?.login ?? expected };
  } catch (error) {
    // The request may have landed even though the answer was lost: look before reporting failure.
    const landed = (await listOurComments(github, pullRequest, identity).catch(() => [])).find(
      (comment) => comment.metadata?.run === request.runId,
    );
    if (landed !== undefined) {
      return { id: landed.id, url: landed.url };
    }
    throw error;
  }
  // Now we know who we write as (a personal token's account, say): later listings accept it.
  identity.remember(created.author);
  if (created.author !== expected) {
    // The metadata must name the real author, or the next run would not trust it.
    await github.rest.issues
      .updateComment({
        owner: pullRequest.owner,
        repo: pullRequest.repo,
        comment_id: created.id,
        body: request.render(created.author),
      })
      .catch(() => undefined);
  }
  return { id: created.id, url: created.url };
}
