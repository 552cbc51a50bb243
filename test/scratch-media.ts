import * as factory from "./support/media-factory.js";
import { prepareImage, estimateImageTokens } from "@glance/core";
import { prepareVideo, probeVideo } from "@glance/core";
const images = ["screenshotPng","photoJpg","screenshot4kPng","screenshot8kPng","tiny11Png","tiny8Png","elongatedPng","ratio201Png","ratio200Png","animatedGif","cmykJpg","sixteenBitPng","exifRotatedJpg","truncatedPng","truncatedJpg","textNamedPng","emptyPng","pdfDocument","bombPng","bmpImage","svgDiagram","webpImage","avifImage","tiffImage"] as const;
for (const name of images) {
  const t = Date.now();
  const path = await (factory[name] as () => Promise<string>)();
  try {
    const p = await prepareImage(path, { model: "qwen3-vl-plus" });
    console.log(name, p.mimeType, p.width, p.height, p.originalWidth, p.originalHeight, p.originalFormat, p.originalBytes, p.data.length, Date.now()-t, "ms");
  } catch (e) { console.log(name, "ERR", (e as Error).name, (e as Error).message, Date.now()-t, "ms"); }
}
for (const name of ["video10sMp4","video1sMp4","rotatedVideoMp4","videoWebm"] as const) {
  const t = Date.now();
  const path = await factory[name]();
  try { console.log(name, JSON.stringify(await probeVideo(path))); } catch (e) { console.log(name, "ERR", (e as Error).message); }
  try {
    const p = await prepareVideo(path, { model: "qwen3-vl-plus" });
    console.log(name, p.kind, p.width, p.height, p.fps, p.kind === "frame-list" ? [p.frames.length, p.timestampsSeconds.slice(0,5)] : p.data.length, Date.now()-t, "ms");
    const f = await prepareVideo(path, { model: "qwen3-vl-plus", mode: "frames" });
    console.log(name, f.kind, f.width, f.height, f.fps, f.kind === "frame-list" ? f.frames.length : 0);
  } catch (e) { console.log(name, "ERR", (e as Error).name, (e as Error).message, Date.now()-t, "ms"); }
}
