/*
 * The action bundle runs on every runner platform, not only Linux x64. A fresh bundle is built from
 * the sources (action/scripts/bundle.mjs, into a temporary directory, so this does not depend on the
 * committed action/dist being rebuilt) and checked three ways:
 * - it carries sharp's native binding and libvips for linux-x64, linux-arm64 and darwin-arm64, each
 *   for the right CPU, with the library where the binding's run-time search path looks for it;
 * - it reviews a pull request with the native binding of this machine;
 * - with this machine's native packages removed (what a Windows or Intel macOS runner sees: no native
 *   build for it), sharp falls back to its WebAssembly build by itself and the same review still runs,
 *   sending the model images of the same size.
 * - when GLANCE_TEST_ARM64_NODE names an arm64 Node under user-mode emulation (for example
 *   "qemu-aarch64 -L /usr/aarch64-linux-gnu /path/to/arm64/bin/node", see the README's packaging notes),
 *   the same review runs on Linux arm64 with the linux-arm64 binding; skipped, saying so, without it.
 * Which binding served each run is read from the child's require cache by a preload script (test-only
 * instrumentation passed through NODE_OPTIONS); the action has no switch of its own for this.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cp, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { pullRequestEvent } from "../fakes/github.js";
import { runAction, runDetails } from "../support/run-action.js";
import {
  baseSha,
  diagramSvg,
  headSha,
  pullRequest,
  reviewAnswer,
  type Scenario,
  screenPng,
  startScenario,
} from "./action-scenario.js";

const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));
const hostPlatform = `${process.platform}-${process.arch}`;
let scenario: Scenario;
let scratch: string;
let nativeCheckout: string;
let webAssemblyCheckout: string;

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), "glance-sharp-platforms-"));
  nativeCheckout = join(scratch, "native");
  execFileSync(
    process.execPath,
    [
      join(repositoryRoot, "action/scripts/bundle.mjs"),
      "--outdir",
      join(nativeCheckout, "action/dist"),
      "--notices",
      join(scratch, "THIRD-PARTY-NOTICES.md"),
    ],
    { stdio: "ignore" },
  );
  await cp(join(repositoryRoot, "action.yml"), join(nativeCheckout, "action.yml"));
  webAssemblyCheckout = join(scratch, "webassembly");
  await cp(nativeCheckout, webAssemblyCheckout, { recursive: true });
  for (const name of [`sharp-${hostPlatform}`, `sharp-libvips-${hostPlatform}`]) {
    await rm(join(webAssemblyCheckout, "action/dist/node_modules/@img", name), { recursive: true, force: true });
  }
  await writeFile(
    join(scratch, "report-sharp-binding.cjs"),
    `process.on("exit", () => {
  const binding = Object.keys(require.cache).find((path) => /@img[\\\\/]sharp-(wasm32|[a-z]+-[a-z0-9]+)[\\\\/]/.test(path) && !/sharp-libvips/.test(path));
  process.stderr.write("sharp binding: " + (binding === undefined ? "none" : binding.replace(/.*@img[\\\\/]/, "").split(/[\\\\/]/)[0]) + "\\n");
});
`,
  );
  scenario = await startScenario();
});
after(async () => {
  await scenario?.close();
  await rm(scratch, { recursive: true, force: true });
});

interface Binary {
  format: "elf" | "mach-o";
  cpu: "x64" | "arm64" | "other";
}

/** The object format and CPU of a native library, from its header. */
function binaryOf(path: string): Binary {
  const header = readFileSync(path).subarray(0, 20);
  if (header.readUInt32BE(0) === 0x7f454c46) {
    // ELF: e_machine at offset 18 (62 x86-64, 183 AArch64), little-endian for both.
    const machine = header.readUInt16LE(18);
    return { format: "elf", cpu: machine === 62 ? "x64" : machine === 183 ? "arm64" : "other" };
  }
  if (header.readUInt32LE(0) === 0xfeedfacf) {
    // 64-bit Mach-O: cputype at offset 4 (0x0100000c ARM64, 0x01000007 x86-64).
    const cpu = header.readUInt32LE(4);
    return { format: "mach-o", cpu: cpu === 0x0100000c ? "arm64" : cpu === 0x01000007 ? "x64" : "other" };
  }
  throw new Error(`${path} is neither ELF nor 64-bit Mach-O`);
}

