import { ApiError, GlanceError, InputLimitError, MediaError } from "@glance/core";
import { ErrorCode } from "@slack/web-api";
import { BotError } from "./bot-error.js";
import { supportedTypesSentence } from "./slack-file.js";

/** The one place where any failure becomes the words a Slack user reads. Never includes secrets or stacks. */
export function errorReply(error: unknown): string {
  if (error instanceof BotError) {
    return `:warning: ${error.message}`;
  }
  if (error instanceof InputLimitError) {
    switch (error.limitCode) {
      case "video-maximum-duration":
        // A summary samples frames from the whole video instead, so a long video is not a dead end.
        return `:warning: ${error.input}: the video is ${error.actual} long, but I can watch ${error.limit}. Trim it, or ask me to "summarize" it and I'll sample frames from the whole video.`;
      default:
        return `:warning: ${error.input}: ${error.what} is ${error.actual}, but must be ${error.limit}. ${error.fix}`;
    }
  }
  if (error instanceof MediaError) {
    if (error.code === "unsupported-media") {
      return `:warning: ${error.message} ${supportedTypesSentence}`;
    }
    return `:warning: ${error.message}`;
  }
  if (error instanceof ApiError) {
    if (error.code === "rate-limited") {
      const wait = error.retryAfterSeconds ?? 30;
      return `:hourglass: Model Studio is rate-limiting requests right now. Try again in ${Math.ceil(wait)} s.`;
    }
    if (error.code === "content-inspection") {
      if (error.outputDelivered) {
        // Said instead of the part of the answer that had been shown: none of it may stand.
        return ":no_entry: Model Studio's content check refused the answer part-way, so I removed it. Ask differently or try other files.";
      }
      return ":no_entry: Model Studio's content inspection refused this request (the image, video or question was flagged), so there is no answer. Try another file or rephrase the question.";
    }
    if (error.code === "quota-exceeded") {
      return ":no_entry: The bot's Model Studio account is out of quota or has a billing problem, so I can't answer. An admin needs to check the account's quota and billing in the Model Studio console; asking again won't help until then.";
    }
    if (error.status !== undefined && error.status >= 500) {
      return `:warning: The model service is having trouble (HTTP ${error.status}). Try again in a few minutes.`;
    }
    if (error.status === 401 || error.status === 403) {
      return ":warning: The model service refused the bot's credentials. An admin needs to check DASHSCOPE_API_KEY and the region of DASHSCOPE_BASE_URL.";
    }
    return `:warning: The model service refused the request: ${error.message}`;
  }
  if (error instanceof GlanceError) {
    switch (error.code) {
      case "connection":
        return `:warning: I lost the connection to the model service: ${error.message}`;
      case "timeout":
        return ":hourglass: The model took too long to answer. Try again, perhaps with fewer or smaller files.";
      case "aborted":
        return ":warning: The request was cancelled.";
      default:
        return `:warning: ${error.message}`;
    }
  }
  const slackError = slackErrorCodeOf(error);
  if (slackError !== undefined) {
    return `:warning: ${slackErrorSentence(slackError)}`;
  }
  return ":warning: Something went wrong on my side while answering. The error was logged; try again.";
}

/** Slack Web API errors: the platform's error string, or a rate-limit marker. */
export function slackErrorCodeOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const candidate = error as { code?: unknown; data?: { error?: unknown } };
  if (candidate.code === ErrorCode.PlatformError && typeof candidate.data?.error === "string") {
    return candidate.data.error;
  }
  if (candidate.code === ErrorCode.RateLimitedError) return "ratelimited";
  if (candidate.code === ErrorCode.RequestError || candidate.code === ErrorCode.HTTPError) return "request_failed";
  return undefined;
}

function slackErrorSentence(code: string): string {
  switch (code) {
    case "not_in_channel":
    case "channel_not_found":
      return "I'm not a member of this channel, so I can't read its messages or files. Invite me with /invite @Glance.";
    case "missing_scope":
      return "The app is missing a permission (scope) it needs. An admin should reinstall it from its manifest.";
    case "ratelimited":
      return "Slack is rate-limiting me right now. Try again in a minute.";
    case "file_not_found":
      return "That file is gone or was never shared with me.";
    default:
      return `Slack refused one of my requests (${code}).`;
  }
}
