import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InputLimitError } from "@glance/core";
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
