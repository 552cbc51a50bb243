import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { FileStore } from "../../bot/src/store/file-store.js";
import { MemoryStore } from "../../bot/src/store/memory-store.js";

describe("the file-backed store (GLANCE_STORE_FILE)", () => {
  it("keeps claims, values and counters across a restart, honouring their lifetimes", async () => {
    const directory = await mkdtemp(join(tmpdir(), "glance-store-"));
    const path = join(directory, "state.json");
    let now = 1_000_000;
    try {
      const first = await FileStore.open({ path, now: () => now, flushIntervalMilliseconds: 60_000 });
      assert.equal(await first.claim("event:Ev1", 60_000), true);
      assert.equal(await first.claim("event:Ev1", 60_000), false);
      await first.set("thread:C1:1.1", [{ ts: "1.1", text: "hi" }], 10_000);
      await first.set("short", "gone soon", 1_000);
      assert.deepEqual(await first.incrementWithLimit("budget:u", 70, 100, 50_000), { allowed: true, total: 70 });
      await first.set("media:model:x", { big: true }, 60_000);
      await first.close();
      // Written whole through a temporary file that was renamed away.
      assert.deepEqual(await readdir(directory), ["state.json"]);
      assert.ok(!(await readFile(path, "utf8")).includes("media:"), "prepared media are not persisted");

      now += 5_000;
      const second = await FileStore.open({ path, now: () => now, flushIntervalMilliseconds: 60_000 });
      assert.equal(
        await second.claim("event:Ev1", 60_000),
        false,
        "a retried event after a restart stays deduplicated",
      );
      assert.deepEqual(await second.get("thread:C1:1.1"), [{ ts: "1.1", text: "hi" }]);
      assert.equal(await second.get("short"), undefined, "expired while down");
      assert.deepEqual(await second.incrementWithLimit("budget:u", 40, 100, 50_000), { allowed: false, total: 70 });
      await second.close();

      now += 60_000;
      const third = await FileStore.open({ path, now: () => now, flushIntervalMilliseconds: 60_000 });
      assert.equal(await third.claim("event:Ev1", 60_000), true, "the claim's hour-long lifetime ended");
      assert.equal(await third.get("thread:C1:1.1"), undefined);
      await third.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it("starts empty when the file does not exist yet", async () => {
    const directory = await mkdtemp(join(tmpdir(), "glance-store-"));
    try {
      const store = await FileStore.open({ path: join(directory, "new.json") });
      assert.equal(await store.get("anything"), undefined);
      await store.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe("the in-process store (MemoryStore)", () => {
  it("never evicts claims or budgets for cached values, and caps cached media by bytes, least recently used", async () => {
    let now = 1_000;
    const store = new MemoryStore({ now: () => now, maxEntries: 3, maxCachedBytes: 10_000 });
    assert.equal(await store.claim("event:Ev1", 60_000), true);
    await store.incrementWithLimit("budget:user:U1:day", 70, 100, 60_000);
    // A flood of thread caches and media well past both caps.
    for (let index = 0; index < 20; index += 1) {
      await store.set(`thread:C1:${index}`, [{ text: "hi" }], 60_000);
      await store.set(`media:model:F${index}`, { data: Buffer.alloc(3_000) }, 60_000);
      if (index === 5) await store.get("media:model:F4");
    }
    assert.equal(await store.claim("event:Ev1", 60_000), false, "the dedup claim survived");
    assert.deepEqual(await store.incrementWithLimit("budget:user:U1:day", 40, 100, 60_000), {
      allowed: false,
      total: 70,
    });
    assert.ok(store.cachedBytes <= 10_000, `${store.cachedBytes} bytes cached`);
    assert.notEqual(await store.get("media:model:F19"), undefined, "the newest media stays");
    assert.equal(await store.get("media:model:F0"), undefined, "the oldest media went");
    assert.equal(await store.get("thread:C1:0"), undefined, "the oldest thread went");
    assert.notEqual(await store.get("thread:C1:19"), undefined);
    now += 61_000;
    assert.equal(await store.claim("event:Ev1", 60_000), true, "a claim ends with its lifetime");
  });
});
