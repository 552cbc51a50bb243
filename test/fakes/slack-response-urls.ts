/*
 * The fake Slack's response_url endpoints: the URLs a slash command or shortcut payload carries, to
 * which the app POSTs JSON messages (https://docs.slack.dev/interactivity/handling-user-interaction#message_responses).
 * Only URLs the fake handed out answer; a body that is not JSON answers 400.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FakeSlackResponse } from "./slack-types.js";
import { readBody, sendJson, sendText } from "./slack-wire.js";

/** Response URLs live under this path of the main origin, as Slack's live under hooks.slack.com/commands/. */
export const responseUrlPathPrefix = "/commands/";

export interface ResponseUrls {
  /** Messages the app sent, in order. */
  responses: FakeSlackResponse[];
  /** A new response_url, e.g. http://127.0.0.1:PORT/commands/T0FAKETEAM/<id>/<secret>. */
  create(): string;
  /** A POST to `url`, a URL under responseUrlPathPrefix. */
  receive(request: IncomingMessage, response: ServerResponse, url: string): Promise<void>;
}

export function createResponseUrls(origin: string, teamId: string): ResponseUrls {
  const issued = new Set<string>();
  const responses: FakeSlackResponse[] = [];
  return {
    responses,

    create() {
      const id = `${Date.now()}${randomBytes(4).readUInt32BE()}`;
      const url = `${origin}${responseUrlPathPrefix}${teamId}/${id}/${randomBytes(12).toString("hex")}`;
      issued.add(url);
      return url;
    },

    async receive(request, response, url) {
      const raw = await readBody(request);
      if (!issued.has(url)) {
        sendText(response, 404, "Not Found", "text/plain");
        return;
      }
      let body: Record<string, unknown> = {};
      try {
        const parsed = JSON.parse(raw.toString("utf8")) as unknown;
        if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
          body = parsed as Record<string, unknown>;
        }
      } catch {
        sendJson(response, 400, { ok: false, error: "invalid_payload" });
        return;
      }
      responses.push({ url, body });
      sendJson(response, 200, { ok: true });
    },
  };
}
