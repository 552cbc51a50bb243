/*
 * The failure shapes of the live service (issue 12, points 1, 2 and 4): snake_case codes, errors inside
 * a stream and in SSE-framed bodies, quota that no retry fixes, and 429s without Retry-After. Each runs
 * the real client against the fake Model Studio, which answers as the service does (sources in the fake).
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import {
  ApiError,
  buildChatRequest,
  ConnectionError,
  createGlanceClient,
  type GlanceClientOptions,
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
    sleep: async (milliseconds) => {
      waits.push(milliseconds);
    },
    random: () => 0,
    logger: { warn: (message) => warnings.push(message) },
    ...options,
  });
}

const plainRequest = () => buildChatRequest({ model: "qwen3-vl-plus", prompt: "What is this?" });
const streamedRequest = () => buildChatRequest({ model: "qwen3-vl-plus", prompt: "What is this?", stream: true });

function isInspection(error: unknown, what: RegExp): boolean {
  assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`);
  assert.equal(error.code, "content-inspection");
  assert.match(error.message, /content inspection refused/);
  assert.match(error.message, what);
  return true;
}

describe("error codes as the service writes them today", () => {
  it("reads data_inspection_failed as a content-inspection refusal, final on the first answer", async () => {
    fake.script(fakeSteps.contentInspection("input"));
    await assert.rejects(clientFor().complete(await plainRequest()), (error: unknown) => {
      isInspection(error, /refused the input \(data_inspection_failed/);
      assert.ok(error instanceof ApiError);
      assert.equal(error.apiCode, "data_inspection_failed");
      assert.equal(error.outputDelivered, false);
      return true;
    });
    assert.equal(fake.requests.length, 1);
  });

  it("still reads the old DataInspectionFailed spelling", async () => {
    fake.script(fakeSteps.legacyContentInspection());
    await assert.rejects(clientFor().complete(await plainRequest()), (error: unknown) =>
      isInspection(error, /Input data may contain inappropriate content/),
    );
    assert.equal(fake.requests.length, 1);
  });

  it("treats insufficient_quota as quota: not rate limiting, and never retried", async () => {
    // A retry would get the fake's default answer and succeed, so the rejection itself proves there was none.
    fake.script(fakeSteps.quotaExceeded());
    await assert.rejects(clientFor().complete(await plainRequest()), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.code, "quota-exceeded");
      assert.equal(error.status, 429);
      assert.match(error.message, /quota or billing \(insufficient_quota\)/);
      assert.match(error.message, /trying again will not help/);
      return true;
    });
    assert.equal(fake.requests.length, 1);
    assert.deepEqual(waits, []);
  });

  it("retries limit_requests and the old Throttling.RateQuota as rate limits", async () => {
    fake.script(fakeSteps.rateLimited("1"), fakeSteps.legacyRateLimited("2"), fakeSteps.answer("through"));
    const completion = await clientFor().complete(await plainRequest());
    assert.equal(completion.answer, "through");
    assert.deepEqual(waits, [1000, 2000]);
  });
});

describe("errors inside a stream", () => {
  it("reports an output refusal after streamed text as content inspection, marked as shown, never retried", async () => {
    fake.script(fakeSteps.streamRefused("The screenshot shows something the check will not allow.", 2));
    const shown: string[] = [];
    await assert.rejects(
      clientFor().complete(await streamedRequest(), { onAnswer: (text) => shown.push(text) }),
      (error: unknown) => {
        isInspection(error, /refused the model's answer \(data_inspection_failed\)/);
        assert.ok(error instanceof ApiError);
        assert.match(error.message, /Output data may contain inappropriate content/);
        assert.equal(error.outputDelivered, true, "the caller showed text and must replace it");
        assert.equal(error.status, 200, "it arrived on a stream that had started with 200");
        return true;
      },
    );
    assert.equal(shown.join(""), "The screenshot s", "exactly the two chunks that came before the refusal");
    assert.equal(fake.requests.length, 1);
    assert.deepEqual(waits, []);
  });

  it("never retries a refusal that came before any text, though it looks like a stream that ended early", async () => {
    fake.script(fakeSteps.streamRefused("Never shown.", 0));
    await assert.rejects(clientFor().complete(await streamedRequest(), { onAnswer: () => {} }), (error: unknown) => {
      isInspection(error, /Output data/);
      assert.ok(error instanceof ApiError);
      assert.equal(error.outputDelivered, false);
      return true;
    });
    assert.equal(fake.requests.length, 1);
  });

  it("reads a 400 whose error is framed as an SSE event", async () => {
    fake.script(fakeSteps.sseContentInspection());
    await assert.rejects(clientFor().complete(await streamedRequest()), (error: unknown) => {
      isInspection(error, /refused the input/);
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 400);
      assert.equal(error.apiCode, "data_inspection_failed");
      assert.equal(error.requestId, "fake-request-error");
      return true;
    });
    assert.equal(fake.requests.length, 1);
  });

  it("reports a stream cut after shown text as a broken connection that was shown", async () => {
    fake.script(fakeSteps.cutStream("One two three four five six seven eight.", 2));
    await assert.rejects(clientFor().complete(await streamedRequest(), { onAnswer: () => {} }), (error: unknown) => {
      assert.ok(error instanceof ConnectionError);
      assert.equal(error.outputDelivered, true);
      return true;
    });
  });

  it("asks again when a stream breaks before anything reached the caller, even after text nobody saw", async () => {
    fake.script(fakeSteps.cutStream("Half an answer that", 2), fakeSteps.answer("A whole answer."));
    const completion = await clientFor().complete(await streamedRequest());
    assert.equal(completion.answer, "A whole answer.");
    assert.equal(fake.requests.length, 2);
  });
});

describe("429 without Retry-After", () => {
  it("backs off exponentially for the per-minute quota, several seconds in all, and says so", async () => {
    fake.script(fakeSteps.rateLimited(), fakeSteps.rateLimited(), fakeSteps.rateLimited(), fakeSteps.answer("ok"));
    const completion = await clientFor().complete(await plainRequest());
    assert.equal(completion.answer, "ok");
    // random() = 0: the fixed half of each step, 5 s doubling.
    assert.deepEqual(waits, [2_500, 5_000, 10_000]);
    assert.ok(
      waits.reduce((sum, wait) => sum + wait, 0) >= 15_000,
      "at least several seconds before giving up on a 429",
    );
    assert.equal(warnings.length, 3);
    assert.match(warnings[0] ?? "", /limit_requests/);
    assert.match(warnings[0] ?? "", /Retrying in 2\.5 s \(no Retry-After came with it; backing off/);
  });

  it("is capped at 30 s a wait, and jittered between half and all of each step", async () => {
    fake.script(...Array.from({ length: 5 }, () => fakeSteps.rateLimited()), fakeSteps.answer("ok"));
    await clientFor({ maxRetries: 5, random: () => 0.999_999 }).complete(await plainRequest());
    assert.deepEqual(waits, [4_999, 9_999, 19_999, 29_999, 29_999]);
  });

  it("gives up after the last retry with a rate-limited error that says when to try again", async () => {
    fake.script(fakeSteps.rateLimited(), fakeSteps.rateLimited());
    await assert.rejects(clientFor({ maxRetries: 1 }).complete(await plainRequest()), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.code, "rate-limited");
      assert.equal(error.retryAfterSeconds, undefined);
      assert.match(error.message, /after 2 attempts/);
      assert.match(error.message, /try again in a minute/);
      return true;
    });
    assert.deepEqual(waits, [2_500]);
  });
});

describe("refusals that name the setting to fix", () => {
  it("explains an unknown model (404) with the model's name and the region", async () => {
    const request = await plainRequest();
    await assert.rejects(
      clientFor().complete({ body: { ...request.body, model: "qwen9-vl-plus" } }),
      (error: unknown) => {
        assert.ok(error instanceof ApiError);
        assert.equal(error.status, 404);
        assert.equal(error.apiCode, "model_not_found");
        assert.match(error.message, /does not offer the model "qwen9-vl-plus"/);
        assert.match(error.message, /region/);
        return true;
      },
    );
    assert.equal(fake.requests.length, 1);
  });
});
