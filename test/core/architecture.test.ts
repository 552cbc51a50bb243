import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

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

  it("names files in kebab case", () => {
    for (const file of [...library, ...sourceFiles("core/cli"), ...sourceFiles("test")]) {
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

  it("reaches core only through its index from the CLI and the tests", () => {
    for (const file of [...sourceFiles("core/cli"), ...sourceFiles("test")]) {
      const text = readFileSync(join(root, file), "utf8");
      assert.doesNotMatch(text, /from "(@glance\/core\/|[./]+\/core\/(src|dist))/, `${file} imports core's internals`);
    }
  });
});
