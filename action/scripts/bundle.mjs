#!/usr/bin/env node
/*
 * Builds the committed action bundle: action/src/index.ts -> action/dist/index.js (+ chunks), ESM for
 * Node 20+, with every JavaScript dependency inlined (the Qwen tokenizer included). Native and
 * lazily required packages cannot be inlined, so they and their runtime dependency closure are
 * copied into action/dist/node_modules, resolved from the pnpm store by walking package.json
 * dependencies. A plain checkout of the repository at a commit then runs with no install step.
 *
 * sharp's native code ships for the runners teams use (see shippedPlatforms below), and sharp's
 * WebAssembly build for every other platform: sharp's own loader tries the native package of the
 * platform it runs on and falls back to @img/sharp-wasm32 when that is not there. pnpm-workspace.yaml's
 * supportedArchitectures makes every developer's install hold all of them, whatever machine it runs on.
 *
 * It also writes THIRD-PARTY-NOTICES.md (third-party-notices.mjs) from the metadata of every package
 * the bundle inlines or copies; check-dist.mjs compares both with a fresh build.
 *
 * Usage: node action/scripts/bundle.mjs [--outdir DIR] [--notices FILE]
 *        (defaults action/dist and THIRD-PARTY-NOTICES.md at the repository root)
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
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { thirdPartyNotices } from "./third-party-notices.mjs";

const actionDirectory = fileURLToPath(new URL("../", import.meta.url));
const coreDirectory = resolve(actionDirectory, "../core");
const repositoryDirectory = resolve(actionDirectory, "..");
const outdir = resolve(flag("--outdir") ?? join(actionDirectory, "dist"));
const noticesFile = resolve(flag("--notices") ?? join(repositoryDirectory, "THIRD-PARTY-NOTICES.md"));

function flag(name) {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : (process.argv[index + 1] ?? "");
}

/** Packages that stay outside the bundle: native binaries, or required at runtime by a computed name. */
const copiedPackages = ["sharp", "heic-decode", "bmp-js"];
/**
 * sharp's native packages (its binding and libvips) for these runners: GitHub's ubuntu-latest and
 * ubuntu-24.04-arm, and macos-latest (Apple silicon). Measured with measure-sharp-builds.mjs (README, "How
 * it is packaged"): the WebAssembly build took about twice as long to scale screenshots and photos, so the
 * runners most teams use get native code (18.5 MB each) and the rest the WebAssembly build (9.3 MB).
 */
const shippedPlatforms = ["linux-x64", "linux-arm64", "darwin-arm64"];
/** Every other platform (Windows, macOS on Intel, Alpine): sharp falls back to this by itself. */
const webAssemblyPackages = ["@img/sharp-wasm32"];
/** Optional dependencies that are copied; other platforms' packages are on disk too but not shipped. */
const shippedOptionalPackages = new Set([
  ...shippedPlatforms.flatMap((platform) => [`@img/sharp-${platform}`, `@img/sharp-libvips-${platform}`]),
  ...webAssemblyPackages,
]);
/**
 * Packages of which only some files are ever loaded: heic-decode requires libheif-js/wasm-bundle, so
 * libheif's other two builds (asm.js, and WebAssembly in a separate file) stay out: 6.5 MB less.
 */
const keptFiles = {
  "libheif-js": [
    "package.json",
    "LICENSE",
    "README.md",
    "wasm-bundle.js",
    "libheif-wasm/libheif-bundle.js",
    "libheif-wasm/LICENSE",
  ],
};
/** Never loaded by the action (video only): left out of the bundle and not shipped. */
const unusedExternals = ["@ffmpeg-installer/ffmpeg", "@ffprobe-installer/ffprobe"];

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const { metafile } = await build({
  // Paths in the bundle's comments are relative to this: fixed, so the output never depends on the cwd.
  absWorkingDir: resolve(actionDirectory, ".."),
  entryPoints: [
    { in: join(actionDirectory, "src/index.ts"), out: "index" },
    // core decodes BMP and HEIC in a worker thread, started from its own file: bundled here as an entry
    // point of its own, dist/media-decode-worker.js, where core looks for it (media-decode-in-worker.ts).
    { in: join(coreDirectory, "src/internal/media-decode-worker.js"), out: "media-decode-worker" },
    // Text tokens are counted in a worker thread too (text-tokens.ts), started from dist/text-token-worker.js.
    { in: join(coreDirectory, "src/estimation/text-token-worker.js"), out: "text-token-worker" },
  ],
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
  // Which packages were inlined, for the third-party notices.
  metafile: true,
  // CommonJS dependencies inside an ESM bundle call require(); give them one.
  banner: {
    js: 'import { createRequire as __glanceCreateRequire } from "node:module"; const require = __glanceCreateRequire(import.meta.url);',
  },
});

// The bundle is ESM; a clean checkout has no package.json above action/dist to say so.
writeFileSync(
  join(outdir, "package.json"),
  `${JSON.stringify({ type: "module", private: true, license: "Apache-2.0" }, null, 2)}\n`,
);

const copied = new Map();
for (const name of copiedPackages) {
  copyWithDependencies(name, coreDirectory);
}
// Not a dependency of sharp itself (only of its FreeBSD and WebContainers packages): the action lists it.
for (const name of webAssemblyPackages) {
  copyWithDependencies(name, actionDirectory);
}
for (const name of shippedOptionalPackages) {
  if (!copied.has(name)) {
    throw new Error(
      `${name} is not installed, so the bundle would not run on every supported runner: run npx pnpm@10.34.8 install (pnpm-workspace.yaml's supportedArchitectures fetches every platform).`,
    );
  }
}

const inlinedFiles = Object.keys(metafile.inputs).map((input) => resolve(repositoryDirectory, input));
writeFileSync(noticesFile, thirdPartyNotices({ inlinedFiles, copiedPackages: [...copied.values()] }));

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
      const kept = keptFiles[name];
      if (kept !== undefined) {
        const insidePosix = inside.split(sep).join("/");
        return kept.some((file) => file === insidePosix || file.startsWith(`${insidePosix}/`));
      }
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
    // Optional dependencies are other platforms' binaries: only the shipped ones are copied.
    ...Object.keys(manifest.optionalDependencies ?? {}).filter((dependency) => shippedOptionalPackages.has(dependency)),
  ];
  for (const dependency of dependencies) {
    copyWithDependencies(dependency, source);
  }
}

function directorySize(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.size;
  let size = 0;
  for (const entry of readdirSync(path)) size += directorySize(join(path, entry));
  return size;
}
