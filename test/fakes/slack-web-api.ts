/*
 * The fake Slack's Web API endpoint (POST /api/<method>): records every call, checks the token the
 * way Slack does, plays scripted answers (`failNext`), then runs the method's handler. Answers follow
 * https://docs.slack.dev/apis/web-api/: HTTP 200 with {ok:true,...} or {ok:false,error}, whatever
 * went wrong; a token goes in the Authorization header or, for bot tokens, the `token` argument.
 * Method handlers live in one file per area (slack-chat.ts, slack-conversations.ts, ...); the shared
 * pieces they need (the result type, Slack's error answer, channel access) are here.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RateLimits } from "./slack-rate-limits.js";
import { playScriptedAnswer, type ScriptedAnswers } from "./slack-scripted-answers.js";
import type { ChannelRecord, SlackIdentity, SlackWorkspace } from "./slack-state.js";
import type { FakeSlackCall, FakeSlackMessage } from "./slack-types.js";
import { bearerToken, parseArguments, readBody, sendJson, stringArgument } from "./slack-wire.js";

/** The result of one Web API method: what Slack would answer. */
export type MethodResult = Record<string, unknown>;

export type MethodHandler = (argumentsGiven: Record<string, unknown>) => MethodResult;

export type MethodTable = Record<string, MethodHandler>;

export function failure(error: string, extras: Record<string, unknown> = {}): MethodResult {
  return { ok: false, error, ...extras };
}

/**
 * The channel a method addresses, or the Slack error for it: channel_not_found for an unknown id,
 * not_in_channel where the bot is no member (DMs with the bot are always readable).
 */
export function readableChannel(
  workspace: SlackWorkspace,
  argumentsGiven: Record<string, unknown>,
  name = "channel",
): ChannelRecord | MethodResult {
  const id = stringArgument(argumentsGiven, name);
  if (id === undefined || id === "") {
    return failure("channel_not_found");
  }
  const channel = workspace.channel(id);
  if (channel === undefined) {
    return failure("channel_not_found");
  }
  if (!channel.isIm && !channel.botIsMember) {
    return failure("not_in_channel");
  }
  return channel;
}

export function isChannel(value: ChannelRecord | MethodResult): value is ChannelRecord {
  return "messages" in value && Array.isArray(value.messages);
}

export function findMessage(channel: ChannelRecord, ts: string | undefined): FakeSlackMessage | undefined {
  return ts === undefined ? undefined : channel.messages.find((message) => message.ts === ts);
}

/**
 * Which token a method takes. Bot methods take the bot token (xoxb-); apps.connections.open takes
 * only an app-level token (xapp-), in the Authorization header
 * (https://docs.slack.dev/reference/methods/apps.connections.open). A token of the other kind
 * answers not_allowed_token_type, as Slack does.
 */
function authorization(
  identity: SlackIdentity,
  request: IncomingMessage,
  argumentsGiven: Record<string, unknown>,
  kind: "bot" | "app",
): "ok" | "not_authed" | "invalid_auth" | "not_allowed_token_type" {
  const headerToken = bearerToken(request);
  const token = kind === "app" ? headerToken : (headerToken ?? stringArgument(argumentsGiven, "token"));
  if (token === undefined || token === "") {
    return "not_authed";
  }
  const expected = kind === "app" ? identity.appToken : identity.botToken;
  const otherKind = kind === "app" ? identity.botToken : identity.appToken;
  if (token === expected) {
    return "ok";
  }
  return token === otherKind ? "not_allowed_token_type" : "invalid_auth";
}

export interface WebApiEndpoint {
  /** Answers one request to /api/<method>. */
  answer(request: IncomingMessage, response: ServerResponse, method: string): Promise<void>;
}

export function createWebApiEndpoint(options: {
  identity: SlackIdentity;
  calls: FakeSlackCall[];
  scripted: ScriptedAnswers;
  /** Per method and workspace (slack-rate-limits.ts); checked after the token, before the method runs. */
  rateLimits: RateLimits;
  /** Methods that take the bot token. */
  botMethods: MethodTable;
  /** Methods that take the app-level token. */
  appMethods: MethodTable;
}): WebApiEndpoint {
  const { identity, calls, scripted, rateLimits, botMethods, appMethods } = options;
  return {
    async answer(request, response, method) {
      const raw = await readBody(request);
      const argumentsGiven = parseArguments(request, raw);
      const call: FakeSlackCall = { method, arguments: argumentsGiven, receivedAt: Date.now() };
      calls.push(call);
      // The token names the workspace: the fake's one workspace is the bot token's.
      if (authorization(identity, request, argumentsGiven, appMethods[method] !== undefined ? "app" : "bot") === "ok") {
        const wait = rateLimits.take(identity.teamId, method);
        if (wait !== undefined) {
          call.rateLimited = true;
          sendJson(response, 429, { ok: false, error: "ratelimited" }, { "retry-after": String(wait) });
          return;
        }
      }

      const run = (): MethodResult => {
        const appHandler = appMethods[method];
        const handler = appHandler ?? botMethods[method];
        const authorized = authorization(identity, request, argumentsGiven, appHandler !== undefined ? "app" : "bot");
        if (authorized !== "ok") {
          return failure(authorized);
        }
        return handler === undefined ? failure("unknown_method") : handler(argumentsGiven);
      };

      const answer = scripted.take(method);
      if (answer === undefined) {
        sendJson(response, 200, run());
        return;
      }
      await playScriptedAnswer(response, answer, run);
    },
  };
}
