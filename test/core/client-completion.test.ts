import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { buildChatRequest, createGlanceClient, type GlanceClient, ResponseValidationError } from "@glance/core";
import { z } from "zod";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";

let fake: FakeModelStudio;
let client: GlanceClient;

before(async () => {
  fake = await startFakeModelStudio();
  client = createGlanceClient({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, sleep: async () => {} });
});
after(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

const remoteImage = { kind: "image-url", url: "https://example.com/cat.png", width: 640, height: 480 } as const;

describe("createGlanceClient against the fake Model Studio", () => {
  it("sends the built body with the key as a bearer token and returns the answer", async () => {
    const request = await buildChatRequest({ model: "qwen3-vl-plus", prompt: "What is this?", inputs: [remoteImage] });
    const completion = await client.complete(request);

    // The fake's default answer counts the parts it received, so this proves the body arrived intact.
    assert.equal(completion.answer, "Fake Model Studio received 1 image(s), 0 video file(s) and 0 frame list(s).");
    assert.equal(completion.partial, false);
    assert.equal(completion.finishReason, "stop");
    assert.equal(completion.model, "qwen3-vl-plus");
    assert.equal(completion.requestId, "fake-request-1");
    assert.equal(fake.requests.length, 1);
    assert.equal(fake.requests[0]?.headers.authorization, `Bearer ${fake.apiKey}`);
    assert.deepEqual(fake.requests[0]?.body, request.body);
  });

  it("returns the usage the service reported", async () => {
    fake.script(fakeSteps.answer("ok", { usage: { prompt_tokens: 1234, completion_tokens: 5, total_tokens: 1239 } }));
    const request = await buildChatRequest({ model: "qwen3-vl-plus", prompt: "Hi" });
    const completion = await client.complete(request);
    assert.deepEqual(completion.usage, { inputTokens: 1234, outputTokens: 5, totalTokens: 1239 });
  });

  it("streams, keeping reasoning apart from the answer, and collects usage from the final chunk", async () => {
    fake.script(
      fakeSteps.answer("The cat sits on a red mat.", {
        reasoning: "I look at the animal, then at what is under it.",
        usage: { prompt_tokens: 400, completion_tokens: 30, total_tokens: 430 },
      }),
    );
    const request = await buildChatRequest({
      model: "qwen3.5-plus",
      prompt: "Describe it.",
      inputs: [remoteImage],
      stream: true,
    });
    const reasoningDeltas: string[] = [];
    const answerDeltas: string[] = [];
    const completion = await client.complete(request, {
      onReasoning: (text) => reasoningDeltas.push(text),
      onAnswer: (text) => answerDeltas.push(text),
    });

    assert.equal(completion.reasoning, "I look at the animal, then at what is under it.");
    assert.equal(completion.answer, "The cat sits on a red mat.");
    assert.ok(answerDeltas.length > 1, "the answer should arrive in several deltas");
    assert.equal(answerDeltas.join(""), completion.answer);
    assert.equal(reasoningDeltas.join(""), completion.reasoning);
    assert.deepEqual(completion.usage, { inputTokens: 400, outputTokens: 30, totalTokens: 430 });
    assert.equal(completion.finishReason, "stop");
    const sent = fake.requests[0]?.body as { stream?: boolean; stream_options?: unknown; enable_thinking?: boolean };
    assert.equal(sent.stream, true);
    assert.deepEqual(sent.stream_options, { include_usage: true });
    assert.equal(sent.enable_thinking, true);
  });

  it("flags a partial answer and, when asked, continues it in partial mode", async () => {
    fake.script(
      fakeSteps.answer("The first half, ", {
        partial: true,
        usage: { prompt_tokens: 100, completion_tokens: 4, total_tokens: 104 },
      }),
      fakeSteps.answer("and the second half.", {
        usage: { prompt_tokens: 104, completion_tokens: 5, total_tokens: 109 },
      }),
    );
    const request = await buildChatRequest({ model: "qwen3-vl-plus", prompt: "Write a long text." });
    const completion = await client.complete(request, { continuePartial: 2 });

    assert.equal(completion.answer, "The first half, and the second half.");
    assert.equal(completion.partial, false);
    assert.deepEqual(completion.usage, { inputTokens: 204, outputTokens: 9, totalTokens: 213 });
    assert.equal(fake.requests.length, 2);
    const continuation = fake.requests[1]?.body as {
      messages: Array<{ role: string; content: unknown; partial?: boolean }>;
    };
    assert.deepEqual(continuation.messages.at(-1), { role: "assistant", content: "The first half, ", partial: true });
  });

  it("reports a partial answer as partial when continuation is not asked for", async () => {
    fake.script(fakeSteps.answer("Cut off here", { partial: true }));
    const request = await buildChatRequest({ model: "qwen3-vl-plus", prompt: "Write a long text." });
    const completion = await client.complete(request);
    assert.equal(completion.partial, true);
    assert.equal(completion.answer, "Cut off here");
    assert.equal(fake.requests.length, 1);
  });

  it("parses structured output, repairing an invalid first answer once", async () => {
    const schema = z.object({ animal: z.string(), count: z.number().int() });
    fake.script(
      fakeSteps.answer('```json\n{"animal": "cat", "count": "two"}\n```'),
      fakeSteps.answer('```json\n{"animal": "cat", "count": 2}\n```'),
    );
    const request = await buildChatRequest({
      model: "qwen3-vl-plus",
      prompt: "Count the animals.",
      structuredOutput: { schema, name: "animals" },
    });
    const result = await client.completeStructured(request, schema);

    assert.deepEqual(result.value, { animal: "cat", count: 2 });
    assert.equal(result.repaired, true);
    assert.equal(fake.requests.length, 2);
    const repair = fake.requests[1]?.body as { messages: Array<{ role: string; content: unknown }> };
    const lastMessage = repair.messages.at(-1);
    assert.equal(lastMessage?.role, "user");
    assert.match(String(lastMessage?.content), /count/, "the repair request should say which field was wrong");
  });

  it("gives up with ResponseValidationError when the repaired answer is still invalid", async () => {
    const schema = z.object({ animal: z.string() });
    fake.script(fakeSteps.answer("I think it is a cat."), fakeSteps.answer("Still a cat, really."));
    const request = await buildChatRequest({
      model: "qwen3-vl-plus",
      prompt: "Name it.",
      structuredOutput: { schema },
    });
    await assert.rejects(client.completeStructured(request, schema), (error: unknown) => {
      assert.ok(error instanceof ResponseValidationError);
      assert.match(error.message, /not valid JSON/);
      assert.equal(error.rawText, "Still a cat, really.");
      return true;
    });
    assert.equal(fake.requests.length, 2, "exactly one repair request");
  });
});
