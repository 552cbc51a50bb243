import type { ModelArgument } from "../catalogue/model-argument.js";
import { type MediaSource, readSourceHead, sourceName } from "../internal/media-source.js";
import { detectFormat } from "./detect-format.js";
import { type PrepareImageOptions, prepareImage } from "./prepare-image.js";
import { type PrepareVideoOptions, prepareVideo } from "./prepare-video.js";
import type { PreparedMedia } from "./prepared-media.js";

/**
 * Options for either kind; each preparer uses the ones that concern it (`keepOriginalWhenAccepted`
 * applies to images; video frames are always extracted and encoded).
 */
export interface PrepareMediaOptions
  extends Omit<PrepareImageOptions, "model">,
    Omit<PrepareVideoOptions, "model" | "name"> {
  model: ModelArgument;
}

/** Prepares an image or a video, told apart by the file's first bytes (never by its name). */
export async function prepareMedia(source: MediaSource, options: PrepareMediaOptions): Promise<PreparedMedia> {
  const input = sourceName(source, options.name, "file");
  const { head } = await readSourceHead(source, input);
  const detected = detectFormat(head, input);
  if (detected.kind === "image") {
    return prepareImage(source, options);
  }
  return prepareVideo(source, options);
}
