/*
 * `pnpm --filter @glance/test run bench:action`: the GitHub Action against its model-bound floor.
 * The built bundle (action/dist/index.js) reviews a fake pull request of 30 modified 4K screenshot
 * pairs with `concurrency` 4 while the fake Model Studio takes 1 s per answer, so the wall time can be
 * no lower than 30 x 1 s / 4 = 7.5 s; what it spends above that is the action's own overhead
 * (downloads, decoding and resizing, estimates, the comment), and the time from process start to the
 * first model request says how long the model waits for the action. Then the cold start: a clean copy of
 * action.yml + action/dist with no node_modules above it, run on a pull request with no images.
 * Prints Markdown tables and writes them to bench/action-results.md. A benchmark, not a test: it
 * exits non-zero only when a run did not do the work it is timed on (wrong exit code, not all 30
 * pairs reviewed, not 30 two-image model requests).
 */
import { existsSync } from "node:fs";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { dirname, join, parse } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type FakeGitHub,
  type FakePullRequest,
  type FakePullRequestFile,
  pullRequestEvent,
  startFakeGitHub,
} from "../fakes/github.js";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";
import { type ScreenshotPair, screenshotPairCount, screenshotPairs } from "./action-inputs.js";
import { canMeasureMemory, recordArrivalTimes, runBuiltAction, spawnAndWait } from "./action-process.js";

const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));
/**
 * GLANCE_ACTION_ROOT names another directory holding action.yml and action/dist (another build of the
 * bundle, say a branch's) to measure instead of this repository's.
 */
const actionRoot = process.env.GLANCE_ACTION_ROOT ?? repositoryRoot;
const actionEntry = join(actionRoot, "action/dist/index.js");
const resultsPath = fileURLToPath(new URL("./action-results.md", import.meta.url));

const concurrency = 4;
const answerMilliseconds = 1000;
const floorSeconds = (screenshotPairCount * answerMilliseconds) / 1000 / concurrency;
/** Requests are whole: 30 requests in slots of 4 take ceil(30 / 4) rounds of 1 s at best. */
const scheduleFloorSeconds = (Math.ceil(screenshotPairCount / concurrency) * answerMilliseconds) / 1000;
const reviewRuns = 3;
const coldStartRuns = 5;
const baseSha = "b".repeat(40);
const headSha = "a".repeat(40);

/** A valid structured review, with one finding boxed on the "after" image, as the model would answer. */
const reviewAnswer = JSON.stringify({
  kind: "ui",
  summary: "The release panel moved down and left and its button turned red.",
  findings: [
    {
      severity: "low",
      title: "Deploy button colour",
      detail: "The primary action is now red, which reads as destructive.",
      box: [120, 400, 420, 470],
      image: "after",
    },
  ],
});

function median(values: readonly number[]): number {
  const sorted = [...values].sort((first, second) => first - second);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Columns padded to a common width, so the Markdown reads as a table in a terminal too. */
function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_cell, column) => Math.max(3, ...all.map((row) => [...(row[column] ?? "")].length)));
  const line = (row: readonly string[]) =>
    `| ${row.map((cell, column) => cell + " ".repeat((widths[column] ?? 0) - [...cell].length)).join(" | ")} |`;
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}

const seconds = (milliseconds: number) => (milliseconds / 1000).toFixed(2);

function pullRequestOf(files: FakePullRequestFile[]): FakePullRequest {
  return {
    number: 42,
    title: "Refresh the release panel",
    body: "Moves the release panel and makes the deploy button stand out.",
    user: { login: "contributor", id: 501, type: "User" },
    head: { sha: headSha, ref: "feature/release-panel", repoFullName: "octo-org/web-app" },
    base: { sha: baseSha, ref: "main" },
    files,
  };
}

interface Fakes {
  github: FakeGitHub;
  model: FakeModelStudio;
  githubTimes: number[];
  modelTimes: number[];
  close(): Promise<void>;
}

