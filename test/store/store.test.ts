/**
 * One case table for every Store backend (SQLite and memory): sessions, transcripts, runs, transactions;
 * plus SQLite-only checks (WAL, durability across reopen, schema version).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryStore, openSqliteStore, type Store, type TranscriptMessage } from "../../src/store/index.ts";

const dir = mkdtempSync(join(tmpdir(), "openclaw-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const BACKENDS: [string, () => Store][] = [
  ["sqlite", () => openSqliteStore(join(dir, `case-${++n}.db`))],
  ["memory", () => createMemoryStore()],
];

const user = (text: string, ts = 1): TranscriptMessage => ({ role: "user", content: [{ type: "text", text }], timestamp: ts });

for (const [name, open] of BACKENDS) {
  describe(`store: ${name}`, () => {
    test("sessions: get/set/delete/list by prefix, newest first; not found is undefined", () => {
      const s = open();
      expect(s.getSession("agent:main:main")).toBeUndefined();
      expect(s.deleteSession("agent:main:main")).toBe(false);
      s.setSession("agent:main:main", { sessionId: "a", updatedAt: 10, label: "L" });
      s.setSession("agent:main:work", { sessionId: "b", updatedAt: 20 });
      s.setSession("agent:ops:main", { sessionId: "c", updatedAt: 15 });
      expect(s.getSession("agent:main:main")).toEqual({ sessionId: "a", updatedAt: 10, label: "L" });
      expect(s.listSessions().map((r) => r.key)).toEqual(["agent:main:work", "agent:ops:main", "agent:main:main"]);
      expect(s.listSessions("agent:main:").map((r) => r.key)).toEqual(["agent:main:work", "agent:main:main"]);
      // prefix is literal, not a LIKE pattern
      s.setSession("agent:m_in:x", { sessionId: "d", updatedAt: 1 });
      expect(s.listSessions("agent:m_i").map((r) => r.key)).toEqual(["agent:m_in:x"]);
      s.setSession("agent:main:main", { sessionId: "a2", updatedAt: 30 });
      expect(s.listSessions()[0]).toEqual({ key: "agent:main:main", entry: { sessionId: "a2", updatedAt: 30 } });
      expect(s.deleteSession("agent:main:main")).toBe(true);
      expect(s.getSession("agent:main:main")).toBeUndefined();
      // returned objects are copies
      const e = s.getSession("agent:main:work");
      if (e) e.label = "changed";
      expect(s.getSession("agent:main:work")?.label).toBeUndefined();
      s.close();
    });

    test("transcripts: append in order, newest N oldest first, count, delete", () => {
      const s = open();
      expect(s.readMessages("x")).toEqual([]);
      s.appendMessages("x", [user("1", 1), user("2", 2)]);
      s.appendMessages("x", [{ role: "assistant", content: [{ type: "text", text: "3" }], timestamp: 3, stopReason: "stop", provider: "p", model: "m", usage: { input: 1, output: 2, cacheRead: 0, cacheWrite: 0, totalTokens: 3 } }]);
      s.appendMessages("y", [user("other")]);
      expect(s.readMessages("x").map((m) => m.timestamp)).toEqual([1, 2, 3]);
      expect(s.readMessages("x", 2).map((m) => m.timestamp)).toEqual([2, 3]);
      expect(s.readMessages("x")[2]).toMatchObject({ role: "assistant", provider: "p", usage: { totalTokens: 3 } });
      expect(s.countMessages("x")).toBe(3);
      expect(s.deleteTranscript("x")).toBe(true);
      expect(s.deleteTranscript("x")).toBe(false);
      expect(s.readMessages("y")).toHaveLength(1);
      s.close();
    });

    test("runs: put/get/list by status", () => {
      const s = open();
      expect(s.getRun("r")).toBeUndefined();
      s.putRun({ runId: "r1", sessionKey: "k", kind: "agent", status: "queued", message: "m", createdAt: 1 });
      s.putRun({ runId: "r2", sessionKey: "k", kind: "chat", status: "running", message: "m", createdAt: 2 });
      s.putRun({ runId: "r3", sessionKey: "k", kind: "chat", status: "ok", message: "m", createdAt: 3, endedAt: Date.now(), final: { ok: true, payload: { a: 1 } } });
      expect(s.listRuns(["queued", "running"]).map((r) => r.runId)).toEqual(["r1", "r2"]);
      s.putRun({ ...(s.getRun("r1") as any), status: "error" });
      expect(s.listRuns(["queued", "running"]).map((r) => r.runId)).toEqual(["r2"]);
      expect(s.getRun("r3")?.final).toEqual({ ok: true, payload: { a: 1 } });
      expect(s.listRuns([])).toEqual([]);
      s.close();
    });

    test("transaction: all or nothing; nested joins the outer one", () => {
      const s = open();
      expect(() =>
        s.transaction(() => {
          s.setSession("agent:main:t", { sessionId: "t", updatedAt: 1 });
          s.transaction(() => s.appendMessages("t", [user("in")]));
          throw new Error("boom");
        }),
      ).toThrow("boom");
      expect(s.getSession("agent:main:t")).toBeUndefined();
      expect(s.readMessages("t")).toEqual([]);
      expect(s.transaction(() => (s.setSession("agent:main:t", { sessionId: "t", updatedAt: 1 }), 42))).toBe(42);
      expect(s.getSession("agent:main:t")).toBeDefined();
      s.close();
    });
  });
}

describe("sqlite specifics", () => {
  test("WAL, durable across reopen, schema version, newer schema refused", () => {
    const path = join(dir, "durable.db");
    const s = openSqliteStore(path);
    s.setSession("agent:main:main", { sessionId: "s", updatedAt: 1 });
    s.appendMessages("s", [user("kept")]);
    // no close: a crash right after the write
    const raw = new Database(path, { readonly: true });
    expect(raw.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    expect(raw.query("PRAGMA user_version").get()).toEqual({ user_version: 1 });
    raw.close();
    const again = openSqliteStore(path);
    expect(again.readMessages("s")).toEqual([user("kept")]);
    again.close();
    s.close();
    const db = new Database(path);
    db.exec("PRAGMA user_version = 99");
    db.close();
    expect(() => openSqliteStore(path)).toThrow("written by a newer openclaw");
  });

  test("old finished runs are pruned on open", () => {
    const path = join(dir, "prune.db");
    const s = openSqliteStore(path);
    s.putRun({ runId: "old", sessionKey: "k", kind: "chat", status: "ok", message: "m", createdAt: 1, endedAt: 1 });
    s.putRun({ runId: "new", sessionKey: "k", kind: "chat", status: "ok", message: "m", createdAt: Date.now(), endedAt: Date.now() });
    s.close();
    const again = openSqliteStore(path);
    expect(again.getRun("old")).toBeUndefined();
    expect(again.getRun("new")).toBeDefined();
    again.close();
  });
});
