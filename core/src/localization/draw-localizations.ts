import { MediaError } from "../errors.js";
import type { Localizations } from "./localizations.js";

export interface DrawLocalizationOptions {
  /** Line width of box outlines in pixels; by default about 0.4% of the image's shorter side, at least 2. */
  strokeWidth?: number;
  /** Colours assigned to labels in order of first appearance, then reused; CSS colour strings. */
  colors?: readonly string[];
  /** A name for the image in error messages. */
  name?: string;
}

/** Ten colours that stay apart from each other on photos and screenshots alike. */
const defaultColors = [
  "#e6194b",
  "#3cb44b",
  "#4363d8",
  "#f58231",
  "#911eb4",
  "#42d4f4",
  "#f032e6",
  "#9a6324",
  "#469990",
  "#808000",
] as const;

type Drawable = Pick<Localizations, "boxes" | "points">;

/**
 * An SVG overlay of the boxes and points, sized to the original image: labelled outlines, point markers
 * with a white rim, one colour per label. Labels are escaped, so a model's reply cannot inject markup.
 */
export function localizationOverlay(
  width: number,
  height: number,
  localizations: Drawable,
  options: DrawLocalizationOptions = {},
): string {
  const shorterSide = Math.min(width, height);
  const strokeWidth = options.strokeWidth ?? Math.max(2, Math.round(shorterSide / 250));
  const fontSize = Math.max(12, Math.round(shorterSide / 40));
  const colors = options.colors !== undefined && options.colors.length > 0 ? options.colors : defaultColors;
  const colorByLabel = new Map<string, string>();
  const colorOf = (label: string): string => {
    let color = colorByLabel.get(label);
    if (color === undefined) {
      color = colors[colorByLabel.size % colors.length] ?? "#e6194b";
      colorByLabel.set(label, color);
    }
    return color;
  };

  const parts: string[] = [];
  for (const box of localizations.boxes) {
    const color = escapeXml(colorOf(box.label));
    parts.push(
      `<rect x="${box.x1}" y="${box.y1}" width="${box.x2 - box.x1}" height="${box.y2 - box.y1}" ` +
        `fill="none" stroke="${color}" stroke-width="${strokeWidth}"/>`,
    );
    if (box.label !== "") {
      parts.push(labelTag(box.label, box.x1, box.y1, color, fontSize));
    }
  }
  const radius = Math.max(4, strokeWidth * 3);
  for (const point of localizations.points) {
    const color = escapeXml(colorOf(point.label));
    parts.push(
      `<circle cx="${point.x}" cy="${point.y}" r="${radius}" fill="${color}" stroke="#ffffff" stroke-width="${Math.max(1, strokeWidth / 2)}"/>`,
    );
    if (point.label !== "") {
      parts.push(labelTag(point.label, point.x + radius, point.y - radius, color, fontSize));
    }
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `${parts.join("")}</svg>`
  );
}

/** A filled tag above the anchor (below it when there is no room above), with white text. */
function labelTag(label: string, x: number, y: number, color: string, fontSize: number): string {
  const padding = Math.round(fontSize / 4);
  const tagHeight = fontSize + 2 * padding;
  // Font metrics are unknown here; 0.6 em per character fits common sans-serif faces.
  const tagWidth = Math.round(label.length * fontSize * 0.6) + 2 * padding;
  const top = y - tagHeight >= 0 ? y - tagHeight : y;
  return (
    `<rect x="${x}" y="${top}" width="${tagWidth}" height="${tagHeight}" fill="${color}"/>` +
    `<text x="${x + padding}" y="${top + padding + fontSize * 0.85}" font-family="sans-serif" ` +
    `font-size="${fontSize}" fill="#ffffff">${escapeXml(label)}</text>`
  );
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/**
 * Draws boxes and points (in original-image pixels, as `parseLocalizations` returns them) onto the
 * original image and returns a PNG. The image is turned upright by its EXIF orientation first, since
 * that is the frame the coordinates refer to.
 */
export async function drawLocalizations(
  image: Buffer,
  localizations: Drawable,
  options: DrawLocalizationOptions = {},
): Promise<Buffer> {
  // sharp is native and heavy: load it only when something is drawn.
  const { default: sharp } = await import("sharp");
  const name = options.name ?? "image";
  try {
    const upright = await sharp(image).rotate().raw().toBuffer({ resolveWithObject: true });
    const { width, height, channels } = upright.info;
    const overlay = localizationOverlay(width, height, localizations, options);
    return await sharp(upright.data, { raw: { width, height, channels } })
      .composite([{ input: Buffer.from(overlay), top: 0, left: 0 }])
      .png()
      .toBuffer();
  } catch (error) {
    throw new MediaError(
      "unreadable-media",
      name,
      `could not draw the localizations: ${error instanceof Error ? error.message : String(error)}. ` +
        `Pass the original image's bytes in a format sharp reads (PNG, JPEG, WebP, GIF, TIFF, AVIF).`,
      { cause: error },
    );
  }
}
