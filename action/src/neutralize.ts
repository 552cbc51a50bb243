/*
 * Model output and description text go into a comment the bot posts, so nothing in them may ping
 * people or teams, link issues, or inject markup. A zero-width joiner after "@" and "#" keeps the
 * text readable while GitHub no longer turns it into a mention or a reference.
 */
const joiner = "\u200D";

export function neutralize(text: string): string {
  return (
    text
      // Markup: HTML (hidden comments, <details>, <img>) is shown as text.
      .replace(/&(?![a-zA-Z]+;|#\d+;)/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      // @user and @org/team.
      .replace(/@(?=[A-Za-z0-9])/g, `@${joiner}`)
      // #123, owner/repo#123, GH-123.
      .replace(/#(?=\d)/g, `#${joiner}`)
      .replace(/\bGH-(?=\d)/gi, (match) => `${match}${joiner}`)
  );
}

/** A path or name as inline code; a backtick inside would end the span early, so the fence grows. */
export function inlineCode(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = "`".repeat(longest + 1);
  const padding = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${padding}${text.replace(/\n/g, " ")}${padding}${fence}`;
}

/** One line: newlines folded, so a finding cannot start a heading or a list of its own. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}
