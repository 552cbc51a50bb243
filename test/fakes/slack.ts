/*
 * A fake Slack: real HTTP servers on 127.0.0.1 serving the Web API methods the bot calls, the
 * private file URLs (bearer token checked), upload URLs and response_url endpoints, the Socket Mode
 * WebSocket, plus a second origin standing in for Slack's cross-origin file CDN. Answers follow
 * Slack's semantics: HTTP 200 with {ok:true,...} or {ok:false,error}, 429 with retry-after when
 * scripted or over a rate limit set with rateLimit. This file puts the parts together; each concern has its own file:
 *
 * - slack-types.ts            the data model and the FakeSlack interface
 * - slack-state.ts            the workspace: identity, channels, messages, users, files
 * - slack-web-api.ts          the /api/<method> endpoint: call log, tokens, method dispatch
 * - slack-chat.ts             chat.* methods, streaming included
 * - slack-conversations.ts    conversations.* methods and pagination
 * - slack-files.ts            files.* methods and upload URLs
 * - slack-users.ts            auth.test and users.info
 * - slack-permalinks.ts       chat.getPermalink and permalinks
 * - slack-response-urls.ts    response_url endpoints
 * - slack-file-hosts.ts       url_private and the CDN origin
 * - slack-scripted-answers.ts failNext
 * - slack-rate-limits.ts      rate limits per method and workspace (rateLimit)
 * - slack-socket-mode.ts      apps.connections.open and the Socket Mode WebSocket
 * - slack-http.ts             the servers and routing
 * - slack-payloads.ts         what Slack sends to apps (used by slack-driver.ts and Socket Mode)
 * - slack-wire.ts             request parsing and answer helpers
 */
import { chatMethods, expireStreams } from "./slack-chat.js";
import { conversationMethods } from "./slack-conversations.js";
import { createFileHosts } from "./slack-file-hosts.js";
import { fileMethods, receiveUpload } from "./slack-files.js";
import { startSlackServers } from "./slack-http.js";
import { messagePermalink, permalinkMethods } from "./slack-permalinks.js";
import { RateLimits } from "./slack-rate-limits.js";
import { createResponseUrls } from "./slack-response-urls.js";
import { ScriptedAnswers } from "./slack-scripted-answers.js";
import { createSocketModeEndpoint } from "./slack-socket-mode.js";
import { SlackWorkspace, slackIdentity } from "./slack-state.js";
import type { FakeSlack, FakeSlackCall, FakeSlackOptions } from "./slack-types.js";
import { userMethods } from "./slack-users.js";
import { createWebApiEndpoint } from "./slack-web-api.js";

export { shownText } from "./slack-chat.js";
export type { FakeRateLimit } from "./slack-rate-limits.js";
export type {
  FakeSocketMode,
  FakeSocketModeAcknowledgement,
  FakeSocketModeConnection,
  FakeSocketModeDisconnectReason,
  FakeSocketModeEnvelope,
  FakeSocketModeEnvelopeType,
} from "./slack-socket-mode.js";
export type * from "./slack-types.js";

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const identity = slackIdentity(options);
  const servers = await startSlackServers();
  const { mainOrigin, cdnOrigin } = servers.urls;
  const workspace = new SlackWorkspace(identity, mainOrigin);
  const calls: FakeSlackCall[] = [];
  const scripted = new ScriptedAnswers();
  const rateLimits = new RateLimits();
  const responseUrls = createResponseUrls(mainOrigin, identity.teamId);
  const fileHosts = createFileHosts(workspace, cdnOrigin);
  const socketMode = createSocketModeEndpoint({ identity, origin: mainOrigin, responseUrl: responseUrls.create });
  const webApi = createWebApiEndpoint({
    identity,
    calls,
    scripted,
    rateLimits,
    botMethods: {
      ...userMethods(workspace),
      ...chatMethods(workspace),
      ...permalinkMethods(workspace),
      ...conversationMethods(workspace),
      ...fileMethods(workspace),
    },
    appMethods: socketMode.appMethods,
  });
  servers.serve({
    webApi: webApi.answer,
    privateFile: fileHosts.servePrivateFile,
    upload: (request, response, fileId) => receiveUpload(workspace, request, response, fileId),
    responseUrl: responseUrls.receive,
    cdn: fileHosts.serveCdn,
    upgrade: socketMode.upgrade,
  });

  return {
    apiUrl: `${mainOrigin}/api/`,
    fileHostUrl: mainOrigin,
    cdnUrl: cdnOrigin,
    botToken: identity.botToken,
    appToken: identity.appToken,
    signingSecret: identity.signingSecret,
    teamId: identity.teamId,
    botUserId: identity.botUserId,
    botId: identity.botId,
    appId: identity.appId,
    calls,
    uploads: workspace.uploads,
    responses: responseUrls.responses,
    fileRequests: fileHosts.fileRequests,
    ephemerals: workspace.ephemerals,
    socketMode: socketMode.fake,

    addChannel(channel) {
      workspace.addChannel(channel);
    },

    addUser(user) {
      workspace.addUser(user);
    },

    addFile(file) {
      return workspace.storeFile(file);
    },

    postUserMessage(channel, message) {
      return workspace.postUserMessage(channel, message);
    },

    messages(channel) {
      return workspace.channel(channel)?.messages ?? [];
    },

    responseUrl() {
      return responseUrls.create();
    },

    failNext(method, answer, times = 1) {
      scripted.add(method, answer, times);
    },

    rateLimit(method, limit) {
      rateLimits.set(method, limit);
    },

    expireStream(channel, ts) {
      expireStreams(workspace, channel, ts);
    },

    permalink(channel, ts) {
      return messagePermalink(workspace, channel, ts);
    },

    callsOf(method) {
      return calls.filter((call) => call.method === method);
    },

    file(id) {
      return workspace.files.get(id)?.file;
    },

    async close() {
      await socketMode.close();
      await servers.close();
    },
  };
}