const shipped = [
  { platform: "linux-x64", format: "elf", cpu: "x64", library: "libvips-cpp.so.8", origin: "$ORIGIN" },
  { platform: "linux-arm64", format: "elf", cpu: "arm64", library: "libvips-cpp.so.8", origin: "$ORIGIN" },
  { platform: "darwin-arm64", format: "mach-o", cpu: "arm64", library: "libvips-cpp.8", origin: "@loader_path" },
] as const;

for (const { platform, format, cpu, library, origin } of shipped) {
  test(`the bundle carries sharp's native ${platform} binding and the libvips it loads`, async () => {
    const modules = join(nativeCheckout, "action/dist/node_modules/@img");
    const bindingDirectory = join(modules, `sharp-${platform}/lib`);
    const bindings = (await readdir(bindingDirectory)).filter((file) => file.endsWith(".node"));
    assert.equal(bindings.length, 1, `one binding in ${bindingDirectory}`);
    const bindingPath = join(bindingDirectory, bindings[0] ?? "");
    assert.deepEqual(binaryOf(bindingPath), { format, cpu });

    const libraryDirectory = join(modules, `sharp-libvips-${platform}/lib`);
    const libraries = (await readdir(libraryDirectory)).filter((file) => file.startsWith(library));
    assert.equal(libraries.length, 1, `one ${library}* in ${libraryDirectory}`);
    const libraryName = libraries[0] ?? "";
    assert.deepEqual(binaryOf(join(libraryDirectory, libraryName)), { format, cpu });

    // The binding names that library and searches for it first beside its own package, which is
    // where the bundle puts it: the dynamic loader of that runner finds it without an install.
    const bindingText = readFileSync(bindingPath).toString("latin1");
    assert.ok(bindingText.includes(libraryName), `${bindings[0]} links ${libraryName}`);
    const searchPath = `${origin}/../../sharp-libvips-${platform}/lib`;
    assert.ok(bindingText.includes(searchPath), `${bindings[0]} searches ${searchPath}`);
    assert.equal(resolve(bindingDirectory, searchPath.replace(origin, ".")), libraryDirectory);
  });
}

test("the bundle carries sharp's WebAssembly build for every other platform", () => {
  const wasm = join(nativeCheckout, "action/dist/node_modules/@img/sharp-wasm32");
  assert.ok(existsSync(join(wasm, "package.json")));
  assert.ok(existsSync(join(nativeCheckout, "action/dist/node_modules/@emnapi/runtime/package.json")));
  const module = readFileSync(join(wasm, "lib", "sharp-wasm32-0.35.5.node.wasm")).subarray(0, 4);
  assert.deepEqual([...module], [0x00, 0x61, 0x73, 0x6d], "a WebAssembly module");
  // Other platforms' native packages are installed for development but never shipped.
  assert.equal(existsSync(join(nativeCheckout, "action/dist/node_modules/@img/sharp-darwin-x64")), false);
});

