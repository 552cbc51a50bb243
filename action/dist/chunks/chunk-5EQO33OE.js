import { createRequire as __glanceCreateRequire } from "node:module"; const require = __glanceCreateRequire(import.meta.url);

// action/src/log-escaping.ts
var zeroWidthSpace = "\u200B";
var controlCharacters = /[^\t -~\u00A0-\u2027\u202A-\uFFFF]/g;
function escapeForLog(text) {
  return text.replace(controlCharacters, visibleEscape).replace(/^(\s*):(?=:)/, `$1:${zeroWidthSpace}`).replace(/##\[/g, `#${zeroWidthSpace}#[`);
}
function visibleEscape(character) {
  if (character === "\n") return "\\n";
  if (character === "\r") return "\\r";
  return `\\u${(character.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`;
}
function escapingRunner(runner) {
  return {
    info: (message) => runner.info(escapeForLog(message)),
    debug: (message) => runner.debug(escapeForLog(message)),
    warning: (message) => runner.warning(escapeForLog(message)),
    notice: (message) => runner.notice(escapeForLog(message)),
    setSecret: (secret) => runner.setSecret(secret),
    writeSummary: (markdown) => runner.writeSummary(markdown),
    setOutput: (name, value) => runner.setOutput(name, value),
    setFailed: (message) => runner.setFailed(escapeForLog(message))
  };
}

export {
  escapeForLog,
  escapingRunner
};
