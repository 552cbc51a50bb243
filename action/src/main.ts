/*
 * The whole run, in order: inputs, pull request, changed images, previous review, downloads, plans
 * and estimates (before any model call), budget, reviews, comment, job summary, outputs, fail-on.
 * Each step is a module of its own; this file only wires them and maps the result to the runner.
 */
import { randomUUID } from "node:crypto";
import * as actionsCore from "@actions/core";
import { context } from "@actions/github";
import { createGlanceClient, formatCount } from "@glance/core";
import { fetchFile } from "./blob-fetching.js";
import { bodyItemOf, downloadBodyImage, findBodyImages, resolveDownloadUrls } from "./body-images.js";
import { applyTokenBudget } from "./budget.js";
import { listChangedFiles } from "./changed-files.js";
import { renderComment } from "./comment-rendering.js";
import { type ActionConfig, readConfig } from "./config.js";
import { createGitHubClient, type GitHubClient } from "./github-client.js";
import { type PlannedReview, planReview, type ReviewResult, runReview } from "./image-review.js";
import { byPriority, selectImages } from "./image-selection.js";
import { type ItemBytes, loadItems } from "./load-items.js";
import { writeOutputs } from "./outputs.js";
import {
  eventIsFromFork,
  loadPullRequest,
  type PullRequestContext,
  pullRequestNumberOf,
  type RunEvent,
} from "./pull-request-context.js";
import type { ReviewItem, SkippedItem } from "./review-item.js";
import type { ReviewMetadata } from "./review-metadata.js";
import { decodeMetadata } from "./review-metadata.js";
import type { FailedImage, ImageReport, RunReport } from "./run-report.js";
import { allFindings, highestSeverity, severityRank } from "./run-report.js";
import { mapWithConcurrency } from "./run-with-concurrency.js";
import { listOurComments, publishComment } from "./sticky-comment.js";

