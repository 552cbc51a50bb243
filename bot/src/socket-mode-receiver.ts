/*
 * Socket Mode (no public URL: the app opens a WebSocket to Slack) with the health endpoints on PORT.
 * Bolt's own SocketModeReceiver does the Socket Mode work; this adds what it lacks for a service:
 * - its HTTP server (for custom routes) listens on a port fixed at construction, is not awaited and has
 *   no error handling; ours listens on the port given to app.start(), reports a port in use as an
 *   error, and app.start() returns it as the HTTP receiver returns its own;
 * - its stop() does not wait for the WebSocket to close; ours does, so shutdown ends cleanly;
 * - the SocketModeClient's ping interval is configurable (the client pings every third of
 *   clientPingTimeout and reconnects once when a pong is late).
 * apps.connections.open is called with `installerOptions.clientOptions` (not Bolt's clientOptions), so
 * SLACK_API_URL is set there too.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type App, type Logger, type Receiver, SocketModeReceiver } from "@slack/bolt";

export interface SocketModeHealthReceiverOptions {
  appToken: string;
  logger: Logger;
  /** SLACK_API_URL, for apps.connections.open. */
  slackApiUrl: string | undefined;
  /** Serves /healthz, /readyz and /metrics. */
  listener: (request: IncomingMessage, response: ServerResponse) => void;
  /** Default 5,000 ms (the client's own default). */
  clientPingTimeoutMilliseconds?: number;
}

export class SocketModeHealthReceiver implements Receiver {
  readonly #socketMode: SocketModeReceiver;
  readonly #listener: SocketModeHealthReceiverOptions["listener"];
  #server: Server | undefined;

  /** Until the first connection: start() reports a failure itself, in one line. */
  #starting = false;

  constructor(options: SocketModeHealthReceiverOptions) {
    this.#listener = options.listener;
    const logger = options.logger;
    this.#socketMode = new SocketModeReceiver({
      appToken: options.appToken,
      // While starting, the client logs a refused app token before rejecting with it, and start()'s
      // caller reports that rejection in one line: the client's own line would only repeat it.
      logger: {
        ...logger,
        error: (...parts: unknown[]) => (this.#starting ? logger.debug(...parts) : logger.error(...parts)),
      },
      ...(options.clientPingTimeoutMilliseconds === undefined
        ? {}
        : { clientPingTimeout: options.clientPingTimeoutMilliseconds }),
      installerOptions: {
        clientOptions: options.slackApiUrl === undefined ? {} : { slackApiUrl: options.slackApiUrl },
      },
    });
  }

  init(app: App): void {
    this.#socketMode.init(app);
  }

  /** Listens on `port` for the health endpoints, then connects to Slack; resolves with the HTTP server. */
  async start(port?: number): Promise<Server> {
    const server = createServer(this.#listener);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port ?? 3000, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.#server = server;
    this.#starting = true;
    try {
      await this.#socketMode.client.start();
    } catch (error) {
      await closeServer(server);
      this.#server = undefined;
      throw error;
    } finally {
      this.#starting = false;
    }
    return server;
  }

  /** Disconnects from Slack and waits until the WebSocket is closed, then stops the health server. */
  async stop(): Promise<void> {
    await this.#socketMode.client.disconnect();
    if (this.#server !== undefined) {
      await closeServer(this.#server);
      this.#server = undefined;
    }
  }
}

function closeServer(server: Server): Promise<void> {
  server.closeIdleConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
