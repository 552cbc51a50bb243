/*
 * The runner, for in-process runs of the action's review: it records the log as @actions/core prints
 * it to the real runner (workflow commands such as `::warning::…`, `::error::…` and `::add-mask::…`,
 * their data escaped the same way), so the assertions read the same against a bundle run's stdout; and
 * it keeps the outputs, the job summary and the exit code the step would end with.
 */
import type { Runner } from "../../action/src/runner.js";

export interface RecordingRunnerOptions {
  /** Makes every job summary write fail, as when GITHUB_STEP_SUMMARY points nowhere. */
  summaryFails?: boolean;
}

export class RecordingRunner implements Runner {
  readonly lines: string[] = [];
  readonly outputs: Record<string, string> = {};
  readonly secrets: string[] = [];
  summary = "";
  /** 1 once setFailed was called, as @actions/core sets process.exitCode. */
  exitCode = 0;
  private readonly summaryFails: boolean;

  constructor(options: RecordingRunnerOptions = {}) {
    this.summaryFails = options.summaryFails ?? false;
  }

  /** The log, one line per call, as the runner would show it. */
  get log(): string {
    return this.lines.map((line) => `${line}\n`).join("");
  }

  info(message: string): void {
    this.lines.push(message);
  }

  debug(message: string): void {
    this.lines.push(`::debug::${escapeData(message)}`);
  }

  warning(message: string): void {
    this.lines.push(`::warning::${escapeData(message)}`);
  }

  notice(message: string): void {
    this.lines.push(`::notice::${escapeData(message)}`);
  }

  setSecret(secret: string): void {
    this.secrets.push(secret);
    this.lines.push(`::add-mask::${escapeData(secret)}`);
  }

  async writeSummary(markdown: string): Promise<void> {
    if (this.summaryFails) {
      throw new Error(
        "Unable to access summary file: '/nonexistent-directory/summary.md'. Check if the file has correct read/write permissions.",
      );
    }
    this.summary = markdown;
  }

  setOutput(name: string, value: string | number): void {
    this.outputs[name] = String(value);
  }

  setFailed(message: string): void {
    this.exitCode = 1;
    this.lines.push(`::error::${escapeData(message)}`);
  }
}

/** What @actions/core does to a command's data so that it stays on one line. */
function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}
