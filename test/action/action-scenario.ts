/*
 * Shared set-up for the action's tests: fresh fakes of GitHub and Model Studio, real images rendered by
 * sharp with text on them, and `run`, which reviews a pull request in this process the way index.ts
 * does on a runner (inputs checked by the real config, the real Octokit and core client over real
 * sockets to the fakes) with a recording runner in place of @actions/core. No bundle rebuild is needed;
 * test/action/runner-contract.test.ts runs the built bundle as the runner would.
 */
import { getOctokit } from "@actions/github";
import sharp from "sharp";
import { readConfig } from "../../action/src/config.js";
import { withRetries } from "../../action/src/github-client.js";
import { GitHubRateLimit } from "../../action/src/github-request-budget.js";
import { createModelClient } from "../../action/src/model-client.js";
import { type ReviewOutcome, reviewPullRequest } from "../../action/src/review-pull-request.js";
import type { RunEvent } from "../../action/src/run-event.js";
import { runStep } from "../../action/src/runner.js";
import {
  type FakeGitHub,
  type FakePullRequest,
  type FakeUser,
  pullRequestEvent,
  startFakeGitHub,
} from "../fakes/github.js";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";
import { RecordingRunner } from "../support/recording-runner.js";

export const baseSha = "b".repeat(40);
export const headSha = "a".repeat(40);

export interface Scenario {
  github: FakeGitHub;
  model: FakeModelStudio;
  close(): Promise<void>;
}

export async function startScenario(
  options: { tokenUser?: FakeUser; servedModels?: string[] } = {},
): Promise<Scenario> {
  const { servedModels, ...githubOptions } = options;
  const [github, model] = await Promise.all([
    startFakeGitHub(githubOptions),
    startFakeModelStudio(servedModels === undefined ? {} : { extraModels: servedModels }),
  ]);
  return { github, model, close: async () => void (await Promise.all([github.close(), model.close()])) };
}

