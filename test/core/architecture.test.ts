import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { defaultModel, modelFamilies } from "@glance/core";

/* The shape rules of the repository, checked on the sources so a change that breaks them fails CI. */
const root = fileURLToPath(new URL("../../", import.meta.url));

function sourceFiles(directory: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(root, directory), { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "dist" || entry.name.startsWith(".")) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...sourceFiles(path));
    else if (entry.name.endsWith(".ts")) found.push(path);
  }
  return found;
}

describe("repository shape", () => {
  const library = sourceFiles("core/src");

  it("keeps core free of the environment and of the adapters' SDKs", () => {
    assert.ok(library.length > 20);
    for (const file of library) {
      const text = readFileSync(join(root, file), "utf8");
      assert.doesNotMatch(text, /process\.env/, `${file} reads process.env`);
      assert.doesNotMatch(text, /from "@(actions|slack)\//, `${file} imports an adapter SDK`);
    }
  });

  it("lets only the action's entry point read the runner: inputs, environment, event and toolkit", () => {
    const entry = join("action", "src", "index.ts");
    const action = sourceFiles("action/src");
    assert.ok(action.includes(entry) && action.length > 20);
    for (const file of action.filter((path) => path !== entry)) {
      const text = readFileSync(join(root, file), "utf8");
      assert.doesNotMatch(text, /process\.env/, `${file} reads process.env; index.ts passes what it needs`);
      assert.doesNotMatch(
        text,
        /(from |import\()"@actions\//,
        `${file} imports the Actions toolkit; only index.ts may (the review takes a Runner)`,
      );
    }
  });

  it("lets only the entry points of the Slack app, its health probe and the CLI read the environment", () => {
    // Config is validated once at the edge; everything after takes typed values, so tests can pass their own.
    // The container's HEALTHCHECK (bot/src/health/probe.ts) is a program of its own, with its own edge.
    const entries = new Set([
      join("bot", "src", "index.ts"),
      join("bot", "src", "health", "probe.ts"),
      join("core", "cli", "main.ts"),
    ]);
    const files = [...sourceFiles("bot/src"), ...sourceFiles("core/cli")];
    assert.ok(files.some((file) => entries.has(file)));
    for (const file of files.filter((path) => !entries.has(path))) {
      // Comments may name process.env; code may not.
      const code = readFileSync(join(root, file), "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      assert.doesNotMatch(code, /process\.env/, `${file} reads process.env; its entry point passes what it needs`);
    }
  });

  it("names files in kebab case in every package", () => {
    const everyPackage = ["core/src", "core/cli", "action/src", "bot/src", "test"].flatMap(sourceFiles);
    for (const file of everyPackage) {
      const name = relative(root, file).split("/").at(-1) ?? "";
      assert.match(name, /^[a-z0-9]+(-[a-z0-9]+)*(\.test)?\.ts$/, `${file} is not kebab-case`);
    }
  });

  it("leaves redirects and name resolution of downloads to core's downloader", () => {
    // Following redirects by hand or resolving names outside downloadUntrusted would skip its per-hop
    // checks and its pinned address (the DNS-rebinding defence).
    const adapters = [...sourceFiles("action/src"), ...sourceFiles("bot/src"), ...sourceFiles("core/cli")];
    assert.ok(adapters.length > 20);
    for (const file of adapters) {
      const text = readFileSync(join(root, file), "utf8");
      assert.doesNotMatch(text, /\bfetch\w*\([^;]*redirect:\s*["']manual["']/s, `${file} follows redirects by hand`);
      assert.doesNotMatch(text, /["'](?:node:)?dns(?:\/promises)?["']/, `${file} imports node:dns`);
    }
  });

  it("reaches core only through its index from the CLI, the adapters and the tests", () => {
    const adapters = [...sourceFiles("action/src"), ...sourceFiles("bot/src")];
    assert.ok(adapters.length > 20);
    for (const file of [...sourceFiles("core/cli"), ...adapters, ...sourceFiles("test")]) {
      const text = readFileSync(join(root, file), "utf8");
      assert.doesNotMatch(text, /from "(@glance\/core\/|[./]+\/core\/(src|dist))/, `${file} imports core's internals`);
      assert.doesNotMatch(text, /import\(\s*"(@glance\/core\/|[./]+\/core\/)/, `${file} imports core's internals`);
    }
    for (const file of adapters) {
      const text = readFileSync(join(root, file), "utf8");
      // Relative paths into core (its sources, its build, its CLI) and deep package paths are both refused.
      for (const match of text.matchAll(/(?:from|import\()\s*"([^"]+)"/g)) {
        const specifier = match[1] ?? "";
        const intoCore =
          specifier.startsWith("@glance/core/") || (specifier.startsWith(".") && /\/core(\/|$)/.test(specifier));
        assert.ok(!intoCore, `${file} imports ${specifier}; use "@glance/core"`);
      }
    }
  });

  it("keeps model knowledge in core: the adapters name no model, family or series", () => {
    // Every name the catalogue knows, plus the vendor's prefixes so a model added later is caught too.
    const names = new Set(modelFamilies.flatMap((family) => [family.family, family.series, ...family.names]));
    for (const file of [...sourceFiles("action/src"), ...sourceFiles("bot/src")]) {
      const text = readFileSync(join(root, file), "utf8");
      assert.doesNotMatch(text, /qwen|qvq/i, `${file} names a model; move that knowledge into core`);
      for (const name of names) {
        assert.ok(!text.includes(name), `${file} names ${name}; move that knowledge into core`);
      }
    }
  });

  it("documents core's default model in action.yml and leaves the default itself to core", () => {
    const manifest = readFileSync(join(root, "action.yml"), "utf8");
    const modelInput = /^ {2}model:\n((?: {4}.*\n)+)/m.exec(manifest)?.[1];
    assert.ok(modelInput !== undefined, "action.yml declares the model input");
    // YAML does not need a literal default: an input left out arrives as "", and the config applies core's.
    assert.doesNotMatch(modelInput, /^ {4}default:/m);
    assert.match(modelInput, new RegExp(`default model, ${defaultModel.replace(/\./g, "\\.")}\\.`));
  });
});
