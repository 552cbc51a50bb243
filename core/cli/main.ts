/**
 * The `glance` command's entry, run by bin/glance.js once the build is there. It is the CLI's edge: the
 * only place that reads the command line, the environment and the caller's directory. It runs the
 * command the table picks, and turns every failure into one readable `glance:` line and an exit code.
 */
import type { CliStreams } from "./command-table.js";

type Core = typeof import("@glance/core");

const streams: CliStreams = {
  stdout: (text: string) => {
    process.stdout.write(text);
  },
  stderr: (text: string) => {
    process.stderr.write(text);
  },
};

/** Failures the user fixes by changing the input or a setting: exit code 65 (EX_DATAERR). */
const badInputCodes = new Set(["configuration", "input-limit", "unreadable-media", "unsupported-media"]);

// A reader that stops early (`glance estimate *.png | head`) closes the pipe: that ends the output, it is
// no failure, and must not surface as an unhandled error with a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  process.stderr.write(`glance: the output could not be written (${error.message}).\n`);
  process.exit(1);
});

let core: Core | undefined;
try {
  useCallersDirectory();
  // Loaded here, inside the try: core loads native modules (sharp), and a broken install must still
  // end in one readable line rather than a stack trace printed before any of our code runs.
  core = await import("@glance/core");
  const { parseCommandLine, usage } = await import("./cli-options.js");
  const { commands } = await import("./command-table.js");
  const request = parseCommandLine(process.argv.slice(2), process.env);
  if (request.kind === "help") {
    streams.stdout(`${usage}\n`);
  } else {
    // The model is resolved once, here: unknown names fail before any file is read, and a newer model
    // resolved by the vendor's naming is run with one warning line saying what was assumed.
    core.defaultCatalogue.resolve(request.options.model, {
      strictModels: request.options.strictModel,
      logger: { warn: (message) => streams.stderr(`glance: warning: ${message}\n`) },
    });
    await commands[request.options.command].run(request.options, streams);
  }
} catch (error) {
  process.exitCode = exitCodeOf(error, core);
  streams.stderr(`${messageOf(error, core)}\n`);
}

/**
 * Relative paths (files, --output, --prices) mean what they mean where the user typed the command. The
 * root script (`pnpm glance`, `npm run glance`) runs in the repository root, and the package manager
 * passes the caller's directory as INIT_CWD; only then is it used. Run any other way (the bin directly,
 * npx), the process already runs in the caller's directory, and an INIT_CWD left over from some outer
 * script must not send it elsewhere.
 */
function useCallersDirectory(): void {
  const callersDirectory = process.env.INIT_CWD;
  if (process.env.npm_lifecycle_event === "glance" && callersDirectory !== undefined && callersDirectory !== "") {
    process.chdir(callersDirectory);
  }
}

function exitCodeOf(error: unknown, loaded: Core | undefined): number {
  if (loaded?.isGlanceError(error) === true) {
    if (error.code === "usage") return 64;
    return badInputCodes.has(error.code) ? 65 : 1;
  }
  // A file that does not exist is bad input too.
  return (error as NodeJS.ErrnoException).code === "ENOENT" ? 65 : 1;
}

function messageOf(error: unknown, loaded: Core | undefined): string {
  // Core's messages are written as one line; should one ever span more, it is joined, not cut.
  if (loaded?.isGlanceError(error) === true) return `glance: ${error.message.replace(/\s*\n\s*/g, " ")}`;
  // Anything else is a bug or an operating-system fault: its message, never a stack trace.
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return `glance: ${(error as NodeJS.ErrnoException).path ?? "file"}: no such file.`;
    if (code === "ERR_DLOPEN_FAILED" || /sharp/i.test(error.message)) {
      return `glance: the image library could not be loaded (${firstLine(error.message)}). Reinstall with: npm run setup`;
    }
    return `glance: ${firstLine(error.message)}`;
  }
  return `glance: ${String(error)}`;
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}
