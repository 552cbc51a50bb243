/*
 * The fake Slack's file hosts: url_private / url_private_download on the main origin, which need the
 * bot token as a bearer token (https://docs.slack.dev/messaging/working-with-files#authentication),
 * and a second origin standing in for Slack's cross-origin file CDN that some files redirect to.
 * As Slack does, a request without a valid token, or for a file the token may not read, gets the
 * HTML sign-in page with status 200, not an error status. Every request is recorded with the
 * Authorization header it carried, so a test can check no token followed a redirect to the CDN.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SlackWorkspace } from "./slack-state.js";
import type { FakeSlackFileRequest } from "./slack-types.js";
import { bearerToken, loginPage, sendText } from "./slack-wire.js";

/** The path part of a private file URL; the capture is the file id. */
export const privateFilePathPattern = /^\/files-pri\/[A-Z0-9]+-([A-Z0-9]+)\//;

export interface FileHosts {
  /** Every request to a file URL, on either origin. */
  fileRequests: FakeSlackFileRequest[];
  /** GET or HEAD of url_private / url_private_download. */
  servePrivateFile(request: IncomingMessage, response: ServerResponse, fileId: string): void;
  /** Any request to the CDN origin. */
  serveCdn(request: IncomingMessage, response: ServerResponse): void;
}

export function createFileHosts(workspace: SlackWorkspace, cdnUrl: string): FileHosts {
  const fileRequests: FakeSlackFileRequest[] = [];
  const { botToken } = workspace.identity;
  return {
    fileRequests,

    servePrivateFile(request, response, fileId) {
      const authorization = request.headers.authorization;
      const record = (status: number): void => {
        fileRequests.push({ fileId, host: "files", authorization, status });
      };
      const stored = workspace.files.get(fileId);
      if (stored === undefined) {
        record(404);
        sendText(response, 404, "Not Found", "text/plain");
        return;
      }
      if (stored.file.access === "other-workspace") {
        record(403);
        sendText(response, 403, "Forbidden", "text/plain");
        return;
      }
      // Slack answers a missing or wrong token, and a file the token may not read, with its sign-in page.
      if (bearerToken(request) !== botToken || stored.file.access === "html") {
        record(200);
        sendText(response, 200, loginPage, "text/html; charset=utf-8");
        return;
      }
      if (stored.file.access === "redirect") {
        record(302);
        response.writeHead(302, {
          location: `${cdnUrl}/cdn/${fileId}/${encodeURIComponent(stored.file.name)}?sig=${randomBytes(8).toString("hex")}`,
        });
        response.end();
        return;
      }
      record(200);
      response.writeHead(200, {
        "content-type": stored.file.mimetype,
        "content-length": String(stored.content.length),
      });
      response.end(stored.content);
    },

    serveCdn(request, response) {
      const match = /^\/cdn\/([^/]+)\//.exec(new URL(request.url ?? "/", cdnUrl).pathname);
      const fileId = match?.[1] ?? "";
      const stored = workspace.files.get(fileId);
      const status = stored === undefined ? 404 : 200;
      fileRequests.push({ fileId, host: "cdn", authorization: request.headers.authorization, status });
      if (stored === undefined) {
        sendText(response, 404, "Not Found", "text/plain");
        return;
      }
      response.writeHead(200, {
        "content-type": stored.file.mimetype,
        "content-length": String(stored.content.length),
      });
      response.end(stored.content);
    },
  };
}
