/*
 * The runner reads every line a step prints as a possible workflow command: a line that starts with
 * "::" (after any spaces), such as ::error::, ::add-mask:: or ::stop-commands::, and the older
 * "##[command]" form anywhere in a line. @actions/core's info() prints its text as it is, so a file
 * name, a description image's alt text or the model's words inside a message could raise fake
 * annotations, mask words of the log or stop command processing; an escape sequence could recolour or
 * overwrite what the log shows. escapeForLog is the one escape for all of it, and escapingRunner
 * applies it to every message the review logs, so no call site can forget it:
 * - control characters (line breaks above all) and the Unicode line separators are shown as escapes
 *   (\n, \r, \u001b), so a message stays one line and untrusted text never starts a line of its own;
 * - a message that starts with "::" gets a zero-width space between the colons;
 * - "##[" gets one between the hashes.
 * Escaping twice changes nothing more, so wrapping a runner that is already wrapped is harmless.
 * Warnings, notices and errors are escaped again by @actions/core (%, \r, \n), which is fine.
 */
import type { Runner } from "./runner.js";

const zeroWidthSpace = "\u200B";
/**
 * Anything but tab, printable ASCII and the rest of Unicode: the C0 and C1 controls (line breaks,
 * escape), DEL, and the Unicode line and paragraph separators (U+2028, U+2029).
 */
const controlCharacters = /[^\t -~\u00A0-\u2027\u202A-\uFFFF]/g;

/** Text that cannot issue a workflow command or break the log's lines, readable as it was. */
export function escapeForLog(text: string): string {
  return text
    .replace(controlCharacters, visibleEscape)
    .replace(/^(\s*):(?=:)/, `$1:${zeroWidthSpace}`)
    .replace(/##\[/g, `#${zeroWidthSpace}#[`);
}

function visibleEscape(character: string): string {
  if (character === "\n") return "\\n";
  if (character === "\r") return "\\r";
  return `\\u${(character.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`;
}

/**
 * The same runner, with every logged message (info, debug, warning, notice, the failure line) passed
 * through escapeForLog. Secrets to mask, outputs and the job summary pass unchanged.
 */
export function escapingRunner(runner: Runner): Runner {
  return {
    info: (message) => runner.info(escapeForLog(message)),
    debug: (message) => runner.debug(escapeForLog(message)),
    warning: (message) => runner.warning(escapeForLog(message)),
    notice: (message) => runner.notice(escapeForLog(message)),
    setSecret: (secret) => runner.setSecret(secret),
    writeSummary: (markdown) => runner.writeSummary(markdown),
    setOutput: (name, value) => runner.setOutput(name, value),
    setFailed: (message) => runner.setFailed(escapeForLog(message)),
  };
}
