import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryQueryError, MemoryService, type SyncReport } from "../../src/memory/index.ts";
import { openStateDb, type StateDb } from "../../src/store/state-db.ts";
import { waitFor } from "../helpers/wait.ts";

let dir: string;
let db: StateDb;
let svc: MemoryService | undefined;
let synced: SyncReport[];

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), "mem-svc-")));
  db = openStateDb(":memory:");
  synced = [];
});
afterEach(() => {
  svc?.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const make = (watch: boolean) => (svc = new MemoryService({ db: db.db, watch, debounceMs: 20, onSynced: (_root, r) => synced.push(r) }));
const indexedText = (word: string) => db.db.query<{ n: number }, [string]>("SELECT COUNT(*) AS n FROM memory_fts WHERE memory_fts MATCH ?").get(`"${word}"`)?.n ?? 0;

test("the watcher indexes a new, changed and deleted file without any search", async () => {
  const s = make(true);
  s.watch([dir]);
  await s.status(dir);
  writeFileSync(join(dir, "MEMORY.md"), "likes pistachio ice cream\n");
  await waitFor(() => indexedText("pistachio") === 1, "pistachio indexed by the watcher");
  mkdirSync(join(dir, "memory"));
  writeFileSync(join(dir, "memory", "2026-12-07.md"), "met Alice at the cafe\n");
  await waitFor(() => indexedText("alice") === 1, "a file in a folder created after the watch started");
  writeFileSync(join(dir, "MEMORY.md"), "likes hazelnut ice cream\n");
  await waitFor(() => indexedText("hazelnut") === 1 && indexedText("pistachio") === 0, "the edit replaced the old text");
  rmSync(join(dir, "memory", "2026-12-07.md"));
  await waitFor(() => indexedText("alice") === 0, "the deletion dropped the chunks");
  expect(synced.length).toBeGreaterThan(0);
});

test("without events (watch off) a search still sees every change: the stat check runs first", async () => {
  const s = make(false);
  expect((await s.search(dir, "anything")).results).toEqual([]);
  writeFileSync(join(dir, "MEMORY.md"), "the wifi password is on the fridge\n");
  expect((await s.search(dir, "wifi")).results.map((h) => h.path)).toEqual(["MEMORY.md"]);
  writeFileSync(join(dir, "MEMORY.md"), "the router is in the hall\n");
  expect((await s.search(dir, "wifi")).results).toEqual([]);
  expect((await s.search(dir, "router")).results).toHaveLength(1);
  rmSync(join(dir, "MEMORY.md"));
  expect((await s.search(dir, "router")).results).toEqual([]);
});

test("a workspace that does not exist yet searches empty and is picked up once it does", async () => {
  const s = make(false);
  const later = join(dir, "later");
  expect((await s.search(later, "x")).results).toEqual([]);
  expect(await s.status(later)).toMatchObject({ exists: false, files: 0 });
  mkdirSync(later);
  writeFileSync(join(later, "MEMORY.md"), "x marks the spot\n");
  expect((await s.search(later, "spot")).results).toHaveLength(1);
});

test("maxResults is clamped; bad queries throw MemoryQueryError", async () => {
  const s = make(false);
  mkdirSync(join(dir, "memory"));
  for (let i = 0; i < 60; i++) writeFileSync(join(dir, "memory", `n${i}.md`), `note ${i} lemon\n`);
  expect((await s.search(dir, "lemon", 3)).results).toHaveLength(3);
  expect((await s.search(dir, "lemon", 1000)).results).toHaveLength(50);
  expect((await s.search(dir, "lemon")).results).toHaveLength(6);
  await expect(s.search(dir, '"')).rejects.toBeInstanceOf(MemoryQueryError);
  await expect(s.search(dir, "")).rejects.toThrow("query is empty");
});

test("concurrent searches during the first index all see the full index", async () => {
  const s = make(false);
  mkdirSync(join(dir, "memory"));
  for (let i = 0; i < 1200; i++) writeFileSync(join(dir, "memory", `n${i}.md`), `entry ${i} ${i === 1199 ? "needle" : "hay"}\n`);
  const all = await Promise.all([s.search(dir, "needle"), s.search(dir, "needle"), s.status(dir)]);
  expect(all[0].results.map((h) => h.path)).toEqual(["memory/n1199.md"]);
  expect(all[1].results.map((h) => h.path)).toEqual(["memory/n1199.md"]);
  expect(all[2]).toMatchObject({ files: 1200, chunks: 1200 });
});

test("reindex full reads every file again; the index survives a reopen of the state DB", async () => {
  const path = join(dir, "state.db");
  const ws = join(dir, "ws");
  mkdirSync(ws);
  writeFileSync(join(ws, "MEMORY.md"), "durable fig fact\n");
  const first = openStateDb(path);
  const a = new MemoryService({ db: first.db, watch: false });
  expect(await a.reindex(ws)).toMatchObject({ added: 1, files: 1, chunks: 1 });
  expect(await a.reindex(ws, true)).toMatchObject({ added: 1, files: 1 });
  a.close();
  first.close();
  const second = openStateDb(path);
  const b = new MemoryService({ db: second.db, watch: false });
  expect(await b.reindex(ws)).toMatchObject({ added: 0, updated: 0, files: 1 });
  expect((await b.search(ws, "fig")).results).toHaveLength(1);
  b.close();
  second.close();
});

test("a watched change makes the next search sync even before the debounced sync runs", async () => {
  svc = new MemoryService({ db: db.db, watch: true, debounceMs: 60_000, recheckMs: 60_000 });
  writeFileSync(join(dir, "MEMORY.md"), "first note\n");
  expect((await svc.search(dir, "first")).results).toHaveLength(1);
  writeFileSync(join(dir, "MEMORY.md"), "second note, longer\n");
  // Neither the debounce nor the recheck age can fire here: only the event's dirty mark leads to the sync.
  await waitFor(async () => (await svc!.search(dir, "second")).results.length === 1, "the event-marked search to sync");
  expect((await svc.search(dir, "first")).results).toEqual([]);
});

test("a change the watcher never reports (written through a hard link elsewhere) is found by the recheck", async () => {
  const outside = realpathSync(mkdtempSync(join(tmpdir(), "mem-link-")));
  try {
    mkdirSync(join(dir, "memory"));
    writeFileSync(join(dir, "memory", "a.md"), "old words here\n");
    const { linkSync } = await import("node:fs");
    linkSync(join(dir, "memory", "a.md"), join(outside, "a.md"));
    const strict = new MemoryService({ db: db.db, watch: true, recheckMs: 0 });
    svc = strict;
    expect((await strict.search(dir, "old")).results).toHaveLength(1);
    writeFileSync(join(outside, "a.md"), "new words there\n");
    // recheckMs 0: the stat check runs before every search, events or not.
    expect((await strict.search(dir, "new")).results).toHaveLength(1);
    strict.close();
    const relaxed = new MemoryService({ db: db.db, watch: true, recheckMs: 100 });
    svc = relaxed;
    expect((await relaxed.search(dir, "new")).results).toHaveLength(1);
    writeFileSync(join(outside, "a.md"), "fresh text instead\n");
    await waitFor(async () => (await relaxed.search(dir, "fresh")).results.length === 1, "the recheck after recheckMs");
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});
