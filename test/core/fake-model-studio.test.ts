/*
 * The fake Model Studio itself, by default the service as of 2026: each refusal the real service makes,
 * with its status, code and message (sources cited in test/fakes/model-studio.ts). Raw HTTP, so what is
 * checked is the fake, not the client.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";

let fake: FakeModelStudio;
let lenient: FakeModelStudio;

before(async () => {
  [fake, lenient] = await Promise.all([startFakeModelStudio(), startFakeModelStudio({ behaviour: "lenient" })]);
});
after(() => Promise.all([fake.close(), lenient.close()]));

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  error: { code?: string; type?: string; message?: string } | undefined;
}

async function post(target: FakeModelStudio, body: unknown, key = target.apiKey): Promise<Answer> {
  const response = await fetch(`${target.baseUrl}/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let error: Answer["error"];
  try {
    error = (JSON.parse(text) as { error?: Answer["error"] }).error;
  } catch {
    error = undefined;
  }
  return { status: response.status, headers: response.headers, text, error };
}

const image = { type: "image_url", image_url: { url: "https://example.com/a.png" } };
const withImage = (text: string) => [{ role: "user", content: [image, { type: "text", text }] }];

describe("the fake Model Studio as the service of 2026", () => {
  it("refuses max_tokens with a 400, and takes max_completion_tokens", async () => {
    const refused = await post(fake, { model: "qwen3.5-plus", messages: withImage("hi"), max_tokens: 100 });
    assert.equal(refused.status, 400);
    assert.match(refused.error?.message ?? "", /max_completion_tokens/);
    const taken = await post(fake, { model: "qwen3.5-plus", messages: withImage("hi"), max_completion_tokens: 100 });
    assert.equal(taken.status, 200);
  });

  it("refuses json_schema on a request with an image, naming response_format", async () => {
    const format = { type: "json_schema", json_schema: { name: "a", schema: { type: "object" }, strict: true } };
    const refused = await post(fake, {
      model: "qwen3-vl-plus",
      messages: withImage("JSON please"),
      response_format: format,
    });
    assert.equal(refused.status, 400);
    assert.match(refused.error?.message ?? "", /response_format/);
    const textOnly = await post(fake, {
      model: "qwen3-vl-plus",
      messages: [{ role: "user", content: "hi" }],
      response_format: format,
    });
    assert.equal(textOnly.status, 200);
  });

  it("answers json_object only when the messages contain the word json", async () => {
    const format = { type: "json_object" };
    const refused = await post(fake, {
      model: "qwen3-vl-plus",
      messages: withImage("Count."),
      response_format: format,
    });
    assert.equal(refused.status, 400);
    assert.equal(
      refused.error?.message,
      "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
    );
    const taken = await post(fake, {
      model: "qwen3-vl-plus",
      messages: withImage("Count, and answer in Json."),
      response_format: format,
    });
    assert.equal(taken.status, 200);
  });

  it("refuses structured output with thinking on", async () => {
    const refused = await post(fake, {
      model: "qwen3.5-plus",
      messages: [{ role: "user", content: "json" }],
      response_format: { type: "json_object" },
      enable_thinking: true,
    });
    assert.equal(refused.status, 400);
  });

  it("answers 401 invalid_api_key for a wrong key", async () => {
    const refused = await post(fake, { model: "qwen3.5-plus", messages: withImage("hi") }, "sk-wrong");
    assert.equal(refused.status, 401);
    assert.equal(refused.error?.code, "invalid_api_key");
    assert.match(refused.error?.message ?? "", /^Incorrect API key provided/);
  });

  it("answers 404 model_not_found for a model it does not serve, and serves snapshots of known ones", async () => {
    const refused = await post(fake, { model: "qwen3.9-plus", messages: withImage("hi") });
    assert.equal(refused.status, 404);
    assert.equal(refused.error?.code, "model_not_found");
    assert.equal(refused.error?.message, "The model `qwen3.9-plus` does not exist or you do not have access to it.");
    for (const model of [
      "qwen3.6-plus-2026-04-02",
      "qwen3-vl-flash-2025-10-15-us",
      "qwen-vl-ocr-1120",
      "qwen3.7-plus-latest",
    ]) {
      assert.equal((await post(fake, { model, messages: withImage("hi") })).status, 200, model);
    }
  });

  it("refuses a non-streaming call to a streaming-only model with the service's message", async () => {
    const refused = await post(fake, { model: "qvq-max", messages: withImage("hi") });
    assert.equal(refused.status, 400);
    assert.equal(refused.error?.code, "invalid_parameter_error");
    assert.equal(
      refused.error?.message,
      "This model only support stream mode, please enable the stream parameter to access the model. ",
    );
    const streamed = await post(fake, { model: "qvq-max", messages: withImage("hi"), stream: true });
    assert.equal(streamed.status, 200);
    assert.match(streamed.text, /data: \[DONE\]/);
  });

  it("refuses partial mode with thinking on", async () => {
    const refused = await post(fake, {
      model: "qwen3.5-plus",
      messages: [
        { role: "user", content: "Write." },
        { role: "assistant", content: "The start", partial: true },
      ],
      enable_thinking: true,
    });
    assert.equal(refused.status, 400);
  });

  it("sends a 429 without Retry-After, with today's limit_requests code", async () => {
    fake.script(fakeSteps.rateLimited());
    const refused = await post(fake, { model: "qwen3.5-plus", messages: withImage("hi") });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get("retry-after"), null);
    assert.equal(refused.error?.code, "limit_requests");
  });

  it("sends a content refusal as an error event after content on a 200 stream", async () => {
    fake.script(fakeSteps.streamRefused("Some text before the refusal.", 1));
    const answer = await post(fake, { model: "qwen3.5-plus", messages: withImage("hi"), stream: true });
    assert.equal(answer.status, 200);
    const events = answer.text.trim().split("\n\n");
    assert.equal(events.length, 2);
    assert.match(events[0] ?? "", /"content":"Some tex"/);
    const last = JSON.parse((events[1] ?? "").replace(/^data: /, "")) as { error: { code: string; message: string } };
    assert.equal(last.error.code, "data_inspection_failed");
    assert.equal(last.error.message, "Output data may contain inappropriate content.");
    assert.doesNotMatch(answer.text, /\[DONE\]/);
  });

  it("can answer with malformed optional fields", async () => {
    fake.script(fakeSteps.answer("fine", { malformedOptionalFields: true }));
    const answer = await post(fake, { model: "qwen3.5-plus", messages: withImage("hi") });
    const body = JSON.parse(answer.text) as {
      usage: { prompt_tokens: unknown };
      choices: Array<{ finish_reason: unknown }>;
    };
    assert.equal(body.usage.prompt_tokens, "1200");
    assert.equal(body.choices[0]?.finish_reason, null);
  });

  it("reports image, text and video tokens in prompt_tokens_details by default", async () => {
    const answer = await post(fake, {
      model: "qwen3.5-plus",
      messages: [{ role: "user", content: [image, { type: "video_url", video_url: { url: "https://e.com/v.mp4" } }] }],
    });
    const body = JSON.parse(answer.text) as { usage: { prompt_tokens_details: Record<string, number> } };
    assert.deepEqual(body.usage.prompt_tokens_details, {
      text_tokens: 0,
      image_tokens: 100,
      video_tokens: 500,
      cached_tokens: 0,
    });
  });

  it("accepts all of that when lenient", async () => {
    const answer = await post(lenient, { model: "qwen9-anything", messages: withImage("hi"), max_tokens: 10 });
    assert.equal(answer.status, 200);
  });
});
