/*
 * The bad-input corpus through the built `glance` CLI, the way a user runs it: from another directory,
 * the file named as the user named it, against the fake Model Studio. Every file is either refused with
 * exit code 65 and exactly one stderr line (the entry's error, naming the file, no stack trace) before
 * any model request, or handled (exit 0); each run stays within the entry's wall-time and peak-memory
 * bounds. Peak memory is the child's maximum resident set as /usr/bin/time reports it (GNU time's %M,
 * from wait4's rusage, which counts the child and the ffmpeg/ffprobe runs it waited for).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";
import { glanceBin, runGlance, runProgram } from "../support/run-glance.js";
import { type Bounds, type CorpusEntry, corpus, headerBounds, type Outcome } from "./corpus.js";

const timeBinary = "/usr/bin/time";

interface MeasuredRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  wallSeconds: number;
  /** undefined when /usr/bin/time is missing: then memory is not measured, and the test says so. */
  peakRssMegabytes: number | undefined;
}

/** Every image or video the fake model received, as bytes (data URLs decoded). */
function bytesSent(fake: FakeModelStudio): Buffer {
  const found: Buffer[] = [];
  for (const request of fake.requests) {
    const body = JSON.stringify(request.body);
    for (const match of body.matchAll(/data:[\w/+.-]+;base64,([A-Za-z0-9+/=]+)/g)) {
      found.push(Buffer.from(match[1] ?? "", "base64"));
    }
  }
  return Buffer.concat(found);
}

describe("the bad-input corpus through the built CLI", { concurrency: 3 }, () => {
  let root: string;

  before(async () => {
    // The build check of runGlance, once, before any measured run.
    await runGlance(["--help"]);
    root = await mkdtemp(join(tmpdir(), "glance-corpus-cli-"));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function measure(
    fake: FakeModelStudio,
    directory: string,
    entry: CorpusEntry,
    args: readonly string[],
  ): Promise<MeasuredRun> {
    const environment = { DASHSCOPE_API_KEY: fake.apiKey, DASHSCOPE_BASE_URL: fake.baseUrl };
    const started = performance.now();
    if (!existsSync(timeBinary)) {
      const run = await runProgram(process.execPath, [glanceBin, ...args], { directory, environment });
      return { ...run, wallSeconds: (performance.now() - started) / 1000, peakRssMegabytes: undefined };
    }
    const report = join(directory, `${entry.name}.rss`);
    const run = await runProgram(timeBinary, ["-f", "%M", "-o", report, process.execPath, glanceBin, ...args], {
      directory,
      environment,
    });
    const wallSeconds = (performance.now() - started) / 1000;
    // GNU time writes "Command exited with non-zero status N" before the figure when the child failed.
    const kilobytes = Number((await readFile(report, "utf8")).trim().split("\n").at(-1));
    return { ...run, wallSeconds, peakRssMegabytes: kilobytes / 1024 };
  }

  function check(outcome: Outcome, bounds: Bounds, run: MeasuredRun, requestsSent: number): void {
    const details = `exit ${run.exitCode}, ${run.wallSeconds.toFixed(1)} s, ${run.peakRssMegabytes?.toFixed(0)} MB\nstderr: ${run.stderr}`;
    assert.doesNotMatch(run.stderr, /^\s+at .+:\d+:\d+\)?$/m, `no stack trace\n${details}`);
    const refused = outcome.kind === "refused" || (outcome.kind === "refused-or-handled" && run.exitCode !== 0);
    if (outcome.kind !== "handled" && refused) {
      assert.equal(run.exitCode, 65, details);
      const lines = run.stderr.split("\n").filter((line) => line !== "");
      assert.equal(lines.length, 1, `exactly one stderr line\n${details}`);
      assert.match(lines[0] ?? "", /^glance: /);
      assert.match((lines[0] ?? "").slice("glance: ".length), outcome.says, details);
      assert.equal(requestsSent, 0, "nothing was sent to the model");
    } else {
      assert.equal(run.exitCode, 0, details);
    }
    assert.ok(run.wallSeconds <= bounds.wallSeconds, `within ${bounds.wallSeconds} s\n${details}`);
    if (run.peakRssMegabytes !== undefined) {
      assert.ok(run.peakRssMegabytes <= bounds.peakRssMegabytes, `within ${bounds.peakRssMegabytes} MB\n${details}`);
    }
  }

  for (const entry of corpus) {
    const stages = [
      { stage: "estimate" as const, outcome: entry.estimate, bounds: entry.estimateBounds ?? headerBounds },
      { stage: "ask" as const, outcome: entry.ask, bounds: entry.bounds },
    ];
    for (const { stage, outcome, bounds } of stages) {
      const expectation = outcome.kind === "handled" ? "handled" : `${outcome.kind} (${outcome.code})`;
      const pending = entry.pending?.[stage];
      it(
        `glance ${stage} ${entry.name} (${entry.made}): ${expectation}`,
        pending === undefined ? {} : { todo: pending },
        async (context) => {
          const source = await entry.make();
          // The user's own name for the file, in a directory of its own that the command runs from.
          const directory = await mkdtemp(join(root, `${stage}-`));
          await copyFile(source, join(directory, entry.name));
          // A fake of its own, so the requests counted are this run's alone.
          const fake = await startFakeModelStudio();
          context.after(() => fake.close());
          if (stage === "ask") fake.script(fakeSteps.answer("A picture."));
          const args = stage === "ask" ? ["ask", entry.name, "--prompt", "What is this?"] : ["estimate", entry.name];
          const run = await measure(fake, directory, entry, args);
          context.diagnostic(
            `${entry.name} ${stage}: exit ${run.exitCode}, ${run.wallSeconds.toFixed(2)} s, peak RSS ${run.peakRssMegabytes === undefined ? "not measured (no /usr/bin/time)" : `${run.peakRssMegabytes.toFixed(0)} MB`}`,
          );
          check(outcome, bounds, run, fake.requests.length);
          if (stage === "ask" && run.exitCode === 0 && outcome.kind !== "refused") {
            const sent = bytesSent(fake).toString("latin1");
            assert.ok(sent.length > 0, "the file reached the model");
            for (const text of entry.notSent ?? []) {
              assert.ok(!sent.includes(text), `${JSON.stringify(text)} was sent to the model with the image`);
            }
          }
        },
      );
    }
  }
});
