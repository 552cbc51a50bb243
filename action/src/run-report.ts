/* Everything one run found and decided: the comment, the job summary and the outputs are rendered from it. */
import type { Severity } from "./config.js";
import type { Finding } from "./image-review.js";
import type { ReviewItem, SkippedItem } from "./review-item.js";

export interface ImageReport {
  item: ReviewItem;
  contentHash: string;
  kind: "ui" | "diagram";
  summary: string;
  findings: Finding[];
  /** True when the content is unchanged since the previous run and the findings are that run's. */
  carried: boolean;
  /** Shown under the image, e.g. why carried findings could not be checked this run. */
  note?: string | undefined;
}

export interface FailedImage {
  item: ReviewItem;
  reason: string;
}

export interface RunReport {
  repository: string;
  pullRequestNumber: number;
  model: string;
  reviewed: ImageReport[];
  failed: FailedImage[];
  skipped: SkippedItem[];
  removed: string[];
  inputTokens: number;
  outputTokens: number;
  estimatedTokens: number;
  dryRun: boolean;
  /** In a dry run: what would be reviewed, with its estimate (input plus output allowance). */
  planned: Array<{ name: string; tokens: number }>;
  /** Link to this run, where the job summary holds what did not fit in the comment. */
  runUrl: string | undefined;
  /** Run-wide notes for the header, e.g. that GitHub listed only the first 3,000 files. */
  notes: string[];
}

const order: Severity[] = ["high", "medium", "low"];

export function allFindings(report: RunReport): Finding[] {
  return report.reviewed.flatMap((image) => image.findings);
}

export function highestSeverity(findings: readonly Finding[]): Severity | undefined {
  return order.find((severity) => findings.some((finding) => finding.severity === severity));
}

export function severityRank(severity: Severity): number {
  return 3 - order.indexOf(severity);
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  return {
    high: findings.filter((finding) => finding.severity === "high").length,
    medium: findings.filter((finding) => finding.severity === "medium").length,
    low: findings.filter((finding) => finding.severity === "low").length,
  };
}
