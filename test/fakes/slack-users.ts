/*
 * The fake Slack's identity methods: auth.test (who the bot token belongs to:
 * https://docs.slack.dev/reference/methods/auth.test) and users.info
 * (https://docs.slack.dev/reference/methods/users.info, user_not_found for an unknown id).
 */
import type { SlackWorkspace } from "./slack-state.js";
import { failure, type MethodTable } from "./slack-web-api.js";
import { stringArgument } from "./slack-wire.js";

export function userMethods(workspace: SlackWorkspace): MethodTable {
  const { teamId, botUserId, botId, workspaceUrl } = workspace.identity;
  return {
    "auth.test": () => ({
      ok: true,
      url: workspaceUrl,
      team: "Glance Fake",
      user: "glance",
      team_id: teamId,
      user_id: botUserId,
      bot_id: botId,
      is_enterprise_install: false,
    }),

    "users.info": (argumentsGiven) => {
      const user = workspace.users.get(stringArgument(argumentsGiven, "user") ?? "");
      if (user === undefined) {
        return failure("user_not_found");
      }
      const isBot = user.id === botUserId;
      return {
        ok: true,
        user: {
          id: user.id,
          team_id: user.teamId ?? teamId,
          name: user.name,
          real_name: user.name,
          is_bot: isBot,
          deleted: false,
          tz: "Europe/London",
          profile: { display_name: user.name, real_name: user.name, ...(isBot ? { bot_id: botId } : {}) },
        },
      };
    },
  };
}