async function startFakes(): Promise<Fakes> {
  const [github, model] = await Promise.all([startFakeGitHub(), startFakeModelStudio()]);
  return {
    github,
    model,
    githubTimes: recordArrivalTimes(github.requests),
    modelTimes: recordArrivalTimes(model.requests),
    close: async () => void (await Promise.all([github.close(), model.close()])),
  };
}

function imagePartCount(body: unknown): number {
  const messages = (body as { messages?: Array<{ role: string; content: unknown }> } | undefined)?.messages ?? [];
  return messages
    .flatMap((message) => (Array.isArray(message.content) ? (message.content as Array<{ type?: unknown }>) : []))
    .filter((part) => part.type === "image_url").length;
}

/** The most requests the model had in hand at once, from arrival times and the fixed answer time. */
function mostInFlight(arrivals: readonly number[]): number {
  return Math.max(
    0,
    ...arrivals.map(
      (arrival) => arrivals.filter((other) => other <= arrival && other > arrival - answerMilliseconds).length,
    ),
  );
}

interface ReviewMeasurement {
  wallMilliseconds: number;
  firstGitHubMilliseconds: number;
  firstModelMilliseconds: number;
  /** When the last answer went out: the last request's arrival plus the answer time. */
  lastAnswerMilliseconds: number;
  mostInFlight: number;
  peakRssMegabytes: number | undefined;
}

const problems: string[] = [];

async function reviewRun(pairs: readonly ScreenshotPair[], measureMemory: boolean): Promise<ReviewMeasurement> {
  const fakes = await startFakes();
  try {
    const { github, model } = fakes;
    const pull = pullRequestOf(pairs.map((pair) => ({ filename: pair.path, status: "modified", changes: 2 })));
    github.addPullRequest(pull);
    for (const pair of pairs) {
      github.setFile(baseSha, pair.path, pair.before);
      github.setFile(headSha, pair.path, pair.after);
    }
    model.script(...pairs.map(() => fakeSteps.answer(reviewAnswer, { delayMilliseconds: answerMilliseconds })));
    const result = await runBuiltAction({
      entry: actionEntry,
      cwd: tmpdir(),
      inputs: {
        "api-key": model.apiKey,
        "base-url": model.baseUrl,
        "github-token": github.token,
        concurrency: String(concurrency),
        "max-images": String(screenshotPairCount),
      },
      event: pullRequestEvent(github, pull),
      repository: `${github.owner}/${github.repo}`,
      apiUrl: github.apiUrl,
      serverUrl: github.serverUrl,
      measureMemory,
    });
    const twoImageRequests = model.requests.filter((request) => imagePartCount(request.body) === 2).length;
    if (
      result.exitCode !== 0 ||
      result.outputs["images-reviewed"] !== String(screenshotPairCount) ||
      model.requests.length !== screenshotPairCount ||
      twoImageRequests !== screenshotPairCount
    ) {
      problems.push(
        `review run: exit ${result.exitCode}, images-reviewed ${result.outputs["images-reviewed"]}, ${model.requests.length} model requests (${twoImageRequests} with two images)\n${result.stdout}\n${result.stderr}`,
      );
    }
    const start = result.spawnedAt;
    return {
      wallMilliseconds: result.exitedAt - start,
      firstGitHubMilliseconds: (fakes.githubTimes[0] ?? Number.NaN) - start,
      firstModelMilliseconds: (fakes.modelTimes[0] ?? Number.NaN) - start,
      lastAnswerMilliseconds: (fakes.modelTimes.at(-1) ?? Number.NaN) + answerMilliseconds - start,
      mostInFlight: mostInFlight(fakes.modelTimes),
      peakRssMegabytes: result.peakRssMegabytes,
    };
  } finally {
    await fakes.close();
  }
}

function nodeModulesAbove(directory: string): string[] {
  const found: string[] = [];
  for (let current = directory; ; current = dirname(current)) {
    if (existsSync(join(current, "node_modules"))) found.push(join(current, "node_modules"));
    if (current === parse(current).root) return found;
  }
}

interface ColdStart {
  firstGitHubMilliseconds: number;
  exitMilliseconds: number;
}

