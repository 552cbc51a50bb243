/*
 * When the job fails, after a review ran:
 * - fail-on: a finding (reviewed now or carried forward) reaches the threshold;
 * - fail-on-error: images the model could not review. "all" (the default) fails when no image could
 *   be reviewed this run, which is what a down service or a broken set-up looks like, and, while fail-on
 *   gates the job, when any image could not be reviewed: a gate cannot vouch for an image it did not
 *   see, and a pull request's author can make a review fail (an image or alt text that talks the model
 *   out of its answer format), so "no findings" among the rest must not pass. "any" fails when any image
 *   could not be reviewed; "never" only reports them. Either way they are listed in the comment, warned
 *   about and counted in images-failed.
 * A set-up failure that stopped the run (set-up-failure.ts) fails it unless fail-on-error is "never".
 */
import type { ActionConfig } from "./config.js";
import { allFindings, highestSeverity, type RunReport, severityRank } from "./run-report.js";

/** Why the job fails, as its one error line; undefined when it passes. */
export function failOnVerdict(
  config: Pick<ActionConfig, "failOn" | "failOnError">,
  report: RunReport,
): string | undefined {
  const reasons = [findingsVerdict(config.failOn, report), errorsVerdict(config, report)].filter(
    (reason): reason is string => reason !== undefined,
  );
  return reasons.length === 0 ? undefined : reasons.join(" ");
}

function findingsVerdict(failOn: ActionConfig["failOn"], report: RunReport): string | undefined {
  if (failOn === "none") {
    return undefined;
  }
  const threshold = severityRank(failOn);
  const reaching = allFindings(report).filter((finding) => severityRank(finding.severity) >= threshold);
  if (reaching.length === 0) {
    return undefined;
  }
  const highest = highestSeverity(reaching) ?? failOn;
  return `${reaching.length} finding(s) at or above fail-on "${failOn}" (highest: ${highest}). See the review comment and the job summary.`;
}

function errorsVerdict(config: Pick<ActionConfig, "failOn" | "failOnError">, report: RunReport): string | undefined {
  const { failOn, failOnError } = config;
  const failed = report.failed.length;
  if (failed === 0 || failOnError === "never") {
    return undefined;
  }
  const first = (report.failed[0]?.reason ?? "").replace(/\.?$/, ".");
  const reviewedNow = report.reviewed.filter((image) => !image.carried).length;
  if (failOnError === "any") {
    return (
      `${failed} image(s) could not be reviewed (fail-on-error "any"); the first: ${first} ` +
      'They are listed in the comment; fail-on-error "all" fails only when no image could be reviewed.'
    );
  }
  if (reviewedNow > 0) {
    if (failOn === "none") {
      return undefined;
    }
    return (
      `${failed} image(s) could not be reviewed, so fail-on "${failOn}" cannot pass: ` +
      "an image the model did not review may hold a finding. They are listed in the review comment; re-run the job to review them."
    );
  }
  return (
    `No image could be reviewed: all ${failed} image(s) failed; the first: ${first} ` +
    'They are listed in the comment and retried on the next run; fail-on-error "never" lets such runs pass.'
  );
}

/** How a run stopped by a set-up failure ends: a failure, or with fail-on-error "never" a warning only. */
export function setUpVerdict(failOnError: ActionConfig["failOnError"], line: string): string | undefined {
  return failOnError === "never" ? undefined : line;
}
