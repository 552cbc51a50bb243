/* The step's outputs (action.yml's names), from the run's report; a run skipped for want of a key says so in them. */
import { allFindings, highestSeverity, type RunReport } from "./run-report.js";

export interface ActionOutputs {
  findings: number;
  /** high, medium, low, none, or skipped (no API key). */
  "highest-severity": string;
  "images-reviewed": number;
  "images-skipped": number;
  "images-failed": number;
  "input-tokens": number;
  "output-tokens": number;
  "comment-url": string;
}

/**
 * `report` undefined means the review was skipped (no API key): highest-severity is then "skipped",
 * so a later step cannot read the run as a clean pass.
 */
export function outputsOf(report: RunReport | undefined, commentUrl: string | undefined): ActionOutputs {
  const findings = report === undefined ? [] : allFindings(report);
  return {
    findings: findings.length,
    "highest-severity": report === undefined ? "skipped" : (highestSeverity(findings) ?? "none"),
    "images-reviewed": report?.reviewed.length ?? 0,
    "images-skipped": report === undefined ? 0 : report.skipped.length + report.failed.length,
    "images-failed": report?.failed.length ?? 0,
    "input-tokens": report?.inputTokens ?? 0,
    "output-tokens": report?.outputTokens ?? 0,
    "comment-url": commentUrl ?? "",
  };
}
