/*
 * The fake Slack's file methods and upload URLs: files.info, and the external upload flow
 * (https://docs.slack.dev/messaging/working-with-files#upload): files.getUploadURLExternal hands out
 * an upload URL and a file id, the client POSTs the bytes there, and files.completeUploadExternal
 * stores the file and, given a channel, shares it in a file_share message (in the thread when given).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { mimetypeOf, type PendingUpload, publicFile, randomId, type SlackWorkspace } from "./slack-state.js";
import type { FakeSlackFile, FakeSlackMessage, FakeSlackUpload } from "./slack-types.js";
import { failure, isChannel, type MethodTable, readableChannel } from "./slack-web-api.js";
import { parseUploadedBytes, readBody, sendText, stringArgument, structuredArgument } from "./slack-wire.js";

/** The path part of an upload URL, e.g. /upload/v1/F0123ABCDE. */
export const uploadPathPattern = /^\/upload\/v1\/([A-Z0-9]+)$/;

export function fileMethods(workspace: SlackWorkspace): MethodTable {
  const { botUserId, botId } = workspace.identity;
  return {
    "files.info": (argumentsGiven) => {
      const stored = workspace.files.get(stringArgument(argumentsGiven, "file") ?? "");
      if (stored === undefined || stored.file.access === "other-workspace") {
        return failure("file_not_found");
      }
      return {
        ok: true,
        file: { ...publicFile(stored.file), ...sharesOf(workspace, stored.file.id) },
        comments: [],
        response_metadata: { next_cursor: "" },
      };
    },

    "files.getUploadURLExternal": (argumentsGiven) => {
      const filename = stringArgument(argumentsGiven, "filename");
      const length = Number(stringArgument(argumentsGiven, "length"));
      if (filename === undefined || filename === "") {
        return failure("invalid_arguments", {
          response_metadata: { messages: ["[ERROR] missing required field: filename"] },
        });
      }
      if (!Number.isInteger(length) || length < 1) {
        return failure("invalid_arguments", {
          response_metadata: { messages: ["[ERROR] missing required field: length"] },
        });
      }
      const id = randomId("F");
      workspace.pendingUploads.set(id, { id, filename, length, content: undefined });
      return { ok: true, upload_url: `${workspace.fileHostUrl}/upload/v1/${id}`, file_id: id };
    },

    "files.completeUploadExternal": (argumentsGiven) => {
      const listed = structuredArgument(argumentsGiven, "files");
      if (!Array.isArray(listed) || listed.length === 0) {
        return failure("invalid_arguments");
      }
      const channelId = stringArgument(argumentsGiven, "channel_id") ?? stringArgument(argumentsGiven, "channels");
      const threadTs = stringArgument(argumentsGiven, "thread_ts");
      const initialComment = stringArgument(argumentsGiven, "initial_comment");
      let channel: ReturnType<typeof workspace.channel>;
      if (channelId !== undefined && channelId !== "") {
        const found = readableChannel(workspace, { channel: channelId });
        if (!isChannel(found)) {
          return found;
        }
        channel = found;
      }
      const pending: Array<{ upload: PendingUpload; title: string | undefined }> = [];
      for (const entry of listed) {
        const id = typeof entry === "object" && entry !== null && "id" in entry ? String(entry.id) : "";
        const upload = workspace.pendingUploads.get(id);
        if (upload?.content === undefined) {
          return failure("file_not_found");
        }
        const title =
          typeof entry === "object" && entry !== null && "title" in entry && typeof entry.title === "string"
            ? entry.title
            : undefined;
        pending.push({ upload, title });
      }
      const completed: FakeSlackFile[] = [];
      for (const { upload, title } of pending) {
        const content = upload.content ?? Buffer.alloc(0);
        workspace.pendingUploads.delete(upload.id);
        const file = workspace.storeFile({
          id: upload.id,
          name: upload.filename,
          title: title ?? upload.filename,
          mimetype: mimetypeOf(upload.filename),
          content,
          user: botUserId,
        });
        completed.push(file);
        const record: FakeSlackUpload = { id: upload.id, filename: upload.filename, content };
        if (title !== undefined) record.title = title;
        if (channel !== undefined) record.channel = channel.id;
        if (threadTs !== undefined && threadTs !== "") record.threadTs = threadTs;
        if (initialComment !== undefined) record.initialComment = initialComment;
        workspace.uploads.push(record);
      }
      if (channel !== undefined) {
        // Sharing a file posts a message carrying it, in the thread when one was given.
        const message: FakeSlackMessage = {
          ts: workspace.nextTs(),
          channel: channel.id,
          user: botUserId,
          bot_id: botId,
          text: initialComment ?? "",
          files: completed,
          subtype: "file_share",
        };
        if (threadTs !== undefined && threadTs !== "") {
          message.thread_ts = threadTs;
        }
        workspace.insertMessage(channel, message);
      }
      return { ok: true, files: completed.map((file) => ({ id: file.id, title: file.title })) };
    },
  };
}

/** POST to an upload URL: keeps the bytes until files.completeUploadExternal; Slack answers "OK - <length>". */
export async function receiveUpload(
  workspace: SlackWorkspace,
  request: IncomingMessage,
  response: ServerResponse,
  fileId: string,
): Promise<void> {
  const raw = await readBody(request);
  const pending = workspace.pendingUploads.get(fileId);
  if (pending === undefined || request.method !== "POST") {
    sendText(response, 404, "Not Found", "text/plain");
    return;
  }
  pending.content = await parseUploadedBytes(request, raw);
  sendText(response, 200, `OK - ${pending.content.length}`, "text/plain");
}

/**
 * Where a file is shared, as files.info reports it (https://docs.slack.dev/reference/objects/file-object):
 * `channels` (public channels), `groups` (private channels), `ims` (direct messages), and `shares` keyed
 * by conversation under "public" or "private", each with the messages that carry the file.
 */
function sharesOf(workspace: SlackWorkspace, fileId: string): Record<string, unknown> {
  const channels: string[] = [];
  const groups: string[] = [];
  const ims: string[] = [];
  const shares: { public: Record<string, unknown[]>; private: Record<string, unknown[]> } = { public: {}, private: {} };
  for (const channel of workspace.channels.values()) {
    const carrying = channel.messages.filter((message) => message.files?.some((file) => file.id === fileId));
    if (carrying.length === 0) continue;
    (channel.isIm ? ims : channel.isPrivate ? groups : channels).push(channel.id);
    const visibility = channel.isIm || channel.isPrivate ? "private" : "public";
    shares[visibility][channel.id] = carrying.map((message) => ({
      ts: message.ts,
      ...(message.thread_ts === undefined ? {} : { thread_ts: message.thread_ts }),
      channel_name: channel.name,
    }));
  }
  return { channels, groups, ims, shares };
}
