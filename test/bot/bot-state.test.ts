import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { PreparedImage } from "@glance/core";
import { createMemoryState } from "../../bot/src/state/bot-state.js";
import { FileState, type FileStateLogger } from "../../bot/src/state/file-state.js";
import { MemoryMediaCache } from "../../bot/src/state/media-cache.js";
import { MemoryTokenBudgets } from "../../bot/src/state/token-budgets.js";
import type { ThreadMessage } from "../../bot/src/thread-history.js";
import { waitFor } from "../support/start-bot.js";

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

  it("moves a file it cannot read aside, says where, and starts empty", async () => {
    await inTemporaryDirectory(async (directory) => {
      const path = join(directory, "broken.json");
      await writeFile(path, "{ not json");
      const { logger, lines } = recordingLogger();
      const state = await FileState.open({ path, logger });
      assert.equal(await state.claims.claim("event:Ev1", 60_000), true, "started empty");
      await state.close();
      assert.equal(lines.length, 1, lines.join("\n"));
      const [line = ""] = lines;
      assert.match(
        line,
        /^\[warn\] GLANCE_STORE_FILE .*broken\.json is not a state file this version can read: moved it to /,
      );
      const aside = (await readdir(directory)).find((name) => name.startsWith("broken.json.unreadable-"));
      assert.ok(aside !== undefined, "the unreadable file is kept beside it");
      assert.ok(line.includes(join(directory, aside)), "the line names where it went");
      assert.equal(await readFile(join(directory, aside), "utf8"), "{ not json", "untouched");
      assert.equal(JSON.parse(await readFile(path, "utf8")).version, 2, "a fresh state file took its place");
    });
  });

  it("writes the file readable by its owner only, fsynced through a temporary file", async () => {
    await inTemporaryDirectory(async (directory) => {
      const path = join(directory, "state.json");
      // A file left readable by everyone (an older version, a copy) is tightened on the first write.
      await writeFile(path, JSON.stringify({ version: 2, claims: {}, budgets: {}, threads: {} }), { mode: 0o644 });
      await chmod(path, 0o644);
      const state = await FileState.open({ path, flushIntervalMilliseconds: 60_000 });
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      await state.claims.claim("event:Ev1", 60_000);
      assert.equal(await state.flush(), true);
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      assert.deepEqual(await readdir(directory), ["state.json"], "no temporary file left behind");
      await state.close();
    });
  });

  it("logs a failed write, keeps the changes, and writes them once it can: never an unhandled rejection", async () => {
    await inTemporaryDirectory(async (directory) => {
      const path = join(directory, "state.json");
      const { logger, lines } = recordingLogger();
      const rejections: unknown[] = [];
      const onRejection = (reason: unknown) => rejections.push(reason);
      process.on("unhandledRejection", onRejection);
      try {
        const state = await FileState.open({ path, logger, flushIntervalMilliseconds: 20 });
        // The path becomes a non-empty folder: renaming the temporary file over it fails (as root too).
        await rm(path);
        await mkdir(join(path, "in-the-way"), { recursive: true });
        await state.claims.claim("event:Ev1", 60_000);
        await waitFor(() => lines.length > 0, "the failed write to be logged", 5_000);
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.equal(lines.length, 1, `one line for a run of failures, not one per retry:\n${lines.join("\n")}`);
        assert.match(
          lines[0] ?? "",
          /^\[warn\] Could not write the state file .*state\.json \(E[A-Z]+: .*\); the state is kept in memory and the write is tried again every 0\.02 s\./,
        );
        assert.equal(await state.claims.claim("event:Ev1", 60_000), false, "the claim is still held in memory");

        await rm(path, { recursive: true });
        await waitFor(() => lines.length > 1, "the write to succeed again", 5_000);
        assert.match(lines[1] ?? "", /^\[info\] The state file .*state\.json is written again\.$/);
        const saved = JSON.parse(await readFile(path, "utf8")) as { claims: Record<string, unknown> };
        assert.ok("event:Ev1" in saved.claims, "the change made while failing reached the file");
        await state.close();
        assert.deepEqual(rejections, []);
      } finally {
        process.off("unhandledRejection", onRejection);
      }
    });
  });

  it("says in one line, on close, that the last changes could not be written", async () => {
    await inTemporaryDirectory(async (directory) => {
      const path = join(directory, "state.json");
      const { logger, lines } = recordingLogger();
      const state = await FileState.open({ path, logger, flushIntervalMilliseconds: 60_000 });
      await rm(path);
      await mkdir(join(path, "in-the-way"), { recursive: true });
      await state.claims.claim("event:Ev1", 60_000);
      await state.close();
      assert.match(
        lines.at(-1) ?? "",
        /^\[error\] The state file .*state\.json could not be written on shutdown: the changes since its last write are lost\.$/,
      );
    });
  });

  it("fails at start-up in one line when the file cannot be written", async () => {
    await inTemporaryDirectory(async (directory) => {
      const path = join(directory, "missing-folder", "state.json");
      await assert.rejects(FileState.open({ path }), (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(
          error.message,
          /^GLANCE_STORE_FILE .*state\.json cannot be written \(ENOENT: .*\): give the bot write access/,
        );
        assert.doesNotMatch(error.message, /\n/);
        return true;
      });
    });
  });
});

/** A FileState logger that keeps its lines. */
function recordingLogger(): { logger: FileStateLogger; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    logger: {
      info: (message) => lines.push(`[info] ${message}`),
      warn: (message) => lines.push(`[warn] ${message}`),
      error: (message) => lines.push(`[error] ${message}`),
    },
  };
}

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
