import { readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { defaultModel, estimateMedia } from "@glance/core";
import sharp from "sharp";

const files = readdirSync("/tmp/est200").map((f) => `/tmp/est200/${f}`);
const keep = process.argv[2] === "keep";
for (let r = 0; r < 4; r++) {
  let t = performance.now();
  for (const f of files) await estimateMedia(f, { model: defaultModel, keepOriginalWhenAccepted: keep });
  const a = performance.now() - t;
  t = performance.now();
  for (const f of files) await readFile(f);
  const b = performance.now() - t;
  t = performance.now();
  for (const f of files) readFileSync(f);
  const c = performance.now() - t;
  t = performance.now();
  for (const f of files) await sharp(readFileSync(f)).metadata();
  const d = performance.now() - t;
  console.log(
    `estimate ${a.toFixed(0)} readFile ${b.toFixed(0)} readFileSync ${c.toFixed(0)} sharp(buf) ${d.toFixed(0)}`,
  );
}
