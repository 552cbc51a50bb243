import { type EstimatedChatRequest, formatBytes, formatCount, type PreparedMedia } from "@glance/core";

/** Plain-text rendering of plans and estimates; `--json` output is built in run-command.ts. */

/** One line per input: what was given, what the model will see, what it costs. */
export function describeMedia(media: PreparedMedia): string {
  switch (media.kind) {
    case "image":
      if (
        media.data.length === media.originalBytes &&
        media.width === media.originalWidth &&
        media.height === media.originalHeight
      ) {
        return `image ${media.width}x${media.height} ${media.originalFormat.toUpperCase()} ${formatBytes(media.originalBytes)}, sent as it is`;
      }
      if (media.data.length === media.originalBytes) {
        return (
          `image ${media.originalWidth}x${media.originalHeight} ${media.originalFormat.toUpperCase()} ${formatBytes(media.originalBytes)}, sent as it is` +
          ` (the model scales it to ${media.width}x${media.height})`
        );
      }
      return (
        `image ${media.originalWidth}x${media.originalHeight} ${media.originalFormat.toUpperCase()} ${formatBytes(media.originalBytes)}` +
        ` -> ${media.width}x${media.height} ${media.mimeType === "image/png" ? "PNG" : "JPEG"} ${formatBytes(media.data.length)}`
      );
    case "video-file":
      return (
        `video ${media.width}x${media.height}, ${media.durationSeconds.toFixed(1)} s at ${formatRate(media.frameRate)} fps, ` +
        `${formatBytes(media.originalBytes)}, sent whole, sampled by the service at ${media.fps} fps`
      );
    case "frame-list":
      return (
        `video ${media.originalWidth}x${media.originalHeight}, ${media.durationSeconds.toFixed(1)} s, ${formatBytes(media.originalBytes)}` +
        ` -> ${media.frames.length} frames of ${media.width}x${media.height} at ${media.fps} fps`
      );
  }
}

function formatRate(rate: number): string {
  return Number.isInteger(rate) ? String(rate) : rate.toFixed(2);
}

export function renderEstimate(
  request: EstimatedChatRequest,
  media: readonly PreparedMedia[],
  files: readonly string[],
): string {
  const lines: string[] = [];
  const model = request.model;
  const budget = request.highResolution
    ? `high resolution, ${formatCount(model.highResolutionMaxPixels)} px`
    : `max_pixels ${formatCount(request.maxPixels ?? model.defaultMaxPixels)}`;
  lines.push(`Model ${request.modelName} (${model.imagePixelFactor} px per token side, ${budget})`);
  const width = Math.max(...files.map((file) => file.length));
  request.estimate.inputs.forEach((input, index) => {
    const item = media[index];
    const tokens =
      input.tokens === undefined ? `unknown (${input.reason ?? "no size"})` : `${formatCount(input.tokens)} tokens`;
    lines.push(
      `  ${(files[index] ?? input.name).padEnd(width)}  ${item === undefined ? input.kind : describeMedia(item)}  ${tokens}`,
    );
  });
  const visual = request.estimate.inputs.reduce((sum, input) => sum + (input.tokens ?? 0), 0);
  lines.push(`  ${"text".padEnd(width)}  prompt and chat template  ${formatCount(request.estimate.textTokens)} tokens`);
  lines.push(
    `Total: ${formatCount(request.estimate.totalTokens)} input tokens (${formatCount(visual)} visual)` +
      ` of ${formatCount(request.estimate.limitTokens)} allowed${request.estimate.complete ? "" : "; some inputs could not be estimated"}.`,
  );
  for (const note of request.notes) {
    lines.push(`Note: ${note}`);
  }
  return lines.join("\n");
}
