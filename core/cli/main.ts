#!/usr/bin/env node
/**
 * The `glance` command. Reads the command line and the environment once (cli-options.ts), runs the
 * command on @glance/core, and turns every failure into one readable line and a non-zero exit code.
 */
import { parseCliOptions, UsageError } from "./cli-options.js";

type Core = typeof import("@glance/core");

const streams = {
  stdout: (text: string) => {
    process.stdout.write(text);
  },
  stderr: (text: string) => {
    process.stderr.write(text);
  },
};

/** Errors the user can fix by changing the input or a setting: exit code 65 (EX_DATAERR). */
const badInputCodes = new Set(["configuration", "input-limit", "unreadable-media", "unsupported-media"]);

let core: Core | undefined;
try {
  const options = parseCliOptions(process.argv.slice(2), process.env);
  // Loaded here, inside the try: core loads native modules (sharp), and a broken install must still
  // end in one readable line rather than a stack trace printed before any of our code runs.
  core = await import("@glance/core");
  const { runCommand } = await import("./run-command.js");
  await runCommand(options, streams);
} catch (error) {
  if (error instanceof UsageError && error.requested) {
    streams.stdout(`${error.message}\n`);
  } else {
    process.exitCode = exitCodeOf(error, core);
    streams.stderr(`${messageOf(error, core)}\n`);
  }
}

function exitCodeOf(error: unknown, loaded: Core | undefined): number {
  if (error instanceof UsageError) return 64;
  if (loaded?.isGlanceError(error) === true) {
    return badInputCodes.has(error.code) ? 65 : 1;
  }
  // A file that does not exist is bad input too.
  return (error as NodeJS.ErrnoException).code === "ENOENT" ? 65 : 1;
}

function messageOf(error: unknown, loaded: Core | undefined): string {
  if (error instanceof UsageError) return error.message;
  if (loaded?.isGlanceError(error) === true) return `glance: ${error.message}`;
  // Anything else is a bug or an operating-system fault: its message, never a stack trace.
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return `glance: ${(error as NodeJS.ErrnoException).path ?? "file"}: no such file.`;
    if (code === "ERR_DLOPEN_FAILED" || /sharp/i.test(error.message)) {
      return `glance: the image library could not be loaded (${error.message.split("\n")[0]}). Reinstall with: npm run setup`;
    }
    return `glance: ${error.message.split("\n")[0]}`;
  }
  return `glance: ${String(error)}`;
}