export async function main(): Promise<void> {
  const config = readConfig((name) => actionsCore.getInput(name));
  if (config.apiKey !== undefined) {
    actionsCore.setSecret(config.apiKey);
  }
  const event: RunEvent = {
    eventName: context.eventName,
    payload: context.payload as Record<string, unknown>,
    repository: process.env.GITHUB_REPOSITORY ?? "",
  };
  if (config.apiKey === undefined && !config.dryRun) {
    await skipWithoutKey(event);
    return;
  }

  const github = createGitHubClient({ token: config.githubToken, apiUrl: context.apiUrl, log: actionsCore.info });
  const pullRequest = await loadPullRequest(github, event, pullRequestNumberOf(event, config.pullRequestNumber));
  actionsCore.info(
    `Reviewing images of ${event.repository}#${pullRequest.number} (${pullRequest.headSha.slice(0, 7)}).`,
  );

  const files = await listChangedFiles(github, pullRequest);
  const selection = selectImages(files, config.include, config.exclude, pullRequest, context.serverUrl);
  const bodyItems = config.reviewBodyImages ? bodyImageItems(pullRequest) : [];
  const candidates = [...selection.items, ...bodyItems.map((entry) => entry.item)].sort(byPriority);
  actionsCore.info(
    `${files.length} changed file(s), ${selection.items.length} image(s) to consider, ${bodyItems.length} in the description, ${selection.removed.length} removed.`,
  );

  const previous = config.commentMode === "off" ? undefined : await previousMetadata(github, pullRequest);
  const downloadUrls = new Map(bodyItems.map((entry) => [entry.item.key, entry.downloadUrl]));
  const loaded = await loadItems(candidates, {
    maxImages: config.maxImages,
    concurrency: Math.max(config.concurrency, 4),
    previous,
    download: (item) => downloadItem(github, pullRequest, item, downloadUrls, config),
  });

  const promptContext = {
    pullRequestTitle: pullRequest.title,
    changedPaths: files.map((file) => file.path),
    extraInstructions: config.prompt,
    language: config.language,
  };
  const settings = { model: config.model, highResolution: config.highResolution, thinking: config.thinking };
  const skipped: SkippedItem[] = [...loaded.skipped];
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
  actionsCore.info(
    `Estimate: ${budget.accepted.length} request(s), about ${formatCount(budget.estimatedTokens)} tokens (input plus output allowance)${config.maxTokens === undefined ? "" : ` of max-tokens ${formatCount(config.maxTokens)}`}.`,
  );

  const carriedReports = loaded.carried.map((item): ImageReport => {
    const earlier = previous?.images[item.key];
    return {
      item,
      contentHash: item.contentHash,
      kind: earlier?.kind ?? "ui",
      summary: earlier?.summary ?? "",
      findings: earlier?.findings ?? [],
      carried: true,
    };
  });
  const runId = `${process.env.GITHUB_RUN_ID ?? "local"}-${process.env.GITHUB_RUN_ATTEMPT ?? "1"}-${randomUUID()}`;
  const runUrl =
    process.env.GITHUB_RUN_ID === undefined
      ? undefined
      : `${context.serverUrl}/${event.repository}/actions/runs/${process.env.GITHUB_RUN_ID}`;

  if (config.dryRun) {
    const report = baseReport(config, pullRequest, event, runUrl, selection.removed, skipped);
    report.estimatedTokens = budget.estimatedTokens;
    report.planned = budget.accepted.map((plan) => ({ name: plan.item.name, tokens: plan.estimatedTokens }));
    const rendered = renderComment(report, metadataOf(report, runId, config));
    await actionsCore.summary.addRaw(rendered.full).write();
    writeOutputs(report, undefined);
    actionsCore.info("Dry run: nothing was sent to the model and no comment was posted.");
    return;
  }

  const client = createGlanceClient({
    apiKey: config.apiKey,
    apiKeySource: "the api-key input",
    ...(config.baseUrl === undefined ? {} : { baseUrl: config.baseUrl }),
    defaultModel: config.model,
    logger: { warn: actionsCore.info, debug: actionsCore.debug },
  });
  const failed: FailedImage[] = [];
  const results = await mapWithConcurrency(budget.accepted, config.concurrency, async (plan) => {
    try {
      const result = await runReview(client, plan, config.model);
      actionsCore.info(`${plan.item.name}: ${result.findings.length} finding(s).`);
      return result;
    } catch (error) {
      const reason = messageOf(error);
      actionsCore.warning(`${plan.item.name} was not reviewed: ${reason}`);
      failed.push({ item: plan.item, reason });
      return undefined;
    }
  });

  const report = baseReport(config, pullRequest, event, runUrl, selection.removed, skipped);
  const reviewedNow = results.filter((result): result is ReviewResult => result !== undefined);
  report.reviewed = [...reviewedNow.map(reportOf), ...carriedReports].sort((first, second) =>
    byPriority(first.item, second.item),
  );
  report.failed = failed.sort((first, second) => byPriority(first.item, second.item));
  report.inputTokens = reviewedNow.reduce((sum, result) => sum + result.inputTokens, 0);
  report.outputTokens = reviewedNow.reduce((sum, result) => sum + result.outputTokens, 0);
  report.estimatedTokens = budget.estimatedTokens;

  const rendered = renderComment(report, metadataOf(report, runId, config));
  let commentUrl: string | undefined;
  try {
    const published = await publishComment(github, pullRequest, rendered.body, config.commentMode, runId);
    commentUrl = published.url;
    if (published.action !== "none") {
      actionsCore.info(`Review comment ${published.action}: ${published.url}`);
    }
  } catch (error) {
    actionsCore.warning(
      `The review comment could not be posted (${messageOf(error)}). The review is in the job summary. ` +
        "The token needs pull-requests: write (fork pull requests need pull_request_target).",
    );
  }
  await actionsCore.summary.addRaw(rendered.full).write();
  writeOutputs(report, commentUrl);
  applyFailOn(config, report);
}

function bodyImageItems(pullRequest: PullRequestContext): Array<{ item: ReviewItem; downloadUrl: string }> {
  const references = findBodyImages(pullRequest.body);
  const urls = resolveDownloadUrls(references, pullRequest.bodyHtml);
  return references.flatMap((reference, index) => {
    try {
      return [{ item: bodyItemOf(reference), downloadUrl: urls[index] ?? reference.url }];
    } catch {
      return [];
    }
  });
}

