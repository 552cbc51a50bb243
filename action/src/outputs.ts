/* The action's outputs, set in one place from the run's report (all zero when nothing ran). */
import * as actionsCore from "@actions/core";
import { allFindings, highestSeverity, type RunReport } from "./run-report.js";

export function writeOutputs(report: RunReport | undefined, commentUrl: string | undefined): void {
  const findings = report === undefined ? [] : allFindings(report);
  actionsCore.setOutput("findings", findings.length);
  actionsCore.setOutput("highest-severity", highestSeverity(findings) ?? "none");
  actionsCore.setOutput("images-reviewed", report?.reviewed.length ?? 0);
  actionsCore.setOutput("images-skipped", report === undefined ? 0 : report.skipped.length + report.failed.length);
  actionsCore.setOutput("input-tokens", report?.inputTokens ?? 0);
  actionsCore.setOutput("output-tokens", report?.outputTokens ?? 0);
  actionsCore.setOutput("comment-url", commentUrl ?? "");
}
