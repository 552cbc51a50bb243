/*
 * The whole review of one pull request, in order: pull request, changed images, previous review,
 * downloads, plans and estimates (before any model call), budget, reviews, comment and job summary;
 * it returns the report with the step's outputs and fail-on's verdict. Everything from outside comes
 * in as arguments (config, event, clients, runner), so tests call it directly against the fakes;
 * index.ts builds those from the runner's environment. Each step is a module of its own; this file
 * only wires them.
 */
import { randomUUID } from "node:crypto";
import { formatCount, type GlanceClient } from "@glance/core";
import { applyTokenBudget } from "./budget.js";
import { githubFileListLimit, listChangedFiles } from "./changed-files.js";
import type { ActionConfig } from "./config.js";
import { messageOf } from "./error-message.js";
import { failOnVerdict } from "./fail-on-policy.js";
import { describeGitHubError, type GitHubClient } from "./github-client.js";
import { type PlannedReview, planReview, type ReviewResult, runReview } from "./image-review.js";
import { byPriority, selectImages } from "./image-selection.js";
import { bodyImageItems, downloadItem } from "./image-sources.js";
import { LiveTokenBudget } from "./live-token-budget.js";
import { loadItems } from "./load-items.js";
import { escapingRunner } from "./log-escaping.js";
import { outputsOf } from "./outputs.js";
import { publishReview } from "./publish-review.js";
import {
  findMergeBase,
  loadPullRequest,
  type PullRequestContext,
  pullRequestNumberOf,
} from "./pull-request-context.js";
import type { SkippedItem } from "./review-item.js";
import type { ReviewMetadata } from "./review-metadata.js";
import type { RunEvent } from "./run-event.js";
import type { FailedImage, ImageReport, RunReport } from "./run-report.js";
import { mapWithConcurrency } from "./run-with-concurrency.js";
import type { Runner, StepResult } from "./runner.js";
import { skipWithoutKey } from "./skip-without-key.js";
import { type CommentIdentity, commentIdentityOf, listOurComments } from "./sticky-comment.js";

export interface ReviewOptions {
  config: ActionConfig;
  event: RunEvent;
  github: GitHubClient;
  /** Undefined when there is no api-key: the review is then skipped, or in a dry run only estimated. */
  modelClient: GlanceClient | undefined;
  runner: Runner;
}

export interface ReviewOutcome extends StepResult {
  /** What the run found and decided; undefined when it was skipped for want of a key. */
  report: RunReport | undefined;
}

