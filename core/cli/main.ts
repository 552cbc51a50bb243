#!/usr/bin/env node
/**
 * The `glance` command. Reads the command line and the environment once (cli-options.ts), runs the
 * command on @glance/core, and turns every failure into one readable line and a non-zero exit code.
 */
import { isGlanceError } from "@glance/core";
import { parseCliOptions, UsageError } from "./cli-options.js";
import { runCommand } from "./run-command.js";

const streams = {
  stdout: (text: string) => {
    process.stdout.write(text);
  },
  stderr: (text: string) => {
    process.stderr.write(text);
  },
};

try {
  const options = parseCliOptions(process.argv.slice(2), process.env);
  await runCommand(options, streams);
} catch (error) {
  process.exitCode = exitCodeOf(error);
  streams.stderr(`${messageOf(error)}\n`);
}

function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return 64;
  if (isGlanceError(error)) return error.code === "configuration" || error.code === "input-limit" ? 65 : 1;
  return 1;
}

function messageOf(error: unknown): string {
  if (error instanceof UsageError) return error.message;
  if (isGlanceError(error)) return `glance: ${error.message}`;
  // Anything else is a bug or an operating-system fault (missing file...): its message, never a stack trace.
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return `glance: ${(error as NodeJS.ErrnoException).path ?? "file"}: no such file.`;
    return `glance: ${error.message}`;
  }
  return `glance: ${String(error)}`;
}
