/*
 * One review comment per pull request and workflow job. Ours is a comment that
 * - starts with this job's marker (workflow and job hashed into it, so two workflows never fight over
 *   one comment), followed at once by metadata signed with this action's key for this pull request
 *   (review-metadata.ts): only the action can write that, so a comment that quotes a review (a
 *   person's, or another workflow's bot echoing the author's text) is never read, edited or deleted,
 *   whatever it claims; and
 * - was written by our identity: the Bot github-actions[bot], which is who the default GITHUB_TOKEN
 *   writes as, or the account of a personal token, read from GET /user (only asked when a marker
 *   comment by someone else exists: installation tokens may not read /user, and then only the bot
 *   counts), or the author of the comment this very run created. The metadata also records its
 *   author, and is ignored when that does not match the comment's author.
 * A comment of our identity that starts with the marker but does not verify (written with another
 * api-key, by an older version, or not by us) is left alone, and the log says so.
 *
 * - update: edit the newest of ours. If it disappeared meanwhile (404), the comments are listed
 *   again and another of ours is edited, else one is created. If editing is refused (403), a new
 *   comment is posted instead of failing. With none, create; after creating, if another run's
 *   comment also exists, the oldest one wins and our new one is deleted, so concurrent runs converge.
 * - A run for an older head commit never replaces the review of another head: the pull request's
 *   head is read again just before publishing, and when a newer commit has been pushed since this
 *   run's, a comment that reviews any head but ours is left alone (it may be the newer one's). A
 *   run of the current head replaces whatever is there.
 * - new: always a new comment. off: nothing.
 * - A failed create is not retried blindly (rate limits excepted: those requests did not land):
 *   the comments are listed again and a comment carrying this run's id counts as posted.
 * - Deleted comments: nothing is stored outside the comment, so a run that finds no comment of ours
 *   posts a new one with a full review; a comment deleted during a run is not duplicated when
 *   another comment of ours still exists.
 */
import type { GitHubClient } from "./github-client.js";
import type { PullRequestContext } from "./pull-request-context.js";
import {
  commentMarkerOf,
  decodeMetadata,
  MetadataKey,
  type MetadataSeal,
  type ReviewMetadata,
} from "./review-metadata.js";
import type { RunEvent } from "./run-event.js";

export const actionsBotLogin = "github-actions[bot]";

export interface ExistingComment {
  id: number;
  body: string;
  url: string;
  author: string;
  /** Verified: signed with our key for this pull request and job, and naming this comment's author. */
  metadata: ReviewMetadata;
}

export interface PublishResult {
  url: string | undefined;
  action: "created" | "updated" | "none";
}

/** Who "we" are on this pull request: the marker of this workflow job, our key, and the logins that write as us. */
export class CommentIdentity {
  readonly marker: string;
  /** Signs and verifies our metadata; undefined without an api-key, and then no comment is ours. */
  readonly key: MetadataKey | undefined;
  private readonly logins = new Set<string>();
  private userLookup: Promise<void> | undefined;
  private readonly log: (message: string) => void;
  private readonly reported = new Set<number>();

  constructor(marker: string, key: MetadataKey | undefined, log: (message: string) => void = () => undefined) {
    this.marker = marker;
    this.key = key;
    this.log = log;
  }

  /** What our metadata on this pull request is signed for; undefined without a key. */
  sealFor(pullRequestNumber: number): MetadataSeal | undefined {
    return this.key === undefined ? undefined : { key: this.key, marker: this.marker, pullRequestNumber };
  }

