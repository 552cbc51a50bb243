/*
 * Publishing the review: the sticky comment on the pull request (sticky-comment.ts decides which
 * comment is ours and how to converge) and the full review in the job summary. Neither failure stops
 * the run: a comment that cannot be posted is a warning that points at the job summary, and a summary
 * that cannot be written is a warning too, so the outputs and fail-on that follow always happen.
 */
import { renderComment } from "./comment-rendering.js";
import type { ActionConfig } from "./config.js";
import { messageOf } from "./error-message.js";
import type { GitHubClient } from "./github-client.js";
import type { PullRequestContext } from "./pull-request-context.js";
import type { ReviewMetadata } from "./review-metadata.js";
import type { RunReport } from "./run-report.js";
import type { Runner } from "./runner.js";
import { type CommentIdentity, publishComment } from "./sticky-comment.js";

/** GitHub's limit for one step's job summary; beyond it the summary upload is refused. */
const summaryCharacterLimit = 1024 * 1024 - 4096;

export interface PublishOptions {
  github: GitHubClient;
  pullRequest: PullRequestContext;
  identity: CommentIdentity;
  report: RunReport;
  /** This run's id, recorded in the metadata to recognise our own comment after a failed create. */
  runId: string;
  commentMode: ActionConfig["commentMode"];
  runner: Runner;
}

/**
 * Posts or updates the comment (a dry run posts nothing) and writes the job summary; returns the
 * comment's URL, undefined when there is none.
 */
export async function publishReview(options: PublishOptions): Promise<string | undefined> {
  const { report, identity, pullRequest, runner } = options;
  const seal = identity.sealFor(pullRequest.number);
  const render = (author: string) =>
    renderComment(report, identity.marker, metadataOf(report, options.runId, pullRequest, author), seal);
  // The full text does not depend on the author: rendered once, for the summary.
  const full = render(identity.expectedAuthor).full;
  let commentUrl: string | undefined;
  if (!report.dryRun) {
    try {
      const published = await publishComment(options.github, pullRequest, identity, {
        mode: options.commentMode,
        runId: options.runId,
        render: (author) => render(author).body,
        reviewedHead: pullRequest.headSha,
        currentHead: pullRequest.currentHeadSha,
        log: (message) => runner.info(message),
      });
      commentUrl = published.url;
      if (published.action !== "none") {
        runner.info(`Review comment ${published.action}: ${published.url}`);
      }
    } catch (error) {
      runner.warning(
        `The review comment could not be posted (${messageOf(error)}). The review is in the job summary. ` +
          "The token needs pull-requests: write (fork pull requests need pull_request_target).",
      );
    }
  }
  await writeJobSummary(runner, full);
  return commentUrl;
}

/**
 * The job summary, capped under GitHub's 1 MiB limit; a summary that cannot be written is a warning,
 * never a reason to skip the outputs or fail-on that follow.
 */
export async function writeJobSummary(runner: Runner, text: string): Promise<void> {
  const capped =
    text.length <= summaryCharacterLimit
      ? text
      : `${text.slice(0, summaryCharacterLimit)}\n\n…(cut at GitHub's 1 MiB job summary limit)`;
  try {
    await runner.writeSummary(capped);
  } catch (error) {
    runner.warning(`The job summary could not be written: ${messageOf(error)}`);
  }
}

/** The hidden record of this review: what the next run compares against and carries forward. */
function metadataOf(report: RunReport, runId: string, pullRequest: PullRequestContext, author: string): ReviewMetadata {
  const images: ReviewMetadata["images"] = {};
  for (const image of report.reviewed) {
    images[image.item.key] = {
      hash: image.contentHash,
      kind: image.kind,
      summary: image.summary,
      findings: image.findings,
    };
  }
  return { version: 3, run: runId, model: report.model, author, head: pullRequest.headSha, images };
}
