/*
 * Every YAML block in the repository's Markdown (README.md and any other documentation) must parse,
 * and every one that is a GitHub workflow must validate against GitHub's workflow schema
 * (@action-validator/core, the JSON schema of SchemaStore compiled to WebAssembly) and follow the
 * README's own rules: a concurrency group, the `edited` event for pull request triggers, and for
 * `pull_request_target` (which runs with the base repository's secrets) a gate on the author's standing
 * or a label, the action pinned by commit SHA, and no checkout. The same checks are shown failing on
 * known-bad workflows first, so a green run means something.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { validateWorkflow } from "@action-validator/core";
import { parseAllDocuments } from "yaml";

const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));

interface YamlBlock {
  /** "README.md:160", the line of the opening fence. */
  where: string;
  source: string;
}

function markdownFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      return ["node_modules", "dist", ".git"].includes(entry.name) ? [] : markdownFiles(path);
    }
    return entry.name.endsWith(".md") ? [path] : [];
  });
}

/** The ```yaml / ```yml fenced blocks of a Markdown text. */
function yamlBlocksOf(text: string, file: string): YamlBlock[] {
  const blocks: YamlBlock[] = [];
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index += 1) {
    const opening = /^ {0,3}(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[index] ?? "");
    if (opening === null) continue;
    const fence = opening[1] ?? "```";
    const language = (opening[2] ?? "").toLowerCase();
    const start = index;
    const body: string[] = [];
    for (index += 1; index < lines.length && !(lines[index] ?? "").trimStart().startsWith(fence); index += 1) {
      body.push(lines[index] ?? "");
    }
    if (language === "yaml" || language === "yml") {
      blocks.push({ where: `${file}:${start + 1}`, source: `${body.join("\n")}\n` });
    }
  }
  return blocks;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What is wrong with one YAML block: parse errors, schema errors, and the README's workflow rules. */
function problemsOf(source: string): string[] {
  const documents = parseAllDocuments(source);
  // The first error of each document: the rest usually follow from it.
  const parseErrors = (Array.isArray(documents) ? documents : [documents]).flatMap((document) =>
    document.errors.slice(0, 1).map((error) => `does not parse: ${error.message.split("\n")[0]}`),
  );
  if (parseErrors.length > 0) return parseErrors;
  const values = (Array.isArray(documents) ? documents : []).map((document) => document.toJS() as Json);
  const problems: string[] = [];
  for (const value of values) {
    if (!isObject(value) || !("on" in value) || !("jobs" in value)) continue;
    problems.push(...workflowProblems(source, value));
  }
  return problems;
}

function triggersOf(workflow: { [key: string]: Json }): Map<string, Json> {
  const on = workflow.on;
  if (typeof on === "string") return new Map([[on, null]]);
  if (Array.isArray(on)) return new Map(on.map((event) => [String(event), null]));
  if (isObject(on)) return new Map(Object.entries(on));
  return new Map();
}

function workflowProblems(source: string, workflow: { [key: string]: Json }): string[] {
  const problems: string[] = [];
  const state = validateWorkflow(source);
  for (const error of state.errors) {
    problems.push(
      `is not a valid workflow: ${error.title} at ${"path" in error ? error.path : ""} ${error.detail ?? ""}`.trim(),
    );
  }
  const jobs = isObject(workflow.jobs) ? Object.values(workflow.jobs).filter(isObject) : [];
  const hasGroup = (concurrency: Json | undefined) =>
    (typeof concurrency === "string" && concurrency !== "") ||
    (isObject(concurrency) && typeof concurrency.group === "string" && concurrency.group !== "");
  if (!hasGroup(workflow.concurrency) && !jobs.every((job) => hasGroup(job.concurrency))) {
    problems.push("has no concurrency group: two runs of one pull request would race to write its review");
  }
  const triggers = triggersOf(workflow);
  for (const event of ["pull_request", "pull_request_target"]) {
    if (!triggers.has(event)) continue;
    const configuration = triggers.get(event);
    const types = isObject(configuration) && Array.isArray(configuration.types) ? configuration.types : undefined;
    if (types === undefined || !types.includes("edited")) {
      problems.push(`does not run on ${event} "edited": images added to the description would not be reviewed`);
    }
  }
  if (triggers.has("pull_request_target")) {
    for (const job of jobs) {
      const gate = typeof job.if === "string" ? job.if : "";
      if (!/author_association/.test(gate) && !/label/.test(gate)) {
        problems.push("runs pull_request_target with secrets for any fork: gate it on author_association or a label");
      }
      const steps = Array.isArray(job.steps) ? job.steps.filter(isObject) : [];
      for (const step of steps) {
        const uses = typeof step.uses === "string" ? step.uses : "";
        if (/^actions\/checkout@/.test(uses)) {
          problems.push("checks out code under pull_request_target, where the pull request's code must never run");
        }
        if (uses !== "" && !uses.startsWith("./") && !/@[0-9a-f]{40}$/.test(uses)) {
          problems.push(`uses ${uses} by a movable ref while secrets are exposed: pin it by full commit SHA`);
        }
      }
    }
  }
  return problems;
}

