/*
 * The HTTP wiring of the fake Slack: two real servers on 127.0.0.1 with ephemeral ports. The main
 * origin serves what Slack serves from several hosts (slack.com/api/ for the Web API, files.slack.com
 * for private files and uploads, hooks.slack.com for response URLs, and the Socket Mode WebSocket
 * through HTTP upgrades); the second origin is the cross-origin file CDN.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { privateFilePathPattern } from "./slack-file-hosts.js";
import { uploadPathPattern } from "./slack-files.js";
import { responseUrlPathPrefix } from "./slack-response-urls.js";
import { sendJson, sendText } from "./slack-wire.js";

export interface SlackUrls {
  /** Origin of the Web API, files, uploads, response URLs and the Socket Mode WebSocket. */
  mainOrigin: string;
  /** The CDN origin. */
  cdnOrigin: string;
}

/** What answers each kind of request: the fake's parts, built once the ports are known. */
export interface SlackRoutes {
  webApi(request: IncomingMessage, response: ServerResponse, method: string): Promise<void>;
  privateFile(request: IncomingMessage, response: ServerResponse, fileId: string): void;
  upload(request: IncomingMessage, response: ServerResponse, fileId: string): Promise<void>;
  responseUrl(request: IncomingMessage, response: ServerResponse, url: string): Promise<void>;
  cdn(request: IncomingMessage, response: ServerResponse): void;
  /** An HTTP upgrade (WebSocket handshake) to the main origin. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
}

export interface SlackServers {
  urls: SlackUrls;
  /** Starts answering requests with these routes. */
  serve(routes: SlackRoutes): void;
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function routeMain(routes: SlackRoutes, origin: string, request: IncomingMessage, response: ServerResponse) {
  const path = new URL(request.url ?? "/", origin).pathname;
  const apiMatch = /^\/api\/([A-Za-z.]+)$/.exec(path);
  if (apiMatch?.[1] !== undefined) {
    await routes.webApi(request, response, apiMatch[1]);
    return;
  }
  const fileMatch = privateFilePathPattern.exec(path);
  if (fileMatch?.[1] !== undefined && (request.method === "GET" || request.method === "HEAD")) {
    routes.privateFile(request, response, fileMatch[1]);
    return;
  }
  const uploadMatch = uploadPathPattern.exec(path);
  if (uploadMatch?.[1] !== undefined) {
    await routes.upload(request, response, uploadMatch[1]);
    return;
  }
  if (path.startsWith(responseUrlPathPrefix) && request.method === "POST") {
    await routes.responseUrl(request, response, `${origin}${path}`);
    return;
  }
  sendText(response, 404, "Not Found", "text/plain");
}

/**
 * Starts both servers. They answer 503 until `serve` gives them their routes, which the caller builds
 * from the servers' URLs; nobody knows the ports before this returns, so no request comes earlier.
 */
export async function startSlackServers(): Promise<SlackServers> {
  let routes: SlackRoutes | undefined;
  let mainOrigin = "";
  const mainServer = createServer((request, response) => {
    if (routes === undefined) {
      sendText(response, 503, "Starting", "text/plain");
      return;
    }
    routeMain(routes, mainOrigin, request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        sendJson(response, 500, { ok: false, error: "fake_internal_error", detail: String(error) });
      }
    });
  });
  mainServer.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (routes === undefined) {
      socket.destroy();
      return;
    }
    routes.upgrade(request, socket, head);
  });
  const cdnServer = createServer((request, response) => {
    if (routes === undefined) {
      sendText(response, 503, "Starting", "text/plain");
      return;
    }
    routes.cdn(request, response);
  });
  const mainPort = await listen(mainServer);
  const cdnPort = await listen(cdnServer);
  mainOrigin = `http://127.0.0.1:${mainPort}`;
  return {
    urls: { mainOrigin, cdnOrigin: `http://127.0.0.1:${cdnPort}` },
    serve(given) {
      routes = given;
    },
    async close() {
      await Promise.all([closeServer(mainServer), closeServer(cdnServer)]);
    },
  };
}
