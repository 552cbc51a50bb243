/*
 * The action benchmark's pull request: 30 modified 4K screenshots, each a before/after pair that
 * really differs. Both sides start from the media benchmark's 4K desktop screenshot (realistic
 * texture, so PNG decode and encode cost what they cost on real screenshots) with a notification
 * panel drawn on top; the "after" panel moves, grows and changes its text and colours, as a UI change
 * does. Each pair is distinct so that nothing can be deduplicated by content. Files are generated once
 * into os.tmpdir() and reused by later runs.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { screenshot4k } from "./bench-media.js";

/** Bump when the generator changes, so stale cached inputs are not reused. */
const cacheVersion = "v1";
const cacheDirectory = join(tmpdir(), `glance-bench-action-${cacheVersion}`);

export const screenshotPairCount = 30;

export interface ScreenshotPair {
  /** Repository path of the screenshot, the same on both sides (status "modified"). */
  path: string;
  before: Buffer;
  after: Buffer;
}

function panelSvg(index: number, side: "before" | "after"): string {
  const after = side === "after";
  const width = after ? 1180 : 1000;
  const height = after ? 340 : 280;
  const accent = after ? "#cf222e" : "#1f6feb";
  const title = after ? `Release 2.${index} is ready to deploy now` : `Release 1.${index} ready`;
  const detail = after
    ? `Deployment ${index} of ${screenshotPairCount}: 14 checks passed, 2 warnings, preview updated`
    : `Deployment ${index}: all checks passed`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
  <style>text { font-family: "DejaVu Sans", sans-serif; }</style>
  <rect width="100%" height="100%" rx="24" fill="#ffffff" stroke="${accent}" stroke-width="6"/>
  <rect x="0" y="0" width="24" height="${height}" fill="${accent}"/>
  <text x="60" y="90" font-size="52" font-weight="bold" fill="#1f2328">${title}</text>
  <text x="60" y="160" font-size="34" fill="#59636e">${detail}</text>
  <rect x="60" y="${height - 100}" width="${after ? 300 : 240}" height="70" rx="14" fill="${accent}"/>
  <text x="90" y="${height - 52}" font-size="34" fill="#ffffff">${after ? "Deploy now" : "Deploy"}</text>
</svg>`;
}

async function renderSide(base: Buffer, index: number, side: "before" | "after", path: string): Promise<void> {
  // Panels move around the screen from pair to pair, and the "after" panel sits lower and further left.
  const left = 200 + ((index * 97) % 2400) - (side === "after" ? 120 : 0);
  const top = 160 + ((index * 53) % 1500) + (side === "after" ? 80 : 0);
  await sharp(base)
    .composite([{ input: Buffer.from(panelSvg(index, side)), left, top }])
    .png({ compressionLevel: 6, adaptiveFiltering: true })
    .toFile(path);
}

async function cachedSide(base: Buffer, index: number, side: "before" | "after"): Promise<Buffer> {
  const path = join(cacheDirectory, `screen-${String(index).padStart(2, "0")}-${side}.png`);
  if (!existsSync(path)) {
    const temporary = join(cacheDirectory, `.${randomBytes(6).toString("hex")}-${side}.png`);
    try {
      await renderSide(base, index, side, temporary);
      await rename(temporary, path);
    } finally {
      await rm(temporary, { force: true });
    }
  }
  return readFile(path);
}

/** The 30 pairs, generated on first use (two at a time: the machine has few cores and sharp is threaded). */
export async function screenshotPairs(): Promise<ScreenshotPair[]> {
  await mkdir(cacheDirectory, { recursive: true });
  const base = await readFile(await screenshot4k());
  const pairs: ScreenshotPair[] = [];
  for (let index = 1; index <= screenshotPairCount; index += 1) {
    const [before, after] = await Promise.all([cachedSide(base, index, "before"), cachedSide(base, index, "after")]);
    pairs.push({ path: `docs/screenshots/release-panel-${String(index).padStart(2, "0")}.png`, before, after });
  }
  return pairs;
}
