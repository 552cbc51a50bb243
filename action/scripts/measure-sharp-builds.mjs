#!/usr/bin/env node
/*
 * Measures the two ways the action bundle can run sharp on this machine: its native build, and its
 * WebAssembly build (a copy of the bundle's node_modules without this platform's native packages,
 * which is what a runner without a native build gets). Each round runs both in fresh processes, one
 * after the other, on the same inputs: rasterizing a 4K SVG, scaling a 4K PNG screenshot to the size
 * the model uses, and scaling a 12-megapixel JPEG photo; prints the medians as a Markdown table. The
 * numbers back the choice in bundle.mjs (native builds for the common runners, WebAssembly elsewhere).
 *
 * Usage: node action/scripts/measure-sharp-builds.mjs [--dist DIR] [--rounds N]   (default action/dist, 3)
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const actionDirectory = fileURLToPath(new URL("../", import.meta.url));
const distFlag = process.argv.indexOf("--dist");
const roundsFlag = process.argv.indexOf("--rounds");
const dist = resolve(distFlag === -1 ? join(actionDirectory, "dist") : (process.argv[distFlag + 1] ?? ""));
const rounds = roundsFlag === -1 ? 3 : Number(process.argv[roundsFlag + 1]);
const platform = `${process.platform}-${process.arch}`;

/** Runs in a child: loads sharp from the given node_modules and times each operation (median of 3). */
const probe = `
const { performance } = require("node:perf_hooks");
const modules = process.argv[1];
const started = performance.now();
const sharp = require(modules + "/sharp");
const load = performance.now() - started;
const binding = Object.keys(require.cache).find((path) => /@img[\\\\/]sharp-(wasm32|[a-z]+-[a-z0-9]+)[\\\\/]/.test(path) && !/libvips/.test(path));
(async () => {
  const rows = Array.from({ length: 60 }, (_, i) => '<text x="40" y="' + (60 + i * 34) + '" font-size="24" fill="#333">Row ' + i + ': a settings label and a value that is fairly long</text>').join("");
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="3840" height="2160"><rect width="3840" height="2160" fill="#f8fafc"/>' + rows + '<rect x="2400" y="300" width="1200" height="800" rx="24" fill="#1d4ed8"/></svg>');
  const median = async (operation) => { const times = []; for (let i = 0; i < 3; i++) { const s = performance.now(); await operation(); times.push(performance.now() - s); } return times.sort((a, b) => a - b)[1]; };
  const png = await sharp(svg).png().toBuffer();
  const photo = await sharp({ create: { width: 4032, height: 3024, channels: 3, noise: { type: "gaussian", mean: 128, sigma: 40 } } }).jpeg({ quality: 92 }).toBuffer();
  const result = {
    binding: binding === undefined ? "none" : binding.replace(/.*@img[\\\\/]/, "").split(/[\\\\/]/)[0],
    load,
    svg: await median(() => sharp(svg).png().toBuffer()),
    png: await median(() => sharp(png).resize(2144, 1184).png().toBuffer()),
    jpeg: await median(() => sharp(photo).rotate().resize(1856, 1376).jpeg({ quality: 85 }).toBuffer()),
  };
  process.stdout.write(JSON.stringify(result));
})();
`;

const scratch = mkdtempSync(join(tmpdir(), "glance-sharp-builds-"));
try {
  const webAssemblyModules = join(scratch, "node_modules");
  cpSync(join(dist, "node_modules"), webAssemblyModules, { recursive: true });
  for (const name of [`sharp-${platform}`, `sharp-libvips-${platform}`]) {
    rmSync(join(webAssemblyModules, "@img", name), { recursive: true, force: true });
  }
  const runs = { native: [], webAssembly: [] };
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, modules] of [
      ["native", join(dist, "node_modules")],
      ["webAssembly", webAssemblyModules],
    ]) {
      runs[name].push(JSON.parse(execFileSync(process.execPath, ["-e", probe, modules], { encoding: "utf8" })));
    }
  }
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const columns = [
    ["load", "load sharp"],
    ["svg", "rasterize a 4K SVG"],
    ["png", "scale a 4K PNG"],
    ["jpeg", "scale a 12 MP JPEG"],
  ];
  console.log(`| build | ${columns.map(([, title]) => `${title} ms`).join(" | ")} |`);
  console.log(`| --- | ${columns.map(() => "---").join(" | ")} |`);
  for (const [name, results] of Object.entries(runs)) {
    const binding = results[0]?.binding ?? "none";
    const cells = columns.map(([key]) => Math.round(median(results.map((result) => result[key]))));
    console.log(`| ${name} (${binding}) | ${cells.join(" | ")} |`);
  }
  console.log(`\n${rounds} rounds on ${platform}, Node ${process.version}; medians.`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
