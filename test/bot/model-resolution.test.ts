/*
 * GLANCE_MODEL against the catalogue: a newer model named like the vendor's starts the bot with one
 * warning in its log saying what was assumed; GLANCE_STRICT_MODELS=on refuses it at start-up.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BotConfigError, loadConfig } from "../../bot/src/config.js";
import { startFakeModelStudio } from "../fakes/model-studio.js";
import { startFakeSlack } from "../fakes/slack.js";
import { startBot } from "../support/start-bot.js";

const base = { SLACK_BOT_TOKEN: "xoxb-1", DASHSCOPE_API_KEY: "sk-1", SLACK_APP_TOKEN: "xapp-1" };
const warning = `Model "qwen3.9-plus" is not in Glance's catalogue; assuming it takes images and has the limits of qwen3.7-plus, the nearest known model.`;

describe("GLANCE_MODEL and GLANCE_STRICT_MODELS", () => {
  it("logs one warning when the bot starts with a model resolved by assumption", async () => {
    const [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
    const running = await startBot(fake, model, { environment: { GLANCE_MODEL: "qwen3.9-plus" } });
    try {
      assert.equal(running.config.model, "qwen3.9-plus");
      assert.deepEqual(
        running.logs.filter((line) => line.includes("not in Glance's catalogue")),
        [`[warn] ${warning}`],
      );
    } finally {
      await running.stop();
      await Promise.all([fake.close(), model.close()]);
    }
  });

  it("keeps known models silent", () => {
    assert.equal(loadConfig({ ...base, GLANCE_MODEL: "qwen3.7-plus" }).modelAssumption, undefined);
    assert.equal(loadConfig({ ...base, GLANCE_MODEL: "qwen3.9-plus" }).modelAssumption, warning);
  });

  it("refuses a model resolved by assumption with GLANCE_STRICT_MODELS=on, naming the variable", () => {
    for (const strict of ["on", "true"]) {
      assert.throws(
        () => loadConfig({ ...base, GLANCE_MODEL: "qwen3.9-plus", GLANCE_STRICT_MODELS: strict }),
        (error: unknown) =>
          error instanceof BotConfigError &&
          error.problems.length === 1 &&
          /^GLANCE_MODEL: Model "qwen3\.9-plus" is not in Glance's catalogue, and strict models refuse/.test(
            error.problems[0] ?? "",
          ),
      );
    }
    assert.equal(loadConfig({ ...base, GLANCE_MODEL: "qwen3.7-plus", GLANCE_STRICT_MODELS: "on" }).strictModels, true);
    assert.equal(
      loadConfig({ ...base, GLANCE_MODEL: "qwen3.9-plus", GLANCE_STRICT_MODELS: "off" }).strictModels,
      false,
    );
    assert.throws(
      () => loadConfig({ ...base, GLANCE_STRICT_MODELS: "maybe" }),
      /GLANCE_STRICT_MODELS must be "on" or "off"/,
    );
  });
});
