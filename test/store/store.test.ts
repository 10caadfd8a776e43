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

    test("listTranscripts: every transcript active since a time, orphans included, newest first", () => {
      const s = open();
      s.appendMessages("old", [user("a", 100), user("b", 200)]);
      s.appendMessages("reset-away", [user("c", 500)]); // no session points to it
      s.appendMessages("live", [user("d", 300), user("e", 900)]);
      s.setSession("agent:main:main", { sessionId: "live", updatedAt: 900 });
      expect(s.listTranscripts(250)).toEqual([
        { sessionId: "live", lastTs: 900 },
        { sessionId: "reset-away", lastTs: 500 },
      ]);
      expect(s.listTranscripts(0).map((t) => t.sessionId)).toEqual(["live", "reset-away", "old"]);
      expect(s.listTranscripts(1000)).toEqual([]);
      s.close();
    });

    test("images: kept with their message; older ones without data on request; deleted with the transcript", () => {
      const s = open();
      const img = (bytes: number[], mimeType = "image/png") => ({ type: "image" as const, data: Buffer.from(bytes).toString("base64"), mimeType });
      const withImages = (text: string, ts: number, ...images: ReturnType<typeof img>[]): TranscriptMessage => ({ role: "user", content: [{ type: "text", text }, ...images], timestamp: ts });
      const first = withImages("one", 1, img([1, 2, 3]), img([4, 5], "image/jpeg"));
      const second = withImages("two", 3, img([6]));
      s.appendMessages("i", [first, user("plain", 2), second]);
      expect(s.readMessages("i")).toEqual([first, user("plain", 2), second]);
      expect(s.readMessages("i", 1)).toEqual([second]);
      // the images of the newest message with images only
      const recent = s.readMessages("i", undefined, { imageMessages: 1 });
      expect(recent[0].content).toEqual([{ type: "text", text: "one" }, { type: "image", mimeType: "image/png" }, { type: "image", mimeType: "image/jpeg" }]);
      expect(recent[2]).toEqual(second);
      expect(s.readMessages("i", undefined, { imageMessages: 0 })[2].content).toEqual([{ type: "text", text: "two" }, { type: "image", mimeType: "image/png" }]);
      // a text that looks like an image block is still text
      const tricky = user('{"type":"image","data":"AAAA"}', 4);
      s.appendMessages("i", [tricky]);
      expect(s.readMessages("i", 1)).toEqual([tricky]);
      expect(s.deleteTranscript("i")).toBe(true);
      expect(s.readMessages("i")).toEqual([]);
      s.appendMessages("i", [user("again", 5)]);
      expect(s.readMessages("i")).toEqual([user("again", 5)]);
      // a queued run keeps its images
      s.putRun({ runId: "ri", sessionKey: "k", kind: "chat", status: "queued", message: "", images: [img([7, 8])], createdAt: 1 });
      expect(s.getRun("ri")?.images).toEqual([img([7, 8])]);
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
    expect(raw.query("PRAGMA user_version").get()).toEqual({ user_version: 3 });
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

  test("image bytes are stored as blobs beside the message and removed with the transcript", () => {
    const path = join(dir, "images.db");
    const s = openSqliteStore(path);
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    s.appendMessages("s", [{ role: "user", content: [{ type: "image", data: bytes.toString("base64"), mimeType: "image/png" }], timestamp: 1 }]);
    const raw = new Database(path, { readonly: true });
    const body = raw.query<{ body: string }, []>("SELECT body FROM messages").get()?.body ?? "";
    expect(body).not.toContain(bytes.toString("base64"));
    const row = raw.query<{ idx: number; mime: string; data: Uint8Array }, []>("SELECT idx, mime, data FROM message_images").get();
    expect(row?.idx).toBe(0);
    expect(row?.mime).toBe("image/png");
    expect(Buffer.from(row?.data ?? []).equals(bytes)).toBe(true);
    s.deleteTranscript("s");
    expect(raw.query("SELECT count(*) AS n FROM message_images").get()).toEqual({ n: 0 });
    raw.close();
    s.close();
  });

  test("a version 1 file is upgraded in place", () => {
    const path = join(dir, "v1.db");
    const old = new Database(path, { create: true });
    old.exec(`CREATE TABLE sessions (key TEXT PRIMARY KEY, agent_id TEXT NOT NULL, session_id TEXT NOT NULL, updated_at INTEGER NOT NULL, entry TEXT NOT NULL);
      CREATE TABLE messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, role TEXT NOT NULL, ts INTEGER NOT NULL, body TEXT NOT NULL);
      CREATE TABLE runs (run_id TEXT PRIMARY KEY, session_key TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL, ended_at INTEGER, record TEXT NOT NULL);
      PRAGMA user_version = 1;`);
    old.query("INSERT INTO messages (session_id, role, ts, body) VALUES ('s', 'user', 1, ?)").run(JSON.stringify(user("before")));
    old.close();
    const s = openSqliteStore(path);
    expect(s.readMessages("s")).toEqual([user("before")]);
    s.appendMessages("s", [{ role: "user", content: [{ type: "image", data: "AAAA", mimeType: "image/png" }], timestamp: 2 }]);
    expect(s.readMessages("s", 1)[0].content).toEqual([{ type: "image", data: "AAAA", mimeType: "image/png" }]);
    s.close();
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