/** A small UI-like screenshot with a heading, a button label and a footer line: real text, real PNG. */
export async function screenPng(
  heading: string,
  options: { width?: number; height?: number; button?: string } = {},
): Promise<Buffer> {
  const width = options.width ?? 320;
  const height = options.height ?? 200;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
  <style>text { font-family: "DejaVu Sans", sans-serif; }</style>
  <rect width="100%" height="100%" fill="#ffffff"/>
  <rect width="100%" height="36" fill="#24292f"/>
  <text x="12" y="24" font-size="16" fill="#ffffff">${heading}</text>
  <rect x="12" y="${height - 70}" width="120" height="32" rx="6" fill="#2da44e"/>
  <text x="24" y="${height - 48}" font-size="14" fill="#ffffff">${options.button ?? "Save"}</text>
  <text x="12" y="${height - 12}" font-size="11" fill="#6b7280">Settings · ${heading.length} items</text>
</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** A small architecture diagram as SVG source (the action must rasterize it). */
export function diagramSvg(label: string): Buffer {
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200">
  <style>text { font-family: "DejaVu Sans", sans-serif; }</style>
  <rect width="100%" height="100%" fill="#ffffff"/>
  <rect x="20" y="70" width="120" height="60" fill="#dbeafe" stroke="#1d4ed8"/>
  <text x="40" y="105" font-size="14">${label}</text>
  <line x1="140" y1="100" x2="260" y2="100" stroke="#111827" stroke-width="2"/>
  <rect x="260" y="70" width="120" height="60" fill="#dcfce7" stroke="#15803d"/>
  <text x="290" y="105" font-size="14">Storage</text>
</svg>`);
}

export interface AnswerFinding {
  severity: "low" | "medium" | "high";
  title: string;
  detail: string;
  box?: [number, number, number, number];
  image?: "before" | "after";
}

/** A structured answer as the model would send it. */
export function reviewAnswer(
  summary: string,
  findings: AnswerFinding[] = [],
  kind: "ui" | "diagram" = "ui",
): ReturnType<typeof fakeSteps.answer> {
  return fakeSteps.answer(JSON.stringify({ kind, summary, findings }));
}

export function pullRequest(overrides: Partial<FakePullRequest> & Pick<FakePullRequest, "files">): FakePullRequest {
  return {
    number: 7,
    title: "Redesign the settings page",
    body: "Updates the settings screens.",
    user: { login: "contributor", id: 501, type: "User" },
    head: { sha: headSha, ref: "feature/settings", repoFullName: "octo-org/web-app" },
    base: { sha: baseSha, ref: "main" },
    ...overrides,
  };
}

/** What an in-process run ended with, as the runner would see it. */
export interface InProcessRun {
  /** 1 when the step failed (fail-on, or an error), else 0. */
  exitCode: number;
  /** The log as @actions/core prints it: plain lines and workflow commands (`::warning::…`). */
  log: string;
  outputs: Record<string, string>;
  summary: string;
  /** The values masked with setSecret. */
  secrets: string[];
  /** What reviewPullRequest returned; undefined when it threw. */
  outcome: ReviewOutcome | undefined;
  /** The waits the GitHub client asked for (milliseconds), which the test's sleep skipped. */
  githubWaits: number[];
}

export interface RunOptions {
  eventName?: "pull_request" | "pull_request_target" | "workflow_dispatch";
  /** The webhook payload; by default a pull_request payload of `pull`. */
  payload?: Record<string, unknown>;
  withoutKey?: boolean;
  /** What the runner's environment would say: GITHUB_WORKFLOW, GITHUB_JOB, GITHUB_ACTOR... */
  event?: Partial<Pick<RunEvent, "workflow" | "job" | "actor">>;
  /** Every job summary write fails, as with a GITHUB_STEP_SUMMARY that points nowhere. */
  summaryFails?: boolean;
}

/**
 * Reviews `pull` as the action on a runner would: the inputs as the runner passes them (unset ones are
 * ""), the event and environment of a pull_request run (GITHUB_RUN_ID 4242, attempt 1), and the step
 * ended by runner.ts's runStep, as index.ts ends it.
 */
export async function run(
  scenario: Scenario,
  pull: FakePullRequest,
  inputs: Record<string, string> = {},
  options: RunOptions = {},
): Promise<InProcessRun> {
  const { github, model } = scenario;
  const allInputs: Record<string, string> = {
    "api-key": options.withoutKey === true ? "" : model.apiKey,
    "base-url": model.baseUrl,
    "github-token": github.token,
    concurrency: "1",
    ...inputs,
  };
  const eventName = options.eventName ?? "pull_request";
  const event: RunEvent = {
    eventName,
    payload:
      options.payload ?? pullRequestEvent(github, pull, eventName === "pull_request_target" ? { eventName } : {}),
    repository: `${github.owner}/${github.repo}`,
    actor: options.event?.actor ?? "",
    workflow: options.event?.workflow ?? "",
    job: options.event?.job ?? "",
    runId: "4242",
    runAttempt: "1",
    serverUrl: github.serverUrl,
    apiUrl: github.apiUrl,
  };
  const runner = new RecordingRunner(options.summaryFails === undefined ? {} : { summaryFails: options.summaryFails });
  let outcome: ReviewOutcome | undefined;
  const githubWaits: number[] = [];
  await runStep(runner, async () => {
    const config = readConfig((name) => allInputs[name] ?? "");
    const githubRateLimit = new GitHubRateLimit();
    const client = withRetries(getOctokit(config.githubToken, { baseUrl: event.apiUrl }), {
      log: (message) => runner.info(message),
      rateLimit: githubRateLimit,
      // GitHub's waits (a minute for a secondary limit) pass at once, on the fake's clock.
      sleep: async (milliseconds) => {
        githubWaits.push(milliseconds);
        github.advanceClock(milliseconds);
      },
      now: () => github.now(),
    });
    outcome = await reviewPullRequest({
      config,
      event,
      github: client,
      modelClient: createModelClient(config, runner),
      runner,
      githubRateLimit,
      now: () => github.now(),
    });
    return outcome;
  });
  return {
    exitCode: runner.exitCode,
    log: runner.log,
    outputs: runner.outputs,
    summary: runner.summary,
    secrets: runner.secrets,
    outcome,
    githubWaits,
  };
}

/** The text of the model requests' prompts, for checking what was asked. */
export function promptsOf(model: FakeModelStudio): string[] {
  return model.requests.map((request) => {
    const body = request.body as { messages: Array<{ role: string; content: unknown }> };
    const user = body.messages.find((message) => message.role === "user");
    const parts = Array.isArray(user?.content) ? (user.content as Array<{ type: string; text?: string }>) : [];
    return parts.map((part) => part.text ?? "").join("");
  });
}

export function imagePartsOf(model: FakeModelStudio, index: number): number {
  const body = model.requests[index]?.body as { messages: Array<{ role: string; content: unknown }> } | undefined;
  const user = body?.messages.find((message) => message.role === "user");
  return Array.isArray(user?.content)
    ? (user.content as Array<{ type: string }>).filter((part) => part.type === "image_url").length
    : 0;
}

export function failedDetails(result: InProcessRun): string {
  return `exit ${result.exitCode}\nlog:\n${result.log}`;
}
