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

  it("names files in kebab case", () => {
    for (const file of [...library, ...sourceFiles("core/cli"), ...sourceFiles("test")]) {
      const name = relative(root, file).split("/").at(-1) ?? "";
      assert.match(name, /^[a-z0-9]+(-[a-z0-9]+)*(\.test)?\.ts$/, `${file} is not kebab-case`);
    }
  });

  it("reaches core only through its index from the CLI and the tests", () => {
    for (const file of [...sourceFiles("core/cli"), ...sourceFiles("test")]) {
      const text = readFileSync(join(root, file), "utf8");
      assert.doesNotMatch(text, /from "(@glance\/core\/|[./]+\/core\/(src|dist))/, `${file} imports core's internals`);
    }
  });
});
