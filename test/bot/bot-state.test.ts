import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { PreparedImage } from "@glance/core";
import { createMemoryState } from "../../bot/src/state/bot-state.js";
import { FileState } from "../../bot/src/state/file-state.js";
import { MemoryMediaCache } from "../../bot/src/state/media-cache.js";
import { MemoryTokenBudgets } from "../../bot/src/state/token-budgets.js";
import type { ThreadMessage } from "../../bot/src/thread-history.js";

/** A prepared image of about `bytes` bytes. */
function preparedImage(name: string, bytes: number): PreparedImage {
  return {
    kind: "image",
    name,
    mimeType: "image/png",
    data: Buffer.alloc(bytes),
    width: 28,
    height: 28,
    originalWidth: 28,
    originalHeight: 28,
    originalFormat: "png",
    originalBytes: bytes,
  };
}

const hello: ThreadMessage[] = [{ ts: "1.1", fromBot: false, text: "hi", files: [] }];
const dailyCounter = (id: string, limit: number) => ({ id, limit, lifetimeMilliseconds: 50_000 });

async function inTemporaryDirectory(work: (directory: string) => Promise<void>): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), "glance-state-"));
  try {
    await work(directory);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

describe("the file-backed state (GLANCE_STORE_FILE)", () => {
  it("keeps claims, cached threads and budgets across a restart, honouring their lifetimes", async () => {
    await inTemporaryDirectory(async (directory) => {
      const path = join(directory, "state.json");
      let now = 1_000_000;
      const first = await FileState.open({ path, now: () => now, flushIntervalMilliseconds: 60_000 });
      assert.equal(await first.claims.claim("event:Ev1", 60_000), true);
      assert.equal(await first.claims.claim("event:Ev1", 60_000), false);
      await first.threads.set({ channel: "C1", threadTs: "1.1" }, hello, 10_000);
      await first.threads.set({ channel: "C1", threadTs: "2.2" }, hello, 1_000);
      assert.deepEqual(await first.budgets.reserve([dailyCounter("user:U1", 100)], 70), { reserved: true });
      await first.media.set(
        { fileId: "F1", model: "qwen3.5-plus", longVideo: false },
        preparedImage("x.png", 64),
        60_000,
      );
      await first.close();
      // Written whole through a temporary file that was renamed away.
      assert.deepEqual(await readdir(directory), ["state.json"]);
      assert.ok(!(await readFile(path, "utf8")).includes("x.png"), "prepared media are not persisted");

      now += 5_000;
      const second = await FileState.open({ path, now: () => now, flushIntervalMilliseconds: 60_000 });
      assert.equal(
        await second.claims.claim("event:Ev1", 60_000),
        false,
        "a retried event after a restart stays deduplicated",
      );
      assert.deepEqual(await second.threads.get({ channel: "C1", threadTs: "1.1" }), hello);
      assert.equal(await second.threads.get({ channel: "C1", threadTs: "2.2" }), undefined, "expired while down");
      assert.equal(await second.media.get({ fileId: "F1", model: "qwen3.5-plus", longVideo: false }), undefined);
      assert.deepEqual(await second.budgets.reserve([dailyCounter("user:U1", 100)], 40), {
        reserved: false,
        refusedBy: dailyCounter("user:U1", 100),
        used: 70,
      });
      await second.close();

      now += 60_000;
      const third = await FileState.open({ path, now: () => now, flushIntervalMilliseconds: 60_000 });
      assert.equal(await third.claims.claim("event:Ev1", 60_000), true, "the claim's lifetime ended");
      assert.equal(await third.threads.get({ channel: "C1", threadTs: "1.1" }), undefined);
      assert.equal(await third.budgets.used("user:U1"), 0, "the counter's lifetime ended");
      await third.close();
    });
  });

  it("starts empty when the file does not exist yet", async () => {
    await inTemporaryDirectory(async (directory) => {
      const state = await FileState.open({ path: join(directory, "new.json") });
      assert.equal(await state.threads.get({ channel: "C1", threadTs: "1.1" }), undefined);
      assert.equal(await state.budgets.used("user:U1"), 0);
      await state.close();
    });
  });

  it("carries claims and budgets over from a file written before the state was split", async () => {
    await inTemporaryDirectory(async (directory) => {
      const path = join(directory, "old.json");
      const now = 1_000_000;
      const expiresAt = now + 60_000;
      await writeFile(
        path,
        JSON.stringify({
          "event:Ev1": { value: true, expiresAt },
          "message:C1:1.1": { value: true, expiresAt },
          "budget:user:U1:2026-01-01": { value: 70, expiresAt },
          "thread:C1:1.1": { value: hello, expiresAt },
        }),
      );
      const state = await FileState.open({ path, now: () => now });
      assert.equal(await state.claims.claim("event:Ev1", 60_000), false);
      assert.equal(await state.claims.claim("message:C1:1.1", 60_000), false);
      assert.equal(await state.budgets.used("user:U1:2026-01-01"), 70);
      assert.equal(await state.threads.get({ channel: "C1", threadTs: "1.1" }), undefined, "caches start empty");
      await state.close();
    });
  });

  it("refuses a file it cannot read, naming the file and the fix", async () => {
    await inTemporaryDirectory(async (directory) => {
      const path = join(directory, "broken.json");
      await writeFile(path, "{ not json");
      await assert.rejects(
        FileState.open({ path }),
        (error: unknown) =>
          error instanceof Error &&
          error.message.includes(path) &&
          /Move it away to start with empty state/.test(error.message) &&
          !error.message.includes("\n"),
      );
    });
  });
});

describe("the in-process state", () => {
  it("never evicts claims or budgets for cached values, and caps cached media by bytes, least recently used", async () => {
    let now = 1_000;
    const media = new MemoryMediaCache({ now: () => now, maxBytes: 10_000 });
    const state = { ...createMemoryState({ now: () => now, maxThreads: 3 }), media };
    const user = dailyCounter("user:U1:day", 100);
    assert.equal(await state.claims.claim("event:Ev1", 60_000), true);
    await state.budgets.reserve([user], 70);
    const key = (index: number) => ({ fileId: `F${index}`, model: "qwen3.5-plus", longVideo: false });
    // A flood of thread caches and media well past both caps.
    for (let index = 0; index < 20; index += 1) {
      await state.threads.set({ channel: "C1", threadTs: `${index}` }, hello, 60_000);
      await state.media.set(key(index), preparedImage(`${index}.png`, 3_000), 60_000);
      if (index === 5) await state.media.get(key(4));
    }
    assert.equal(await state.claims.claim("event:Ev1", 60_000), false, "the dedup claim survived");
    assert.deepEqual(await state.budgets.reserve([user], 40), { reserved: false, refusedBy: user, used: 70 });
    assert.ok(media.cachedBytes <= 10_000, `${media.cachedBytes} bytes cached`);
    assert.notEqual(await state.media.get(key(19)), undefined, "the newest media stays");
    assert.equal(await state.media.get(key(0)), undefined, "the oldest media went");
    assert.equal(await state.threads.get({ channel: "C1", threadTs: "0" }), undefined, "the oldest thread went");
    assert.notEqual(await state.threads.get({ channel: "C1", threadTs: "19" }), undefined);
    now += 61_000;
    assert.equal(await state.claims.claim("event:Ev1", 60_000), true, "a claim ends with its lifetime");
  });

  it("reserves on all counters or none, settles past the limit and refunds", async () => {
    const budgets = new MemoryTokenBudgets({ now: () => 1_000 });
    const user = dailyCounter("user:U1", 100);
    const channel = dailyCounter("channel:C1", 50);
    assert.deepEqual(await budgets.reserve([user, channel], 40), { reserved: true });
    assert.deepEqual(await budgets.reserve([user, channel], 20), { reserved: false, refusedBy: channel, used: 40 });
    assert.equal(await budgets.used(user.id), 40, "the user's counter was left untouched by the refused reservation");
    // The call used more than reserved: booked anyway, though past the channel's limit.
    await budgets.settle([user, channel], 40, 60);
    assert.equal(await budgets.used(channel.id), 60);
    assert.deepEqual(await budgets.reserve([user], 10), { reserved: true });
    await budgets.refund([user], 10);
    assert.equal(await budgets.used(user.id), 60);
  });
});
