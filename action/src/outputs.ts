/* The step's outputs, from the run's report; a run skipped for want of a key says so in them. */
import * as actionsCore from "@actions/core";
import { allFindings, highestSeverity, type RunReport } from "./run-report.js";

/**
 * `report` undefined means the review was skipped (no API key): highest-severity is then "skipped",
 * so a later step cannot read the run as a clean pass.
 */
export function writeOutputs(report: RunReport | undefined, commentUrl: string | undefined): void {
  const findings = report === undefined ? [] : allFindings(report);
  actionsCore.setOutput("findings", findings.length);
  actionsCore.setOutput("highest-severity", report === undefined ? "skipped" : (highestSeverity(findings) ?? "none"));
  actionsCore.setOutput("images-reviewed", report?.reviewed.length ?? 0);
  actionsCore.setOutput("images-skipped", report === undefined ? 0 : report.skipped.length + report.failed.length);
  actionsCore.setOutput("images-failed", report?.failed.length ?? 0);
  actionsCore.setOutput("input-tokens", report?.inputTokens ?? 0);
  actionsCore.setOutput("output-tokens", report?.outputTokens ?? 0);
  actionsCore.setOutput("comment-url", commentUrl ?? "");
}
