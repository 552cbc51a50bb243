import { estimateMedia, type MediaEstimate, type PreparedMedia, prepareMedia, prepareVideo } from "@glance/core";
import type { BotServices } from "./bot-services.js";
import { downloadSlackFile } from "./downloads.js";
import { fileKindOf, fileLabel, needsFileInfo, type SlackFile } from "./slack-file.js";

/** Prepared media stay cached by file id for an hour: follow-up questions in a thread reuse them. */
const mediaCacheMilliseconds = 60 * 60 * 1000;

/** Frames sampled from a video summarized past its duration limit. */
const summaryMaxFrames = 64;

/**
 * Completes a file stub: Slack Connect files shared from another workspace arrive in events with only
 * an id and `file_access: "check_file_info"`; files.info gives the name, type, size and URLs.
 */
export async function completeSlackFile(services: BotServices, file: SlackFile): Promise<SlackFile> {
  if (!needsFileInfo(file)) return file;
  const info = await services.client.files.info({ file: file.id });
  if (info.file === undefined) return file;
  return { ...file, ...(info.file as SlackFile), file_access: "visible" };
}

/**
 * Downloads and prepares one Slack file, or takes it from the cache. Each file is downloaded and
 * decoded at most once: answers that need the same file at the same time share one preparation, and
 * later ones find it in the cache. With config.fastImages, an image the service accepts as it is is
 * not decoded at all (core reads its header and sends the original bytes).
 */
export async function prepareSlackFile(
  services: BotServices,
  file: SlackFile,
  options: { allowLongVideo: boolean },
  downloaded?: Buffer,
): Promise<PreparedMedia> {
  const key = { fileId: file.id, model: services.config.model, longVideo: options.allowLongVideo };
  const cached = await services.state.media.get(key);
  if (cached !== undefined) return cached;
  const preparingKey = `${key.model}:${key.longVideo}:${key.fileId}`;
  const running = services.preparing.get(preparingKey);
  if (running !== undefined) return running;
  const preparation = (async () => {
    const prepared = await downloadAndPrepare(services, file, options, downloaded);
    await services.state.media.set(key, prepared, mediaCacheMilliseconds);
    return prepared;
  })();
  services.preparing.set(preparingKey, preparation);
  try {
    return await preparation;
  } finally {
    services.preparing.delete(preparingKey);
  }
}

/**
 * A file of an answer before it is prepared: what it will cost (an estimate read from its header, or
 * the prepared media when the cache already has them), and how to prepare it once the budget allows.
 */
export interface PlannedSlackFile {
  input: MediaEstimate | PreparedMedia;
  prepare(): Promise<PreparedMedia>;
}

/**
 * Downloads a file and reads its cost from the header, without decoding it, so the budget is reserved
 * before any preparation; `prepare` then decodes those same bytes (once, shared and cached as
 * prepareSlackFile does). A file already prepared (cached, or being prepared for another answer) is
 * taken as it is.
 */
export async function planSlackFile(
  services: BotServices,
  file: SlackFile,
  options: { allowLongVideo: boolean },
): Promise<PlannedSlackFile> {
  const key = { fileId: file.id, model: services.config.model, longVideo: options.allowLongVideo };
  const preparingKey = `${key.model}:${key.longVideo}:${key.fileId}`;
  const running = services.preparing.get(preparingKey);
  const ready = running === undefined ? await services.state.media.get(key) : await running;
  if (ready !== undefined) return { input: ready, prepare: async () => ready };
  // Answers that need the same file at the same time share one download and one header read.
  let inFlight = planning.get(services);
  if (inFlight === undefined) {
    inFlight = new Map();
    planning.set(services, inFlight);
  }
  const shared = inFlight.get(preparingKey);
  if (shared !== undefined) return shared;
  const plan = (async (): Promise<PlannedSlackFile> => {
    const bytes = await downloadOf(services, file);
    const estimate = await estimateMedia(bytes, mediaOptions(services, file, options));
    return { input: estimate, prepare: () => prepareSlackFile(services, file, options, bytes) };
  })();
  inFlight.set(preparingKey, plan);
  try {
    return await plan;
  } finally {
    inFlight.delete(preparingKey);
  }
}

const planning = new WeakMap<BotServices, Map<string, Promise<PlannedSlackFile>>>();

async function downloadOf(services: BotServices, file: SlackFile): Promise<Buffer> {
  return downloadSlackFile(await completeSlackFile(services, file), {
    metrics: services.metrics,
    botToken: services.config.slackBotToken,
    trustedOrigins: services.trustedFileOrigins,
    allowedOrigins: services.urlOrigins,
    maxBytes: services.config.maxFileBytes,
  });
}

/** The same options for estimating and preparing a file, so the estimate is the prepared media's count. */
function mediaOptions(services: BotServices, file: SlackFile, options: { allowLongVideo: boolean }) {
  const name = fileLabel(file);
  // A summary may sample a video past the model's duration limit: frames only (a whole file would be
  // refused by the service), and no more than a summary needs.
  if (options.allowLongVideo && fileKindOf(file) === "video") {
    return {
      model: services.config.model,
      name,
      mode: "frames" as const,
      allowLongVideo: true,
      maxFrames: summaryMaxFrames,
    };
  }
  return { model: services.config.model, name, keepOriginalWhenAccepted: services.config.fastImages };
}

async function downloadAndPrepare(
  services: BotServices,
  file: SlackFile,
  options: { allowLongVideo: boolean },
  downloaded: Buffer | undefined,
): Promise<PreparedMedia> {
  const bytes = downloaded ?? (await downloadOf(services, file));
  const prepareOptions = mediaOptions(services, file, options);
  return "mode" in prepareOptions ? prepareVideo(bytes, prepareOptions) : prepareMedia(bytes, prepareOptions);
}
