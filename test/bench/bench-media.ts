/*
 * The benchmark's inputs, generated once into a cache folder and reused by later runs. They are meant
 * to look like what users really send, because compression ratios on flat synthetic pictures say
 * nothing: a HiDPI desktop screenshot full of anti-aliased text, shadows, gradients and a photo, saved
 * the way operating systems save PNGs; a phone photo; a long 1080p screen recording.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { ffmpegPath } from "../support/media-factory.js";

/** Bump when a generator changes, so stale cached inputs are not reused. */
const cacheVersion = "v1";
export const benchCacheDirectory = join(tmpdir(), `glance-bench-media-${cacheVersion}`);

/** The video's encoding, stated in the results table. */
export const videoEncoding = {
  width: 1920,
  height: 1080,
  durationSeconds: 600,
  frameRate: 25,
  /** A keyframe every 50 frames (2 s at 25 fps), as phone and streaming encoders do. */
  keyframeInterval: 50,
  bitrate: "600k",
} as const;

async function cached(fileName: string, create: (path: string) => Promise<void>): Promise<string> {
  const path = join(benchCacheDirectory, fileName);
  if (existsSync(path)) {
    return path;
  }
  await mkdir(benchCacheDirectory, { recursive: true });
  const temporary = join(benchCacheDirectory, `.${randomBytes(6).toString("hex")}-${fileName}`);
  try {
    await create(temporary);
    await rename(temporary, path);
  } finally {
    await rm(temporary, { force: true });
  }
  return path;
}

/** A deterministic pseudo-random generator, so a regenerated input is the same input. */
function randomGenerator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Natural-looking texture: random colour fields at several scales (coarse light and colour, mid-scale
 * shapes, fine detail like foliage or fabric), each smoothly enlarged and summed, plus sensor noise.
 */
async function photoPixels(width: number, height: number, seed: number): Promise<Buffer> {
  const random = randomGenerator(seed);
  const octaves = [
    { divisor: 512, weight: 0.45 },
    { divisor: 128, weight: 0.25 },
    { divisor: 32, weight: 0.15 },
    { divisor: 8, weight: 0.1 },
    { divisor: 2, weight: 0.05 },
  ];
  const sum = new Float32Array(width * height * 3);
  for (const octave of octaves) {
    const smallWidth = Math.max(2, Math.round(width / octave.divisor));
    const smallHeight = Math.max(2, Math.round(height / octave.divisor));
    const small = Buffer.alloc(smallWidth * smallHeight * 3);
    for (let index = 0; index < small.length; index += 1) {
      small[index] = Math.floor(random() * 256);
    }
    const large = await sharp(small, { raw: { width: smallWidth, height: smallHeight, channels: 3 } })
      .resize(width, height, { kernel: "cubic", fit: "fill" })
      .raw()
      .toBuffer();
    for (let index = 0; index < sum.length; index += 1) {
      sum[index] = (sum[index] ?? 0) + (large[index] ?? 0) * octave.weight;
    }
  }
  const pixels = Buffer.alloc(sum.length);
  for (let index = 0; index < sum.length; index += 1) {
    // Stretch the contrast the averaging removed, then add sensor noise of a few levels.
    const value = ((sum[index] ?? 0) - 128) * 2.2 + 128 + (random() - 0.5) * 10;
    pixels[index] = Math.max(0, Math.min(255, Math.round(value)));
  }
  return pixels;
}

/** A phone photo: 4032x3024 natural texture, JPEG quality 92 with 4:2:0 chroma. */
export const photoJpeg = () =>
  cached("photo-4032x3024-q92.jpg", async (path) => {
    await sharp(await photoPixels(4032, 3024, 7), { raw: { width: 4032, height: 3024, channels: 3 } })
      .jpeg({ quality: 92, chromaSubsampling: "4:2:0" })
      .toFile(path);
  });

const words =
  "the quick review of this pull request shows layout spacing tokens between header and sidebar components while the build pipeline reports flaky tests in payment service integration suites retry budget exceeded after three attempts deploy preview ready for design sign off".split(
    " ",
  );

function sentence(random: () => number, count: number): string {
  return Array.from({ length: count }, () => words[Math.floor(random() * words.length)] ?? "").join(" ");
}

