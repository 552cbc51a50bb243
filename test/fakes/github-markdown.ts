/*
 * A minimal stand-in for GitHub's Markdown rendering of a pull request body, enough for the parts
 * clients care about: text is escaped, Markdown images and HTML <img> tags become <img> elements,
 * and private attachment URLs are swapped for their signed URLs, as github.com does in body_html.
 */

const imagePattern = /<img\b[^>]*>|!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/gi;

export function renderBodyHtml(body: string, signedUrlOf: (url: string) => string | undefined): string {
  const sign = (url: string): string => signedUrlOf(url) ?? url;
  return body
    .split(/\r?\n\s*\r?\n/)
    .filter((paragraph) => paragraph.trim() !== "")
    .map((paragraph) => `<p>${renderParagraph(paragraph.trim(), sign)}</p>`)
    .join("\n");
}

function renderParagraph(paragraph: string, sign: (url: string) => string): string {
  let html = "";
  let position = 0;
  for (const match of paragraph.matchAll(imagePattern)) {
    html += escapeText(paragraph.slice(position, match.index));
    position = match.index + match[0].length;
    const isMarkdown = match[2] !== undefined;
    const source = isMarkdown ? (match[2] ?? "") : (attribute(match[0], "src") ?? "");
    const alt = isMarkdown ? (match[1] ?? "") : (attribute(match[0], "alt") ?? "");
    const width = isMarkdown ? undefined : attribute(match[0], "width");
    const signed = escapeAttribute(sign(decodeEntities(source)));
    const widthAttribute = width === undefined ? "" : ` width="${escapeAttribute(width)}"`;
    html +=
      `<a target="_blank" rel="noopener noreferrer" href="${signed}">` +
      `<img${widthAttribute} alt="${escapeAttribute(alt)}" src="${signed}" style="max-width: 100%;"></a>`;
  }
  html += escapeText(paragraph.slice(position));
  return html.replace(/\r?\n/g, "<br>\n");
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, "i").exec(tag);
  return match === null ? undefined : (match[1] ?? match[2] ?? match[3]);
}

function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, "&quot;");
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** body_text: what GitHub gives for text+json, the body with images reduced to their alt text. */
export function renderBodyText(body: string): string {
  return body.replace(imagePattern, (_whole, alt: string | undefined, source: string | undefined, ..._rest) =>
    source === undefined ? "" : (alt ?? ""),
  );
}
