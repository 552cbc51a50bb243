/*
 * fail-on: the job fails when a finding (reviewed now or carried forward) reaches the threshold.
 * The gate stays closed when an image could not be reviewed: a gate cannot vouch for an image it did
 * not see, and a pull request's author can make a review fail (an image or alt text that talks the
 * model out of its answer format), so "no findings" among the rest must not pass. Without fail-on
 * (none), failed images are reported in the comment, as a warning and in images-failed, and the job
 * stays green.
 */
import type { ActionConfig } from "./config.js";
import { allFindings, highestSeverity, type RunReport, severityRank } from "./run-report.js";

/** Why the job fails, as its one error line; undefined when it passes. */
export function failOnVerdict(failOn: ActionConfig["failOn"], report: RunReport): string | undefined {
  if (failOn === "none") {
    return undefined;
  }
  const threshold = severityRank(failOn);
  const reaching = allFindings(report).filter((finding) => severityRank(finding.severity) >= threshold);
  if (reaching.length > 0) {
    const highest = highestSeverity(reaching) ?? failOn;
    return `${reaching.length} finding(s) at or above fail-on "${failOn}" (highest: ${highest}). See the review comment and the job summary.`;
  }
  if (report.failed.length > 0) {
    return (
      `${report.failed.length} image(s) could not be reviewed, so fail-on "${failOn}" cannot pass: ` +
      "an image the model did not review may hold a finding. They are listed in the review comment; re-run the job to review them."
    );
  }
  return undefined;
}
