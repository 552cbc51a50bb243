import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { estimateImageTokens } from "@glance/core";
import sharp from "sharp";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";
import { runGlance } from "../support/run-glance.js";

const screenshot = fileURLToPath(new URL("../../examples/settings-screen.png", import.meta.url));
const diagram = fileURLToPath(new URL("../../examples/upload-pipeline.png", import.meta.url));

/** No line of a stack trace ("    at foo (file:1:2)") may reach the user. */
function assertNoStackTrace(text: string): void {
  assert.doesNotMatch(text, /^\s+at .+:\d+:\d+\)?$/m);
}

interface ChatBody {
  messages: Array<{
    role: string;
    content: string | Array<{ type: string; text?: string; image_url?: { url: string } }>;
  }>;
  enable_thinking?: boolean;
  stream?: boolean;
}

function lastBody(fake: FakeModelStudio): ChatBody {
  const request = fake.requests.at(-1);
  assert.ok(request, "the fake received a request");
  return request.body as ChatBody;
}

describe("glance CLI", () => {
  let fake: FakeModelStudio;
  let environment: Record<string, string>;
  let workDirectory: string;

  before(async () => {
    fake = await startFakeModelStudio();
    environment = { DASHSCOPE_API_KEY: fake.apiKey, DASHSCOPE_BASE_URL: fake.baseUrl };
    workDirectory = await mkdtemp(join(tmpdir(), "glance-cli-"));
  });
  after(async () => {
    await fake.close();
  });

  it("prints the plan, the exact estimate and the request without a key, and sends nothing", async () => {
    const before = fake.requests.length;
    const run = await runGlance(["ask", screenshot, "--prompt", "What looks wrong?"], {
      DASHSCOPE_BASE_URL: fake.baseUrl,
    });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(fake.requests.length, before);
    const expected = estimateImageTokens({ model: "qwen3.5-plus", width: 1280, height: 800 });
    assert.match(run.stdout, new RegExp(`${expected.tokens.toLocaleString("en-US")} tokens`));
    assert.match(run.stdout, /"url": "data:image\/png;base64,<[\d.]+ KB elided>"/);
    assert.match(run.stderr, /DASHSCOPE_API_KEY is not set/);
    assert.match(run.stderr, /export DASHSCOPE_API_KEY=/);
  });

  it("estimates several files as JSON, agreeing with the core estimate on the real image sizes", async () => {
    const run = await runGlance(["estimate", screenshot, diagram, "--model", "qwen3-vl-plus", "--json"]);
    assert.equal(run.exitCode, 0, run.stderr);
    const result = JSON.parse(run.stdout) as {
      inputs: Array<{ tokens: number; width: number; height: number }>;
      totalTokens: number;
      textTokens: number;
    };
    assert.equal(result.inputs.length, 2);
    let visual = 0;
    for (const [index, file] of [screenshot, diagram].entries()) {
      const metadata = await sharp(file).metadata();
      const expected = estimateImageTokens({ model: "qwen3-vl-plus", width: metadata.width, height: metadata.height });
      assert.equal(result.inputs[index]?.tokens, expected.tokens);
      assert.equal(result.inputs[index]?.width, expected.width);
      visual += expected.tokens;
    }
    assert.equal(result.totalTokens, visual + result.textTokens);
  });

  it("prices the estimate from a configured price table, and only then", async () => {
    const prices = join(workDirectory, "prices.json");
    await writeFile(
      prices,
      JSON.stringify({ "qwen3.5-plus": { currency: "USD", inputPerMillionTokens: 0.5, outputPerMillionTokens: 3 } }),
    );
    const priced = await runGlance(["estimate", screenshot, "--json", "--prices", prices]);
    assert.equal(priced.exitCode, 0, priced.stderr);
    const result = JSON.parse(priced.stdout) as {
      totalTokens: number;
      cost: { priced: boolean; inputCost: number; currency: string };
    };
    assert.equal(result.cost.priced, true);
    assert.equal(result.cost.currency, "USD");
    assert.ok(Math.abs(result.cost.inputCost - (result.totalTokens * 0.5) / 1_000_000) < 1e-12);
    const unpriced = await runGlance(["estimate", screenshot, "--model", "qwen3-vl-plus", "--prices", prices]);
    assert.match(unpriced.stdout, /no entry for "qwen3-vl-plus"/);
    const plain = await runGlance(["estimate", screenshot]);
    assert.doesNotMatch(plain.stdout, /cost/i);
  });

  it("applies --max-pixels and --high-res to the estimate", async () => {
    const small = await runGlance(["estimate", screenshot, "--max-pixels", "200000", "--json"]);
    const high = await runGlance(["estimate", screenshot, "--high-res", "--json"]);
    const tokensOf = (stdout: string) =>
      (JSON.parse(stdout) as { inputs: Array<{ tokens: number }> }).inputs[0]?.tokens;
    assert.equal(
      tokensOf(small.stdout),
      estimateImageTokens({ model: "qwen3.5-plus", width: 1280, height: 800, maxPixels: 200_000 }).tokens,
    );
    assert.equal(
      tokensOf(high.stdout),
      estimateImageTokens({ model: "qwen3.5-plus", width: 1280, height: 800, highResolution: true }).tokens,
    );
  });

  it("asks the model, streaming the answer and showing the thinking apart with --thinking", async () => {
    fake.script(
      fakeSteps.answer("The label 'Notify me about failed deploym' is cut off.", { reasoning: "Scanning each label." }),
    );
    const run = await runGlance(["ask", screenshot, "--prompt", "What looks wrong?", "--thinking"], environment);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stdout, /is cut off\./);
    assert.doesNotMatch(run.stdout, /Scanning each label/);
    assert.match(run.stderr, /--- thinking ---\nScanning each label\./);
    assert.match(run.stderr, /input tokens \(estimated [\d,]+\)/);
    const body = lastBody(fake);
    assert.equal(body.stream, true);
    assert.equal(body.enable_thinking, true);
    const parts = body.messages[0]?.content;
    assert.ok(Array.isArray(parts));
    assert.match(parts[0]?.image_url?.url ?? "", /^data:image\/png;base64,/);
    assert.equal(parts.at(-1)?.text, "What looks wrong?");
  });

  it("reads text with ocr", async () => {
    fake.script(fakeSteps.answer("Notification settings\nEmail address"));
    const run = await runGlance(["ocr", screenshot], environment);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stdout, "Notification settings\nEmail address\n");
    const parts = lastBody(fake).messages[0]?.content;
    assert.ok(Array.isArray(parts));
    assert.match(parts.at(-1)?.text ?? "", /Read all of the text/);
  });

  it("locates things and writes an annotated copy of the original image", async () => {
    // Qwen3.5 answers in 0-999 relative coordinates: 100/1000 of 1280 px is 128 px.
    fake.script(fakeSteps.answer('```json\n[{"bbox_2d": [250, 775, 360, 830], "label": "Save button"}]\n```'));
    const output = join(workDirectory, "located.png");
    const run = await runGlance(["locate", screenshot, "the save button", "--output", output], environment);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stdout, /^Save button: \(320, 620\) to \(461, 664\)$/m);
    const metadata = await sharp(output).metadata();
    assert.deepEqual([metadata.width, metadata.height, metadata.format], [1280, 800, "png"]);
  });

  it("retries a rate limit and then answers", async () => {
    fake.script(fakeSteps.rateLimited("1"), fakeSteps.answer("Looks fine."));
    const before = fake.requests.length;
    const run = await runGlance(["ask", diagram, "--prompt", "Describe it"], environment);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stdout, /Looks fine\./);
    assert.equal(fake.requests.length - before, 2);
  });

  it("reports a model outage in one line, with a non-zero exit", async () => {
    fake.script(fakeSteps.serverError(), fakeSteps.serverError(), fakeSteps.serverError(), fakeSteps.serverError());
    const run = await runGlance(["ask", diagram, "--prompt", "Describe it", "--timeout", "5"], { ...environment });
    assert.notEqual(run.exitCode, 0);
    // Retry notices come as they happen; the failure itself is the one last line.
    const lines = run.stderr.trim().split("\n");
    for (const notice of lines.slice(0, -1)) {
      assert.match(notice, /Retrying in [\d.]+ m?s/);
    }
    assert.match(lines.at(-1) ?? "", /^glance: Model Studio answered 500 .*after 4 attempts/);
    assert.equal(run.stdout, "");
    assertNoStackTrace(run.stderr);
    assert.ok(!run.stderr.includes(fake.apiKey));
  });

  it("sends nothing with --dry-run even when a key is set", async () => {
    const before = fake.requests.length;
    const run = await runGlance(["ask", diagram, "--prompt", "Describe it", "--dry-run"], environment);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(fake.requests.length, before);
    assert.match(run.stdout, /Request \(base64 elided\)/);
  });

  it("prints its usage on --help, to stdout, with success", async () => {
    const run = await runGlance(["--help"]);
    assert.equal(run.exitCode, 0);
    assert.match(run.stdout, /^Usage: glance <command>/);
    assert.equal(run.stderr, "");
  });

  it("answers bad input with one readable line and no stack trace", async () => {
    const tiny = join(workDirectory, "tiny.png");
    await sharp({ create: { width: 8, height: 8, channels: 3, background: "#ffffff" } })
      .png()
      .toFile(tiny);
    const fakePng = join(workDirectory, "notes.png");
    await writeFile(fakePng, "these are notes, not an image\n");
    const cases: Array<{ args: string[]; pattern: RegExp; exitCode: number }> = [
      {
        args: ["estimate", join(workDirectory, "missing.png")],
        pattern: /missing\.png: the file does not exist/,
        exitCode: 65,
      },
      {
        args: ["estimate", screenshot, "--model", "gpt-4o"],
        pattern: /Unknown model "gpt-4o".*qwen3\.5-plus.*qwen2\.5-vl-72b-instruct/,
        exitCode: 65,
      },
      { args: ["estimate", tiny], pattern: /tiny\.png: .*8.*10/, exitCode: 65 },
      { args: ["estimate", fakePng], pattern: /notes\.png/, exitCode: 65 },
      {
        args: ["estimate", screenshot, "--max-pixels", "lots"],
        pattern: /--max-pixels must be a number/,
        exitCode: 64,
      },
      { args: ["ask", screenshot], pattern: /ask needs a question/, exitCode: 64 },
      { args: ["frobnicate", screenshot], pattern: /Unknown command "frobnicate"/, exitCode: 64 },
    ];
    for (const { args, pattern, exitCode } of cases) {
      const run = await runGlance(args);
      assert.equal(run.exitCode, exitCode, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, pattern, args.join(" "));
      assertNoStackTrace(run.stderr);
    }
  });
});