const documentedBlocks = markdownFiles(repositoryRoot).flatMap((path) =>
  yamlBlocksOf(readFileSync(path, "utf8"), relative(repositoryRoot, path)),
);

test("the README has YAML blocks, workflows among them", () => {
  const readmeBlocks = documentedBlocks.filter((block) => block.where.startsWith("README.md:"));
  assert.ok(readmeBlocks.length >= 2, `found ${readmeBlocks.length}`);
});

for (const block of documentedBlocks) {
  test(`the YAML block at ${block.where} parses, and validates if it is a workflow`, () => {
    assert.deepEqual(problemsOf(block.source), []);
  });
}

test("the repository's own YAML files parse", () => {
  for (const file of ["action.yml", "bot/manifest.yml", "pnpm-workspace.yaml"]) {
    const documents = parseAllDocuments(readFileSync(join(repositoryRoot, file), "utf8"));
    const errors = (Array.isArray(documents) ? documents : [documents]).flatMap((document) => document.errors);
    assert.deepEqual(
      errors.map((error) => error.message),
      [],
      file,
    );
  }
});

const goodWorkflow = `name: Image review
on:
  pull_request:
    types: [opened, synchronize, reopened, edited]
concurrency:
  group: glance-\${{ github.event.pull_request.number }}
  cancel-in-progress: true
jobs:
  review:
    runs-on: ubuntu-latest
    steps:
      - uses: OWNER/glance@v1
`;

test("the checks accept a good workflow and catch each kind of bad one", () => {
  assert.deepEqual(problemsOf(goodWorkflow), []);
  // The README's old same-repository line: a flow mapping cannot hold "${{ ... }}" unquoted.
  const flowConcurrency = goodWorkflow.replace(
    /concurrency:\n.*\n.*\n/,
    `concurrency: { group: glance-\${{ github.event.pull_request.number }}, cancel-in-progress: true }\n`,
  );
  assert.match(problemsOf(flowConcurrency).join("\n"), /does not parse/);
  assert.match(problemsOf(goodWorkflow.replace("runs-on:", "runs_on:")).join("\n"), /is not a valid workflow/);
  assert.match(problemsOf(goodWorkflow.replace(/concurrency:\n.*\n.*\n/, "")).join("\n"), /has no concurrency group/);
  assert.match(problemsOf(goodWorkflow.replace(", edited", "")).join("\n"), /"edited"/);
  const target = goodWorkflow.replace("pull_request:", "pull_request_target:");
  const targetProblems = problemsOf(target).join("\n");
  assert.match(targetProblems, /gate it on author_association or a label/);
  assert.match(targetProblems, /pin it by full commit SHA/);
  const gatedAndPinned = target
    .replace("    runs-on:", "    if: contains(github.event.pull_request.labels.*.name, 'glance-review')\n    runs-on:")
    .replace("OWNER/glance@v1", `OWNER/glance@${"a".repeat(40)}`);
  assert.deepEqual(problemsOf(gatedAndPinned), []);
  const withCheckout = gatedAndPinned.replace(
    "    steps:\n",
    `    steps:\n      - uses: actions/checkout@${"b".repeat(40)}\n`,
  );
  assert.match(problemsOf(withCheckout).join("\n"), /checks out code/);
});
