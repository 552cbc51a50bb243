/*
 * The whole review of one pull request, in order: pull request, changed images, previous review,
 * the images located (sizes and blob shas, within the run's GitHub API requests) and ordered, then
 * the reviews as a stream (each image downloaded, estimated, held to the budget and sent while the
 * next ones download: review-stream.ts), comment and job summary; it returns the report with the step's outputs and the
 * fail-on verdicts. A set-up failure (a refused key, an unknown model, an endpoint that does not
 * answer) stops the reviews at once and posts no comment. Everything from outside comes in as
 * arguments (config, event, clients, runner, clock), so tests call it directly against the fakes;
 * index.ts builds those from the runner's environment. Each step is a module of its own; this file
 * only wires them.
 */
import { randomUUID } from "node:crypto";
import {
  AbortedError,
  ConfigurationError,
  formatCount,
  type GlanceClient,
  InputLimitError,
  MediaError,
  modelEntryOf,
  warmTextTokenizer,
} from "@glance/core";
import { TokenBudget } from "./budget.js";
import { githubFileListLimit, listChangedFiles } from "./changed-files.js";
import type { ActionConfig } from "./config.js";
import { messageOf } from "./error-message.js";
import { failOnVerdict, setUpVerdict } from "./fail-on-policy.js";
import { describeGitHubError, type GitHubClient } from "./github-client.js";
import {
  downloadAllowance,
  downloadRequestCost,
  type GitHubRateLimit,
  requestBudgetNote,
} from "./github-request-budget.js";
import {
  type PlannedReview,
  planReview,
  prepareReview,
  type ReviewResult,
  releaseImages,
  runReview,
} from "./image-review.js";
import { byPriority, selectImages } from "./image-selection.js";
import {
  bodyImageItems,
  DescriptionImageUrls,
  fetchItemBytes,
  type ItemLocation,
  locateItem,
} from "./image-sources.js";
import { LiveTokenBudget } from "./live-token-budget.js";
import { loadBytes, loadItems } from "./load-items.js";
import { escapingRunner } from "./log-escaping.js";
import { outputsOf } from "./outputs.js";
import { publishReview, writeJobSummary } from "./publish-review.js";
import {
  findMergeBase,
  loadPullRequest,
  type PullRequestContext,
  pullRequestNumberOf,
} from "./pull-request-context.js";
import type { ReviewItem, SkippedItem } from "./review-item.js";
import type { ReviewMetadata } from "./review-metadata.js";
import { streamInOrder } from "./review-stream.js";
import type { RunEvent } from "./run-event.js";
import type { FailedImage, ImageReport, RunReport } from "./run-report.js";
import type { Runner, StepResult } from "./runner.js";
import { setUpFailureOf } from "./set-up-failure.js";
import { skipWithoutKey } from "./skip-without-key.js";
import { type CommentIdentity, commentIdentityOf, listOurComments } from "./sticky-comment.js";

export interface ReviewOptions {
  config: ActionConfig;
  event: RunEvent;
  github: GitHubClient;
  /** Undefined when there is no api-key: the review is then skipped, or in a dry run only estimated. */
  modelClient: GlanceClient | undefined;
  runner: Runner;
  /** What GitHub's answers say of the token's hourly requests (the retries wrapper records it); none: no budget. */
  githubRateLimit?: GitHubRateLimit | undefined;
  /** The clock that decides when signed description URLs are old; tests pass the fake GitHub's. */
  now?: (() => number) | undefined;
}

export interface ReviewOutcome extends StepResult {
  /** What the run found and decided; undefined when it was skipped for want of a key. */
  report: RunReport | undefined;
}

