/*
 * No API key: the review is skipped with a notice and a green job, honestly. The outputs say
 * "skipped" (so a later step cannot read it as a clean pass), and the notice and the job summary say
 * why the key is missing on this run and what to do about it.
 */
import { outputsOf } from "./outputs.js";
import { writeJobSummary } from "./publish-review.js";
import { eventIsFromFork } from "./pull-request-context.js";
import type { RunEvent } from "./run-event.js";
import type { Runner, StepResult } from "./runner.js";

export async function skipWithoutKey(event: RunEvent, runner: Runner): Promise<StepResult> {
  const { why, fix } = noKeyAdvice(event);
  runner.notice(`Glance image review skipped: no API key. ${why} ${fix}`);
  await writeJobSummary(
    runner,
    `## Glance image review: skipped (no API key)\n\nNo image was reviewed. ${why}\n\n${fix}\n`,
  );
  return { outputs: outputsOf(undefined, undefined), failure: undefined };
}

/** Why the key is missing and what to do, for the event that started the run. */
function noKeyAdvice(event: RunEvent): { why: string; fix: string } {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub workflow expression, not a placeholder.
  const secretInput = "`api-key: ${{ secrets.DASHSCOPE_API_KEY }}`";
  if (event.eventName === "pull_request" && eventIsFromFork(event)) {
    return {
      why: "This pull request comes from a fork, and GitHub gives no secrets to `pull_request` runs from forks.",
      fix: "To review fork pull requests, run the action on `pull_request_target` without checking out the pull request's code (see the README).",
    };
  }
  if (event.actor === "dependabot[bot]") {
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
