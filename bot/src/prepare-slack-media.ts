import { type PreparedMedia, prepareMedia, prepareVideo } from "@glance/core";
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
): Promise<PreparedMedia> {
  const key = { fileId: file.id, model: services.config.model, longVideo: options.allowLongVideo };
  const cached = await services.state.media.get(key);
  if (cached !== undefined) return cached;
  const preparingKey = `${key.model}:${key.longVideo}:${key.fileId}`;
  const running = services.preparing.get(preparingKey);
  if (running !== undefined) return running;
  const preparation = (async () => {
    const prepared = await downloadAndPrepare(services, file, options);
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

async function downloadAndPrepare(
  services: BotServices,
  file: SlackFile,
  options: { allowLongVideo: boolean },
): Promise<PreparedMedia> {
  const bytes = await downloadSlackFile(await completeSlackFile(services, file), {
    metrics: services.metrics,
    botToken: services.config.slackBotToken,
    trustedOrigins: services.trustedFileOrigins,
    allowedOrigins: services.urlOrigins,
    maxBytes: services.config.maxFileBytes,
  });
  const name = fileLabel(file);
  // A summary may sample a video past the model's duration limit: frames only (a whole file would be
  // refused by the service), and no more than a summary needs.
  if (options.allowLongVideo && fileKindOf(file) === "video") {
    return prepareVideo(bytes, {
      model: services.config.model,
      name,
      mode: "frames",
      allowLongVideo: true,
      maxFrames: summaryMaxFrames,
    });
  }
  return prepareMedia(bytes, {
    model: services.config.model,
    name,
    keepOriginalWhenAccepted: services.config.fastImages,
  });
}
