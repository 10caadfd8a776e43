/**
 * The optional embeddings provider of the memory index, against a fake OpenAI-compatible `/v1/embeddings` on
 * loopback: hybrid ranking finds a fact BM25 misses, an unchanged chunk is never embedded twice (re-read,
 * full reindex, restart, the same text in another file), a provider that fails or hangs leaves BM25 results
 * and an error in status (warned once, without the key), the OpenAI key never goes to another endpoint, and
 * without a provider nothing is sent anywhere.
 */
import { Database } from "bun:sqlite";
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type EmbeddingChoice, type MemoryEmbeddingsStatus, MemoryService, type MemoryServiceOptions, mergeHybrid, resolveEmbeddingChoice } from "../../src/memory/index.ts";
import { nearest, normalize } from "../../src/memory/vectors.ts";
import { MEMORY_INDEX_SCHEMA } from "../../src/store/memory-index.ts";
import { openStateDb, type StateDb } from "../../src/store/state-db.ts";
import { type FakeEmbeddings, startFakeEmbeddings } from "../helpers/fake-embeddings.ts";
import { waitFor } from "../helpers/wait.ts";

const KEY = "sk-test-embeddings-secret-4c1d";
let dir: string;
let db: StateDb;
let fake: FakeEmbeddings;
let services: MemoryService[];
let warnings: string[];

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), "mem-emb-")));
  mkdirSync(join(dir, "memory"));
  writeFileSync(join(dir, "MEMORY.md"), "# Travel\nThe user prefers window seats on flights.\n");
  writeFileSync(join(dir, "memory", "2026-12-01.md"), "Bought green tea and oat milk.\n");
  writeFileSync(join(dir, "memory", "2026-12-02.md"), "Garage booked for the yearly service on Tuesday.\n");
  db = openStateDb(":memory:");
  fake = startFakeEmbeddings({ expectKey: KEY });
  services = [];
  warnings = [];
});
afterEach(() => {
  for (const s of services) s.close();
  db.close();
  fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

function on(overrides: Record<string, unknown> = {}): EmbeddingChoice {
  return resolveEmbeddingChoice({ provider: "openai", model: "fake-embed", remote: { baseUrl: fake.baseUrl, apiKey: KEY }, ...overrides }, undefined);
}

function make(choice: (() => EmbeddingChoice) | undefined, extra: Partial<MemoryServiceOptions> = {}, database: Database = db.db): MemoryService {
  const s = new MemoryService({ db: database, watch: false, recheckMs: 0, onWarn: (m) => warnings.push(m), ...(choice && { embeddings: () => choice() }), ...extra });
  services.push(s);
  return s;
}

async function embedded(s: MemoryService): Promise<MemoryEmbeddingsStatus> {
  return waitFor(async () => {
    const e = (await s.status(dir)).embeddings;
    return e.total !== undefined && e.total > 0 && e.embedded === e.total ? e : undefined;
  }, "every chunk embedded");
}

const QUERY = "airplane seating preference";

test("hybrid ranking finds a fact that BM25 alone misses; keyword queries still rank by their words", async () => {
  const keywordOnly = make(undefined);
  expect((await keywordOnly.search(dir, QUERY)).results).toEqual([]);

  const s = make(() => on());
  expect(await embedded(s)).toMatchObject({ embedded: 3, total: 3 });
  const { results } = await s.search(dir, QUERY, 3);
  expect(results[0]).toMatchObject({ path: "MEMORY.md", startLine: 1, endLine: 2 });
  expect(results[0]!.snippet).toContain("window seats");
  expect(results[0]!.score).toBeGreaterThan(0);
  expect(results[0]!.score).toBeLessThanOrEqual(1);
  // The query was embedded with the key, as one input.
  expect(fake.calls.at(-1)).toMatchObject({ model: "fake-embed", inputs: [QUERY], authorization: `Bearer ${KEY}` });

  // Sharing one concept of six with a chunk (cosine ~0.18) is not enough for a result that matched no word.
  expect((await s.search(dir, "seat belts gloves scarf hat boots")).results).toEqual([]);

  const tea = await s.search(dir, "green tea", 2);
  expect(tea.results[0]).toMatchObject({ path: "memory/2026-12-01.md" });
});

test("an unchanged chunk is never embedded again: re-read, full reindex, restart, the same text elsewhere", async () => {
  const s = make(() => on());
  await embedded(s);
  const first = fake.inputs().length;
  expect(first).toBe(3);

  await s.reindex(dir, true);
  await embedded(s);
  s.close();
  const restarted = make(() => on());
  await embedded(restarted);
  await restarted.reindex(dir, true);
  await embedded(restarted);
  expect(fake.inputs().length).toBe(first);

  // A copy of an indexed text in a new file shares its vector; only the edited chunk goes out.
  writeFileSync(join(dir, "memory", "copy.md"), "Bought green tea and oat milk.\n");
  writeFileSync(join(dir, "memory", "2026-12-02.md"), "Garage booked for the yearly service on Wednesday.\n");
  await restarted.reindex(dir);
  expect(await embedded(restarted)).toMatchObject({ embedded: 4, total: 4 });
  expect(fake.inputs().slice(first)).toEqual(["Garage booked for the yearly service on Wednesday."]);
});

test("the provider failing: BM25 results, the error in status, one warning without the key; it recovers", async () => {
  const keywordOnly = make(undefined);
  const s = make(() => on(), { retryMs: 0 });
  await embedded(s);
  fake.mode = "fail";
  const expected = (await keywordOnly.search(dir, "green tea")).results;
  expect(expected.length).toBeGreaterThan(0);
  expect((await s.search(dir, "green tea")).results).toEqual(expected);
  expect((await s.search(dir, "green tea")).results).toEqual(expected);
  const status = (await s.status(dir)).embeddings;
  expect(status).toMatchObject({ provider: "openai", model: "fake-embed", state: "error", fallback: true, embedded: 3, total: 3 });
  expect(status.lastError).toContain("HTTP 500");
  expect(status.endpoint).toBe(fake.baseUrl);
  expect(warnings.filter((w) => w.includes("embeddings"))).toHaveLength(1);
  expect(JSON.stringify({ status, warnings })).not.toContain(KEY);

  fake.mode = "ok";
  expect((await s.search(dir, QUERY)).results[0]).toMatchObject({ path: "MEMORY.md" });
  expect((await s.status(dir)).embeddings).toMatchObject({ state: "ready", fallback: false });
});

test("the provider gone or hanging: the search answers from BM25 in time and rests the provider", async () => {
  const keywordOnly = make(undefined);
  const s = make(() => on(), { queryTimeoutMs: 150 });
  await embedded(s);
  const expected = (await keywordOnly.search(dir, "service tuesday")).results;

  fake.mode = "hang";
  expect((await s.search(dir, "service tuesday")).results).toEqual(expected);
  expect((await s.status(dir)).embeddings.lastError).toContain("timed out after 150 ms");
  // Resting after the failure: the next search does not ask the provider at all.
  const calls = fake.calls.length;
  expect((await s.search(dir, "service tuesday")).results).toEqual(expected);
  expect(fake.calls.length).toBe(calls);
  fake.release();

  fake.stop();
  const down = make(() => on(), { queryTimeoutMs: 150 });
  expect((await down.search(dir, "service tuesday")).results).toEqual(expected);
  expect((await down.status(dir)).embeddings).toMatchObject({ state: "error", fallback: true });
  expect(JSON.stringify(warnings)).not.toContain(KEY);
});

test("a wrong key is reported with the provider's error code, never the key", async () => {
  const s = make(() => resolveEmbeddingChoice({ provider: "openai", model: "fake-embed", remote: { baseUrl: fake.baseUrl, apiKey: "sk-wrong-key-77" } }, undefined));
  const status = await waitFor(async () => {
    const e = (await s.status(dir)).embeddings;
    return e.state === "error" ? e : undefined;
  }, "the background pass failed");
  expect(status.lastError).toBe(`embeddings endpoint ${fake.baseUrl} answered HTTP 401 (invalid_request_error/invalid_api_key)`);
  expect(JSON.stringify([status, warnings])).not.toContain("sk-wrong-key-77");
  expect((await s.search(dir, "green tea")).results[0]).toMatchObject({ path: "memory/2026-12-01.md" });
});

test("without a provider, or with one this gateway cannot serve, nothing is sent and search is BM25", async () => {
  const off = make(() => resolveEmbeddingChoice(undefined, undefined, KEY));
  expect((await off.status(dir)).embeddings).toEqual({ provider: "none", state: "off", hybrid: false, fallback: false });
  const gemini = make(() => resolveEmbeddingChoice({ provider: "gemini" }, undefined, KEY));
  expect((await gemini.status(dir)).embeddings).toMatchObject({ provider: "gemini", state: "unsupported" });
  expect((await gemini.search(dir, "green tea")).results[0]).toMatchObject({ path: "memory/2026-12-01.md" });
  const disabled = make(() => resolveEmbeddingChoice({ provider: "openai", remote: { baseUrl: fake.baseUrl } }, { enabled: false }));
  expect((await disabled.search(dir, QUERY)).results).toEqual([]);
  expect(fake.calls).toEqual([]);
});

test("settings: the agent overrides the defaults key by key; the OpenAI key never goes to another endpoint", () => {
  const merged = resolveEmbeddingChoice(
    { provider: "openai", model: "m1", remote: { baseUrl: "http://127.0.0.1:9/v1/", apiKey: "k1" }, query: { hybrid: { vectorWeight: 0.25, textWeight: 0.25 } } },
    { model: "m2", query: { hybrid: { candidateMultiplier: 2 } } },
  );
  expect(merged).toEqual({
    kind: "on",
    settings: { provider: "openai", model: "m2", baseUrl: "http://127.0.0.1:9/v1", apiKey: "k1", headers: {}, hybrid: true, vectorWeight: 0.5, textWeight: 0.5, candidateMultiplier: 2, minScore: 0.35 },
  });
  const custom = resolveEmbeddingChoice({ provider: "openai", remote: { baseUrl: "https://embed.example.net/v1" } }, undefined, "sk-openai-env");
  expect(custom.kind).toBe("on");
  expect(custom.kind === "on" && "apiKey" in custom.settings).toBe(false);
  const openai = resolveEmbeddingChoice({ provider: "openai" }, undefined, "sk-openai-env");
  expect(openai.kind === "on" && [openai.settings.baseUrl, openai.settings.apiKey, openai.settings.model]).toEqual(["https://api.openai.com/v1", "sk-openai-env", "text-embedding-3-small"]);
});

test("an index written before embeddings existed (memory-index schema 1) is upgraded and embedded", async () => {
  const path = join(dir, "old-state.db");
  const old = new Database(path);
  old.exec("CREATE TABLE schema_version (part TEXT PRIMARY KEY, version INTEGER NOT NULL, updated_at INTEGER NOT NULL)");
  old.exec(MEMORY_INDEX_SCHEMA.migrations[0]!.up as string);
  old.run("INSERT INTO schema_version VALUES ('memory-index', 1, 0)");
  old.run("INSERT INTO memory_chunks (workspace, path, start_line, end_line, text) VALUES (?, 'MEMORY.md', 1, 2, ?)", [dir, "# Travel\nThe user prefers window seats on flights."]);
  // Recorded with the file's real hash: the sync keeps this chunk (NULL hash) and the embedding pass fills the hash in.
  old.run("INSERT INTO memory_files VALUES (?, 'MEMORY.md', 0, 0, ?, 0, 1)", [dir, Bun.hash(readFileSync(join(dir, "MEMORY.md"))).toString(16)]);
  old.close();
  const upgraded = openStateDb(path);
  try {
    expect(upgraded.db.query("SELECT hash FROM memory_chunks").all()).toEqual([{ hash: null }]);
    const s = make(() => on(), {}, upgraded.db);
    expect(await embedded(s)).toMatchObject({ embedded: 3, total: 3 });
    expect(upgraded.db.query("SELECT COUNT(*) AS n FROM memory_chunks WHERE hash IS NULL").get()).toEqual({ n: 0 });
    expect(fake.inputs()).toContain("# Travel\nThe user prefers window seats on flights.");
    expect((await s.search(dir, QUERY)).results[0]).toMatchObject({ path: "MEMORY.md" });
    s.close();
  } finally {
    upgraded.close();
  }
});

test("nearest and the merge: top-k by cosine, BM25 normalized by the best, weighted, ties by id", () => {
  const vec = (...x: number[]) => normalize(Float32Array.from(x));
  const ws = { ids: [10, 11, 12, 13], vectors: [vec(1, 0), vec(0, 1), vec(1, 1), vec(-1, 0)], positions: new Map([[10, 0], [11, 1], [12, 2], [13, 3]]) };
  const { scoreOf, top } = nearest(ws, vec(1, 0), 2);
  expect(top).toEqual([10, 12]);
  expect(scoreOf(13)).toBeCloseTo(-1);
  expect(scoreOf(99)).toBe(0);
  // 11 matched BM25 best (score 1 after normalizing), 12 half as well; 10 only by its vector.
  const merged = mergeHybrid([{ id: 11, bm25: 4 }, { id: 12, bm25: 2 }], scoreOf, top, { vectorWeight: 0.5, textWeight: 0.5, minScore: 0.35 });
  expect(merged.map((m) => m.id)).toEqual([12, 10, 11]);
  expect(merged[0]!.score).toBeCloseTo(0.5 * Math.SQRT1_2 + 0.25);
  expect(merged[1]!.score).toBeCloseTo(0.5);
  expect(merged[2]!.score).toBeCloseTo(0.5);
  // Above the floor only the keyword matches stay, however weak.
  expect(mergeHybrid([{ id: 11, bm25: 4 }, { id: 12, bm25: 2 }], scoreOf, top, { vectorWeight: 0.5, textWeight: 0.5, minScore: 0.6 }).map((m) => m.id)).toEqual([12, 11]);
});
