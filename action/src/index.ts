/*
 * The action's entry point, and the only file that talks to the runner: it reads the inputs
 * (@actions/core), the GITHUB_* environment and the event (@actions/github's context), checks the
 * inputs once (config.ts), builds the GitHub and Model Studio clients and calls reviewPullRequest;
 * runner.ts turns its result into the outputs and the job status. The committed bundle carries
 * sharp's native binaries for Linux x64 and arm64 and macOS arm64 (action/scripts/bundle.mjs), and
 * sharp's WebAssembly build, which sharp itself falls back to anywhere else: such a runner gets a
 * warning that says what that costs.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as actionsCore from "@actions/core";
import { context, getOctokit } from "@actions/github";
import { escapingRunner } from "./log-escaping.js";
import type { RunEvent } from "./run-event.js";
import { type Runner, runStep } from "./runner.js";

// Every message is escaped before @actions/core prints it (see log-escaping.ts): untrusted text in a
// log line must never be read as a workflow command.
const runner: Runner = escapingRunner({
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
});

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

/** Runners whose sharp binaries action/dist carries; bundle.mjs's shippedPlatforms must match. */
const nativeImagePlatforms = ["linux-x64", "linux-arm64", "darwin-arm64"];

if (startedAsProgram()) {
  const platform = `${process.platform}-${process.arch}`;
  if (!nativeImagePlatforms.includes(platform)) {
    // sharp's WebAssembly build draws SVG with resvg and no fonts: text in SVG files comes out blank.
    actionsCore.warning(
      `This runner (${platform}) has no native build of the image library in the bundle, so images are prepared with sharp's WebAssembly build: about 2 times slower, and text in SVG files is not drawn (diagrams are reviewed without their labels). Use a Linux x64 or arm64 or a macOS arm64 runner (runs-on: ubuntu-latest) for full results.`,
    );
  }
  await run();
}
