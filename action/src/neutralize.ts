/*
 * Model output and description text go into a comment the bot posts, so nothing in them may ping
 * people or teams, link issues, form links or images, or inject markup. Every character that starts
 * markup is escaped (`&` too, so no entity such as `&commat;` or `&#64;` can turn back into "@" or
 * "#"), and a zero-width joiner after "@", "#" and "://" keeps the text readable while GitHub no
 * longer turns it into a mention, a reference or an autolink.
 */
const joiner = "\u200D";

export function neutralize(text: string): string {
  return (
    text
      // A backslash first, so that the escapes below cannot be undone by one the text brings along.
      .replace(/\\/g, "\\\\")
      // Markup: entities, HTML (hidden comments, <details>, <img>) are shown as text.
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      // Links and images: without a bracket there is no [text](url) or ![alt](url); parentheses too,
      // so no reference definition or link destination can form either.
      .replace(/[[\]()!]/g, (character) => `\\${character}`)
      // Autolinks: https://…, www.…, and e-mail addresses (the "@" rule below covers those).
      .replace(/:\/\//g, `:${joiner}//`)
      .replace(/\bwww\./gi, (match) => `${match.slice(0, 3)}${joiner}.`)
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

/**
 * A URL safe to place in a Markdown link destination: parsed and re-serialised (so spaces and
 * angle brackets are percent-encoded), http(s) only, and the characters that could end the
 * destination or start markup percent-encoded too. Undefined when it is not such a URL.
 */
export function linkDestination(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    return undefined;
  }
  return parsed.href.replace(
    /[^A-Za-z0-9\-._~:/?#@$&+,;=%]/g,
    (character) => `%${character.codePointAt(0)?.toString(16).toUpperCase().padStart(2, "0") ?? ""}`,
  );
}
