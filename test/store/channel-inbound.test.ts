/**
 * The durable inbound queue on the state DB: received → running → done, dedupe per (channel, account,
 * key), open rows in arrival order, bodies cleared once done, old done rows pruned, and rows that survive
 * closing and reopening the file.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStateDb } from "../../src/store/state-db.ts";
import { INBOUND_DONE_TTL_MS, InboundStore } from "../../src/store/channel-inbound.ts";

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop() as string, { recursive: true, force: true });
});

const entry = (key: string, over: Record<string, unknown> = {}) => ({
  channel: "telegram",
  accountId: "default",
  dedupeKey: key,
  sessionKey: "agent:main:main",
  agentId: "main",
  body: { text: `body of ${key}` },
  ...over,
});

describe("inbound store", () => {
  test("add dedupes per channel+account+key; open rows come back oldest first; done clears the body", () => {
    const db = openStateDb(":memory:");
    const s = new InboundStore(db);
    const a = s.add(entry("42:1")) as number;
    const b = s.add(entry("42:2")) as number;
    expect(a).toBeLessThan(b);
    expect(s.add(entry("42:1"))).toBeUndefined();
    // The same key on another account or channel is another message.
    expect(s.add(entry("42:1", { accountId: "work" }))).toBeNumber();
    expect(s.add(entry("42:1", { channel: "whatsapp" }))).toBeNumber();
    expect(s.has("telegram", "default", "42:1")).toBe(true);
    expect(s.has("telegram", "default", "42:9")).toBe(false);

    s.markRunning([a]);
    expect(s.listOpen("telegram", "default").map((r) => [r.id, r.status, r.attempts])).toEqual([
      [a, "running", 1],
      [b, "received", 0],
    ]);
    s.markDone([a]);
    expect(s.listOpen("telegram", "default").map((r) => r.id)).toEqual([b]);
    expect(s.get(a)).toMatchObject({ status: "done", dedupeKey: "42:1" });
    expect(s.get(a)?.body).toBeUndefined();
    // A done row still dedupes, and a late markRunning cannot reopen it.
    expect(s.add(entry("42:1"))).toBeUndefined();
    s.markRunning([a]);
    expect(s.get(a)?.status).toBe("done");
    db.close();
  });

  test("rows are on disk when add returns: a reopened file has them; done rows older than the TTL are pruned", () => {
    const dir = mkdtempSync(join(tmpdir(), "openclaw-inbound-"));
    dirs.push(dir);
    const path = join(dir, "state.db");
    let db = openStateDb(path);
    let s = new InboundStore(db);
    const a = s.add(entry("1:1")) as number;
    const b = s.add(entry("1:2")) as number;
    s.markRunning([a]);
    s.markDone([b]);
    db.close();

    db = openStateDb(path);
    s = new InboundStore(db);
    expect(s.listOpen("telegram", "default")).toEqual([expect.objectContaining({ id: a, status: "running", body: { text: "body of 1:1" } })]);
    expect(s.prune(Date.now() + INBOUND_DONE_TTL_MS + 1000)).toBe(1);
    expect(s.get(b)).toBeUndefined();
    expect(s.get(a)?.status).toBe("running");
    db.close();
  });

  test("an unreadable stored body comes back as undefined, not as a throw", () => {
    const db = openStateDb(":memory:");
    const s = new InboundStore(db);
    const id = s.add(entry("1:1")) as number;
    db.db.query("UPDATE channel_inbound SET body = ? WHERE id = ?").run("{not json", id);
    expect(s.listOpen("telegram", "default")[0]).toMatchObject({ id, status: "received" });
    expect(s.listOpen("telegram", "default")[0].body).toBeUndefined();
    db.close();
  });
});
