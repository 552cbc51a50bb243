/*
 * fail-on: the job fails when a finding (reviewed now or carried forward) reaches the threshold.
 * Images the model could not review do not fail the job: they are reported in the comment, as a
 * warning and in the images-failed output (see fail-on in action.yml).
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
  if (reaching.length === 0) {
    return undefined;
  }
  const highest = highestSeverity(reaching) ?? failOn;
  return `${reaching.length} finding(s) at or above fail-on "${failOn}" (highest: ${highest}). See the review comment and the job summary.`;
}
