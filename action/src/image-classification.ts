/*
 * UI screenshot or diagram? The path usually says (docs/architecture.svg, flow-*.png); when it does
 * not, the review request asks the model to say which it is, in the answer's `kind` field.
 */
import type { ImageKind } from "./review-item.js";

const diagramWords = [
  "diagram",
  "architecture",
  "flow",
  "flowchart",
  "sequence",
  "mermaid",
  "drawio",
  "uml",
  "erd",
  "schema",
  "topology",
  "c4",
  "excalidraw",
  "plantuml",
];
const uiWords = [
  "screenshot",
  "screen",
  "ui",
  "mockup",
  "page",
  "view",
  "dialog",
  "modal",
  "snapshot",
  // Test-runner folders (Playwright's *-snapshots, Jest's __screenshots__ and __snapshots__, and
  // plain screenshots/snapshots): the path splits into words, so the underscores drop away.
  "screenshots",
  "snapshots",
  "screens",
];

export function classifyByPath(path: string): ImageKind | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith(".svg") || lower.includes("draw.io")) {
    return "diagram";
  }
  const words = lower.split(/[^a-z0-9]+/).filter((word) => word !== "");
  if (words.some((word) => diagramWords.includes(word))) {
    return "diagram";
  }
  if (words.some((word) => uiWords.includes(word))) {
    return "ui";
  }
  return undefined;
}
