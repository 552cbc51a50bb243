/*
 * The model writes Markdown; Slack's `text` field speaks mrkdwn. Code is kept verbatim (escaped only),
 * everything else is translated line by line. &, < and > are escaped first, as Slack requires, and the
 * links we create afterwards are the only angle brackets left: each one `<destination>` with no label,
 * so Slack shows where it goes, and a link's words stay in front of it as text ("docs (<https://…>)"),
 * dropped when they name another address (neutralize.ts's rule, shared here).
 */
import { shownLabel } from "./neutralize.js";

export function markdownToMrkdwn(markdown: string): string {
  const lines = markdown.replace(/\r\n/g, "\n").split("\n");
  const output: string[] = [];
  let inFence = false;
  for (const line of lines) {
    if (/^\s*```/.test(line)) {
      // Slack ignores the language after the fence and would show it as code.
      output.push(inFence ? "```" : "```");
      inFence = !inFence;
      continue;
    }
    output.push(inFence ? escapeText(line) : convertLine(line));
  }
  if (inFence) {
    output.push("```");
  }
  return output.join("\n");
}

export function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function convertLine(line: string): string {
  const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
  if (heading !== null) {
    return `*${convertInline(heading[1] ?? "").replace(/\*/g, "")}*`;
  }
  if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
    return "──────────";
  }
  const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(line);
  if (bullet !== null) {
    const depth = Math.floor((bullet[1] ?? "").length / 2);
    return `${"    ".repeat(depth)}• ${convertInline(bullet[2] ?? "")}`;
  }
  const quote = /^\s*>\s?(.*)$/.exec(line);
  if (quote !== null) {
    return `> ${convertInline(quote[1] ?? "")}`;
  }
  return convertInline(line);
}

function convertInline(text: string): string {
  // Split out inline code spans so nothing inside them is reformatted.
  return text
    .split(/(`[^`]+`)/)
    .map((part, index) => (index % 2 === 1 ? escapeText(part) : convertPlain(part)))
    .join("");
}

/** A Markdown link or image to a web or mail address; the destination may hold one level of parentheses. */
const markdownLink =
  /!?\[([^[\]\n]*)\]\(\s*<?((?:https?|mailto):(?:[^\s()<>]|\([^\s()<>]*\))+)>?(?:\s+(?:"[^"\n]*"|'[^'\n]*'))?\s*\)/gi;

/** A Markdown autolink (`<https://…>`), which is also how neutralizeModelOutput writes every link. */
const autolink = /<((?:https?|mailto):[^\s<>|]+)>/gi;

/** Links and bold are parked behind private-use characters while the rest is escaped and rewritten. */
function convertPlain(text: string): string {
  const links: string[] = [];
  const park = (url: string, label: string | undefined) => {
    links.push(`<${url.replace(/[<>|]/g, "")}>`);
    const marker = `\uE000${links.length - 1}\uE000`;
    const words = label === undefined ? undefined : shownLabel(url, label);
    return words === undefined ? marker : `${words} (${marker})`;
  };
  let converted = text
    .replace(/[\uE000\uE001]/g, "")
    .replace(markdownLink, (_match, label: string, url: string) => park(url, label))
    .replace(autolink, (_match, url: string) => park(url, undefined));
  converted = escapeText(converted)
    .replace(/\*\*\*(.+?)\*\*\*/g, "\uE001_$1_\uE001")
    .replace(/\*\*(.+?)\*\*/g, "\uE001$1\uE001")
    .replace(/__(.+?)__/g, "\uE001$1\uE001")
    .replace(/(^|[^\w*])\*(?!\s)(.+?)(?<!\s)\*(?!\w)/g, "$1_$2_")
    .replace(/~~(.+?)~~/g, "~$1~")
    .replace(/\uE001/g, "*");
  return converted.replace(/\uE000(\d+)\uE000/g, (_match, index: string) => links[Number(index)] ?? "");
}

/**
 * Splits mrkdwn into pieces of at most `limit` characters, at paragraph, then line, then word
 * boundaries; a code block cut in two is closed and reopened so both halves render as code.
 */
export function splitMessage(text: string, limit: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit - 4);
    let cut = window.lastIndexOf("\n\n");
    if (cut < limit / 2) cut = window.lastIndexOf("\n");
    if (cut < limit / 2) cut = window.lastIndexOf(" ");
    if (cut < limit / 2) cut = window.length;
    let piece = rest.slice(0, cut);
    rest = rest.slice(cut).replace(/^\s+/, "");
    if ((piece.match(/```/g) ?? []).length % 2 === 1) {
      piece += "\n```";
      rest = `\`\`\`\n${rest}`;
    }
    pieces.push(piece);
  }
  if (rest.trim() !== "" || pieces.length === 0) {
    pieces.push(rest);
  }
  return pieces;
}
