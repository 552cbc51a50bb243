/*
 * GET /healthz, /readyz and /metrics on PORT, in HTTP mode (Bolt's receiver serves them beside
 * /slack/events) and in Socket Mode (a small server of our own, see socket-mode-receiver.ts) alike:
 *
 * - /healthz: 200 while the process serves HTTP at all (a container's HEALTHCHECK, a liveness probe);
 * - /readyz: 200 when every readiness check passes, 503 with the failing ones otherwise, and 503 once
 *   shutdown has begun, so a load balancer stops sending work before the process goes;
 * - /metrics: Prometheus text.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CustomRoute } from "@slack/bolt";
import type { BotMetrics } from "./metrics.js";
import type { ReadinessReport } from "./readiness.js";

export interface HealthEndpoints {
  readiness(): Promise<ReadinessReport>;
  metrics: BotMetrics;
  /** Text leaving the process is scrubbed of secrets, as every log line and reply is. */
  scrub(text: string): string;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

export const healthPaths = ["/healthz", "/readyz", "/metrics"] as const;

function handlersOf(endpoints: HealthEndpoints): Record<(typeof healthPaths)[number], Handler> {
  const send = (response: ServerResponse, status: number, type: string, body: string) => {
    response.writeHead(status, { "content-type": type, "cache-control": "no-store" });
    response.end(body);
  };
  const failed = (response: ServerResponse, error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    if (!response.headersSent) send(response, 500, "text/plain; charset=utf-8", `${endpoints.scrub(reason)}\n`);
  };
  return {
    "/healthz": (_request, response) => send(response, 200, "text/plain; charset=utf-8", "ok\n"),
    "/readyz": (_request, response) => {
      endpoints.readiness().then(
        (report) =>
          send(
            response,
            report.ready ? 200 : 503,
            "application/json; charset=utf-8",
            `${endpoints.scrub(JSON.stringify(report))}\n`,
          ),
        (error: unknown) => failed(response, error),
      );
    },
    "/metrics": (_request, response) => {
      endpoints.metrics.text().then(
        (text) => send(response, 200, endpoints.metrics.contentType, text),
        (error: unknown) => failed(response, error),
      );
    },
  };
}

/** The endpoints as Bolt custom routes, for the HTTP receiver. */
export function healthRoutes(endpoints: HealthEndpoints): CustomRoute[] {
  const handlers = handlersOf(endpoints);
  return healthPaths.map((path) => ({ path, method: ["GET", "HEAD"], handler: handlers[path] }));
}

/** The endpoints as one request listener, for a server of their own; anything else is a 404. */
export function healthListener(endpoints: HealthEndpoints): Handler {
  const handlers = handlersOf(endpoints);
  return (request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const handler = (handlers as Record<string, Handler | undefined>)[path];
    if (handler === undefined || (request.method !== "GET" && request.method !== "HEAD")) {
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      response.end("Not found: this port serves /healthz, /readyz and /metrics.\n");
      return;
    }
    handler(request, response);
  };
}