async function coldStartRun(checkout: string): Promise<ColdStart> {
  const fakes = await startFakes();
  try {
    const { github, model } = fakes;
    const pull = pullRequestOf([
      { filename: "src/release-panel.ts", status: "modified", changes: 12 },
      { filename: "README.md", status: "modified", changes: 3 },
    ]);
    github.addPullRequest(pull);
    const result = await runBuiltAction({
      entry: join(checkout, "action/dist/index.js"),
      cwd: checkout,
      inputs: { "api-key": model.apiKey, "base-url": model.baseUrl, "github-token": github.token },
      event: pullRequestEvent(github, pull),
      repository: `${github.owner}/${github.repo}`,
      apiUrl: github.apiUrl,
      serverUrl: github.serverUrl,
      measureMemory: false,
    });
    if (result.exitCode !== 0 || result.outputs["images-reviewed"] !== "0" || model.requests.length !== 0) {
      problems.push(`cold start: exit ${result.exitCode}\n${result.stdout}\n${result.stderr}`);
    }
    return {
      firstGitHubMilliseconds: (fakes.githubTimes[0] ?? Number.NaN) - result.spawnedAt,
      exitMilliseconds: result.exitedAt - result.spawnedAt,
    };
  } finally {
    await fakes.close();
  }
}

if (!existsSync(actionEntry)) {
  process.stderr.write(`${actionEntry} is missing: run \`pnpm run build:action\` first.\n`);
  process.exit(1);
}

const started = performance.now();
const pairs = await screenshotPairs();
const generationSeconds = (performance.now() - started) / 1000;
const pairBytes = pairs.reduce((sum, pair) => sum + pair.before.length + pair.after.length, 0);
const measureMemory = canMeasureMemory();

const reviews: ReviewMeasurement[] = [];
for (let run = 1; run <= reviewRuns; run += 1) {
  reviews.push(await reviewRun(pairs, measureMemory));
  process.stderr.write(`review run ${run}: ${seconds(reviews.at(-1)?.wallMilliseconds ?? 0)} s\n`);
}

const checkout = await mkdtemp(join(tmpdir(), "glance-bench-clean-checkout-"));
const coldStarts: ColdStart[] = [];
const bareNode: number[] = [];
try {
  await cp(join(actionRoot, "action.yml"), join(checkout, "action.yml"));
  await cp(join(actionRoot, "action/dist"), join(checkout, "action/dist"), { recursive: true });
  const reachable = nodeModulesAbove(join(checkout, "action"));
  if (reachable.length > 0) {
    problems.push(`the clean checkout can reach ${reachable.join(", ")}`);
  }
  for (let run = 1; run <= coldStartRuns; run += 1) {
    coldStarts.push(await coldStartRun(checkout));
    const bare = await spawnAndWait(process.execPath, ["-e", ""], checkout, { PATH: process.env.PATH ?? "" });
    bareNode.push(bare.exitedAt - bare.spawnedAt);
  }
} finally {
  await rm(checkout, { recursive: true, force: true });
}

const wallMilliseconds = median(reviews.map((review) => review.wallMilliseconds));
const overheadSeconds = wallMilliseconds / 1000 - floorSeconds;
const peaks = reviews.flatMap((review) => (review.peakRssMegabytes === undefined ? [] : [review.peakRssMegabytes]));
const rssCell = (value: number | undefined) => (value === undefined ? "n/a" : value.toFixed(0));

const summaryTable = markdownTable(
  [
    "images (pairs)",
    "concurrency",
    "floor s",
    "wall s (median)",
    "wall / floor",
    "overhead s",
    "overhead per image ms",
    "first model request after start s (median)",
    "peak RSS MB (max)",
  ],
  [
    [
      String(screenshotPairCount),
      String(concurrency),
      floorSeconds.toFixed(2),
      seconds(wallMilliseconds),
      `${(wallMilliseconds / 1000 / floorSeconds).toFixed(2)}x`,
      overheadSeconds.toFixed(2),
      ((overheadSeconds * 1000) / screenshotPairCount).toFixed(0),
      seconds(median(reviews.map((review) => review.firstModelMilliseconds))),
      peaks.length === 0 ? "n/a" : Math.max(...peaks).toFixed(0),
    ],
  ],
);

