import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, test } from "node:test";
import { detectFormat, MediaError } from "@glance/core";
import {
  animatedGif,
  avifImage,
  bmpImage,
  emptyPng,
  pdfDocument,
  photoJpg,
  screenshotPng,
  svgDiagram,
  textNamedPng,
  tiffImage,
  video10sMp4,
  videoInContainer,
  videoWebm,
  webpImage,
} from "../support/media-factory.js";

async function detectFile(path: string) {
  return detectFormat(await readFile(path), path);
}

describe("detectFormat on generated files", () => {
  const images: [string, () => Promise<string>, string, string][] = [
    ["PNG", screenshotPng, "png", "image/png"],
    ["JPEG", photoJpg, "jpeg", "image/jpeg"],
    ["GIF", animatedGif, "gif", "image/gif"],
    ["WEBP", webpImage, "webp", "image/webp"],
    ["AVIF", avifImage, "avif", "image/avif"],
    ["TIFF", tiffImage, "tiff", "image/tiff"],
    ["BMP", bmpImage, "bmp", "image/bmp"],
    ["SVG with an XML declaration and a comment first", svgDiagram, "svg", "image/svg+xml"],
  ];
  for (const [label, make, format, mimeType] of images) {
    test(label, async () => {
      assert.deepEqual(await detectFile(await make()), { kind: "image", format, mimeType });
    });
  }

  const videos: [string, () => Promise<string>, string, string][] = [
    ["MP4", video10sMp4, "mp4", "video/mp4"],
    ["WebM", videoWebm, "webm", "video/webm"],
    ["QuickTime", () => videoInContainer("mov"), "mov", "video/quicktime"],
    ["Matroska", () => videoInContainer("mkv"), "mkv", "video/x-matroska"],
    ["AVI", () => videoInContainer("avi"), "avi", "video/x-msvideo"],
    ["FLV", () => videoInContainer("flv"), "flv", "video/x-flv"],
    ["WMV (ASF)", () => videoInContainer("wmv"), "wmv", "video/x-ms-wmv"],
  ];
  for (const [label, make, format, mimeType] of videos) {
    test(label, async () => {
      assert.deepEqual(await detectFile(await make()), { kind: "video", format, mimeType });
    });
  }
});

describe("detectFormat on headers", () => {
  test("HEIC is told from its ftyp brand", () => {
    // The opening ftyp box of an iPhone photo: size 24, major brand "heic", compatible "mif1", "heic".
    const header = Buffer.concat([
      Buffer.from([0, 0, 0, 24]),
      Buffer.from("ftypheic\0\0\0\0mif1heic", "latin1"),
      Buffer.alloc(40),
    ]);
    assert.equal(detectFormat(header).format, "heic");
  });

  test("SVG whose doctype has an internal subset, as Illustrator writes it, is SVG and not text", () => {
    const illustrator = Buffer.from(`<?xml version="1.0" encoding="utf-8"?>
<!-- Generator: Adobe Illustrator 27.0.0, SVG Export Plug-In  -->
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [
\t<!ENTITY ns_extend "http://ns.adobe.com/Extensibility/1.0/">
\t<!ENTITY ns_ai "http://ns.adobe.com/AdobeIllustrator/10.0/">
]>
<svg version="1.1" xmlns="http://www.w3.org/2000/svg" width="100" height="100"><rect width="100" height="100"/></svg>
`);
    assert.deepEqual(detectFormat(illustrator, "logo.svg"), {
      kind: "image",
      format: "svg",
      mimeType: "image/svg+xml",
    });
  });

  test("an MPEG-4 audio file is not taken for a video", () => {
    const header = Buffer.concat([Buffer.from([0, 0, 0, 20]), Buffer.from("ftypM4A \0\0\0\0isom", "latin1")]);
    assert.throws(() => detectFormat(header, "song.mp4"), { name: "MediaError", code: "unsupported-media" });
  });
});

describe("detectFormat refusals", () => {
  test("a text file named .png is unreadable media, and the message says it is text", async () => {
    const bytes = await readFile(await textNamedPng());
    assert.throws(
      () => detectFormat(bytes, "notes.png"),
      (error: unknown) =>
        error instanceof MediaError &&
        error.code === "unreadable-media" &&
        error.message.startsWith("notes.png: ") &&
        error.message.includes("holds text"),
    );
  });

  test("an empty file is unreadable media", async () => {
    const bytes = await readFile(await emptyPng());
    assert.throws(() => detectFormat(bytes, "empty.png"), { code: "unreadable-media", message: /empty/ });
  });

  test("a PDF is unsupported, named, and the supported formats are listed", async () => {
    const bytes = await readFile(await pdfDocument());
    assert.throws(
      () => detectFormat(bytes, "report.pdf"),
      (error: unknown) =>
        error instanceof MediaError &&
        error.code === "unsupported-media" &&
        /PDF/.test(error.message) &&
        /png, jpeg/.test(error.message) &&
        /mp4/.test(error.message),
    );
  });

  test("unknown binary data is unsupported media", () => {
    const noise = Buffer.from(Array.from({ length: 64 }, (_, index) => (index * 151 + 7) % 256));
    noise[0] = 0;
    assert.throws(() => detectFormat(noise, "blob"), { code: "unsupported-media", message: /not recognised/ });
  });

  test("a file name never decides: PNG bytes are PNG whatever the name", async () => {
    const bytes = await readFile(await screenshotPng());
    assert.equal(detectFormat(bytes, "photo.jpg").format, "png");
  });
});