/** Reviews a modified screenshot and an added SVG with the bundle in `checkout`. */
async function reviewWith(checkout: string, pullNumber: number, runtime?: string[]) {
  const { github, model } = scenario;
  const pull = pullRequest({
    number: pullNumber,
    files: [
      { filename: "docs/screens/home.png", status: "modified" },
      { filename: "docs/flow.svg", status: "added" },
    ],
  });
  github.addPullRequest(pull);
  github.setFile(baseSha, "docs/screens/home.png", await screenPng("Home", { width: 1280, height: 800 }));
  github.setFile(headSha, "docs/screens/home.png", await screenPng("Home page", { width: 1280, height: 800 }));
  github.setFile(headSha, "docs/flow.svg", diagramSvg("Upload"));
  const requestsBefore = model.requests.length;
  model.script(
    reviewAnswer("Home heading changed.", [{ severity: "low", title: "Heading wraps", detail: "Tight." }]),
    reviewAnswer("Upload flow.", [], "diagram"),
  );
  const result = await runAction({
    entry: join(checkout, "action/dist/index.js"),
    cwd: checkout,
    inputs: {
      "api-key": model.apiKey,
      "base-url": model.baseUrl,
      "github-token": github.token,
      concurrency: "1",
    },
    event: pullRequestEvent(github, pull),
    repository: `${github.owner}/${github.repo}`,
    apiUrl: github.apiUrl,
    serverUrl: github.serverUrl,
    environment: { NODE_OPTIONS: `--require ${join(scratch, "report-sharp-binding.cjs")}` },
    ...(runtime === undefined ? {} : { runtime }),
  });
  assert.equal(result.exitCode, 0, runDetails(result));
  const requests = model.requests.slice(requestsBefore);
  assert.equal(requests.length, 2, runDetails(result));
  assert.equal(github.comments(pullNumber).length, 1);
  assert.match(github.comments(pullNumber)[0]?.body ?? "", /Heading wraps/);
  const binding = /sharp binding: (\S+)/.exec(result.stderr)?.[1];
  return { binding, images: requests.map((request) => pngSizesOf(JSON.stringify(request.body))) };
}

/** Width x height of every base64 PNG in a request body, from the IHDR chunk. */
function pngSizesOf(body: string): string[] {
  return [...body.matchAll(/data:image\/png;base64,([A-Za-z0-9+/=]+)/g)].map((match) => {
    const png = Buffer.from(match[1] ?? "", "base64");
    return `${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`;
  });
}

let nativeImages: string[][] | undefined;

test("a review runs with this runner's native binding", async () => {
  const native = await reviewWith(nativeCheckout, 21);
  assert.equal(native.binding, `sharp-${hostPlatform}`);
  assert.ok(native.images.flat().length >= 3, JSON.stringify(native.images));
  nativeImages = native.images;
});

test("a review runs through sharp's WebAssembly build where no native binding ships", async () => {
  const webAssembly = await reviewWith(webAssemblyCheckout, 22);
  assert.equal(webAssembly.binding, "sharp-wasm32");
  // The same images reach the model, at the same sizes, whichever build prepared them.
  assert.deepEqual(webAssembly.images, nativeImages);
});

test("the WebAssembly build draws no SVG text (why index.ts warns on runners without a native build)", () => {
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="120"><rect width="100%" height="100%" fill="#fff"/><text x="20" y="70" font-family="DejaVu Sans, sans-serif" font-size="32">Upload</text></svg>';
  // In a child process of its own: one process should not load two builds of libvips.
  const darkest = (checkout: string) =>
    Number(
      execFileSync(
        process.execPath,
        [
          "-e",
          "require(process.argv[1])(Buffer.from(process.argv[2])).stats().then((stats) => process.stdout.write(String(stats.channels[0].min)))",
          join(checkout, "action/dist/node_modules/sharp"),
          svg,
        ],
        { encoding: "utf8" },
      ),
    );
  assert.equal(darkest(nativeCheckout), 0, "the native build draws the black text");
  assert.equal(darkest(webAssemblyCheckout), 255, "the WebAssembly build leaves the image white");
});

const arm64Node = process.env.GLANCE_TEST_ARM64_NODE?.split(" ").filter((part) => part !== "");
test("a review runs on Linux arm64 with the linux-arm64 binding (emulated)", {
  skip:
    arm64Node === undefined || arm64Node.length === 0
      ? "GLANCE_TEST_ARM64_NODE is not set: no arm64 Node to run the bundle with"
      : false,
  timeout: 600_000,
}, async () => {
  const arm64 = await reviewWith(nativeCheckout, 23, arm64Node);
  assert.equal(arm64.binding, "sharp-linux-arm64");
  assert.deepEqual(arm64.images, nativeImages);
});
