import { readFile } from "node:fs/promises";
import {
  buildChatRequest,
  ConfigurationError,
  type EstimatedChatRequest,
  type PreparedMedia,
  type PriceTable,
  parsePriceTable,
  prepareMedia,
} from "@glance/core";
import type { CliOptions } from "./cli-options.js";

/** What every command starts from: its files prepared, the request built and estimated, the price table read. */
export interface PreparedRequest {
  /** The files as the user named them, for display. */
  files: readonly string[];
  media: PreparedMedia[];
  request: EstimatedChatRequest;
  prices: PriceTable | undefined;
}

export async function prepareRequest(
  options: CliOptions,
  files: readonly string[],
  prompt: string,
): Promise<PreparedRequest> {
  const media: PreparedMedia[] = [];
  for (const file of files) {
    media.push(
      await prepareMedia(file, {
        model: options.model,
        name: file,
        // A PNG or JPEG the service takes as it is goes untouched: same tokens, no decode.
        keepOriginalWhenAccepted: true,
        ...(options.maxPixels === undefined ? {} : { maxPixels: options.maxPixels }),
        ...(options.highResolution ? { highResolution: true } : {}),
        ...(options.fps === undefined ? {} : { fps: options.fps }),
      }),
    );
  }

  const request = await buildChatRequest({
    model: options.model,
    prompt,
    inputs: media,
    stream: true,
    ...(options.maxPixels === undefined ? {} : { maxPixels: options.maxPixels }),
    ...(options.highResolution ? { highResolution: true } : {}),
    ...(options.thinking === undefined ? {} : { thinking: options.thinking }),
  });

  const prices = options.pricesFile === undefined ? undefined : await readPrices(options.pricesFile);
  return { files, media, request, prices };
}

async function readPrices(file: string): Promise<PriceTable> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new ConfigurationError(
      "prices",
      `The price table ${file} cannot be read. Check the path given with --prices or GLANCE_PRICES.`,
    );
  }
  try {
    return parsePriceTable(JSON.parse(text));
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new ConfigurationError("prices", `The price table ${file} is not valid JSON: ${error.message}.`);
    }
    throw error;
  }
}
