import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiError, InputLimitError } from "@glance/core";
import { errorReply } from "../../bot/src/error-replies.js";

/* The bot picks its words for a limit by the error's code; the English of core's message is for people only. */
describe("errorReply for input limits", () => {
  const tooLong = {
    input: "meeting.mp4",
    what: "the video duration",
    actual: "610.00 s",
    fix: "Trim it.",
  };

  it("offers a summary for a video longer than the model watches, whatever the limit's wording", () => {
    for (const limit of ["at most 600 s for qwen-vl-max", "from 2 s to 10 min (600 s) for qwen-vl-max"]) {
      const reply = errorReply(new InputLimitError({ limitCode: "video-maximum-duration", limit, ...tooLong }));
      assert.equal(
        reply,
        `:warning: meeting.mp4: the video is 610.00 s long, but I can watch ${limit}. Trim it, or ask me to "summarize" it and I'll sample frames from the whole video.`,
      );
    }
  });

  it("gives any other limit as core states it, even one worded like the video duration", () => {
    const reply = errorReply(
      new InputLimitError({
        limitCode: "video-minimum-duration",
        input: "clip.mp4",
        what: "the video duration",
        limit: "at least 2 s for qwen3.5-plus",
        actual: "1.00 s",
        fix: "Use a longer clip.",
      }),
    );
    assert.equal(
      reply,
      ":warning: clip.mp4: the video duration is 1.00 s, but must be at least 2 s for qwen3.5-plus. Use a longer clip.",
    );
  });
});

/* Core's quota and content codes get words of their own: what happened, and what to do. */
describe("errorReply for the model service's account and content refusals", () => {
  const details = { status: 429, apiCode: "insufficient_quota", requestId: undefined, retryAfterSeconds: undefined };

  it("says the account is out of quota, who must act, and that asking again will not help", () => {
    const reply = errorReply(new ApiError("quota-exceeded", "Model Studio refused the request: quota.", details));
    assert.match(reply, /out of quota or has a billing problem/);
    assert.match(reply, /An admin needs to check the account's quota and billing/);
    assert.match(reply, /asking again won't help/);
    assert.doesNotMatch(reply, /Model Studio refused the request: quota\./, "core's English is not repeated");
  });

  it("says an answer refused part-way was removed, apart from a refused question", () => {
    const inspection = {
      status: 400,
      apiCode: "data_inspection_failed",
      requestId: undefined,
      retryAfterSeconds: undefined,
    };
    const partWay = errorReply(new ApiError("content-inspection", "refused", inspection, { outputDelivered: true }));
    assert.equal(
      partWay,
      ":no_entry: Model Studio's content check refused the answer part-way, so I removed it. Ask differently or try other files.",
    );
    assert.match(errorReply(new ApiError("content-inspection", "refused", inspection)), /refused this request/);
  });
});
