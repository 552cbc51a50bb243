import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { inspect } from "node:util";
import {
  AbortedError,
  ApiError,
  buildChatRequest,
  ConfigurationError,
  ConnectionError,
  createGlanceClient,
  type GlanceClientOptions,
  GlanceError,
  TimeoutError,
} from "@glance/core";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";

let fake: FakeModelStudio;
const waits: number[] = [];
const warnings: string[] = [];

before(async () => {
  fake = await startFakeModelStudio();
});
after(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  waits.length = 0;
  warnings.length = 0;
});

function clientFor(options: Partial<GlanceClientOptions> = {}) {
  return createGlanceClient({
    apiKey: fake.apiKey,
    baseUrl: fake.baseUrl,
    // Recorded instead of waited, so retry tests take no wall time and can check each wait.
    sleep: async (milliseconds) => {
      waits.push(milliseconds);
    },
    random: () => 0.5,
    logger: { warn: (message) => warnings.push(message) },
    ...options,
  });
}

const plainRequest = () => buildChatRequest({ model: "qwen3-vl-plus", prompt: "What is this?" });

describe("client retries and faults", () => {
  it("waits for the Retry-After of a 429, then succeeds", async () => {
    fake.script(fakeSteps.rateLimited("7"), fakeSteps.answer("after the wait"));
    const completion = await clientFor().complete(await plainRequest());
    assert.equal(completion.answer, "after the wait");
    assert.deepEqual(waits, [7000], "the wait must be the service's Retry-After, not the backoff");
    assert.equal(fake.requests.length, 2);
    assert.match(warnings[0] ?? "", /Retrying in 7 s \(attempt 2 of 4\)/);
  });

  it("reads a Retry-After given as an HTTP date", async () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    fake.script(fakeSteps.rateLimited(new Date(now + 12_000).toUTCString()), fakeSteps.answer("ok"));
    await clientFor({ now: () => now }).complete(await plainRequest());
    assert.deepEqual(waits, [12_000]);
  });

  it("caps a very long Retry-After at 60 s", async () => {
    fake.script(fakeSteps.rateLimited("3600"), fakeSteps.answer("ok"));
    await clientFor().complete(await plainRequest());
    assert.deepEqual(waits, [60_000]);
  });

  it("reports a caller abort during a stream as AbortedError, not as a broken stream", async () => {
    fake.script(fakeSteps.answer("A long answer that arrives in many small pieces over the stream."));
    const request = await buildChatRequest({ model: "qwen3-vl-plus", prompt: "Talk.", stream: true });
    const controller = new AbortController();
    await assert.rejects(
      clientFor().complete(request, { signal: controller.signal, onAnswer: () => controller.abort() }),
      (error: unknown) => error instanceof AbortedError,
    );
    assert.equal(fake.requests.length, 1);
  });

  it("backs off exponentially with jitter when no Retry-After is given, and gives up after the last retry", async () => {
    fake.script(fakeSteps.serverError(), fakeSteps.serverError(), fakeSteps.serverError());
    const client = clientFor({ maxRetries: 2 });
    await assert.rejects(client.complete(await plainRequest()), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.code, "api");
      assert.equal(error.status, 500);
      assert.equal(error.apiCode, "InternalServerError");
      assert.equal(
        error.message,
        "Model Studio answered 500 InternalServerError after 3 attempts (request id fake-request-error): An internal error has occured.",
      );
      return true;
    });
    assert.equal(fake.requests.length, 3);
    // Full jitter with random() = 0.5: half of 500 ms, then half of 1000 ms.
    assert.deepEqual(waits, [250, 500]);
  });

  it("reports a 429 that outlasts the retries as rate-limited, with when to try again", async () => {
    fake.script(fakeSteps.rateLimited("3"), fakeSteps.rateLimited("3"));
    await assert.rejects(clientFor({ maxRetries: 1 }).complete(await plainRequest()), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.code, "rate-limited");
      assert.equal(error.retryAfterSeconds, 3);
      assert.match(error.message, /try again in 3 s/);
      return true;
    });
  });

  it("never retries other 4xx errors, and explains content inspection", async () => {
    fake.script(fakeSteps.contentInspection());
    await assert.rejects(clientFor().complete(await plainRequest()), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.code, "content-inspection");
      assert.equal(error.status, 400);
      assert.match(error.message, /content inspection refused/);
      assert.match(error.message, /Input data may contain inappropriate content/);
      return true;
    });
    assert.equal(fake.requests.length, 1);
    assert.deepEqual(waits, []);
  });

  it("times out a slow answer with TimeoutError and does not retry it", async () => {
    fake.script(fakeSteps.slow(5_000));
    const started = Date.now();
    await assert.rejects(
      clientFor({ timeoutMilliseconds: 150 }).complete(await plainRequest()),
      (error: unknown) => error instanceof TimeoutError && error.timeoutMilliseconds === 150,
    );
    assert.ok(Date.now() - started < 3_000, "the timeout must not wait for the slow answer");
    assert.equal(fake.requests.length, 1);
  });

  it("stops at once with AbortedError when the caller aborts", async () => {
    fake.script(fakeSteps.slow(5_000));
    const controller = new AbortController();
    // Aborted once the fake holds the request: a fixed delay could fire before it arrives on a busy machine.
    const waitForRequest = setInterval(() => {
      if (fake.requests.length > 0) controller.abort();
    }, 10);
    const started = Date.now();
    await assert
      .rejects(
        clientFor().complete(await plainRequest(), { signal: controller.signal }),
        (error: unknown) => error instanceof AbortedError,
      )
      .finally(() => clearInterval(waitForRequest));
    assert.ok(Date.now() - started < 4_000, "the abort must not wait for the slow answer");
    assert.equal(fake.requests.length, 1);
  });

  it("reports a stream cut after content as ConnectionError, without retrying or repeating text", async () => {
    fake.script(fakeSteps.cutStream("One two three four five six seven eight nine ten.", 2));
    const request = await buildChatRequest({ model: "qwen3-vl-plus", prompt: "Count.", stream: true });
    const deltas: string[] = [];
    await assert.rejects(clientFor().complete(request, { onAnswer: (text) => deltas.push(text) }), (error: unknown) => {
      assert.ok(error instanceof ConnectionError);
      assert.match(error.message, /broke after 16 characters/);
      return true;
    });
    assert.equal(deltas.join(""), "One two three fo", "exactly the two chunks sent, once each");
    assert.equal(fake.requests.length, 1);
  });

  it("retries a stream cut before any content arrived", async () => {
    fake.script(fakeSteps.cutStream("never seen", 0), fakeSteps.answer("second try"));
    const request = await buildChatRequest({ model: "qwen3-vl-plus", prompt: "Hi.", stream: true });
    const completion = await clientFor().complete(request);
    assert.equal(completion.answer, "second try");
    assert.equal(fake.requests.length, 2);
  });

  it("explains a rejected key without ever showing it", async () => {
    const wrongKey = "sk-wrong-key-that-must-stay-secret";
    await assert.rejects(clientFor({ apiKey: wrongKey }).complete(await plainRequest()), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 401);
      assert.match(error.message, /refused the API key/);
      assert.match(error.message, /region/);
      assert.ok(!error.message.includes(wrongKey));
      return true;
    });
  });

  it("keeps the key out of every error message", async () => {
    const key = fake.apiKey;
    fake.script(
      fakeSteps.serverError(),
      fakeSteps.serverError(),
      { kind: "error", status: 400, code: "InvalidParameter", message: `bad request for ${key}` },
      fakeSteps.malformedJson(),
      fakeSteps.malformedJson(),
    );
    const messages: string[] = [];
    const client = clientFor({ maxRetries: 1 });
    for (let index = 0; index < 3; index += 1) {
      await client.complete(await plainRequest()).catch((error: unknown) => {
        assert.ok(error instanceof GlanceError);
        messages.push(error.message);
        // Loggers print whole errors, cause chain included: that must not carry the key either.
        messages.push(inspect(error, { depth: 10 }));
      });
    }
    const unreachable = clientFor({ baseUrl: "http://127.0.0.1:1/compatible-mode/v1", maxRetries: 0 });
    await unreachable.complete(await plainRequest()).catch((error: unknown) => {
      assert.ok(error instanceof ConnectionError);
      messages.push(error.message);
    });
    assert.equal(messages.length, 7);
    assert.match(
      messages[4] ?? "",
      /not valid JSON after 2 attempts/,
      "a body that is not JSON is retried, then reported",
    );
    assert.match(messages[2] ?? "", /\[redacted\]/, "a key echoed by the service is scrubbed");
    for (const message of [...messages, ...warnings]) {
      assert.ok(!message.includes(key), `leaked the key: ${message}`);
    }
  });

  it("refuses a missing key, naming the setting", () => {
    assert.throws(
      () => createGlanceClient({ apiKey: "  ", apiKeySource: "the DASHSCOPE_API_KEY environment variable" }),
      (error: unknown) =>
        error instanceof ConfigurationError &&
        error.setting === "apiKey" &&
        error.message.includes("DASHSCOPE_API_KEY environment variable"),
    );
  });
});