const runsTable = markdownTable(
  [
    "run",
    "wall s",
    "overhead s",
    "first GitHub request s",
    "first model request s",
    "last answer s",
    "after last answer s",
    "most in flight",
    "peak RSS MB",
  ],
  reviews.map((review, index) => [
    String(index + 1),
    seconds(review.wallMilliseconds),
    (review.wallMilliseconds / 1000 - floorSeconds).toFixed(2),
    seconds(review.firstGitHubMilliseconds),
    seconds(review.firstModelMilliseconds),
    seconds(review.lastAnswerMilliseconds),
    seconds(review.wallMilliseconds - review.lastAnswerMilliseconds),
    String(review.mostInFlight),
    rssCell(review.peakRssMegabytes),
  ]),
);

const coldTable = markdownTable(
  ["measure", "median ms", "runs ms"],
  [
    [
      "process start → first GitHub API request",
      median(coldStarts.map((run) => run.firstGitHubMilliseconds)).toFixed(0),
      coldStarts.map((run) => run.firstGitHubMilliseconds.toFixed(0)).join(", "),
    ],
    [
      "process start → exit (nothing to review)",
      median(coldStarts.map((run) => run.exitMilliseconds)).toFixed(0),
      coldStarts.map((run) => run.exitMilliseconds.toFixed(0)).join(", "),
    ],
    [
      'bare `node -e ""` start → exit (baseline)',
      median(bareNode).toFixed(0),
      bareNode.map((value) => value.toFixed(0)).join(", "),
    ],
  ],
);

const report = `# GitHub Action benchmark

The built bundle (\`node ${actionRoot === repositoryRoot ? "action/dist/index.js" : actionEntry}\`, the runner's environment contract) against the fake GitHub REST API and the fake Model Studio on 127.0.0.1. ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"}), Node ${process.version} (the runner uses Node 24).

## 30 modified 4K screenshot pairs, concurrency ${concurrency}, model answering in ${answerMilliseconds / 1000} s

Input: ${screenshotPairCount} modified PNGs, 3840x2160, before and after different (${(pairBytes / 1_000_000).toFixed(0)} MB in all, fetched through the git blob API, as the contents API does not embed files over 1 MB). Each request is answered after ${answerMilliseconds} ms with a valid structured review. Floor: ${screenshotPairCount} x ${answerMilliseconds / 1000} s / ${concurrency} = ${floorSeconds} s (with whole requests in ${concurrency} slots the schedule cannot beat ${scheduleFloorSeconds} s, so ${(scheduleFloorSeconds - floorSeconds).toFixed(1)} s of the overhead is arithmetic, not the action). Wall time is from spawning the process to its exit, median of ${reviewRuns} runs, each against fresh fakes (a re-run against the same comment would review nothing, by design). Peak RSS is the action process's maximum resident set size, read by \`/usr/bin/time -v\`.

${summaryTable}

Per run (times from process start): the first model request shows what comes before the model (start-up, listing, downloading and preparing the first images); "after last answer" is the comment, job summary and exit.

${runsTable}

## Cold start on a clean checkout

Only \`action.yml\` and \`action/dist\` copied into a fresh temporary directory with no \`node_modules\` above it, as the runner's checkout of the action; a pull request that changes no images (so the run lists the files, reviews nothing and exits). ${coldStartRuns} runs; the operating system's file cache is warm after the first copy, so this is a warm-disk cold start of the process.

${coldTable}

Inputs generated or reused in ${generationSeconds.toFixed(0)} s; whole benchmark ${((performance.now() - started) / 1000).toFixed(0)} s.
`;

process.stdout.write(report);
await writeFile(resultsPath, report);
if (problems.length > 0) {
  process.stderr.write(`Runs that did not do the work they are timed on:\n${problems.join("\n\n")}\n`);
  process.exitCode = 1;
}
