import type { CliOptions } from "./cli-options.js";
import { askCommand } from "./commands/ask.js";
import { estimateCommand } from "./commands/estimate.js";
import { locateCommand } from "./commands/locate.js";
import { ocrCommand } from "./commands/ocr.js";

/*
 * Every command of `glance`, by name. This table is the one place that knows the names: the command
 * line is checked against it, the usage text lists it, and main.ts runs the entry it picks.
 */

export interface CliStreams {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export interface CliCommand {
  /** How it is called, without the leading `glance`, for the usage text. */
  synopsis: string;
  /** What it does, in one line, for the usage text. */
  summary: string;
  /** Checks its own arguments, then runs; every failure is a thrown error that main.ts turns into one line. */
  run: (options: CliOptions, streams: CliStreams) => Promise<void>;
}

export const commands = {
  estimate: estimateCommand,
  ask: askCommand,
  ocr: ocrCommand,
  locate: locateCommand,
} as const satisfies Record<string, CliCommand>;

export type CommandName = keyof typeof commands;
