/*
 * The review as Markdown: a header with counts, the model, tokens and skipped images, then one
 * section per image (links, findings by severity, a one-line summary). The hidden marker and metadata
 * lead, so that cutting the comment to GitHub's size limit never loses them; sections that do not
 * fit are left out whole and named, and the job summary gets the full text.
 */
import { formatCount } from "@glance/core";
import type { Severity } from "./config.js";
import type { Finding } from "./image-review.js";
import { inlineCode, linkDestination, neutralize, oneLine } from "./neutralize.js";
import { fitMetadata, type MetadataSeal, type ReviewMetadata } from "./review-metadata.js";
import { allFindings, countBySeverity, highestSeverity, type ImageReport, type RunReport } from "./run-report.js";

/** GitHub refuses issue comments longer than this (in characters). */
export const commentCharacterLimit = 65_536;
/** Kept free under the limit for the note about what was left out. */
const reserve = 1_000;
const icons: Record<Severity | "none", string> = { high: "🔴", medium: "🟠", low: "🟡", none: "✅" };
const findingsShownOpen = 3;
const skippedShownOpen = 5;

export interface RenderedComment {
  /** The comment body: marker, metadata and as much of the review as fits. */
  body: string;
  /** The full review, for the job summary. */
  full: string;
  /** Image sections that did not fit in the comment. */
  omitted: number;
}

/**
 * The comment for this report. The body starts with the marker and the metadata signed with the seal;
 * without a seal (no api-key, so a dry run that posts nothing) it carries the marker alone.
 */
export function renderComment(
  report: RunReport,
  marker: string,
  metadata: ReviewMetadata,
  seal: MetadataSeal | undefined,
  limit = commentCharacterLimit,
): RenderedComment {
  // At most a third of the comment, so the review itself always has room.
  const hidden =
    seal === undefined ? `${marker}\n` : `${marker}\n${fitMetadata(metadata, seal, Math.floor(limit / 3))}\n`;
  const header = renderHeader(report);
  const sections = report.dryRun ? [renderPlanned(report)] : report.reviewed.map(renderImage);
  const tail = [renderFailed(report), renderSkipped(report), renderRemoved(report)].filter((part) => part !== "");
  const full = [header, ...sections, ...tail].join("\n\n");

  let body = hidden + header;
  let omitted = 0;
  const budget = limit - reserve;
  const tailText = tail.length === 0 ? "" : `\n\n${tail.join("\n\n")}`;
  for (const section of sections) {
    if (omitted === 0 && body.length + 2 + section.length + tailText.length <= budget) {
      body += `\n\n${section}`;
    } else {
      omitted += 1;
    }
  }
  if (body.length + tailText.length <= budget) {
    body += tailText;
  } else if (tail.length > 0) {
    omitted += 1;
  }
  if (omitted > 0) {
    const where = report.runUrl === undefined ? "the job summary" : `the [job summary](${report.runUrl})`;
    body += `\n\n> [!NOTE]\n> The comment reached GitHub's size limit: ${omitted} more section(s) are in ${where}.`;
  }
  return { body, full, omitted };
}

function renderHeader(report: RunReport): string {
  const findings = allFindings(report);
  const counts = countBySeverity(findings);
  const highest = highestSeverity(findings);
  const carried = report.reviewed.filter((image) => image.carried).length;
  const reviewedNow = report.reviewed.length - carried;
  const lines: string[] = [];
  lines.push(`## ${headerIcon(report, highest)} Glance image review${notReviewedSuffix(report)}`);
  if (report.dryRun) {
    lines.push(
      `**Dry run:** nothing was sent to the model. ${report.planned.length} image(s) would be reviewed, about ${formatCount(report.estimatedTokens)} tokens (input estimate plus output allowance).`,
    );
  } else {
    const parts = [`**${reviewedNow} image(s) reviewed**`];
    if (carried > 0) parts.push(`${carried} unchanged since the last review (findings carried forward)`);
    parts.push(
      findings.length === 0
        ? "**no findings**"
        : `**${findings.length} finding(s)**: ${counts.high} high, ${counts.medium} medium, ${counts.low} low`,
    );
    if (report.failed.length > 0) parts.push(`**${report.failed.length} failed**`);
    if (report.skipped.length > 0) parts.push(`${report.skipped.length} skipped`);
    lines.push(parts.join(" · "));
  }
  for (const note of report.notes) {
    lines.push(`> [!WARNING]\n> ${neutralize(oneLine(note))}`);
  }
  lines.push(
    `Model ${inlineCode(report.model)} · ${formatCount(report.inputTokens)} input + ${formatCount(report.outputTokens)} output tokens this run`,
  );
  return lines.join("\n");
}

/**
 * What the header's icon promises: ✅ only when every image was reviewed and nothing was found; the
 * colour of the highest severity when there are findings; ⚠️ when images could not be reviewed and
 * nothing was found; ℹ️ for a dry run, which reviews nothing.
 */
