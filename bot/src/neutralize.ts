/*
 * What the model writes is data, not instructions to Slack. Before it reaches a message:
 * - no one is pinged and nothing is linked as a person, group or channel: user mentions (<@U…>,
 *   <@U…|name>), user groups (<!subteam^S…|@team>), channel links (<#C…|general>) and special mentions
 *   (<!channel>, <!here>, <!everyone>, and a literal @channel, @here, @everyone) become plain words
 *   with a word joiner (U+2060) after the "@" or "#", so no client links them either;
 * - every link shows its real destination: a link whose text is another URL
 *   (<https://evil|https://slack.com/signin>, [https://slack.com/signin](https://evil)) shows only its
 *   destination, and a link with words for text shows the words, then the destination:
 *   "docs (<https://example.com/docs>)".
 * Slack reads angle-bracket sequences everywhere, code included, so those are rewritten everywhere;
 * Markdown links only exist outside code, so code is left as it is.
 * Two forms of text leave the bot: Markdown (streamed answers, chat.startStream's markdown_text) and
 * mrkdwn (chat.postMessage/chat.update; see slack-markdown.ts, which renders links the same way).
 */
const wordJoiner = "\u2060";

/** Any text the bot posts: mass mentions never ping, whoever wrote them. */
export function neutralizeMassMentions(text: string): string {
  return (
    text
      // <!channel>, <!here>, <!everyone>, with or without a label: <!here|here>.
      .replace(/<!(channel|here|everyone)(\|[^>]*)?>/gi, (_match, name: string) => `@${wordJoiner}${name}`)
      // User groups: <!subteam^S123|@designers> or <!subteam^S123>.
      .replace(/<!subteam\^[A-Z0-9]+(?:\|@?([^>]*))?>/gi, (_match, label: string | undefined) =>
        label === undefined || label === "" ? `@${wordJoiner}group` : `@${wordJoiner}${label}`,
      )
      // Any other special command such as <!date...> is harmless, but broadcast-like ones are not: drop the brackets.
      .replace(/<!([a-z]+)(\|[^>]*)?>/gi, (_match, name: string) => `!${name}`)
      .replace(/@(channel|here|everyone)\b/gi, (_match, name: string) => `@${wordJoiner}${name}`)
      // What is left of "<!" is unclosed ("<!here" then the text ends): inert alone, but a reply that
      // quotes it before other text could close it, so it is broken up as well.
      .replace(/<!/g, `<${wordJoiner}!`)
  );
}

