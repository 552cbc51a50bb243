/*
 * Model output and description text go into a comment the bot posts, so nothing in them may ping
 * people or teams, link issues, form links or images, or inject markup. Every character that starts
 * markup is escaped (`&` too, so no entity such as `&commat;` or `&#64;` can turn back into "@" or
 * "#"), and a zero-width joiner after "@", "#" and "://" keeps the text readable while GitHub no
 * longer turns it into a mention, a reference or an autolink.
 */
const joiner = "\u200D";

/**
 * Every character that ends a line for some reader: CommonMark ends lines at \r and \n (a lone \r
 * too), and Unicode adds NEL, the line and paragraph separators, vertical tab and form feed. One of
 * them inside a name or a finding would end the heading, list item or inline code it stands in.
 */
const lineSeparators = /\r\n|[\r\n\v\f\u0085\u2028\u2029]/g;

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

/**
 * A path or name (a file name, a description image's alt text) as inline code, where no mention,
 * reference, link or markup forms. A backtick inside would end the span early, so the fence grows;
 * every line separator becomes a space, since a line break would end the span (and the heading it
 * stands in) and let the rest of the name render as Markdown. "<" gets a zero-width joiner too, so
 * that even outside a code span it could not open an HTML tag such as <img src=tracker>.
 */
export function inlineCode(text: string): string {
  const flat = text.replace(lineSeparators, " ").replace(/</g, `<${joiner}`);
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = "`".repeat(longest + 1);
  const padding = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${padding}${flat}${padding}${fence}`;
}

/** One line: every line separator folded, so a finding cannot start a heading or a list of its own. */
export function oneLine(text: string): string {
  return text
    .replace(lineSeparators, "\n")
    .replace(/\s*\n\s*/g, " ")
    .trim();
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
