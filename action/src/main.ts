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
import { githubFileListLimit, listChangedFiles } from "./changed-files.js";
import { renderComment } from "./comment-rendering.js";
import { type ActionConfig, readConfig } from "./config.js";
import { createGitHubClient, describeGitHubError, type GitHubClient } from "./github-client.js";
import { type PlannedReview, planReview, type ReviewResult, runReview } from "./image-review.js";
import { byPriority, selectImages } from "./image-selection.js";
import { type ItemBytes, loadItems } from "./load-items.js";
import { writeOutputs } from "./outputs.js";
import {
  eventIsFromFork,
  findMergeBase,
  loadPullRequest,
  type PullRequestContext,
  pullRequestNumberOf,
  type RunEvent,
} from "./pull-request-context.js";
import type { ReviewItem, SkippedItem } from "./review-item.js";
import { commentMarkerOf, type ReviewMetadata } from "./review-metadata.js";
import type { FailedImage, ImageReport, RunReport } from "./run-report.js";
import { allFindings, highestSeverity, severityRank } from "./run-report.js";
import { mapWithConcurrency } from "./run-with-concurrency.js";
import { CommentIdentity, listOurComments, publishComment } from "./sticky-comment.js";

/** GitHub's limit for one step's job summary; beyond it the summary upload is refused. */
const summaryCharacterLimit = 1024 * 1024 - 4096;

