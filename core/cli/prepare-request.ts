import { readFile } from "node:fs/promises";
import {
  buildChatRequest,
  ConfigurationError,
  type EstimatedChatRequest,
  estimateMedia,
  estimateMediaRequest,
  type MediaEstimate,
  type MediaRequestEstimate,
  type PreparedMedia,
  type PrepareMediaOptions,
  type PriceTable,
  parsePriceTable,
  prepareMedia,
} from "@glance/core";
import pMap from "p-map";
import type { CliOptions } from "./cli-options.js";

const headerReadConcurrency = 4;

/** What a command that sends starts from: its files prepared, the request built and estimated, the price table read. */
export interface PreparedRequest {
  /** The files as the user named them, for display. */
  files: readonly string[];
  media: PreparedMedia[];
  request: EstimatedChatRequest;
  prices: PriceTable | undefined;
}

/**
 * What `estimate`, `--dry-run` and a run without a key show: the request's cost, from the files'
 * headers. Nothing is decoded or encoded; the counts are those preparing and sending would give.
 */
export interface PlannedRequest {
  files: readonly string[];
  media: MediaEstimate[];
  request: MediaRequestEstimate;
  prices: PriceTable | undefined;
}

function mediaOptions(options: CliOptions, file: string): PrepareMediaOptions {
  return {
    model: options.model,
    name: file,
    // A PNG or JPEG the service takes as it is goes untouched: same tokens, no decode.
    keepOriginalWhenAccepted: true,
    ...(options.maxPixels === undefined ? {} : { maxPixels: options.maxPixels }),
    ...(options.highResolution ? { highResolution: true } : {}),
    ...(options.fps === undefined ? {} : { fps: options.fps }),
  };
}

function requestOptions(options: CliOptions, prompt: string) {
  return {
    model: options.model,
    prompt,
    stream: true,
    ...(options.maxPixels === undefined ? {} : { maxPixels: options.maxPixels }),
    ...(options.highResolution ? { highResolution: true } : {}),
    ...(options.thinking === undefined ? {} : { thinking: options.thinking }),
  };
}

export async function planRequest(
  options: CliOptions,
  files: readonly string[],
  prompt: string,
): Promise<PlannedRequest> {
  // Header reads run in libuv's thread pool (4 threads by default): four files at a time keep it busy
  // while this thread walks the next file's chunks. Results keep the order of the files.
  const media: MediaEstimate[] = await pMap(files, (file) => estimateMedia(file, mediaOptions(options, file)), {
    concurrency: headerReadConcurrency,
  });
  const request = await estimateMediaRequest({ ...requestOptions(options, prompt), inputs: media });
  const prices = options.pricesFile === undefined ? undefined : await readPrices(options.pricesFile);
  return { files, media, request, prices };
}

/** The request to send: every file prepared (decoded and scaled, or kept as it is), then built and checked. */
export async function prepareRequest(
  options: CliOptions,
  files: readonly string[],
  prompt: string,
): Promise<PreparedRequest> {
  const media: PreparedMedia[] = [];
  for (const file of files) {
    media.push(await prepareMedia(file, mediaOptions(options, file)));
  }
  const request = await buildChatRequest({ ...requestOptions(options, prompt), inputs: media });
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
