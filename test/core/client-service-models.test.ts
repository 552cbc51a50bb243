/*
 * What the client must do for the models and answers of the live service (issue 12 points 3, 5 and 6,
 * issue 8 §1): streaming-only QVQ, partial answers only where the service makes them, usage details,
 * fields that come back malformed, max_completion_tokens, and endpoints chosen by region.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import {
  buildChatRequest,
  ConfigurationError,
  createGlanceClient,
  defaultBaseUrl,
  defaultCatalogue,
  estimateImageTokens,
  type GlanceClientOptions,
  regionBaseUrls,
  regionNames,
  resolveBaseUrl,
} from "@glance/core";
import { z } from "zod";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";

let fake: FakeModelStudio;
const warnings: string[] = [];
const debugLines: string[] = [];

before(async () => {
  fake = await startFakeModelStudio();
});
after(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  warnings.length = 0;
  debugLines.length = 0;
});

function clientFor(options: Partial<GlanceClientOptions> = {}) {
  return createGlanceClient({
    apiKey: fake.apiKey,
    baseUrl: fake.baseUrl,
    sleep: async () => {},
    logger: { warn: (message) => warnings.push(message), debug: (message) => debugLines.push(message) },
    ...options,
  });
}

interface SentBody {
  stream?: boolean;
  max_tokens?: number;
  max_completion_tokens?: number;
  messages: Array<{ role: string; content: unknown; partial?: boolean }>;
}
const sent = (index: number) => fake.requests[index]?.body as SentBody;

const remoteImage = { kind: "image-url", url: "https://example.com/cat.png", width: 640, height: 480 } as const;

describe("streaming-only models (QVQ)", () => {
  it("never sends QVQ a non-streaming request: core streams and collects the answer", async () => {
    fake.script(fakeSteps.answer("The sky scatters blue light most.", { reasoning: "Rayleigh scattering..." }));
    const request = await buildChatRequest({ model: "qvq-max", prompt: "Why is the sky blue?" });
    const completion = await clientFor().complete(request);
    assert.equal(completion.answer, "The sky scatters blue light most.");
    assert.equal(completion.reasoning, "Rayleigh scattering...");
    assert.equal(sent(0).stream, true);
  });

  it("streams a hand-made QVQ body too, found in the catalogue by its name", async () => {
    const completion = await clientFor().complete({
      body: { model: "qvq-max-2025-03-25", messages: [{ role: "user", content: "Hi" }] },
    });
    assert.match(completion.answer, /Fake Model Studio received/);
    assert.equal(sent(0).stream, true);
  });

  it("streams a model the service says is streaming-only, and remembers it", async () => {
    // A catalogue that does not know: the service's own refusal teaches the client.
    const unaware = { ...defaultCatalogue.resolve("qvq-plus"), streamingOnly: false };
    const body = { model: "qvq-plus", messages: [{ role: "user" as const, content: "Hi" }] };
    const client = clientFor();
    const first = await client.complete({ body, model: unaware });
    assert.match(first.answer, /Fake Model Studio received/);
    assert.deepEqual(
      fake.requests.map((request) => (request.body as SentBody).stream),
      [undefined, true],
    );
    assert.match(warnings[0] ?? "", /only by streaming/);
    await client.complete({ body, model: unaware });
    assert.equal(fake.requests.length, 3, "the second call streams at once");
    assert.equal(sent(2).stream, true);
  });

  it("refuses a structured answer from QVQ before any call, naming a model that can", async () => {
    const schema = z.object({ verdict: z.string() });
    const request = await buildChatRequest({ model: "qvq-max", prompt: "Answer in JSON." });
    await assert.rejects(clientFor().completeStructured(request, schema), (error: unknown) => {
      assert.ok(error instanceof ConfigurationError);
      assert.match(error.message, /qvq-max answers only as a stream of thinking and cannot give structured/);
      assert.match(error.message, /such as qwen3\.5-plus/);
      return true;
    });
    assert.equal(fake.requests.length, 0);
  });
});

describe("partial answers", () => {
  it("continues a partial non-streaming answer with thinking off", async () => {
    fake.script(fakeSteps.answer("The first half, ", { partial: true }), fakeSteps.answer("and the rest."));
    const request = await buildChatRequest({ model: "qwen3-vl-plus", prompt: "Write a long text." });
    const completion = await clientFor().complete(request, { continuePartial: 1 });
    assert.equal(completion.answer, "The first half, and the rest.");
    assert.equal(completion.partial, false);
    assert.equal(sent(1).messages.at(-1)?.partial, true);
  });

  it("does not continue with thinking on (partial mode needs it off), and reports the answer as partial", async () => {
    fake.script(fakeSteps.answer("Thought long, then this much", { partial: true, reasoning: "..." }));
    const request = await buildChatRequest({ model: "qwen3.5-plus", prompt: "Think hard." });
    assert.equal(request.body.enable_thinking, true);
    const completion = await clientFor().complete(request, { continuePartial: 2 });
    assert.equal(completion.partial, true);
    assert.equal(completion.answer, "Thought long, then this much");
    assert.equal(fake.requests.length, 1, "no partial-mode request with thinking on");
    assert.match(warnings[0] ?? "", /not continued, because partial mode works only with thinking off/);
  });

  it("never marks a streamed answer partial: the service cuts only non-streaming calls", async () => {
    fake.script(fakeSteps.answer("A streamed answer.", { partial: true }));
    const request = await buildChatRequest({ model: "qwen3-vl-plus", prompt: "Talk.", stream: true });
    const completion = await clientFor().complete(request, { continuePartial: 2 });
    assert.equal(completion.partial, false);
    assert.equal(fake.requests.length, 1);
  });
});

describe("usage and optional fields", () => {
  it("reads prompt_tokens_details and compares image tokens with the estimate in the debug log", async () => {
    const request = await buildChatRequest({ model: "qwen3-vl-plus", prompt: "Describe.", inputs: [remoteImage] });
    const estimated = estimateImageTokens({ model: "qwen3-vl-plus", width: 640, height: 480 }).tokens;
    fake.script(
      fakeSteps.answer("A cat.", {
        usage: {
          prompt_tokens: 400,
          completion_tokens: 30,
          total_tokens: 430,
          prompt_tokens_details: { image_tokens: estimated + 10, text_tokens: 80, cached_tokens: 64 },
          completion_tokens_details: { reasoning_tokens: 12 },
        },
      }),
    );
    const completion = await clientFor().complete(request);
    assert.deepEqual(completion.usage, {
      inputTokens: 400,
      outputTokens: 30,
      totalTokens: 430,
      imageTokens: estimated + 10,
      textTokens: 80,
      cachedTokens: 64,
      reasoningTokens: 12,
    });
    const percent = Math.round((10 / estimated) * 1000) / 10;
    assert.deepEqual(debugLines, [
      `Model Studio counted ${estimated + 10} image tokens; Glance estimated ${estimated} (+${percent}%).`,
    ]);
  });

  it("reads video tokens from a streamed answer's usage", async () => {
    const request = await buildChatRequest({
      model: "qwen3.5-plus",
      prompt: "What happens?",
      inputs: [{ kind: "video-url", url: "https://example.com/v.mp4" }],
      stream: true,
      thinking: false,
    });
    const completion = await clientFor().complete(request);
    assert.equal(completion.usage?.videoTokens, 500, "the fake's default usage counts 500 per video file");
  });

  it("keeps the answer when optional fields come back malformed", async () => {
    fake.script(fakeSteps.answer("Still a fine answer.", { malformedOptionalFields: true }));
    const completion = await clientFor().complete(await buildChatRequest({ model: "qwen3-vl-plus", prompt: "Hi" }));
    assert.equal(completion.answer, "Still a fine answer.");
    assert.equal(completion.reasoning, "", "a reasoning that is not text is none");
    assert.equal(completion.usage, undefined, "counts that are not numbers are not made up");
    assert.equal(completion.finishReason, undefined);
    assert.equal(completion.model, "qwen3-vl-plus", "a model that is not a name falls back to the one asked for");
  });

  it("keeps a streamed answer when optional fields come back malformed", async () => {
    fake.script(fakeSteps.answer("Streamed, fine.", { malformedOptionalFields: true }));
    const request = await buildChatRequest({ model: "qwen3-vl-plus", prompt: "Hi", stream: true });
    const completion = await clientFor().complete(request);
    assert.equal(completion.answer, "Streamed, fine.");
    assert.equal(completion.finishReason, "stop");
    assert.equal(completion.usage, undefined);
  });
});

describe("request parameters the service takes today", () => {
  it("sends max_completion_tokens, which the service of 2026 accepts, and never max_tokens", async () => {
    const request = await buildChatRequest({ model: "qwen3-vl-plus", prompt: "Short.", maxOutputTokens: 300 });
    await clientFor().complete(request);
    assert.equal(sent(0).max_completion_tokens, 300);
    assert.equal(sent(0).max_tokens, undefined);
  });
});

describe("regions", () => {
  it("names the four documented endpoints", () => {
    assert.deepEqual(regionNames, ["intl", "us", "cn", "hk"]);
    assert.deepEqual(regionBaseUrls, {
      intl: "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
      us: "https://dashscope-us.aliyuncs.com/compatible-mode/v1",
      cn: "https://dashscope.aliyuncs.com/compatible-mode/v1",
      hk: "https://cn-hongkong.dashscope.aliyuncs.com/compatible-mode/v1",
    });
    assert.equal(defaultBaseUrl, regionBaseUrls.intl);
  });

  it("picks the region's endpoint, intl by default, and lets an explicit base URL win", () => {
    const key = { apiKey: "sk-test" };
    assert.equal(createGlanceClient(key).baseUrl, regionBaseUrls.intl);
    assert.equal(createGlanceClient({ ...key, region: "us" }).baseUrl, regionBaseUrls.us);
    assert.equal(createGlanceClient({ ...key, region: "HK" }).baseUrl, regionBaseUrls.hk);
    assert.equal(createGlanceClient({ ...key, region: "cn", baseUrl: fake.baseUrl }).baseUrl, fake.baseUrl);
    assert.equal(resolveBaseUrl({ region: "cn" }), regionBaseUrls.cn);
    assert.equal(resolveBaseUrl({ region: "", baseUrl: undefined }), defaultBaseUrl);
  });

  it("refuses an unknown region, listing the known ones, even next to a base URL", () => {
    for (const options of [{ region: "eu" }, { region: "singapore", baseUrl: fake.baseUrl }]) {
      assert.throws(
        () => createGlanceClient({ apiKey: "sk-test", ...options }),
        (error: unknown) =>
          error instanceof ConfigurationError &&
          error.setting === "region" &&
          error.message.includes(`Unknown Model Studio region "${options.region}"`) &&
          /intl \(https:\/\/dashscope-intl.*us \(.*cn \(.*hk \(/.test(error.message),
      );
    }
  });
});