  /** Says once per comment why a comment that looks like ours is left alone. */
  reportIgnored(commentId: number, why: string): void {
    if (!this.reported.has(commentId)) {
      this.reported.add(commentId);
      this.log(`Comment ${commentId} starts with this job's review marker but ${why}: it is left alone.`);
    }
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

/** The identity of this workflow job: its marker, and the metadata key from the api-key and repository. */
export function commentIdentityOf(
  event: RunEvent,
  apiKey: string | undefined,
  log: (message: string) => void,
): CommentIdentity {
  return new CommentIdentity(
    commentMarkerOf(event.workflow, event.job),
    MetadataKey.derive(apiKey, event.repository),
    log,
  );
}

/** Our comments on the pull request, oldest first: see the top of this file for what makes one ours. */
export async function listOurComments(
  github: GitHubClient,
  pullRequest: PullRequestContext,
  identity: CommentIdentity,
): Promise<ExistingComment[]> {
  const seal = identity.sealFor(pullRequest.number);
  if (seal === undefined) {
    // Without the key nothing can be verified: no comment counts as ours, none is read or edited.
    return [];
  }
  const comments = await github.paginate(github.rest.issues.listComments, {
    owner: pullRequest.owner,
    repo: pullRequest.repo,
    issue_number: pullRequest.number,
    per_page: 100,
  });
  const marked = comments.filter((comment) => (comment.body ?? "").startsWith(identity.marker));
  if (marked.some((comment) => !identity.isOurs(comment.user))) {
    // Maybe written by this personal token's account; ask once who that is.
    await identity.learnTokenUser(github);
  }
  const ours: ExistingComment[] = [];
  for (const comment of marked) {
    if (!identity.isOurs(comment.user)) {
      continue;
    }
    const author = comment.user?.login ?? "";
    const metadata = decodeMetadata(comment.body ?? "", seal);
    if (metadata === undefined) {
      identity.reportIgnored(
        comment.id,
        "carries no review record signed with this action's key for this pull request (written with another api-key, by an older version, or not by Glance)",
      );
    } else if (metadata.author !== author) {
      identity.reportIgnored(comment.id, `its record names another author (${metadata.author})`);
    } else {
      ours.push({ id: comment.id, body: comment.body ?? "", url: comment.html_url, author, metadata });
    }
  }
  return ours.sort((first, second) => first.id - second.id);
}

export interface PublishRequest {
  mode: "update" | "new" | "off";
  runId: string;
  /** The comment text with the given author recorded in its metadata. */
  render: (author: string) => string;
  /** The head commit this run reviewed (from the event). */
  reviewedHead: string;
  /** The pull request's head as read when the run started: used only when reading it again fails. */
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
  if (request.mode === "new") {
    const created = await createComment(github, pullRequest, identity, request);
    return { url: created.url, action: "created" };
  }
  const target = { owner: pullRequest.owner, repo: pullRequest.repo };
  let refused = false;
  // Read now, not at the start: a push during this run's reviews must be seen before anything is replaced.
  const heads = { reviewed: request.reviewedHead, current: await readCurrentHead(github, pullRequest, request) };
  let existing = (await listOurComments(github, pullRequest, identity)).at(-1);
  if (existing !== undefined && !mayReplace(existing, heads)) {
    request.log(leftAloneMessage(existing, heads));
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
    if (existing !== undefined && !mayReplace(existing, heads)) {
      request.log(leftAloneMessage(existing, heads));
      return { url: existing.url, action: "none" };
    }
  }
  const created = await createComment(github, pullRequest, identity, request);
  if (refused) {
    // After a refused edit, converging onto the older comment would only be refused again.
    return { url: created.url, action: "created" };
  }
  // Converge with a run that posted at the same moment: the oldest comment stays.
  const ours = await listOurComments(github, pullRequest, identity);
  const oldest = ours[0];
  if (oldest !== undefined && oldest.id !== created.id) {
    if (!mayReplace(oldest, heads)) {
      // The other run reviewed another head, maybe the newer one: its comment stays, ours goes.
      request.log(leftAloneMessage(oldest, heads));
      await github.rest.issues.deleteComment({ ...target, comment_id: created.id }).catch(() => undefined);
      return { url: oldest.url, action: "none" };
    }
    const outcome = await updateComment(github, target, oldest.id, request.render(oldest.author));
    if (outcome.kind === "updated") {
      await github.rest.issues.deleteComment({ ...target, comment_id: created.id }).catch(() => undefined);
      return { url: outcome.url, action: "updated" };
    }
  }
  return { url: created.url, action: "created" };
}

interface Heads {
  /** The head commit this run reviewed. */
  reviewed: string;
  /** The pull request's head just before publishing. */
  current: string;
}

/**
 * A run of the current head replaces anything (every other review is of an older head). A run that a
 * newer push has overtaken replaces only a review of its own head: any other may be the newer one's,
 * and which commit is newer is not worth an API call when the newer push's own run will publish anyway.
 */
function mayReplace(existing: ExistingComment, heads: Heads): boolean {
  return heads.reviewed === heads.current || existing.metadata.head === heads.reviewed;
}

function leftAloneMessage(existing: ExistingComment, heads: Heads): string {
  const short = (sha: string) => sha.slice(0, 7);
  const reviewed = existing.metadata.head;
  return reviewed === heads.current
    ? `The comment already reviews the newer head ${short(reviewed)}; this run reviewed ${short(heads.reviewed)} and leaves it alone.`
    : `The pull request's head is now ${short(heads.current)}, newer than ${short(heads.reviewed)} which this run reviewed; ` +
        `the comment reviews ${short(reviewed)} and is left for the newer head's run.`;
}

/** The pull request's head now; the one read at the start when GitHub cannot say (with a note why). */
async function readCurrentHead(
  github: GitHubClient,
  pullRequest: PullRequestContext,
  request: PublishRequest,
): Promise<string> {
  try {
    const response = await github.rest.pulls.get({
      owner: pullRequest.owner,
      repo: pullRequest.repo,
      pull_number: pullRequest.number,
    });
    return response.data.head.sha;
  } catch (error) {
    request.log(
      `The pull request's head could not be read again before publishing (${error instanceof Error ? error.message : String(error)}); comparing with the head read at the start.`,
    );
    return request.currentHead;
  }
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
      (comment) => comment.metadata.run === request.runId,
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