async function downloadItem(
  github: GitHubClient,
  pullRequest: PullRequestContext,
  item: ReviewItem,
  downloadUrls: ReadonlyMap<string, string>,
  config: ActionConfig,
): Promise<ItemBytes> {
  if (item.source === "body") {
    const url = downloadUrls.get(item.key) ?? item.afterLink ?? "";
    const trustedHosts = [new URL(context.serverUrl).host, new URL(context.apiUrl).host];
    return {
      before: undefined,
      after: await downloadBodyImage(url, item.name, { token: config.githubToken, trustedHosts }),
    };
  }
  const location = { owner: pullRequest.owner, repo: pullRequest.repo };
  const after = await fetchFile(github, { ...location, path: item.name, ref: pullRequest.headSha });
  if (item.status === "added") {
    return { before: undefined, after };
  }
  const before = await fetchFile(github, {
    ...location,
    path: item.previousPath ?? item.name,
    ref: pullRequest.baseSha,
  });
  return { before, after };
}

async function previousMetadata(
  github: GitHubClient,
  pullRequest: PullRequestContext,
): Promise<ReviewMetadata | undefined> {
  try {
    const ours = await listOurComments(github, pullRequest);
    for (const comment of ours.reverse()) {
      const metadata = decodeMetadata(comment.body);
      if (metadata !== undefined) {
        return metadata;
      }
    }
  } catch (error) {
    actionsCore.warning(`Earlier review comments could not be read (${messageOf(error)}); every image is reviewed.`);
  }
  return undefined;
}

function baseReport(
  config: ActionConfig,
  pullRequest: PullRequestContext,
  event: RunEvent,
  runUrl: string | undefined,
  removed: string[],
  skipped: SkippedItem[],
): RunReport {
  return {
    repository: event.repository,
    pullRequestNumber: pullRequest.number,
    model: config.model,
    reviewed: [],
    failed: [],
    skipped,
    removed,
    inputTokens: 0,
    outputTokens: 0,
    estimatedTokens: 0,
    dryRun: config.dryRun,
    planned: [],
    runUrl,
  };
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

function metadataOf(report: RunReport, runId: string, config: ActionConfig): ReviewMetadata {
  const images: ReviewMetadata["images"] = {};
  for (const image of report.reviewed) {
    images[image.item.key] = {
      hash: image.contentHash,
      kind: image.kind,
      summary: image.summary,
      findings: image.findings,
    };
  }
  return { version: 1, run: runId, model: config.model, images };
}

function applyFailOn(config: ActionConfig, report: RunReport): void {
  if (config.failOn === "none") {
    return;
  }
  const threshold = severityRank(config.failOn);
  const reaching = allFindings(report).filter((finding) => severityRank(finding.severity) >= threshold);
  if (reaching.length > 0) {
    const highest = highestSeverity(reaching) ?? config.failOn;
    actionsCore.setFailed(
      `${reaching.length} finding(s) at or above fail-on "${config.failOn}" (highest: ${highest}). See the review comment and the job summary.`,
    );
    return;
  }
  if (report.failed.length > 0) {
    // A gate that could not look at every image cannot say it passed.
    actionsCore.setFailed(
      `${report.failed.length} image(s) could not be reviewed, so fail-on "${config.failOn}" cannot be checked. Re-run the job; the findings made so far are in the comment.`,
    );
  }
}

async function skipWithoutKey(event: RunEvent): Promise<void> {
  const fork = eventIsFromFork(event);
  const why = fork
    ? "This pull request comes from a fork, and GitHub gives no secrets to `pull_request` runs from forks."
    : "The api-key input is empty: the secret it names is not set, or not available to this workflow.";
  const fix = fork
    ? "To review fork pull requests, run the action on `pull_request_target` without checking out the pull request's code (see the README)."
    : // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub workflow expression, not a placeholder.
      "Add the Model Studio key as a repository secret and pass it as `api-key: ${{ secrets.DASHSCOPE_API_KEY }}`.";
  actionsCore.notice(`Glance image review skipped: no API key. ${why}`);
  await actionsCore.summary
    .addHeading("Glance image review: skipped (no API key)", 2)
    .addRaw(`No image was reviewed. ${why}\n\n${fix}\n`)
    .write();
  writeOutputs(undefined, undefined);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