/** The model's Markdown, made safe to send as Markdown or to convert to mrkdwn (see the top of this file). */
export function neutralizeModelOutput(markdown: string): string {
  // A rewrite can bring brackets together into a new sequence ("<<@U1>>" leaves "<@…>"): repeat until
  // nothing changes. Each pass removes brackets or leaves the text as it is, so this ends.
  let text = markdown;
  for (let pass = 0; pass < 32; pass += 1) {
    const next = neutralizeOnce(text);
    if (next === text) break;
    text = next;
  }
  // Whatever still starts like a mention or command ("<@", "<#", "<!", unclosed or odd) is broken up.
  return text.replace(/(<|&lt;)(?=[@#!])/g, `$1${wordJoiner}`);
}

function neutralizeOnce(markdown: string): string {
  const withoutSequences = markdown
    // Mentions, channels and commands; a command's text may hold spaces (<!date^…^{date} at {time}|…>).
    .replace(/<([@#!][^<>\n|]*)(?:\|([^<>\n]*))?>/g, (match, target: string, label?: string) =>
      rewriteSequence(match, target, label),
    )
    // Links with a label: <https://…|text>. Slack's link targets have no spaces ("a < b | c > d" in a table is none).
    .replace(/<([^<>\s|@#!\u2060][^<>\s|]*)\|([^<>\n]*)>/g, (match, target: string, label: string) =>
      rewriteSequence(match, target, label),
    )
    // The same sequences written with entities (&lt;@U…&gt;): a reader that decodes them first must find nothing either.
    .replace(
      /&lt;([^<>\s|&\u2060](?:(?!&gt;)[^<>|\n])*)(?:\|((?:(?!&gt;)[^<>\n])*))?&gt;/g,
      (match, target: string, label?: string) => rewriteSequence(match, target, label),
    );
  return neutralizeMassMentions(outsideCode(withoutSequences, rewriteMarkdownLinks));
}

/** A URL scheme ("https:", "mailto:"): what makes angle brackets or a Markdown destination a link. */
const schemePattern = /^[a-z][a-z0-9+.-]*:/i;

/** One <...> sequence: Slack reads it as a mention, a special command or a link. */
function rewriteSequence(match: string, target: string, label: string | undefined): string {
  const shownName = (fallback: string) => (label ?? "").replace(/^[@#]/, "").trim() || fallback;
  if (target.startsWith("@")) return `@${wordJoiner}${shownName(target.slice(1))}`;
  if (target.startsWith("#")) return `#${wordJoiner}${shownName(target.slice(1))}`;
  if (target.startsWith("!")) {
    const command = target.slice(1);
    const name = /^[a-z]+/i.exec(command)?.[0] ?? "";
    if (/^(channel|here|everyone)$/i.test(name)) return `@${wordJoiner}${name}`;
    if (/^subteam$/i.test(name)) return `@${wordJoiner}${shownName("group")}`;
    // <!date^…|fallback> shows its fallback text; other commands their name.
    return label === undefined ? `!${name}` : label;
  }
  if (label === undefined) {
    // <https://example.com> shows its destination already; anything else is only text.
    return match;
  }
  return linkShowingDestination(target, label);
}

/**
 * A link written so its destination shows: `<destination>` alone when the label is empty, the same
 * address or any other address (which it would only misrepresent), else `label (<destination>)`.
 */
export function linkShowingDestination(destination: string, label: string): string {
  const cleanDestination = destination.replace(/[<>|\s]/g, "");
  const shown = schemePattern.test(cleanDestination) ? `<${cleanDestination}>` : cleanDestination;
  const words = shownLabel(cleanDestination, label);
  return words === undefined ? shown : `${words} (${shown})`;
}

/** The words of a link's label worth showing beside its destination, or undefined when they name an address. */
export function shownLabel(destination: string, label: string): string | undefined {
  const words = label.replace(/[<>|]/g, "").trim();
  if (words === "") return undefined;
  if (normalizedAddress(words) === normalizedAddress(destination)) return undefined;
  return looksLikeAddress(words) ? undefined : words;
}

/** A URL, a "www." host, a domain name ("slack.com", "evil.example.co.uk") or an e-mail address anywhere in the text. */
function looksLikeAddress(text: string): boolean {
  return /[a-z][a-z0-9+.-]*:\/\/|\bwww\.|[a-z0-9-]\.[a-z]{2,}\b|@[a-z0-9-]+\./i.test(text);
}

function normalizedAddress(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:(\/\/)?/, "")
    .replace(/^www\./, "")
    .replace(/\/+$/, "");
}

/** A Markdown destination: no spaces, and parentheses only in balanced pairs one level deep (Wikipedia links). */
const destinationPattern = String.raw`(?:[^\s()<>]|\([^\s()<>]*\))+`;
const markdownLink = new RegExp(
  String.raw`!?\[([^\[\]\n]*)\]\(\s*<?(${destinationPattern})>?(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?\s*\)`,
  "g",
);

/** Markdown links and images in text outside code; whatever link syntax is left can no longer link. */
function rewriteMarkdownLinks(text: string): string {
  return (
    text
      .replace(markdownLink, (_match, label: string, destination: string) => linkShowingDestination(destination, label))
      // What the pattern above did not take (a label with brackets in it, an odd destination) must not
      // become a link: "](" with a word joiner between is text to every Markdown reader.
      .replace(/\]\(/g, `]${wordJoiner}(`)
      // A reference definition ("[1]: https://…") would turn "[text][1]" elsewhere into a link.
      .replace(/^(\s{0,3}\[[^\]\n]*\]):/gm, `$1${wordJoiner}:`)
  );
}

/** Applies `rewrite` to the text outside fenced code blocks and inline code spans. */
function outsideCode(text: string, rewrite: (plain: string) => string): string {
  const lines = text.split("\n");
  let inFence = false;
  let plain: string[] = [];
  const output: string[] = [];
  const flushPlain = () => {
    if (plain.length > 0) output.push(rewriteOutsideSpans(plain.join("\n"), rewrite));
    plain = [];
  };
  for (const line of lines) {
    if (/^\s*```/.test(line)) {
      flushPlain();
      output.push(line);
      inFence = !inFence;
    } else if (inFence) {
      output.push(line);
    } else {
      plain.push(line);
    }
  }
  flushPlain();
  return output.join("\n");
}

function rewriteOutsideSpans(text: string, rewrite: (plain: string) => string): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((part, index) => (index % 2 === 1 ? part : rewrite(part)))
    .join("");
}
