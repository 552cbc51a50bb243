/*
 * Scripted answers of the fake Slack's Web API (`failNext`): a queue per method, and how one answer
 * is played. They stand in for what Slack does under load or in an outage: HTTP 429 with a
 * retry-after header when rate limited (https://docs.slack.dev/apis/web-api/rate-limits), 5xx
 * answers, and slow calls, including the slow call that lands although the client gave up.
 */
import type { ServerResponse } from "node:http";
import type { FakeSlackAnswer } from "./slack-types.js";
import { sendJson } from "./slack-wire.js";

interface ScriptedAnswer {
  answer: FakeSlackAnswer;
  remaining: number;
  skip: number;
}

export class ScriptedAnswers {
  private readonly queues = new Map<string, ScriptedAnswer[]>();

  /** The next `times` calls of `method` (after `answer.afterCalls` normal ones) get `answer`. */
  add(method: string, answer: FakeSlackAnswer, times: number): void {
    const queue = this.queues.get(method) ?? [];
    queue.push({ answer, remaining: times, skip: answer.afterCalls ?? 0 });
    this.queues.set(method, queue);
  }

  /** The answer this call of `method` gets, or undefined to answer normally. */
  take(method: string): FakeSlackAnswer | undefined {
    const queue = this.queues.get(method);
    const next = queue?.[0];
    if (queue === undefined || next === undefined) {
      return undefined;
    }
    if (next.skip > 0) {
      next.skip -= 1;
      return undefined;
    }
    next.remaining -= 1;
    if (next.remaining <= 0) {
      queue.shift();
    }
    return next.answer;
  }
}

/**
 * Answers one call with a scripted answer. `run` performs the method and returns Slack's answer:
 * with `landAnyway` it runs at once, so the effect is stored even if the client stops waiting;
 * otherwise it runs only when the (possibly delayed) answer is sent, and not at all when the client
 * went away meanwhile.
 */
export async function playScriptedAnswer(
  response: ServerResponse,
  answer: FakeSlackAnswer,
  run: () => Record<string, unknown>,
): Promise<void> {
  let clientGone = false;
  response.on("close", () => {
    if (!response.writableFinished) clientGone = true;
  });
  const scriptedOutcome = answer.status !== undefined || answer.body !== undefined;
  const landed = answer.landAnyway === true ? run() : undefined;
  if (answer.delayMilliseconds !== undefined) {
    const delay = answer.delayMilliseconds;
    // Ends early when the client goes away, so a test's long "hung" call does not hold close().
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay);
      response.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  if (clientGone) {
    // The client gave up; whatever happens now nobody reads it. Without landAnyway nothing lands.
    return;
  }
  if (scriptedOutcome) {
    const status = answer.status ?? 200;
    const body =
      answer.body ?? (status === 429 ? { ok: false, error: "ratelimited" } : { ok: false, error: "internal_error" });
    sendJson(response, status, body, answer.headers ?? {});
    return;
  }
  sendJson(response, 200, landed ?? run(), answer.headers ?? {});
}
