import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFile, cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { estimateImageTokens } from "@glance/core";
import sharp from "sharp";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";
import { bmpImage, truncatedJpg, truncatedPng } from "../support/media-factory.js";
import { glanceBin, repositoryRoot, runGlance, runProgram } from "../support/run-glance.js";

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
    // The plan comes from the file's header: the image is named, not encoded.
    assert.match(run.stdout, /"url": "<[^"]*settings-screen\.png: prepared and sent as base64 with the request>"/);
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
    const cases: Array<{ args: string[]; environment?: Record<string, string>; pattern: RegExp; exitCode: number }> = [
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
      // Estimates read headers only, yet a cut-off file is still refused, by its structure.
      {
        args: ["estimate", await truncatedPng()],
        pattern: /truncated-screenshot\.png: the PNG file is truncated: the IDAT chunk at byte [\d,]+ needs/,
        exitCode: 65,
      },
      {
        args: ["ask", await truncatedJpg(), "--prompt", "What is it?", "--dry-run"],
        pattern: /truncated-photo\.jpg: the JPEG file is damaged: the end-of-image marker is missing/,
        exitCode: 65,
      },
      {
        args: ["estimate", screenshot, "--max-pixels", "lots"],
        pattern: /--max-pixels must be a number/,
        exitCode: 64,
      },
      { args: ["ask", screenshot], pattern: /ask needs a question/, exitCode: 64 },
      { args: ["frobnicate", screenshot], pattern: /Unknown command "frobnicate"/, exitCode: 64 },
      { args: [], pattern: /No command given\. Commands: estimate, ask, ocr, locate\./, exitCode: 64 },
      { args: ["estimate", screenshot, "--frobnicate"], pattern: /Unknown option '--frobnicate'/, exitCode: 64 },
      { args: ["ocr", screenshot, diagram], pattern: /ocr reads exactly one image, not 2/, exitCode: 64 },
      { args: ["locate", screenshot], pattern: /locate takes exactly two arguments/, exitCode: 64 },
      {
        // Checked before anything is sent, so a locate that cannot draw its picture costs nothing.
        args: ["locate", await bmpImage(), "the green half"],
        environment,
        pattern: /\.bmp: locate draws its boxes on the original, and BMP cannot be drawn on/,
        exitCode: 65,
      },
      {
        args: ["estimate", screenshot],
        environment: { DASHSCOPE_BASE_URL: "dashscope-intl.aliyuncs.com" },
        pattern: /DASHSCOPE_BASE_URL is "dashscope-intl\.aliyuncs\.com", but must be an http or https URL/,
        exitCode: 65,
      },
      {
        args: ["estimate", screenshot],
        environment: { DASHSCOPE_BASE_URL: "sk-0123456789abcdef" },
        pattern: /DASHSCOPE_BASE_URL is what looks like an API key/,
        exitCode: 65,
      },
    ];
    for (const { args, environment, pattern, exitCode } of cases) {
      const run = await runGlance(args, environment);
      const label = args.join(" ") || "(no arguments)";
      assert.equal(run.exitCode, exitCode, `${label}: ${run.stderr}`);
      assert.match(run.stderr, pattern, label);
      // Every failure is exactly one line, starting with the program's name.
      assert.match(run.stderr, /^glance: [^\n]+\n$/, label);
      assert.doesNotMatch(run.stderr, /sk-0123456789abcdef/, label);
    }
  });
});

