/*
 * /healthz, /readyz and /metrics in HTTP mode, on the receiver's own port beside /slack/events: the app
 * as createApp builds it, the real WebClient against the fake Slack, core's client against the fake
 * Model Studio. (Socket Mode serves the same endpoints: socket-mode.test.ts.)
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
import type { ReadinessCheck } from "../../bot/src/health/readiness.js";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";
import { type FakeSlack, type FakeSlackMessage, startFakeSlack } from "../fakes/slack.js";
import { botReplies, type RunningBot, startBot, waitFor } from "../support/start-bot.js";

const channel = "C0HEALTH";
const user = "U0HEALTH";

interface ReadinessBody {
  ready: boolean;
  checks: Array<{ name: string; ready: boolean; problem?: string }>;
}

function smallPng(seed: number): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: { r: seed, g: 40, b: 90 } } })
    .png()
    .toBuffer();
}

function originOf(running: RunningBot): string {
  return new URL(running.appUrl).origin;
}

async function metricsOf(running: RunningBot): Promise<string> {
  const response = await fetch(`${originOf(running)}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  return response.text();
}

async function mention(fake: FakeSlack, text: string, seed: number | undefined): Promise<FakeSlackMessage> {
  const files =
    seed === undefined
      ? []
      : [fake.addFile({ name: `h${seed}.png`, mimetype: "image/png", content: await smallPng(seed), user })];
  return fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> ${text}`, files });
}

describe("health endpoints in HTTP mode", () => {
  let fake: FakeSlack;
  let model: FakeModelStudio;
  let running: RunningBot;
  /** A readiness check plugged in from outside, as a shared backend would (Redis reachable). */
  let backend: string | undefined | "hang" | "throw";

  before(async () => {
    [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
    fake.addChannel({ id: channel, name: "health" });
    const backendCheck: ReadinessCheck = {
      name: "backend",
      check: async () => {
        if (backend === "hang") return new Promise<string | undefined>(() => {});
        if (backend === "throw") throw new Error(`lost the connection (token ${fake.botToken})`);
        return backend;
      },
    };
    running = await startBot(fake, model, {
      dependencies: {
        readinessChecks: [backendCheck],
        readinessTimeoutMilliseconds: 300,
        // Every /readyz asks Slack again, so a revoked token shows at once.
        slackCheckCacheMilliseconds: 0,
      },
    });
  });

  after(async () => {
    await running.stop();
    await Promise.all([fake.close(), model.close()]);
  });

  async function readiness(): Promise<{ status: number; body: ReadinessBody }> {
    const response = await fetch(`${originOf(running)}/readyz`);
    return { status: response.status, body: (await response.json()) as ReadinessBody };
  }

  it("/healthz answers 200 while the process serves HTTP", async () => {
    const response = await fetch(`${originOf(running)}/healthz`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "ok\n");
    assert.equal((await fetch(`${originOf(running)}/healthz`, { method: "HEAD" })).status, 200);
  });

  it("/readyz answers 200 when Slack's auth.test passes, the model endpoint is set and every plugged check passes", async () => {
    backend = undefined;
    const { status, body } = await readiness();
    assert.equal(status, 200);
    assert.deepEqual(body, {
      ready: true,
      checks: [
        { name: "slack", ready: true },
        { name: "model", ready: true },
        { name: "backend", ready: true },
      ],
    });
  });

  it("/readyz answers 503 with the failing check's line: failed, too slow, or thrown (scrubbed of secrets)", async () => {
    backend = "Redis is not reachable at redis://cache:6379 (connect ECONNREFUSED): start it or fix GLANCE_REDIS_URL.";
    let { status, body } = await readiness();
    assert.equal(status, 503);
    assert.equal(body.ready, false);
    assert.deepEqual(body.checks.at(-1), { name: "backend", ready: false, problem: backend });
    assert.ok(body.checks.slice(0, 2).every((check) => check.ready));

    backend = "hang";
    ({ status, body } = await readiness());
    assert.equal(status, 503);
    assert.equal(body.checks.at(-1)?.problem, "the backend check did not finish within 300 ms.");

    backend = "throw";
    const response = await fetch(`${originOf(running)}/readyz`);
    const text = await response.text();
    assert.equal(response.status, 503);
    assert.match(text, /the backend check failed: lost the connection \(token \[secret\]\)/);
    assert.ok(!text.includes(fake.botToken));
    backend = undefined;
  });

  it("/readyz answers 503 when Slack refuses the bot token, naming the fix", async () => {
    fake.failNext("auth.test", { body: { ok: false, error: "token_revoked" } });
    const { status, body } = await readiness();
    assert.equal(status, 503);
    assert.deepEqual(body.checks[0], {
      name: "slack",
      ready: false,
      problem:
        "SLACK_BOT_TOKEN was refused by Slack's auth.test (token_revoked): copy the Bot User OAuth Token (xoxb-...) again from OAuth & Permissions, and reinstall the app if it was revoked.",
    });
    assert.equal((await readiness()).status, 200, "ready again once auth.test passes");
  });

  it("/metrics counts answers by outcome, model calls and tokens, downloads and Slack API errors by method", async () => {
    const answered = await mention(fake, "what is it?", 1);
    model.script(fakeSteps.answer("A dark rectangle."));
    await running.driver.sendEvent(running.driver.appMention(channel, answered));
    await waitFor(() => /A dark rectangle\./.test(botReplies(fake, channel, answered.ts).join("")), "the answer");

    // Nothing to look at, and the bot may not post in the channel: the reply goes privately instead.
    fake.failNext("chat.postMessage", { body: { ok: false, error: "not_in_channel" } });
    const empty = await mention(fake, "and this?", undefined);
    await running.driver.sendEvent(running.driver.appMention(channel, empty));
    await waitFor(() => fake.ephemerals.length > 0, "the private reply");
    await running.bot.idle();

    const metrics = await metricsOf(running);
    assert.match(metrics, /^glance_answers_total\{outcome="answered"\} 1$/m);
    assert.match(metrics, /^glance_answers_total\{outcome="no_media"\} 1$/m);
    assert.match(metrics, /^glance_model_request_duration_seconds_count\{outcome="ok"\} 1$/m);
    const input = Number(/^glance_model_tokens_total\{kind="input"\} (\d+)$/m.exec(metrics)?.[1]);
    const output = Number(/^glance_model_tokens_total\{kind="output"\} (\d+)$/m.exec(metrics)?.[1]);
    assert.ok(input > 0 && output > 0, `the tokens the service reported (${input} in, ${output} out)`);
    assert.match(metrics, /^glance_downloads_total\{source="slack_file",outcome="ok"\} 1$/m);
    assert.match(metrics, /^glance_download_bytes_total\{source="slack_file"\} [1-9]\d*$/m);
    assert.match(metrics, /^glance_slack_api_errors_total\{method="chat\.postMessage",error="not_in_channel"\} 1$/m);
    assert.match(metrics, /^glance_answer_queue_wait_seconds_count 2$/m);
    assert.match(metrics, /^glance_process_resident_memory_bytes \d+/m, "Node's process metrics too");
  });

  it("/readyz answers 503 once shutdown has begun, so no new work is sent", async () => {
    running.bot.beginShutdown();
    const { status, body } = await readiness();
    assert.equal(status, 503);
    assert.deepEqual(body.checks.at(-1), { name: "shutdown", ready: false, problem: "shutting down." });
  });
});