export async function reviewPullRequest(options: ReviewOptions): Promise<ReviewOutcome> {
  const { config, event, github, modelClient } = options;
  // Names, alt text and model output reach the log: escaped so none of it is read as a workflow command.
  const runner = escapingRunner(options.runner);
  if (config.modelAssumption !== undefined) {
    runner.warning(config.modelAssumption);
  }
  if (config.apiKey !== undefined) {
    runner.setSecret(config.apiKey);
  }
  if (modelClient === undefined && !config.dryRun) {
    return { ...(await skipWithoutKey(event, runner)), report: undefined };
  }

  const pullRequest = await loadPullRequest(github, event, pullRequestNumberOf(event, config.pullRequestNumber));
  pullRequest.mergeBaseSha = await findMergeBase(github, pullRequest, (message) => runner.warning(message));
  runner.info(
    `Reviewing images of ${event.repository}#${pullRequest.number} (${pullRequest.headSha.slice(0, 7)}, before images from ${pullRequest.mergeBaseSha.slice(0, 7)}).`,
  );

  const notes: string[] = [];
  const files = await listChangedFiles(github, pullRequest).catch((error: unknown) => {
    throw describeGitHubError(
      error,
      `list the changed files of pull request #${pullRequest.number}`,
      "pull-requests: read",
    );
  });
  if (files.length >= githubFileListLimit) {
    const note = `GitHub lists only the first ${formatCount(githubFileListLimit)} changed files of a pull request; images among the rest were not seen.`;
    runner.warning(note);
    notes.push(note);
  }
  const selection = selectImages(files, config.include, config.exclude, pullRequest, event.serverUrl);
  const body = config.reviewBodyImages ? bodyImageItems(pullRequest) : { items: [], skipped: [] };
  const bodyItems = body.items;
  const candidates = [...selection.items, ...bodyItems.map((entry) => entry.item)].sort(byPriority);
  runner.info(
    `${files.length} changed file(s), ${selection.items.length} image(s) to consider, ${bodyItems.length} in the description, ${selection.removed.length} removed.`,
  );

  const identity = commentIdentityOf(event, config.apiKey, (message) => runner.info(message));
  const previous =
    config.commentMode === "off" ? undefined : await previousMetadata(github, pullRequest, identity, runner);
  const sources = {
    github,
    pullRequest,
    event,
    githubToken: config.githubToken,
    downloadUrls: new Map(bodyItems.map((entry) => [entry.item.key, entry.downloadUrl])),
  };
  const loaded = await loadItems(candidates, {
    maxImages: config.maxImages,
    // Downloads wait on GitHub, not on the model: more of them in flight shortens the time before the
    // first model call, still far below GitHub's secondary rate limit of 100 concurrent requests.
    concurrency: Math.max(config.concurrency, 8),
    previous,
    settingsKey: JSON.stringify([
      config.model,
      config.prompt ?? "",
      config.language ?? "",
      config.highResolution,
      config.thinking,
    ]),
    download: (item) => downloadItem(sources, item),
  });

  const promptContext = {
    pullRequestTitle: pullRequest.title,
    changedPaths: files.map((file) => file.path),
    extraInstructions: config.prompt,
    language: config.language,
  };
  const settings = { model: config.model, highResolution: config.highResolution, thinking: config.thinking };
  const skipped: SkippedItem[] = [...body.skipped, ...loaded.skipped];
  const plans = await mapWithConcurrency(loaded.toReview, config.concurrency, async (item) => {
    try {
      return await planReview(item, settings, promptContext);
    } catch (error) {
      skipped.push({ name: item.name, reason: messageOf(error) });
      return undefined;
    }
  });
  const budget = applyTokenBudget(
    plans.filter((plan): plan is PlannedReview => plan !== undefined),
    config.maxTokens,
  );
  skipped.push(...budget.skipped);
  // Images the budget left out are not sent: their bytes can go now.
  for (const plan of plans) {
    if (plan !== undefined && !budget.accepted.includes(plan)) {
      plan.images = undefined;
    }
  }
  runner.info(
    `Estimate: ${budget.accepted.length} request(s), about ${formatCount(budget.estimatedTokens)} tokens (input plus output allowance)${config.maxTokens === undefined ? "" : ` of max-tokens ${formatCount(config.maxTokens)}`}.`,
  );

  const carriedReports = loaded.carried.map((carried): ImageReport => {
    const earlier = previous?.images[carried.item.key];
    return {
      item: carried.item,
      contentHash: carried.contentHash,
      kind: earlier?.kind ?? "ui",
      summary: earlier?.summary ?? "",
      findings: earlier?.findings ?? [],
      carried: true,
      note: carried.note,
    };
  });
  const runId = `${event.runId ?? "local"}-${event.runAttempt ?? "1"}-${randomUUID()}`;
  const runUrl =
    event.runId === undefined ? undefined : `${event.serverUrl}/${event.repository}/actions/runs/${event.runId}`;
  const report: RunReport = {
    repository: event.repository,
    pullRequestNumber: pullRequest.number,
    model: config.model,
    reviewed: [],
    failed: [],
    skipped,
    removed: selection.removed,
    inputTokens: 0,
    outputTokens: 0,
    estimatedTokens: budget.estimatedTokens,
    dryRun: config.dryRun,
    planned: [],
    runUrl,
    notes,
  };
  const publishing = { github, pullRequest, identity, report, runId, commentMode: config.commentMode, runner };

  // Without a client there is no key, which reaches this point only in a dry run.
  if (config.dryRun || modelClient === undefined) {
    report.planned = budget.accepted.map((plan) => ({ name: plan.item.name, tokens: plan.estimatedTokens }));
    await publishReview(publishing);
    runner.info("Dry run: nothing was sent to the model and no comment was posted.");
    return { report, outputs: outputsOf(report, undefined), failure: undefined };
  }

  const failed: FailedImage[] = [];
  const liveBudget = new LiveTokenBudget(config.maxTokens);
  const results = await mapWithConcurrency(budget.accepted, config.concurrency, async (plan) => {
    const reservation = liveBudget.reserve(plan.estimatedTokens);
    if (!reservation.reserved) {
      skipped.push({ name: plan.item.name, reason: reservation.reason });
      plan.images = undefined;
      return undefined;
    }
    let usedTokens = 0;
    try {
      const result = await runReview(modelClient, plan, config.model);
      usedTokens = result.inputTokens + result.outputTokens;
      runner.info(`${plan.item.name}: ${result.findings.length} finding(s).`);
      return result;
    } catch (error) {
      const reason = messageOf(error);
      runner.warning(`${plan.item.name} was not reviewed: ${reason}`);
      failed.push({ item: plan.item, reason });
      return undefined;
    } finally {
      liveBudget.settle(plan.estimatedTokens, usedTokens);
    }
  });

  const reviewedNow = results.filter((result): result is ReviewResult => result !== undefined);
  report.reviewed = [...reviewedNow.map(reportOf), ...carriedReports].sort((first, second) =>
    byPriority(first.item, second.item),
  );
  report.failed = failed.sort((first, second) => byPriority(first.item, second.item));
  report.inputTokens = reviewedNow.reduce((sum, result) => sum + result.inputTokens, 0);
  report.outputTokens = reviewedNow.reduce((sum, result) => sum + result.outputTokens, 0);

  const commentUrl = await publishReview(publishing);
  if (report.failed.length > 0) {
    runner.warning(
      `${report.failed.length} image(s) could not be reviewed because the model request failed; they are listed in the comment and reviewed on the next run.`,
    );
  }
  return { report, outputs: outputsOf(report, commentUrl), failure: failOnVerdict(config.failOn, report) };
}

/** The metadata of the newest comment of ours that has any: what the last review found, by content hash. */
async function previousMetadata(
  github: GitHubClient,
  pullRequest: PullRequestContext,
  identity: CommentIdentity,
  runner: Runner,
): Promise<ReviewMetadata | undefined> {
  try {
    const ours = await listOurComments(github, pullRequest, identity);
    for (const comment of ours.reverse()) {
      if (comment.metadata !== undefined) {
        return comment.metadata;
      }
    }
  } catch (error) {
    runner.warning(`Earlier review comments could not be read (${messageOf(error)}); every image is reviewed.`);
  }
  return undefined;
}

function reportOf(result: ReviewResult): ImageReport {
  return {
    item: result.item,
    contentHash: result.item.contentHash,
    kind: result.kind,
    summary: result.summary,
    findings: result.findings,
    carried: false,
  };
}