const codeTokens: [string, string][] = [
  ["export", "#c678dd"],
  ["async function", "#c678dd"],
  ["prepareImage", "#61afef"],
  ["(source, options)", "#abb2bf"],
  ["const", "#c678dd"],
  ["model", "#e06c75"],
  ["= modelEntryOf(", "#abb2bf"],
  ['"qwen3-vl-plus"', "#98c379"],
  ["await", "#c678dd"],
  ["return", "#c678dd"],
  ["width * height", "#d19a66"],
  ["// scale to what the model sees", "#7f848e"],
  ["if (", "#abb2bf"],
  ["throw new", "#c678dd"],
  ["MediaError", "#e5c07b"],
];

/**
 * A desktop screenshot in logical pixels (1920x1080 at any scale): wallpaper, menu bar, an editor
 * window with a file tree, syntax-coloured code and a document panel, a floating chat window with a
 * shadow and a photo, a dock. The photo is composited afterwards, as a real embedded picture.
 */
function desktopSvg(width: number, height: number, seed: number): { svg: string; photo: Region } {
  const random = randomGenerator(seed);
  const logicalWidth = 1920;
  const logicalHeight = Math.round((logicalWidth * height) / width);
  const parts: string[] = [];
  parts.push(`<defs>
    <radialGradient id="wallpaper" cx="30%" cy="20%" r="90%"><stop offset="0" stop-color="#5b7fbf"/><stop offset="0.5" stop-color="#8a5fa8"/><stop offset="1" stop-color="#1d2340"/></radialGradient>
    <linearGradient id="titlebar" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#ececec"/><stop offset="1" stop-color="#d6d6d6"/></linearGradient>
    <linearGradient id="button" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#4c8ef7"/><stop offset="1" stop-color="#1f63d6"/></linearGradient>
    <filter id="shadow" x="-10%" y="-10%" width="120%" height="130%"><feDropShadow dx="0" dy="12" stdDeviation="18" flood-color="#000000" flood-opacity="0.45"/></filter>
    <filter id="small-shadow" x="-20%" y="-20%" width="140%" height="160%"><feDropShadow dx="0" dy="2" stdDeviation="3" flood-color="#000000" flood-opacity="0.3"/></filter>
  </defs>`);
  parts.push(`<rect width="${logicalWidth}" height="${logicalHeight}" fill="url(#wallpaper)"/>`);
  // Menu bar.
  parts.push(`<rect width="${logicalWidth}" height="26" fill="#f2f2f2" fill-opacity="0.92"/>`);
  ["Code", "File", "Edit", "Selection", "View", "Go", "Run", "Terminal", "Window", "Help"].forEach((label, index) => {
    parts.push(
      `<text x="${40 + index * 78}" y="18" font-size="13" font-weight="${index === 0 ? "bold" : "normal"}" fill="#1a1a1a">${label}</text>`,
    );
  });
  parts.push(`<text x="${logicalWidth - 220}" y="18" font-size="13" fill="#1a1a1a">Tue 24 Nov  10:42</text>`);
  // Editor window.
  const editor = { x: 40, y: 50, width: 1400, height: 900 };
  parts.push(
    `<rect x="${editor.x}" y="${editor.y}" width="${editor.width}" height="${editor.height}" rx="10" fill="#282c34" filter="url(#shadow)"/>`,
  );
  parts.push(
    `<rect x="${editor.x}" y="${editor.y}" width="${editor.width}" height="34" rx="10" fill="url(#titlebar)"/>`,
  );
  ["#ff5f57", "#febc2e", "#28c840"].forEach((colour, index) => {
    parts.push(`<circle cx="${editor.x + 20 + index * 20}" cy="${editor.y + 17}" r="6" fill="${colour}"/>`);
  });
  parts.push(
    `<text x="${editor.x + 560}" y="${editor.y + 22}" font-size="13" fill="#333">prepare-image.ts — glance</text>`,
  );
  // File tree.
  parts.push(`<rect x="${editor.x}" y="${editor.y + 34}" width="260" height="${editor.height - 34}" fill="#21252b"/>`);
  for (let row = 0; row < 44; row += 1) {
    const depth = row % 4;
    const name = `${words[(row * 7) % words.length]}-${words[(row * 3 + 1) % words.length]}.ts`;
    parts.push(
      `<text x="${editor.x + 16 + depth * 14}" y="${editor.y + 60 + row * 19}" font-size="12" fill="${row === 9 ? "#ffffff" : "#9da5b4"}">${name}</text>`,
    );
  }
  // Tabs.
  for (let tab = 0; tab < 5; tab += 1) {
    parts.push(
      `<rect x="${editor.x + 260 + tab * 170}" y="${editor.y + 34}" width="168" height="32" fill="${tab === 1 ? "#282c34" : "#21252b"}"/>`,
      `<text x="${editor.x + 276 + tab * 170}" y="${editor.y + 55}" font-size="12" fill="#d7dae0">${words[tab * 5] ?? ""}-${words[tab * 5 + 2] ?? ""}.ts</text>`,
    );
  }
  // Code, syntax coloured, with line numbers.
  for (let line = 0; line < 50; line += 1) {
    const y = editor.y + 88 + line * 16.5;
    parts.push(
      `<text x="${editor.x + 272}" y="${y}" font-size="12" fill="#5c6370" font-family="DejaVu Sans Mono">${line + 1}</text>`,
    );
    let x = editor.x + 310 + (Math.floor(random() * 4) + (line % 3)) * 16;
    const tokenCount = 2 + Math.floor(random() * 6);
    for (let token = 0; token < tokenCount && x < editor.x + 900; token += 1) {
      const [text, colour] = codeTokens[Math.floor(random() * codeTokens.length)] ?? ["x", "#fff"];
      parts.push(
        `<text x="${x}" y="${y}" font-size="12.5" fill="${colour}" font-family="DejaVu Sans Mono">${text}</text>`,
      );
      x += text.length * 7.6 + 8;
    }
  }
  // Document panel: headings and paragraphs in a light theme.
  parts.push(
    `<rect x="${editor.x + 930}" y="${editor.y + 66}" width="470" height="${editor.height - 66}" fill="#fafafa"/>`,
  );
  let textY = editor.y + 110;
  for (let section = 0; section < 5; section += 1) {
    parts.push(
      `<text x="${editor.x + 950}" y="${textY}" font-size="${section === 0 ? 24 : 17}" font-weight="bold" fill="#111">${sentence(random, 3)}</text>`,
    );
    textY += section === 0 ? 34 : 26;
    for (let line = 0; line < 7; line += 1) {
      parts.push(`<text x="${editor.x + 950}" y="${textY}" font-size="13" fill="#333">${sentence(random, 8)}</text>`);
      textY += 19;
    }
    textY += 14;
  }
  // Status bar.
  parts.push(
    `<rect x="${editor.x}" y="${editor.y + editor.height - 24}" width="${editor.width}" height="24" fill="#007acc"/>`,
    `<text x="${editor.x + 12}" y="${editor.y + editor.height - 8}" font-size="12" fill="#fff">main  ⟳ 0 ↓ 2 ↑   TypeScript 5.9.3   Ln 42, Col 17   UTF-8   LF   Prettier</text>`,
  );
  // Floating chat window with a shadow, buttons and a photo message.
  const chat = { x: 1180, y: 160, width: 680, height: 820 };
  parts.push(
    `<rect x="${chat.x}" y="${chat.y}" width="${chat.width}" height="${chat.height}" rx="12" fill="#ffffff" filter="url(#shadow)"/>`,
    `<rect x="${chat.x}" y="${chat.y}" width="${chat.width}" height="56" rx="12" fill="url(#titlebar)"/>`,
    `<text x="${chat.x + 24}" y="${chat.y + 35}" font-size="18" font-weight="bold" fill="#222"># design-review</text>`,
  );
  let messageY = chat.y + 90;
  for (let message = 0; message < 6; message += 1) {
    parts.push(
      `<circle cx="${chat.x + 40}" cy="${messageY + 6}" r="16" fill="hsl(${(message * 67) % 360},55%,55%)"/>`,
      `<text x="${chat.x + 66}" y="${messageY}" font-size="14" font-weight="bold" fill="#1d1c1d">${words[message * 4] ?? ""} ${words[message * 4 + 1] ?? ""}</text>`,
      `<text x="${chat.x + 200}" y="${messageY}" font-size="11" fill="#888">10:${10 + message * 3} AM</text>`,
      `<text x="${chat.x + 66}" y="${messageY + 20}" font-size="14" fill="#1d1c1d">${sentence(random, 9)}</text>`,
      `<text x="${chat.x + 66}" y="${messageY + 38}" font-size="14" fill="#1d1c1d">${sentence(random, 7)}</text>`,
    );
    messageY += message === 2 ? 300 : 62;
  }
  const photo: Region = { left: chat.x + 66, top: chat.y + 90 + 3 * 62 - 10, width: 420, height: 236 };
  parts.push(
    `<rect x="${photo.left}" y="${photo.top}" width="${photo.width}" height="${photo.height}" rx="4" fill="#000" filter="url(#small-shadow)"/>`,
  );
  parts.push(
    `<rect x="${chat.x + 20}" y="${chat.y + chat.height - 70}" width="${chat.width - 140}" height="44" rx="8" fill="#fff" stroke="#bbb"/>`,
    `<text x="${chat.x + 36}" y="${chat.y + chat.height - 42}" font-size="14" fill="#999">Message #design-review</text>`,
    `<rect x="${chat.x + chat.width - 108}" y="${chat.y + chat.height - 70}" width="88" height="44" rx="8" fill="url(#button)" filter="url(#small-shadow)"/>`,
    `<text x="${chat.x + chat.width - 86}" y="${chat.y + chat.height - 42}" font-size="15" font-weight="bold" fill="#fff">Send</text>`,
  );
  // Dock with gradient icons.
  parts.push(
    `<rect x="560" y="${logicalHeight - 78}" width="800" height="70" rx="18" fill="#ffffff" fill-opacity="0.35" filter="url(#small-shadow)"/>`,
  );
  for (let icon = 0; icon < 12; icon += 1) {
    parts.push(
      `<rect x="${578 + icon * 65}" y="${logicalHeight - 68}" width="52" height="52" rx="12" fill="hsl(${icon * 30},70%,55%)" filter="url(#small-shadow)"/>`,
    );
  }
  const scale = width / logicalWidth;
  return {
    svg: `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${logicalWidth} ${logicalHeight}">
  <style>text { font-family: "DejaVu Sans", sans-serif; }</style>
  ${parts.join("\n  ")}
</svg>`,
    photo: {
      left: Math.round(photo.left * scale),
      top: Math.round(photo.top * scale),
      width: Math.round(photo.width * scale),
      height: Math.round(photo.height * scale),
    },
  };
}

interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Saved as operating systems save screenshots: zlib level 6 with adaptive row filtering, RGBA. */
async function renderDesktop(width: number, height: number, path: string): Promise<void> {
  const { svg, photo } = desktopSvg(width, height, 3);
  const picture = await sharp(await photoPixels(photo.width, photo.height, 11), {
    raw: { width: photo.width, height: photo.height, channels: 3 },
  })
    .png()
    .toBuffer();
  await sharp(Buffer.from(svg), { limitInputPixels: false })
    .composite([{ input: picture, left: photo.left, top: photo.top }])
    .png({ compressionLevel: 6, adaptiveFiltering: true })
    .toFile(path);
}

/** A HiDPI (2x) desktop screenshot, 3840x2160. */
export const screenshot4k = () => cached("desktop-3840x2160.png", (path) => renderDesktop(3840, 2160, path));
/** A laptop HiDPI desktop screenshot, 2880x1800 (the estimate benchmark's input). */
export const screenshot2880 = () => cached("desktop-2880x1800.png", (path) => renderDesktop(2880, 1800, path));
/** An 8K (4x) desktop screenshot, 7680x4320. */
export const screenshot8k = () => cached("desktop-7680x4320.png", (path) => renderDesktop(7680, 4320, path));

function runFfmpeg(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(ffmpegPath(), ["-hide_banner", "-nostdin", "-loglevel", "error", "-y", ...args], (error, _out, stderr) => {
      if (error === null) {
        resolve();
      } else {
        reject(new Error(`ffmpeg failed: ${stderr.trim() || error.message}`));
      }
    });
  });
}

/** Ten minutes of 1080p H.264 with moving content (testsrc2), at a streaming-like low bitrate. */
export const video10Minutes = () => {
  const { width, height, durationSeconds, frameRate, keyframeInterval, bitrate } = videoEncoding;
  return cached(`video-${width}x${height}-${durationSeconds}s-${frameRate}fps-gop${keyframeInterval}.mp4`, (path) =>
    runFfmpeg([
      "-f",
      "lavfi",
      "-i",
      `testsrc2=size=${width}x${height}:rate=${frameRate}:duration=${durationSeconds}`,
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-g",
      String(keyframeInterval),
      "-b:v",
      bitrate,
      "-maxrate",
      "1200k",
      "-bufsize",
      "2400k",
      "-pix_fmt",
      "yuv420p",
      "-movflags",
      "+faststart",
      "-f",
      "mp4",
      path,
    ]),
  );
};