/** The ways a user starts glance: the bin, npx and the root script, from wherever they are. */
describe("glance as an installed program", () => {
  const examples = join(repositoryRoot, "examples");
  const expectedTokens = estimateImageTokens({ model: "qwen3.5-plus", width: 1280, height: 800 }).tokens;
  // Package managers must not look for updates of themselves: the tests stay offline.
  const packageManagerEnvironment = { npm_config_update_notifier: "false" };
  let elsewhere: string;
  let fake: FakeModelStudio;

  before(async () => {
    fake = await startFakeModelStudio();
    elsewhere = await mkdtemp(join(tmpdir(), "glance-elsewhere-"));
    await mkdir(join(elsewhere, "shots"));
    await copyFile(screenshot, join(elsewhere, "shots", "screen.png"));
  });
  after(async () => {
    await fake.close();
    await rm(elsewhere, { recursive: true, force: true });
  });

  function estimatedFile(run: { exitCode: number; stdout: string; stderr: string }) {
    assert.equal(run.exitCode, 0, run.stderr);
    const result = JSON.parse(run.stdout.slice(run.stdout.indexOf("{"))) as {
      inputs: Array<{ file: string; tokens: number }>;
    };
    return result.inputs[0];
  }

  it("resolves relative paths, and writes locate's picture, in the directory it is run in", async () => {
    // As if started from an outer npm script elsewhere: its INIT_CWD must not redirect the paths.
    const run = await runGlance(
      ["estimate", "shots/screen.png", "--json"],
      { INIT_CWD: repositoryRoot, npm_lifecycle_event: "test" },
      elsewhere,
    );
    assert.deepEqual(estimatedFile(run), { ...estimatedFile(run), file: "shots/screen.png", tokens: expectedTokens });

    // locate's annotated copy goes beside the image, in the caller's directory too.
    fake.script(fakeSteps.answer('[{"bbox_2d": [250, 775, 360, 830], "label": "Save button"}]'));
    const located = await runGlance(
      ["locate", "shots/screen.png", "the save button"],
      { DASHSCOPE_API_KEY: fake.apiKey, DASHSCOPE_BASE_URL: fake.baseUrl },
      elsewhere,
    );
    assert.equal(located.exitCode, 0, located.stderr);
    assert.match(located.stderr, /^Wrote shots\/screen\.located\.png\./m);
    const metadata = await sharp(join(elsewhere, "shots", "screen.located.png")).metadata();
    assert.deepEqual([metadata.width, metadata.height], [1280, 800]);
  });

  it("resolves relative paths from a subdirectory of the repository", async () => {
    const estimate = await runGlance(["estimate", "settings-screen.png", "--json"], {}, examples);
    assert.equal(estimatedFile(estimate)?.tokens, expectedTokens);
    const missing = await runGlance(["estimate", "shots/screen.png"], {}, examples);
    assert.equal(missing.exitCode, 65);
    assert.equal(missing.stderr, "glance: shots/screen.png: the file does not exist.\n");
  });

  it("runs as npx glance from a subdirectory", async () => {
    // --no: never fetch a package of that name; the workspace's own bin must be found.
    const run = await runProgram("npx", ["--no", "glance", "estimate", "settings-screen.png", "--json"], {
      directory: examples,
      environment: packageManagerEnvironment,
    });
    assert.deepEqual(estimatedFile(run), {
      ...estimatedFile(run),
      file: "settings-screen.png",
      tokens: expectedTokens,
    });
  });

  it("runs as the root script, npm run glance and pnpm glance, from a subdirectory", async () => {
    const npm = await runProgram(
      "npm",
      ["run", "--silent", "glance", "--", "estimate", "settings-screen.png", "--json"],
      {
        directory: examples,
        environment: packageManagerEnvironment,
      },
    );
    assert.equal(estimatedFile(npm)?.tokens, expectedTokens);
    const pnpm = await runProgram(
      process.execPath,
      [
        join(repositoryRoot, "node_modules/pnpm/bin/pnpm.cjs"),
        "--silent",
        "glance",
        "estimate",
        "upload-pipeline.png",
        "--json",
      ],
      { directory: examples, environment: packageManagerEnvironment },
    );
    assert.equal(estimatedFile(pnpm)?.file, "upload-pipeline.png");
    const failed = await runProgram("npm", ["run", "--silent", "glance", "--", "estimate", "nothing-here.png"], {
      directory: examples,
      environment: packageManagerEnvironment,
    });
    assert.equal(failed.exitCode, 65);
    assert.match(failed.stderr, /^glance: nothing-here\.png: the file does not exist\.$/m);
  });

  it("says in one line how to set up when the build or the install is missing", async () => {
    const copy = await mkdtemp(join(tmpdir(), "glance-unbuilt-"));
    try {
      const cli = join(copy, "core", "cli");
      await cp(dirname(dirname(glanceBin)), cli, {
        recursive: true,
        filter: (source) => !/[\\/](dist|node_modules)$/.test(source),
      });
      const unbuilt = await runProgram(process.execPath, [join(cli, "bin", "glance.js"), "estimate", screenshot], {
        directory: copy,
      });
      assert.equal(unbuilt.exitCode, 1);
      assert.equal(unbuilt.stdout, "");
      assert.match(
        unbuilt.stderr,
        /^glance: the glance build is missing: \S+main\.js\. Set it up once, in \S+: npm run setup && npm run build\n$/,
      );
      assert.ok(unbuilt.stderr.includes(copy), unbuilt.stderr);

      // The CLI built, but the install that links it to core never ran.
      await cp(join(dirname(dirname(glanceBin)), "dist"), join(cli, "dist"), { recursive: true });
      const unlinked = await runProgram(process.execPath, [join(cli, "bin", "glance.js"), "estimate", screenshot], {
        directory: copy,
      });
      assert.equal(unlinked.exitCode, 1);
      assert.match(
        unlinked.stderr,
        /^glance: the glance build is missing: the link to @glance\/core .*npm run setup && npm run build\n$/,
      );
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it("stops quietly when the reader of its output goes away", async () => {
    const child = spawn(process.execPath, [glanceBin, "estimate", screenshot, "--json"], {
      cwd: examples,
      env: { PATH: process.env.PATH ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Like `glance estimate ... | head -c0`: the pipe is closed before glance writes to it.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const exitCode = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(stderr, "");
    assert.equal(exitCode, 0);
  });
});
