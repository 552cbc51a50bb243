#!/usr/bin/env node
/*
 * Builds the committed action bundle: action/src/index.ts -> action/dist/index.js (+ chunks), ESM for
 * Node 20+, with every JavaScript dependency inlined (the Qwen tokenizer included). Native and
 * lazily required packages cannot be inlined, so they and their runtime dependency closure are
 * copied into action/dist/node_modules, resolved from the pnpm store by walking package.json
 * dependencies and optionalDependencies that exist on disk (sharp's linux-x64 binaries). A plain
 * checkout of the repository at a commit then runs with no install step.
 *
 * Usage: node action/scripts/bundle.mjs [--outdir DIR]   (default action/dist)
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const actionDirectory = fileURLToPath(new URL("../", import.meta.url));
const coreDirectory = resolve(actionDirectory, "../core");
const outdirFlag = process.argv.indexOf("--outdir");
const outdir = resolve(outdirFlag === -1 ? join(actionDirectory, "dist") : (process.argv[outdirFlag + 1] ?? ""));

/** Packages that stay outside the bundle: native binaries, or required at runtime by a computed name. */
const copiedPackages = ["sharp", "heic-decode", "bmp-js"];
/** Never loaded by the action (video only): left out of the bundle and not shipped. */
const unusedExternals = ["@ffmpeg-installer/ffmpeg", "@ffprobe-installer/ffprobe"];

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

await build({
  // Paths in the bundle's comments are relative to this: fixed, so the output never depends on the cwd.
  absWorkingDir: resolve(actionDirectory, ".."),
  entryPoints: [join(actionDirectory, "src/index.ts")],
  outdir,
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20",
  conditions: ["glance-source"],
  external: [...copiedPackages, ...unusedExternals],
  chunkNames: "chunks/[name]-[hash]",
  legalComments: "eof",
  logLevel: "warning",
  // CommonJS dependencies inside an ESM bundle call require(); give them one.
  banner: {
    js: 'import { createRequire as __glanceCreateRequire } from "node:module"; const require = __glanceCreateRequire(import.meta.url);',
  },
});

// The bundle is ESM; a clean checkout has no package.json above action/dist to say so.
writeFileSync(join(outdir, "package.json"), `${JSON.stringify({ type: "module", private: true }, null, 2)}\n`);

const copied = new Map();
for (const name of copiedPackages) {
  copyWithDependencies(name, coreDirectory);
}
const total = directorySize(outdir);
console.log(
  `Built ${relative(process.cwd(), outdir) || "."}: ${(total / 1024 / 1024).toFixed(1)} MB, copied ${[...copied.keys()].sort().join(", ")}`,
);

/** Node's lookup: <dir>/node_modules/<name>, then each parent directory's. */
function findPackage(name, fromDirectory) {
  for (let directory = fromDirectory; ; directory = dirname(directory)) {
    const candidate = join(directory, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) {
      return realpathSync(candidate);
    }
    if (dirname(directory) === directory) {
      return undefined;
    }
  }
}

function copyWithDependencies(name, fromDirectory) {
  if (copied.has(name)) {
    return;
  }
  const source = findPackage(name, fromDirectory);
  if (source === undefined) {
    throw new Error(`${name} is not installed (looked from ${fromDirectory}); run pnpm install first.`);
  }
  copied.set(name, source);
  cpSync(source, join(outdir, "node_modules", name), {
    recursive: true,
    dereference: true,
    filter: (path) => {
      const base = basename(path);
      const inside = relative(source, path);
      if (inside === "") return true;
      // Nested node_modules are the store's links to dependencies: copied as packages of their own.
      if (base === "node_modules" || base.endsWith(".map")) return false;
      if (inside === "test" || inside === "tests" || inside === "docs") return false;
      // sharp's C++ sources are only needed to compile it, never at runtime.
      if (name === "sharp" && inside === "src") return false;
      return true;
    },
  });
  const manifest = JSON.parse(readFileSync(join(source, "package.json"), "utf8"));
  const dependencies = [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
  ];
  for (const dependency of dependencies) {
    // Optional dependencies of other platforms are simply not on disk.
    if (findPackage(dependency, source) !== undefined) {
      copyWithDependencies(dependency, source);
    }
  }
}

function directorySize(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.size;
  let size = 0;
  for (const entry of readdirSync(path)) size += directorySize(join(path, entry));
  return size;
}