/** The entry point `@github/local-action` looks for; the bundle's index.ts calls main() itself. */
export const run = (): Promise<void> => main();

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
  pullRequest.mergeBaseSha = await findMergeBase(github, pullRequest, actionsCore.warning);
  actionsCore.info(
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
    actionsCore.warning(note);
    notes.push(note);
  }
  const selection = selectImages(files, config.include, config.exclude, pullRequest, context.serverUrl);
  const body = config.reviewBodyImages ? bodyImageItems(pullRequest) : { items: [], skipped: [] };
  const bodyItems = body.items;
  const candidates = [...selection.items, ...bodyItems.map((entry) => entry.item)].sort(byPriority);
  actionsCore.info(
    `${files.length} changed file(s), ${selection.items.length} image(s) to consider, ${bodyItems.length} in the description, ${selection.removed.length} removed.`,
  );

  const identity = new CommentIdentity(
    commentMarkerOf(process.env.GITHUB_WORKFLOW ?? "", process.env.GITHUB_JOB ?? ""),
  );
  const previous = config.commentMode === "off" ? undefined : await previousMetadata(github, pullRequest, identity);
  const downloadUrls = new Map(bodyItems.map((entry) => [entry.item.key, entry.downloadUrl]));
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
    download: (item) => downloadItem(github, pullRequest, item, downloadUrls, config),
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
  actionsCore.info(
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
  const runId = `${process.env.GITHUB_RUN_ID ?? "local"}-${process.env.GITHUB_RUN_ATTEMPT ?? "1"}-${randomUUID()}`;
  const runUrl =
    process.env.GITHUB_RUN_ID === undefined
      ? undefined
      : `${context.serverUrl}/${event.repository}/actions/runs/${process.env.GITHUB_RUN_ID}`;

  if (config.dryRun) {
    const report = baseReport(config, pullRequest, event, runUrl, selection.removed, skipped, notes);
    report.estimatedTokens = budget.estimatedTokens;
    report.planned = budget.accepted.map((plan) => ({ name: plan.item.name, tokens: plan.estimatedTokens }));
    const rendered = renderComment(report, identity.marker, metadataOf(report, runId, config, pullRequest, ""));
    await writeSummary(rendered.full);
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
  // The estimate decided the plan; what the model really reports is checked as the run goes, so a
  // model that answers far longer than allowed cannot take the run past max-tokens.
  let usedTokens = 0;
  let reservedTokens = 0;
  const results = await mapWithConcurrency(budget.accepted, config.concurrency, async (plan) => {
    if (config.maxTokens !== undefined && usedTokens + reservedTokens + plan.estimatedTokens > config.maxTokens) {
      skipped.push({
        name: plan.item.name,
        reason: `max-tokens: the answers so far used more than estimated (${formatCount(usedTokens)} of ${formatCount(config.maxTokens)} tokens), and this image needs about ${formatCount(plan.estimatedTokens)}`,
      });
      plan.images = undefined;
      return undefined;
    }
    reservedTokens += plan.estimatedTokens;
    try {
      const result = await runReview(client, plan, config.model);
      usedTokens += result.inputTokens + result.outputTokens;
      actionsCore.info(`${plan.item.name}: ${result.findings.length} finding(s).`);
      return result;
    } catch (error) {
      const reason = messageOf(error);
      actionsCore.warning(`${plan.item.name} was not reviewed: ${reason}`);
      failed.push({ item: plan.item, reason });
      return undefined;
    } finally {
      reservedTokens -= plan.estimatedTokens;
    }
  });

  const report = baseReport(config, pullRequest, event, runUrl, selection.removed, skipped, notes);
  const reviewedNow = results.filter((result): result is ReviewResult => result !== undefined);
  report.reviewed = [...reviewedNow.map(reportOf), ...carriedReports].sort((first, second) =>
    byPriority(first.item, second.item),
  );
  report.failed = failed.sort((first, second) => byPriority(first.item, second.item));
  report.inputTokens = reviewedNow.reduce((sum, result) => sum + result.inputTokens, 0);
  report.outputTokens = reviewedNow.reduce((sum, result) => sum + result.outputTokens, 0);
  report.estimatedTokens = budget.estimatedTokens;

  const render = (author: string) =>
    renderComment(report, identity.marker, metadataOf(report, runId, config, pullRequest, author));
  const rendered = render(identity.expectedAuthor);
  let commentUrl: string | undefined;
  try {
    const published = await publishComment(github, pullRequest, identity, {
      mode: config.commentMode,
      runId,
      render: (author) => render(author).body,
      reviewedHead: pullRequest.headSha,
      currentHead: pullRequest.currentHeadSha,
      log: actionsCore.info,
    });
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
  await writeSummary(rendered.full);
  writeOutputs(report, commentUrl);
  if (report.failed.length > 0) {
    actionsCore.warning(
      `${report.failed.length} image(s) could not be reviewed because the model request failed; they are listed in the comment and reviewed on the next run.`,
    );
  }
  applyFailOn(config, report);
}

function bodyImageItems(pullRequest: PullRequestContext): {
  items: Array<{ item: ReviewItem; downloadUrl: string }>;
  skipped: SkippedItem[];
} {
  const references = findBodyImages(pullRequest.body);
  const urls = resolveDownloadUrls(references, pullRequest.bodyHtml);
  const items: Array<{ item: ReviewItem; downloadUrl: string }> = [];
  const skipped: SkippedItem[] = [];
  references.forEach((reference, index) => {
    const outcome = bodyItemOf(reference);
    if ("skipped" in outcome) {
      skipped.push(outcome.skipped);
    } else {
      items.push({ item: outcome.item, downloadUrl: urls[index] ?? outcome.item.afterLink ?? reference.url });
    }
  });
  return { items, skipped };
}

/**
 * The job summary, capped under GitHub's 1 MiB limit; a summary that cannot be written is a warning,
 * never a reason to skip the outputs or fail-on that follow.
 */
async function writeSummary(text: string): Promise<void> {
  const capped =
    text.length <= summaryCharacterLimit
      ? text
      : `${text.slice(0, summaryCharacterLimit)}\n\n…(cut at GitHub's 1 MiB job summary limit)`;
  try {
    await actionsCore.summary.addRaw(capped).write({ overwrite: true });
  } catch (error) {
    actionsCore.warning(`The job summary could not be written: ${messageOf(error)}`);
  }
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
    const githubOrigins = [new URL(context.serverUrl).origin, new URL(context.apiUrl).origin];
    return {
      before: undefined,
      after: await downloadBodyImage(url, item.name, { token: config.githubToken, githubOrigins }),
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
    ref: pullRequest.mergeBaseSha,
  });
  return { before, after };
}

async function previousMetadata(
  github: GitHubClient,
  pullRequest: PullRequestContext,
  identity: CommentIdentity,
): Promise<ReviewMetadata | undefined> {
  try {
    const ours = await listOurComments(github, pullRequest, identity);
    for (const comment of ours.reverse()) {
      if (comment.metadata !== undefined) {
        return comment.metadata;
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
  notes: string[],
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
    notes,
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

function metadataOf(
  report: RunReport,
  runId: string,
  config: ActionConfig,
  pullRequest: PullRequestContext,
  author: string,
): ReviewMetadata {
  const images: ReviewMetadata["images"] = {};
  for (const image of report.reviewed) {
    images[image.item.key] = {
      hash: image.contentHash,
      kind: image.kind,
      summary: image.summary,
      findings: image.findings,
    };
  }
  return { version: 2, run: runId, model: config.model, author, head: pullRequest.headSha, images };
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
  }
  // Images the model could not review do not fail the job: they are reported in the comment, as a
  // warning and in the images-failed output (see fail-on in action.yml).
}

async function skipWithoutKey(event: RunEvent): Promise<void> {
  const { why, fix } = noKeyAdvice(event, process.env.GITHUB_ACTOR ?? "");
  // Outputs first: highest-severity "skipped" tells later steps this was no clean pass.
  writeOutputs(undefined, undefined);
  actionsCore.notice(`Glance image review skipped: no API key. ${why} ${fix}`);
  await writeSummary(`## Glance image review: skipped (no API key)\n\nNo image was reviewed. ${why}\n\n${fix}\n`);
}

/** Why the key is missing and what to do, for the event that started the run. */
function noKeyAdvice(event: RunEvent, actor: string): { why: string; fix: string } {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub workflow expression, not a placeholder.
  const secretInput = "`api-key: ${{ secrets.DASHSCOPE_API_KEY }}`";
  if (event.eventName === "pull_request" && eventIsFromFork(event)) {
    return {
      why: "This pull request comes from a fork, and GitHub gives no secrets to `pull_request` runs from forks.",
      fix: "To review fork pull requests, run the action on `pull_request_target` without checking out the pull request's code (see the README).",
    };
  }
  if (actor === "dependabot[bot]") {
    return {
      why: "Runs started by Dependabot see only Dependabot secrets, not the repository's Actions secrets.",
      fix: `Add the Model Studio key as a Dependabot secret too (Settings > Secrets > Dependabot) and pass it as ${secretInput}.`,
    };
  }
  return {
    why: `The api-key input is empty on this \`${event.eventName}\` run: the secret it names is not set, or not available to this workflow.`,
    fix: `Add the Model Studio key as a repository or organization secret and pass it as ${secretInput}.`,
  };
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
