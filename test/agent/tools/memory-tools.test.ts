/**
 * `memory_search` and `memory_get` bound to a run through the gateway's port over a real memory service:
 * offered only with the `memory` port, read-only (http false, in the default set), search results with
 * path/lines/snippet/score, clear errors for bad queries, and `memory_get` confined to memory files.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AgentTool, buildTools } from "../../../src/agent/tools/index.ts";
import type { OpenClawConfig } from "../../../src/config/schema.ts";
import { toToolMemory } from "../../../src/gateway/memory/index.ts";
import { MemoryService } from "../../../src/memory/index.ts";
import { openStateDb, type StateDb } from "../../../src/store/state-db.ts";
import { createMemoryStore } from "../../../src/store/index.ts";

let base: string;
let ws: string;
let db: StateDb;
let svc: MemoryService;
const signal = new AbortController().signal;

beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "openclaw-memtools-")));
  ws = join(base, "ws");
  mkdirSync(join(ws, "memory"), { recursive: true });
  db = openStateDb(":memory:");
  svc = new MemoryService({ db: db.db, watch: false });
});
afterEach(() => {
  svc.close();
  db.close();
  rmSync(base, { recursive: true, force: true });
});

function tools(config: OpenClawConfig = {}, withPort = true): Record<string, AgentTool> {
  const ports = withPort ? { memory: toToolMemory(svc) } : {};
  return Object.fromEntries(buildTools({ config, store: createMemoryStore(), agentId: "main", sessionKey: "agent:main:main", workspace: ws, ports }).map((t) => [t.name, t]));
}
const run = (t: Record<string, AgentTool>, name: string, args: Record<string, unknown>) => t[name]!.run(args, { signal });

test("offered in the default tool set only when the host has the memory port; never over HTTP", () => {
  const t = tools();
  expect(Object.keys(t)).toEqual(expect.arrayContaining(["memory_search", "memory_get"]));
  expect(t.memory_search!.http).toBe(false);
  expect(t.memory_get!.http).toBe(false);
  expect(t.memory_search!.group).toBe("memory");
  expect(Object.keys(tools({}, false))).not.toContain("memory_search");
  expect(Object.keys(tools({ tools: { deny: ["group:memory"] } }))).not.toContain("memory_get");
});

test("memory_search finds a fact written a moment ago, with path, lines, snippet and score", async () => {
  writeFileSync(join(ws, "MEMORY.md"), "# People\n\nMy partner is called Sam.\n\n# Travel\n\nI prefer window seats on long flights.\n");
  writeFileSync(join(ws, "memory", "2026-12-06.md"), "Booked the dentist for Tuesday.\n");
  const out = JSON.parse((await run(tools(), "memory_search", { query: "window seat*" })).text);
  expect(out.count).toBe(1);
  expect(out.results[0]).toMatchObject({ path: "MEMORY.md", startLine: 7, endLine: 7 });
  expect(out.results[0].snippet).toContain("I prefer window seats on long flights.");
  expect(out.results[0].score).toBeGreaterThan(0);
  const dentist = JSON.parse((await run(tools(), "memory_search", { query: "dentist", maxResults: 1 })).text);
  expect(dentist.results.map((r: { path: string }) => r.path)).toEqual(["memory/2026-12-06.md"]);
});

test("bad queries are clear tool errors naming the problem", async () => {
  const t = tools();
  for (const [query, msg] of [['"', "no words to search for"], ["*", "no words to search for"], ["   ", "query is empty"]] as const) {
    await expect(run(t, "memory_search", { query })).rejects.toThrow(msg);
  }
  await expect(run(t, "memory_search", { query: "" })).rejects.toThrow('"query" must NOT have fewer than 1 characters');
  await expect(run(t, "memory_search", { query: "x", maxResults: 0 })).rejects.toThrow("maxResults");
  // FTS5 operators are plain words: no syntax error reaches the model.
  writeFileSync(join(ws, "MEMORY.md"), "near the station\n");
  const near = JSON.parse((await run(t, "memory_search", { query: "NEAR(station" })).text);
  expect(near.count).toBe(1);
});

test("memory_get reads a window of a memory file and nothing else", async () => {
  writeFileSync(join(ws, "MEMORY.md"), "a\nb\nc\nd\n");
  writeFileSync(join(ws, "AGENTS.md"), "instructions\n");
  writeFileSync(join(base, "outside.md"), "secret\n");
  symlinkSync(join(base, "outside.md"), join(ws, "memory", "escape.md"));
  const t = tools();
  expect(JSON.parse((await run(t, "memory_get", { path: "MEMORY.md", from: 2, lines: 2 })).text)).toEqual({ path: "MEMORY.md", from: 2, to: 3, totalLines: 4, text: "b\nc" });
  await expect(run(t, "memory_get", { path: "AGENTS.md" })).rejects.toThrow("not a memory file");
  await expect(run(t, "memory_get", { path: "../outside.md" })).rejects.toThrow("leaves the workspace");
  await expect(run(t, "memory_get", { path: "memory/escape.md" })).rejects.toThrow("outside the workspace");
  await expect(run(t, "memory_get", { path: join(base, "outside.md") })).rejects.toThrow();
  await expect(run(t, "memory_get", { path: "memory/none.md" })).rejects.toThrow("no such file");
});
