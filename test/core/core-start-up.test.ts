import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "node:test";
import { repositoryRoot } from "../support/run-glance.js";

/*
 * Loading core must not load what only some commands use: the OpenAI SDK (a request) and undici (a
 * download) are loaded when first used, so `glance estimate` and the dry runs start without them
 * (together about 120 ms of a 300 ms run on 200 files). The built core is loaded in a fresh Node with
 * a resolve hook that lists every package the process loads.
 */
const hook = `data:text/javascript,${encodeURIComponent(`
import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(\`
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  const match = /.*node_modules\\\\/((?:@[^/]+\\\\/)?[^/]+)\\\\//.exec(resolved.url);
  if (match) process.stderr.write("package " + match[1] + "\\\\n");
  return resolved;
}\`));
`)}`;

function packagesLoadedBy(script: string): Promise<Set<string>> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", hook, "--input-type=module", "-e", script],
      { cwd: join(repositoryRoot, "core", "cli") },
      (error, _stdout, stderr) => {
        if (error !== null) {
          reject(new Error(`${error.message}\n${stderr}`));
          return;
        }
        resolve(new Set([...stderr.matchAll(/^package (\S+)$/gm)].map((match) => match[1] ?? "")));
      },
    );
  });
}

describe("core start-up", () => {
  test("importing core and estimating an image loads neither the OpenAI SDK nor undici", async () => {
    const packages = await packagesLoadedBy(`
      const core = await import("@glance/core");
      await core.estimateMedia(${JSON.stringify(join(repositoryRoot, "examples", "settings-screen.png"))}, { model: core.defaultModel });
      core.createGlanceClient({ apiKey: "sk-test", region: "intl" });
    `);
    assert.ok(packages.has("sharp"), `the hook saw no packages: ${[...packages].join(", ")}`);
    assert.ok(!packages.has("openai"), "the OpenAI SDK was loaded at start-up");
    assert.ok(!packages.has("undici"), "undici was loaded at start-up");
  });

  test("the SDK and undici are loaded when first used", async () => {
    const packages = await packagesLoadedBy(`
      const core = await import("@glance/core");
      const client = core.createGlanceClient({ apiKey: "sk-test", baseUrl: "http://127.0.0.1:9/v1", maxRetries: 0 });
      const request = await core.buildChatRequest({ model: core.defaultModel, prompt: "hi", inputs: [] });
      await client.complete(request).catch(() => undefined);
      await core.downloadUntrusted("http://127.0.0.1:9/x.png", { maxBytes: 10 }).catch(() => undefined);
    `);
    assert.ok(packages.has("openai"), [...packages].join(", "));
    assert.ok(packages.has("undici"), [...packages].join(", "));
  });
});

describe("text tokenizer", () => {
  function countIn(
    thread: "main" | "worker",
  ): Promise<{ grew: number; tokens: number; loaded: boolean; vocabularySize: number }> {
    const script = `
      const core = await import("@glance/core");
      const heap = () => process.memoryUsage().heapUsed / 1048576;
      const before = heap();
      await core.warmTextTokenizer({ thread: ${JSON.stringify(thread)} });
      const tokens = await core.countTextTokens("Review this settings screen: what looks wrong?");
      globalThis.gc?.();
      const info = core.textTokenizerInfo();
      process.stdout.write(JSON.stringify({ grew: heap() - before, tokens, loaded: info.loaded, vocabularySize: info.vocabularySize }));
    `;
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        ["--expose-gc", "--input-type=module", "-e", script],
        { cwd: join(repositoryRoot, "core", "cli") },
        (error, stdout, stderr) =>
          error === null ? resolve(JSON.parse(stdout)) : reject(new Error(`${error.message}\n${stderr}`)),
      );
    });
  }

  test("in a worker thread, it counts as on the main thread, and the main thread's heap does not hold the vocabulary", async () => {
    const [main, worker] = await Promise.all([countIn("main"), countIn("worker")]);
    assert.equal(worker.tokens, main.tokens);
    assert.equal(worker.tokens, 9);
    assert.ok(worker.loaded && main.loaded);
    assert.equal(worker.vocabularySize, main.vocabularySize);
    assert.ok(worker.vocabularySize > 150_000, String(worker.vocabularySize));
    // On the main thread the vocabulary takes about 60 MB of its heap.
    assert.ok(main.grew > 30, `main thread heap grew by ${main.grew.toFixed(0)} MB`);
    assert.ok(worker.grew < 20, `the main thread's heap grew by ${worker.grew.toFixed(0)} MB with the worker`);
  });
});