function headerIcon(report: RunReport, highest: Severity | undefined): string {
  if (report.dryRun) return "ℹ️";
  if (highest !== undefined) return icons[highest];
  return report.failed.length > 0 ? "⚠️" : icons.none;
}

/** Findings and failures together: the severity's colour leads, and the header still says what failed. */
function notReviewedSuffix(report: RunReport): string {
  const findings = allFindings(report).length;
  return !report.dryRun && findings > 0 && report.failed.length > 0
    ? ` · ⚠️ ${report.failed.length} image(s) not reviewed`
    : "";
}

function renderImage(image: ImageReport): string {
  const item = image.item;
  const highest = highestSeverity(image.findings);
  const status =
    item.status === "renamed"
      ? `renamed from ${inlineCode(item.previousPath ?? "")}`
      : item.status === "body"
        ? "in the description"
        : item.status;
  // Inline code shows a name as typed: no mention, link or markup can form inside it.
  const title = inlineCode(item.name);
  const lines: string[] = [`### ${icons[highest ?? "none"]} ${title} (${status})`];
  const links: string[] = [];
  // A description image's URL is the author's text: only a re-serialised http(s) URL becomes a link.
  const before = item.beforeLink === undefined ? undefined : linkDestination(item.beforeLink);
  const after = item.afterLink === undefined ? undefined : linkDestination(item.afterLink);
  if (before !== undefined) links.push(`[before](${before})`);
  if (after !== undefined) links.push(`[${before === undefined ? "image" : "after"}](${after})`);
  links.push(image.kind === "ui" ? "UI screenshot" : "diagram");
  if (image.carried) links.push("unchanged since the last review: findings carried forward");
  lines.push(links.join(" · "));
  if (image.note !== undefined) {
    lines.push("", `_${neutralize(oneLine(image.note))}_`);
  }
  if (image.summary !== "") {
    lines.push("", `> ${neutralize(oneLine(image.summary))}`);
  }
  if (image.findings.length === 0) {
    lines.push("", "No findings.");
    return lines.join("\n");
  }
  const sorted = [...image.findings].sort((first, second) => rank(second.severity) - rank(first.severity));
  const list = sorted.map(renderFinding).join("\n");
  lines.push("");
  if (sorted.length > findingsShownOpen || list.length > 1_500) {
    lines.push(`<details><summary>${image.findings.length} findings</summary>`, "", list, "", "</details>");
  } else {
    lines.push(list);
  }
  return lines.join("\n");
}

function renderFinding(finding: Finding): string {
  const where: string[] = [];
  if (finding.image !== undefined) where.push(finding.image);
  if (finding.box !== undefined) {
    const { x1, y1, x2, y2 } = finding.box;
    where.push(`at (${x1}, ${y1})–(${x2}, ${y2}) px`);
  }
  const location = where.length === 0 ? "" : ` _(${where.join(", ")})_`;
  return `- ${icons[finding.severity]} **${finding.severity}** · **${neutralize(oneLine(finding.title))}**: ${neutralize(oneLine(finding.detail))}${location}`;
}

function renderPlanned(report: RunReport): string {
  if (report.planned.length === 0) return "Nothing to review.";
  const lines = report.planned.map((plan) => `- ${inlineCode(plan.name)}: about ${formatCount(plan.tokens)} tokens`);
  return ["**Would review:**", ...lines].join("\n");
}

function renderFailed(report: RunReport): string {
  if (report.failed.length === 0) return "";
  const lines = report.failed.map(
    (failure) => `- ${inlineCode(failure.item.name)}: ${neutralize(oneLine(failure.reason))}`,
  );
  // "Kept" only makes sense when there are findings above to keep.
  const next =
    allFindings(report).length > 0
      ? "The findings above are kept; these images will be reviewed on the next run."
      : "These images will be reviewed on the next run.";
  return ["### ⚠️ Not reviewed: the model request failed", next, ...lines].join("\n");
}

function renderSkipped(report: RunReport): string {
  if (report.skipped.length === 0) return "";
  const lines = report.skipped.map(
    (skipped) => `- ${inlineCode(skipped.name)}: ${neutralize(oneLine(skipped.reason))}`,
  );
  const heading = `${report.skipped.length} image(s) skipped`;
  return report.skipped.length > skippedShownOpen
    ? `<details><summary>${heading}</summary>\n\n${lines.join("\n")}\n\n</details>`
    : `**${heading}:**\n${lines.join("\n")}`;
}

function renderRemoved(report: RunReport): string {
  if (report.removed.length === 0) return "";
  const lines = report.removed.map((path) => `- ${inlineCode(path)}`);
  const heading = `${report.removed.length} image(s) removed (not reviewed)`;
  return report.removed.length > skippedShownOpen
    ? `<details><summary>${heading}</summary>\n\n${lines.join("\n")}\n\n</details>`
    : `**${heading}:**\n${lines.join("\n")}`;
}

function rank(severity: Severity): number {
  return severity === "high" ? 3 : severity === "medium" ? 2 : 1;
}
