/*
 * What the bot checks before it says "running", and again on /readyz: Slack (reachable, and the bot
 * token accepted by auth.test), the model endpoint (configured), and the state file (writable). Each
 * failure is one line naming what, the value seen and the fix; never a stack trace.
 */
import { randomUUID } from "node:crypto";
import { constants } from "node:fs";
import { access, open, stat, unlink } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { ErrorCode, LogLevel, type WebClient } from "@slack/web-api";
import type { ReadinessCheck } from "./readiness.js";

const slackDefaultApiUrl = "https://slack.com/api/";

/** Error codes auth.test answers for a token that is wrong, revoked or of a disabled workspace. */
const refusedTokenCodes = new Set([
  "invalid_auth",
  "not_authed",
  "token_revoked",
  "token_expired",
  "account_inactive",
  "team_disabled",
  "not_allowed_token_type",
]);

/** Who the bot is in Slack, from auth.test: Bolt needs it to tell the bot's own messages apart. */
export interface SlackBotIdentity {
  botUserId?: string;
  botId?: string;
}

export interface SlackAuthenticationOptions {
  /** Calls auth.test with the bot token (quick retries, no logging of its own: the check reports). */
  client: WebClient;
  /** SLACK_API_URL, or undefined for Slack's own. */
  apiUrl: string | undefined;
  /** How long a result is reused by /readyz; default 30 s (auth.test is cheap, but not free). */
  cacheMilliseconds?: number;
}

/**
 * Slack reachable and the bot token accepted, from one auth.test call: a readiness check, and the
 * source of the bot's identity for Bolt. Bolt's own token mode calls auth.test once in its constructor
 * and keeps a failure forever (an unhandled rejection when nothing listens yet, then every event
 * refused); here a failure is reported as one line and tried again on the next use.
 */
export class SlackAuthentication implements ReadinessCheck {
  readonly name = "slack";
  readonly #client: WebClient;
  readonly #apiUrl: string;
  readonly #cacheMilliseconds: number;
  #last: { at: number; result: Promise<AuthTestResult> } | undefined;
  #identity: SlackBotIdentity | undefined;

  constructor(options: SlackAuthenticationOptions) {
    this.#client = options.client;
    this.#apiUrl = options.apiUrl ?? slackDefaultApiUrl;
    this.#cacheMilliseconds = options.cacheMilliseconds ?? 30_000;
  }

  async check(): Promise<string | undefined> {
    const now = Date.now();
    if (this.#last === undefined || now - this.#last.at >= this.#cacheMilliseconds) {
      this.#last = { at: now, result: this.#authTest() };
    }
    const result = await this.#last.result;
    return "problem" in result ? result.problem : undefined;
  }

