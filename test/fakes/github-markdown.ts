/*
 * A minimal stand-in for GitHub's Markdown rendering of a pull request body, enough for the parts
 * clients care about: text is escaped, Markdown images and HTML <img> tags become <img> elements,
 * private attachment URLs are swapped for their signed URLs and other hosts' images for camo URLs
 * with the original in data-canonical-src, as github.com does in body_html (see github-web-host.ts).
 */

/** What body_html shows for an image the author wrote as `url`. */
export type RenderedSource = (url: string) => { src: string; canonical: string | undefined };

const imagePattern = /<img\b[^>]*>|!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/gi;

export function renderBodyHtml(body: string, sourceOf: RenderedSource): string {
  // GitHub's sanitizer drops HTML comments from the rendered body, and with them anything inside.
  return body
    .replace(/<!--[\s\S]*?-->/g, "")
    .split(/\r?\n\s*\r?\n/)
    .filter((paragraph) => paragraph.trim() !== "")
    .map((paragraph) => `<p>${renderParagraph(paragraph.trim(), sourceOf)}</p>`)
    .join("\n");
}

function renderParagraph(paragraph: string, sourceOf: RenderedSource): string {
  let html = "";
  let position = 0;
  for (const match of paragraph.matchAll(imagePattern)) {
    html += escapeText(paragraph.slice(position, match.index));
    position = match.index + match[0].length;
    const isMarkdown = match[2] !== undefined;
    const source = isMarkdown ? (match[2] ?? "") : (attribute(match[0], "src") ?? "");
    const alt = isMarkdown ? (match[1] ?? "") : (attribute(match[0], "alt") ?? "");
    const width = isMarkdown ? undefined : attribute(match[0], "width");
    const rendered = sourceOf(decodeEntities(source));
    const src = escapeAttribute(rendered.src);
    const widthAttribute = width === undefined ? "" : ` width="${escapeAttribute(width)}"`;
    const canonical =
      rendered.canonical === undefined ? "" : ` data-canonical-src="${escapeAttribute(rendered.canonical)}"`;
    html +=
      `<a target="_blank" rel="noopener noreferrer" href="${src}">` +
      `<img${widthAttribute} alt="${escapeAttribute(alt)}" src="${src}"${canonical} style="max-width: 100%;"></a>`;
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
