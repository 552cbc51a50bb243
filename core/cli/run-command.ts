import { readFile, writeFile } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import {
  buildChatRequest,
  type Completion,
  ConfigurationError,
  createGlanceClient,
  defaultBaseUrl,
  describeRequestForDisplay,
  drawLocalizations,
  type EstimatedChatRequest,
  estimateCost,
  formatCount,
  type PreparedMedia,
  type PriceTable,
  parseLocalizations,
  parsePriceTable,
  prepareMedia,
} from "@glance/core";
import { type CliOptions, UsageError } from "./cli-options.js";
import { locatePrompt, ocrPrompt } from "./prompts.js";
import { renderEstimate } from "./render-output.js";

export interface CliStreams {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Runs one command; every failure surfaces as a thrown error that main.ts turns into one line. */
export async function runCommand(options: CliOptions, streams: CliStreams): Promise<void> {
  const media: PreparedMedia[] = [];
  for (const file of options.files) {
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
    prompt: promptOf(options),
    inputs: media,
    stream: true,
    ...(options.maxPixels === undefined ? {} : { maxPixels: options.maxPixels }),
    ...(options.highResolution ? { highResolution: true } : {}),
    ...(options.thinking === undefined ? {} : { thinking: options.thinking }),
  });

  const prices = options.pricesFile === undefined ? undefined : await readPrices(options.pricesFile);
  if (options.command === "estimate") {
    const cost = costLine(request, prices);
    if (!options.json && cost !== undefined) {
      streams.stdout(`${renderEstimate(request, media, options.files)}\n${cost}\n`);
      return;
    }
    streams.stdout(
      options.json
        ? `${JSON.stringify({ ...estimateJson(request, media, options), ...costJson(request, prices) }, null, 2)}\n`
        : `${renderEstimate(request, media, options.files)}\n`,
    );
    return;
  }

  if (options.command === "locate") {
    checkLocatable(media[0], options.files[0] ?? "image");
  }

  const withoutKey = options.apiKey === undefined;
  if (options.dryRun || withoutKey) {
    printPlan(request, media, options, streams);
    if (withoutKey && !options.dryRun) {
      streams.stderr(
        "\nNothing was sent: DASHSCOPE_API_KEY is not set. Create a key in the Model Studio console for your region, then:\n" +
          "  export DASHSCOPE_API_KEY=sk-...\n" +
          `  export DASHSCOPE_BASE_URL=...   # only outside the international region (default ${defaultBaseUrl})\n`,
      );
    }
    return;
  }

  const client = createGlanceClient({
    apiKey: options.apiKey,
    apiKeySource: "the DASHSCOPE_API_KEY environment variable",
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    timeoutMilliseconds: options.timeoutSeconds * 1000,
    logger: { warn: (message) => streams.stderr(`glance: ${message}\n`) },
  });
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once("SIGINT", stop);
  try {
    const showThinking = options.thinking === true && !options.json;
    let thinkingStarted = false;
    let answerStarted = false;
    const completion = await client.complete(request, {
      signal: abort.signal,
      continuePartial: 2,
      ...(options.json || options.command === "locate"
        ? {}
        : {
            onReasoning: (text: string) => {
              if (!showThinking) return;
              if (!thinkingStarted) streams.stderr("--- thinking ---\n");
              thinkingStarted = true;
              streams.stderr(text);
            },
            onAnswer: (text: string) => {
              if (thinkingStarted && !answerStarted) streams.stderr("\n--- answer ---\n");
              answerStarted = true;
              streams.stdout(text);
            },
          }),
    });
    await finish(options, request, media, completion, streams);
    if (completion.usage !== undefined && prices !== undefined && !options.json) {
      const cost = estimateCost({
        model: request.modelName,
        family: request.model.family,
        inputTokens: completion.usage.inputTokens,
        outputTokens: completion.usage.outputTokens,
        thinking: request.thinking,
        prices,
      });
      if (cost.priced) streams.stderr(`Cost: ${formatMoney(cost.totalCost, cost.currency)}.\n`);
    }
  } finally {
    process.removeListener("SIGINT", stop);
  }
}

/** Formats the annotated copy can be drawn on: the original is drawn on as it is, so it must be readable. */
const drawableFormats = new Set(["png", "jpeg", "webp", "gif", "avif", "tiff", "svg"]);

/** Checked before the paid request, so a locate that cannot produce its picture costs nothing. */
function checkLocatable(media: PreparedMedia | undefined, file: string): void {
  if (media === undefined || media.kind !== "image") {
    throw new UsageError(
      `${file}: locate works on images, and this is a video. Use ask with a question about where things are.`,
    );
  }
  if (!drawableFormats.has(media.originalFormat)) {
    throw new UsageError(
      `${file}: locate draws its boxes on the original, and ${media.originalFormat.toUpperCase()} cannot be drawn on. Convert it to PNG or JPEG first.`,
    );
  }
}

function promptOf(options: CliOptions): string {
  switch (options.command) {
    case "ocr":
      return ocrPrompt;
    case "locate":
      return locatePrompt(options.target ?? "");
    default:
      return options.prompt ?? "";
  }
}