  /** The identity from the last successful auth.test, or from a new one; rejects with the problem line. */
  async identity(): Promise<SlackBotIdentity> {
    if (this.#identity !== undefined) return this.#identity;
    const problem = await this.check();
    if (this.#identity === undefined) {
      // A cached failure is retried at once: an event is worth one more auth.test.
      this.#last = undefined;
      const retried = await this.check();
      if (this.#identity === undefined) throw new Error(retried ?? problem ?? "auth.test failed");
    }
    return this.#identity;
  }

  async #authTest(): Promise<AuthTestResult> {
    try {
      const result = await this.#client.auth.test();
      this.#identity = {
        ...(result.user_id === undefined ? {} : { botUserId: result.user_id }),
        ...(result.bot_id === undefined ? {} : { botId: result.bot_id }),
      };
      return { identity: this.#identity };
    } catch (error) {
      return { problem: authTestProblem(error, this.#apiUrl) };
    }
  }
}

type AuthTestResult = { identity: SlackBotIdentity } | { problem: string };

/** The WebClient the check uses: two quick retries on a connection failure, short timeout, no logging. */
export function slackCheckClientOptions(apiUrl: string | undefined) {
  return {
    ...(apiUrl === undefined ? {} : { slackApiUrl: apiUrl }),
    // A container that starts a moment before its network is ready is not refused for that.
    retryConfig: { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 1_000 },
    timeout: 10_000,
    // The check reports its own one line; the client's retry warnings would only repeat it.
    logger: silentLogger(),
  };
}

/** One line for a failed auth.test: the token refused, Slack answering oddly, or Slack not reachable. */
function authTestProblem(error: unknown, apiUrl: string): string {
  const failure = error as { code?: unknown; data?: { error?: unknown }; original?: unknown; statusCode?: unknown };
  if (failure.code === ErrorCode.PlatformError) {
    const code = String(failure.data?.error ?? "unknown_error");
    return refusedTokenCodes.has(code)
      ? `SLACK_BOT_TOKEN was refused by Slack's auth.test (${code}): copy the Bot User OAuth Token (xoxb-...) again from OAuth & Permissions, and reinstall the app if it was revoked.`
      : `Slack's auth.test failed (${code}) at ${apiUrl}: check the app's installation and SLACK_BOT_TOKEN.`;
  }
  if (failure.code === ErrorCode.HTTPError) {
    return `Slack at ${apiUrl} answered auth.test with HTTP ${String(failure.statusCode ?? "error")}: check SLACK_API_URL (unset for Slack itself) and any proxy in between.`;
  }
  if (failure.code === ErrorCode.RateLimitedError) {
    return `Slack rate-limited auth.test at ${apiUrl}: wait a minute, then start again.`;
  }
  // fetch wraps the network's own error ("connect ECONNREFUSED ...", "getaddrinfo ENOTFOUND ...") as its cause.
  const reason = innermostMessage(failure.original ?? error);
  return `Slack is not reachable at ${apiUrl} (${reason}): check the network, a proxy or firewall, and SLACK_API_URL.`;
}

/** The model endpoint configured: a key and an https URL (or an http one on this machine, for a local proxy or test). */
export function modelEndpointCheck(options: { apiKey: string; baseUrl: string }): ReadinessCheck {
  return {
    name: "model",
    check: async () => {
      if (options.apiKey.trim() === "") {
        return "DASHSCOPE_API_KEY is empty: create a Model Studio API key in the console of your region.";
      }
      let url: URL;
      try {
        url = new URL(options.baseUrl);
      } catch {
        return `The model endpoint "${options.baseUrl}" is not a URL: set DASHSCOPE_BASE_URL to your region's endpoint.`;
      }
      if (url.protocol !== "https:" && !["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
        return `The model endpoint ${url.origin} is not https: set DASHSCOPE_BASE_URL to your region's https endpoint.`;
      }
      return undefined;
    },
  };
}

/**
 * GLANCE_STORE_FILE can be written: its directory exists and takes a new file (a real write, not a
 * permission test, so a read-only mount is caught too), and an existing file can be read and written.
 */
export async function storeFileProblem(path: string): Promise<string | undefined> {
  const file = resolve(path);
  const directory = dirname(file);
  const unusable = (reason: string, fix: string) => `GLANCE_STORE_FILE ${file} cannot be used: ${reason}. ${fix}`;
  try {
    const found = await stat(directory);
    if (!found.isDirectory()) {
      return unusable(`${directory} is not a directory`, "Point GLANCE_STORE_FILE into a writable directory.");
    }
  } catch (error) {
    return unusable(
      `its directory ${directory} does not exist (${codeOf(error)})`,
      "Create the directory (a mounted volume in a container), or point GLANCE_STORE_FILE elsewhere.",
    );
  }
  const probe = join(directory, `.glance-write-check-${randomUUID()}`);
  try {
    const handle = await open(probe, "wx", 0o600);
    await handle.close();
    await unlink(probe);
  } catch (error) {
    return unusable(
      `a file cannot be created in ${directory} (${codeOf(error)})`,
      "Make the directory writable for the bot's user, or point GLANCE_STORE_FILE elsewhere.",
    );
  }
  try {
    const found = await stat(file);
    if (!found.isFile()) {
      return unusable("it is not a regular file", "Point GLANCE_STORE_FILE at a file name.");
    }
    await access(file, constants.R_OK | constants.W_OK);
  } catch (error) {
    if (codeOf(error) !== "ENOENT") {
      return unusable(
        `it cannot be read and written (${codeOf(error)})`,
        "Give the bot's user read and write access to it.",
      );
    }
  }
  return undefined;
}

function innermostMessage(error: unknown): string {
  let current = error;
  for (let depth = 0; depth < 5; depth += 1) {
    const cause = (current as { cause?: unknown }).cause;
    if (!(cause instanceof Error)) break;
    current = cause;
  }
  return describe(current);
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : describe(error);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function silentLogger() {
  const quiet = () => {};
  return {
    debug: quiet,
    info: quiet,
    warn: quiet,
    error: quiet,
    setLevel: quiet,
    getLevel: () => LogLevel.ERROR,
    setName: quiet,
  };
}
