import { type PreparedMedia, prepareMedia } from "@glance/core";
import type { BotServices } from "./bot-services.js";
import { fileLabel, type SlackFile } from "./slack-file.js";
import { downloadSlackFile } from "./slack-files.js";

/** Prepared media stay cached by file id for an hour: follow-up questions in a thread reuse them. */
const mediaCacheMilliseconds = 60 * 60 * 1000;

/** Downloads and prepares one Slack file, or takes it from the cache. */
export async function prepareSlackFile(
  services: BotServices,
  file: SlackFile,
  options: { allowLongVideo: boolean },
): Promise<PreparedMedia> {
  const key = `media:${services.config.model}:${options.allowLongVideo ? "long" : "strict"}:${file.id}`;
  const cached = await services.store.get<PreparedMedia>(key);
  if (cached !== undefined) return cached;
  const bytes = await downloadSlackFile(file, {
    botToken: services.config.slackBotToken,
    trustedOrigins: services.trustedFileOrigins,
    fetch: services.fetch,
    maxBytes: services.config.maxFileBytes,
  });
  const prepared = await prepareMedia(bytes, {
    model: services.config.model,
    name: fileLabel(file),
    ...(options.allowLongVideo ? { allowLongVideo: true } : {}),
  });
  await services.store.set(key, prepared, mediaCacheMilliseconds);
  return prepared;
}