async function finish(
  options: CliOptions,
  request: EstimatedChatRequest,
  media: readonly PreparedMedia[],
  completion: Completion,
  streams: CliStreams,
): Promise<void> {
  const usageLine = completion.usage
    ? `${formatCount(completion.usage.inputTokens)} input tokens (estimated ${formatCount(request.estimate.totalTokens)}), ${formatCount(completion.usage.outputTokens)} output tokens`
    : `estimated ${formatCount(request.estimate.totalTokens)} input tokens; the service reported no usage`;

  if (options.command === "locate") {
    const image = media[0];
    if (image === undefined || image.kind !== "image") {
      throw new UsageError("locate works on one image.");
    }
    const found = parseLocalizations(completion.answer, {
      model: request.model,
      scaledWidth: image.width,
      scaledHeight: image.height,
      originalWidth: image.originalWidth,
      originalHeight: image.originalHeight,
    });
    const file = options.files[0] ?? "image";
    const output = options.output ?? join(dirname(file), `${basename(file, extname(file))}.located.png`);
    await writeFile(output, await drawLocalizations(await readFile(file), found));
    if (options.json) {
      streams.stdout(`${JSON.stringify({ ...found, output, usage: completion.usage ?? null }, null, 2)}\n`);
      return;
    }
    for (const box of found.boxes) {
      streams.stdout(`${box.label}: (${box.x1}, ${box.y1}) to (${box.x2}, ${box.y2})\n`);
    }
    for (const point of found.points) {
      streams.stdout(`${point.label}: (${point.x}, ${point.y})\n`);
    }
    if (found.skipped > 0) {
      streams.stderr(
        `glance: ${found.skipped} of the model's boxes or points were unusable (outside the image or malformed) and were left out.\n`,
      );
    }
    if (found.boxes.length === 0 && found.points.length === 0) {
      streams.stdout(`Nothing found. The model answered: ${completion.answer.trim()}\n`);
    }
    streams.stderr(`Wrote ${output}. ${usageLine}.\n`);
    return;
  }

  if (options.json) {
    streams.stdout(
      `${JSON.stringify({ answer: completion.answer, reasoning: completion.reasoning, usage: completion.usage ?? null, estimate: request.estimate, partial: completion.partial }, null, 2)}\n`,
    );
    return;
  }
  streams.stdout(completion.answer.endsWith("\n") ? "" : "\n");
  if (completion.partial) {
    streams.stderr(
      "glance: the service stopped before the answer was complete (its 180 s limit); the answer above is partial.\n",
    );
  }
  streams.stderr(`${usageLine}.\n`);
}

function printPlan(
  request: EstimatedChatRequest,
  media: readonly PreparedMedia[],
  options: CliOptions,
  streams: CliStreams,
): void {
  const body = describeRequestForDisplay(request.body);
  if (options.json) {
    streams.stdout(`${JSON.stringify({ ...estimateJson(request, media, options), request: body }, null, 2)}\n`);
    return;
  }
  streams.stdout(
    `${renderEstimate(request, media, options.files)}\n\nRequest (base64 elided):\n${JSON.stringify(body, null, 2)}\n`,
  );
}

function estimateJson(request: EstimatedChatRequest, media: readonly PreparedMedia[], options: CliOptions) {
  return {
    model: request.modelName,
    inputs: request.estimate.inputs.map((input, index) => {
      const item = media[index];
      return {
        file: options.files[index] ?? input.name,
        kind: input.kind,
        tokens: input.tokens ?? null,
        ...(item === undefined ? {} : sizesOf(item)),
      };
    }),
    textTokens: request.estimate.textTokens,
    totalTokens: request.estimate.totalTokens,
    limitTokens: request.estimate.limitTokens,
    complete: request.estimate.complete,
    notes: request.notes,
  };
}

function sizesOf(media: PreparedMedia) {
  switch (media.kind) {
    case "image":
      return {
        originalWidth: media.originalWidth,
        originalHeight: media.originalHeight,
        width: media.width,
        height: media.height,
        originalBytes: media.originalBytes,
        preparedBytes: media.data.length,
        mimeType: media.mimeType,
      };
    case "video-file":
      return {
        width: media.width,
        height: media.height,
        durationSeconds: media.durationSeconds,
        fps: media.fps,
        preparedBytes: media.data.length,
      };
    case "frame-list":
      return {
        originalWidth: media.originalWidth,
        originalHeight: media.originalHeight,
        width: media.width,
        height: media.height,
        frames: media.frames.length,
        fps: media.fps,
        durationSeconds: media.durationSeconds,
      };
  }
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

/** The estimate's input cost, when a price table was given; output tokens are unknown before asking. */
function costLine(request: EstimatedChatRequest, prices: PriceTable | undefined): string | undefined {
  if (prices === undefined) return undefined;
  const cost = estimateCost({
    model: request.modelName,
    family: request.model.family,
    inputTokens: request.estimate.totalTokens,
    prices,
  });
  return cost.priced
    ? `Input cost: ${formatMoney(cost.inputCost, cost.currency)} (output is billed on top, per token generated).`
    : `Cost: ${cost.reason ?? "not priced"}`;
}

function costJson(request: EstimatedChatRequest, prices: PriceTable | undefined) {
  if (prices === undefined) return {};
  return {
    cost: estimateCost({
      model: request.modelName,
      family: request.model.family,
      inputTokens: request.estimate.totalTokens,
      prices,
    }),
  };
}

function formatMoney(amount: number | undefined, currency: string | undefined): string {
  return `${(amount ?? 0).toFixed(6)} ${currency ?? ""}`.trim();
}
