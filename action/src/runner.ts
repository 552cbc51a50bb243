/*
 * What the review needs from the runner, as one small interface: index.ts implements it over
 * @actions/core, tests with a recording fake. How a step ends is decided here, in one place for
 * both: every output is set, then the job fails when fail-on was reached or anything threw, with
 * one readable line and never a stack.
 */
import { messageOf } from "./error-message.js";
import { escapingRunner } from "./log-escaping.js";
import type { ActionOutputs } from "./outputs.js";

export interface Runner {
  info(message: string): void;
  debug(message: string): void;
  /** An annotation on the run: something the user should know, the job goes on. */
  warning(message: string): void;
  notice(message: string): void;
  /** Masks the value in every later line of the log. */
  setSecret(secret: string): void;
  /** Replaces this step's job summary; rejects when it cannot be written. */
  writeSummary(markdown: string): Promise<void>;
  setOutput(name: string, value: string | number): void;
  /** Fails the job (exit code 1) with this line. */
  setFailed(message: string): void;
}

/** How a step ends: what it outputs and, when the job must fail, why. */
export interface StepResult {
  outputs: ActionOutputs;
  failure: string | undefined;
}

export async function runStep(unescaped: Runner, step: () => Promise<StepResult>): Promise<void> {
  // The failure line can carry untrusted text (a file name in an error): escaped like every log line.
  const runner = escapingRunner(unescaped);
  let result: StepResult;
  try {
    result = await step();
  } catch (error) {
    runner.setFailed(messageOf(error));
    return;
  }
  for (const [name, value] of Object.entries(result.outputs)) {
    runner.setOutput(name, value);
  }
  if (result.failure !== undefined) {
    runner.setFailed(result.failure);
  }
}