describe("queue metrics when answers wait for a slot", () => {
  let fake: FakeSlack;
  let model: FakeModelStudio;
  let running: RunningBot;

  before(async () => {
    [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
    fake.addChannel({ id: channel, name: "health" });
    running = await startBot(fake, model, {
      environment: { GLANCE_MAX_CONCURRENT: "1", GLANCE_MAX_QUEUED: "1" },
    });
  });

  after(async () => {
    await running.stop();
    await Promise.all([fake.close(), model.close()]);
  });

  it("shows the queue depth while one waits, and counts the one refused because the queue was full", async () => {
    model.script(fakeSteps.slow(1_500, "first"), fakeSteps.answer("second"));
    const first = await mention(fake, "one", 11);
    await running.driver.sendEvent(running.driver.appMention(channel, first));
    await waitFor(() => model.requests.length === 1, "the first answer to reach the model");
    const second = await mention(fake, "two", 12);
    await running.driver.sendEvent(running.driver.appMention(channel, second));
    let metrics = "";
    for (let attempt = 0; attempt < 50 && !/^glance_answer_queue_depth 1$/m.test(metrics); attempt += 1) {
      metrics = await metricsOf(running);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.match(metrics, /^glance_answer_queue_depth 1$/m, "the second answer waits");
    const third = await mention(fake, "three", 13);
    await running.driver.sendEvent(running.driver.appMention(channel, third));
    await waitFor(() => /queue is full/.test(botReplies(fake, channel, third.ts).join("")), "the refusal");
    await waitFor(() => /second/.test(botReplies(fake, channel, second.ts).join("")), "the second answer");
    await running.bot.idle();
    metrics = await metricsOf(running);
    assert.match(metrics, /^glance_answer_queue_depth 0$/m);
    assert.match(metrics, /^glance_answers_total\{outcome="queue_full"\} 1$/m);
    assert.match(metrics, /^glance_answers_total\{outcome="answered"\} 2$/m);
    assert.match(metrics, /^glance_answer_queue_wait_seconds_count 2$/m);
    // The second one waited for the first (1.5 s), so not every wait is in the smallest buckets.
    assert.match(metrics, /^glance_answer_queue_wait_seconds_bucket\{le="0\.5"\} 1$/m);
  });
});
