/*
 * The action's entry point, and the only file that talks to the runner: it reads the inputs
 * (@actions/core), the GITHUB_* environment and the event (@actions/github's context), checks the
 * inputs once (config.ts), builds the GitHub and Model Studio clients and calls reviewPullRequest;
 * runner.ts turns its result into the outputs and the job status. The committed bundle carries
 * sharp's native binaries for Linux x64 only, so anything else gets a clear error before the review
 * code (which loads sharp) is even imported.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as actionsCore from "@actions/core";
import { context, getOctokit } from "@actions/github";
import type { RunEvent } from "./run-event.js";
import { type Runner, runStep } from "./runner.js";

const runner: Runner = {
  info: (message) => actionsCore.info(message),
  debug: (message) => actionsCore.debug(message),
  warning: (message) => actionsCore.warning(message),
  notice: (message) => actionsCore.notice(message),
  setSecret: (secret) => actionsCore.setSecret(secret),
  writeSummary: async (markdown) => {
    await actionsCore.summary.addRaw(markdown).write({ overwrite: true });
  },
  setOutput: (name, value) => actionsCore.setOutput(name, value),
  setFailed: (message) => actionsCore.setFailed(message),
};

/** Reviews this run's pull request. Also the entry point `@github/local-action` imports and calls. */
export async function run(): Promise<void> {
  await runStep(runner, async () => {
    // Loaded here, not above: these load core, and with it sharp's native code.
    const [{ readConfig }, { withRetries }, { GitHubRateLimit }, { createModelClient }, { reviewPullRequest }] =
      await Promise.all([
        import("./config.js"),
        import("./github-client.js"),
        import("./github-request-budget.js"),
        import("./model-client.js"),
        import("./review-pull-request.js"),
      ]);
    const config = readConfig((name) => actionsCore.getInput(name));
    const event: RunEvent = {
      eventName: context.eventName,
      payload: context.payload as Record<string, unknown>,
      repository: process.env.GITHUB_REPOSITORY ?? "",
      actor: process.env.GITHUB_ACTOR ?? "",
      workflow: process.env.GITHUB_WORKFLOW ?? "",
      job: process.env.GITHUB_JOB ?? "",
      runId: process.env.GITHUB_RUN_ID,
      runAttempt: process.env.GITHUB_RUN_ATTEMPT,
      serverUrl: context.serverUrl,
      apiUrl: context.apiUrl,
    };
    const githubRateLimit = new GitHubRateLimit();
    const github = withRetries(getOctokit(config.githubToken, { baseUrl: event.apiUrl }), {
      log: (message) => runner.info(message),
      rateLimit: githubRateLimit,
    });
    return reviewPullRequest({
      config,
      event,
      github,
      modelClient: createModelClient(config, runner),
      runner,
      githubRateLimit,
    });
  });
}

/** True when the runner started this file (`node action/dist/index.js`), not when a tool imported it. */
function startedAsProgram(): boolean {
  const script = process.argv[1];
  if (script === undefined) {
    return false;
  }
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (startedAsProgram()) {
  if (process.platform !== "linux" || process.arch !== "x64") {
    actionsCore.setFailed(
      `Glance's image review runs on Linux x64 runners only (this runner is ${process.platform}/${process.arch}): ` +
        "the committed bundle carries sharp's native image library for linux-x64 alone. Use runs-on: ubuntu-latest.",
    );
  } else {
    await run();
  }
}