export async function reviewPullRequest(options: ReviewOptions): Promise<ReviewOutcome> {
  const { config, event, github, modelClient } = options;
  const now = options.now ?? Date.now;
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
  // A model name core cannot resolve fails every image the same way: stop before asking GitHub anything.
  modelEntryOf(config.model);

  const pullRequest = await loadPullRequest(github, event, pullRequestNumberOf(event, config.pullRequestNumber));
  const descriptionReadAt = now();
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

  if (candidates.length > 0) {
    // Every estimate counts text tokens: the tokenizer loads in a worker thread (about 0.4 s of CPU on
    // the other core) while GitHub answers the requests below; on this thread it held those answers and
    // the first model request left 0.2 s later (bench). A failure shows at the first count.
    warmTextTokenizer({ thread: "worker" }).catch(() => undefined);
  }
  const identity = commentIdentityOf(event, config.apiKey, (message) => runner.info(message));
  const previous =
    config.commentMode === "off" ? undefined : await previousMetadata(github, pullRequest, identity, runner);
  const sources = {
    github,
    pullRequest,
    event,
    descriptionUrls: new DescriptionImageUrls(github, pullRequest, bodyItems, descriptionReadAt, now),
  };
  const requestsBefore = options.githubRateLimit?.snapshot();
  const allowance = requestsBefore === undefined ? undefined : downloadAllowance(requestsBefore);
  const settingsKey = JSON.stringify([
    config.model,
    config.prompt ?? "",
    config.language ?? "",
    config.highResolution,
    config.thinking,
  ]);
  const fetchBytes = (location: ItemLocation) => fetchItemBytes(github, location);
  const loaded = await loadItems(candidates, {
    maxImages: config.maxImages,
    // Lookups wait on GitHub, not on the model: more of them in flight shortens the time before the
    // first model call, still far below GitHub's secondary rate limit of 100 concurrent requests.
    concurrency: Math.max(config.concurrency, 8),
    previous,
    settingsKey,
    locate: (item) => locateItem(sources, item),
    fetch: fetchBytes,
    requestBudget: allowance === undefined ? undefined : { allowance, costOf: downloadRequestCost },
  });
  if (loaded.requests.overBudget > 0 && requestsBefore !== undefined) {
    const note = requestBudgetNote(requestsBefore, {
      needed: loaded.requests.needed,
      notDownloaded: loaded.requests.overBudget,
    });
    runner.warning(note);
    notes.push(note);
  }

  const promptContext = {
    pullRequestTitle: pullRequest.title,
    changedPaths: files.map((file) => file.path),
    extraInstructions: config.prompt,
    language: config.language,
  };
  const settings = { model: config.model, highResolution: config.highResolution, thinking: config.thinking };
  const skipped: SkippedItem[] = [...body.skipped, ...loaded.skipped];
  const carried = [...loaded.carried];
  // Without a client there is no key, which reaches this point only in a dry run.
  const dryRun = config.dryRun || modelClient === undefined;
  runner.info(
    `${loaded.toReview.length} image(s) to review, ${carried.length} carried from the last review; each is sent as soon as it is downloaded and fits max-tokens.`,
  );

  const budget = new TokenBudget(config.maxTokens);
  const failed: FailedImage[] = [];
  const reviewedNow: ReviewResult[] = [];
  const liveBudget = new LiveTokenBudget(config.maxTokens);
  // The first set-up failure stops the run: requests in flight are cancelled and no other is sent.
  const stop = new AbortController();
  let setUpFailure: string | undefined;
  let answered = false;
  /*
   * A changed image whose file core refuses (cut off, not an image, a decompression bomb) was not
   * reviewed: it counts as failed, so the header is not ✅ and fail-on-error applies, rather than a
   * skip, which is for images left out by choice (max-images, max-tokens). The reason leaves out the
   * file name that core's message starts with: the comment names the file already.
   */
  const notReviewable = (item: ReviewItem, error: unknown) => {
    const message = messageOf(error);
    if (error instanceof MediaError || error instanceof InputLimitError) {
      const reason = message.startsWith(`${item.name}: `) ? message.slice(item.name.length + 2) : message;
      runner.warning(`${item.name} could not be reviewed: ${reason}`);
      failed.push({ item, reason });
    } else {
      skipped.push({ name: item.name, reason: message });
    }
  };
  const send = async (client: GlanceClient, plan: PlannedReview): Promise<ReviewResult | undefined> => {
    if (setUpFailure !== undefined) {
      releaseImages(plan);
      return undefined;
    }
    const reservation = liveBudget.reserve(plan.estimatedTokens);
    if (!reservation.reserved) {
      skipped.push({ name: plan.item.name, reason: reservation.reason });
      releaseImages(plan);
      return undefined;
    }
    let usedTokens = 0;
    try {
      const result = await runReview(client, plan, config.model, { signal: stop.signal });
      answered = true;
      usedTokens = result.inputTokens + result.outputTokens;
      runner.info(`${plan.item.name}: ${result.findings.length} finding(s).`);
      const { droppedFindings, droppedFields, mappedValues } = result.reading;
      if (droppedFindings + droppedFields + mappedValues > 0) {
        runner.debug(
          `${plan.item.name}: the answer was read leniently: ${droppedFindings} unreadable finding(s) dropped, ${droppedFields} invalid optional field(s) dropped, ${mappedValues} value(s) mapped.`,
        );
      }
      return result;
    } catch (error) {
      if (setUpFailure !== undefined && error instanceof AbortedError) {
        return undefined;
      }
      const setUp = setUpFailureOf(error, {
        model: config.model,
        endpoint: client.baseUrl,
        answeredBefore: answered,
      });
      if (setUp !== undefined) {
        setUpFailure ??= setUp;
        stop.abort();
        return undefined;
      }
      const reason = messageOf(error);
      runner.warning(`${plan.item.name} was not reviewed: ${reason}`);
      failed.push({ item: plan.item, reason });
      return undefined;
    } finally {
      liveBudget.settle(plan.estimatedTokens, usedTokens);
    }
  };
  await streamInOrder(
    loaded.toReview,
    {
      concurrency: config.concurrency,
      ahead: config.concurrency,
      // Downloads share one connection's bandwidth and this process's CPU: eight at once would make the
      // first pair wait for all eight. Two at a time bring the first pair in a quarter of the time and
      // still download faster than four model slots use (bench: 8 pairs of 5 MB in 0.5 s).
      preparing: Math.min(2, config.concurrency),
    },
    {
      prepare: async (pending) => {
        const item = await loadBytes(pending, fetchBytes, settingsKey);
        if ("skipped" in item) {
          const known = previous?.images[pending.key];
          if (known !== undefined) {
            // As in loadItems: a download fault says nothing about the image, so the last findings stay.
            const { location: _location, contentHash: _hash, ...plain } = pending;
            carried.push({
              item: plain,
              contentHash: known.hash,
              note: `${item.skipped.replace(/^could not be downloaded: (.*)$/, "could not be downloaded this run ($1)")}; the findings are from the last review`,
            });
          } else {
            skipped.push({ name: pending.name, reason: item.skipped });
          }
          return undefined;
        }
        try {
          return await planReview(item, settings, promptContext);
        } catch (error) {
          // A setting core refuses (not this image's content) would refuse every image: it fails the run.
          if (error instanceof ConfigurationError) throw error;
          notReviewable(item, error);
          return undefined;
        }
      },
      decide: (plan) => {
        const refusal = budget.consider(plan);
        if (refusal !== undefined || dryRun) {
          // Not sent (refused, or a dry run): the bytes can go now.
          if (refusal !== undefined) skipped.push(refusal);
          releaseImages(plan);
          return false;
        }
        return true;
      },
      ready: async (plan) => {
        try {
          await prepareReview(plan);
          return true;
        } catch (error) {
          // Damage inside an intact file shows only when its pixels are decoded, after the estimate.
          if (error instanceof ConfigurationError) throw error;
          releaseImages(plan);
          notReviewable(plan.item, error);
          return false;
        }
      },
      send: async (plan) => {
        if (modelClient === undefined) return;
        const result = await send(modelClient, plan);
        if (result !== undefined) reviewedNow.push(result);
      },
    },
  );
  runner.info(
    `Estimate: ${budget.accepted.length} request(s), about ${formatCount(budget.estimatedTokens)} tokens (input plus output allowance)${config.maxTokens === undefined ? "" : ` of max-tokens ${formatCount(config.maxTokens)}`}.`,
  );

  const carriedReports = carried.map((entry): ImageReport => {
    const earlier = previous?.images[entry.item.key];
    return {
      item: entry.item,
      contentHash: entry.contentHash,
      kind: earlier?.kind ?? "ui",
      summary: earlier?.summary ?? "",
      findings: earlier?.findings ?? [],
      carried: true,
      note: entry.note,
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

  if (dryRun) {
    report.planned = budget.accepted.map((plan) => ({ name: plan.item.name, tokens: plan.estimatedTokens }));
    await publishReview(publishing);
    runner.info("Dry run: nothing was sent to the model and no comment was posted.");
    return { report, outputs: outputsOf(report, undefined), failure: undefined };
  }

  report.inputTokens = reviewedNow.reduce((sum, result) => sum + result.inputTokens, 0);
  report.outputTokens = reviewedNow.reduce((sum, result) => sum + result.outputTokens, 0);
  if (setUpFailure !== undefined) {
    return stopForSetUp(setUpFailure, report, budget.accepted, reviewedNow, config, runner);
  }
  report.reviewed = [...reviewedNow.map(reportOf), ...carriedReports].sort((first, second) =>
    byPriority(first.item, second.item),
  );
  report.failed = failed.sort((first, second) => byPriority(first.item, second.item));

  const commentUrl = await publishReview(publishing);
  if (report.failed.length > 0) {
    runner.warning(
      `${report.failed.length} image(s) could not be reviewed (the model request failed, or the file could not be read); they are listed in the comment and tried again on the next run.`,
    );
  }
  return { report, outputs: outputsOf(report, commentUrl), failure: failOnVerdict(config, report) };
}

/**
 * A run stopped by a set-up failure: no comment (nothing was reviewed that it could honestly show),
 * the reason in the job summary, every image not reviewed counted in images-failed, and the one line
 * as the job's failure (or, with fail-on-error "never", as a warning).
 */
async function stopForSetUp(
  line: string,
  report: RunReport,
  accepted: readonly PlannedReview[],
  reviewedNow: readonly ReviewResult[],
  config: ActionConfig,
  runner: Runner,
): Promise<ReviewOutcome> {
  const reviewedKeys = new Set(reviewedNow.map((result) => result.item.key));
  report.failed = accepted
    .filter((plan) => !reviewedKeys.has(plan.item.key))
    .map((plan) => ({ item: plan.item, reason: line }));
  report.reviewed = [];
  await writeJobSummary(
    runner,
    `## ⚠️ Glance image review: stopped\n\nNo review was posted: ${line}\n\n${report.failed.length} image(s) were not reviewed.\n`,
  );
  const failure = setUpVerdict(config.failOnError, line);
  if (failure === undefined) {
    runner.warning(`${line} (fail-on-error is "never", so the job passes.)`);
  }
  return { report, outputs: outputsOf(report, undefined), failure };
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
