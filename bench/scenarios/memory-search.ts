/**
 * The memory index at scale: generates `files` Markdown memory files (daily notes under memory/YYYY/ with
 * headings and bullets drawn from a Zipf-distributed vocabulary, plus one planted unique fact per 100
 * files), indexes them from scratch with the gateway's MemoryService on a state DB file, then runs
 * `queries` searches (two thirds 1–3 vocabulary words, one third a planted fact's unique word), as
 * `memory_search` runs them in the gateway: a watched workspace (the stat check in the background every
 * 2 s, in the search only after an event or when that is overdue), and strict (`recheckMs: 0`, the stat check of every memory file before every search). Also
 * checks exactness: every planted fact must come back as the top hit.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryService } from "../../src/memory/index.ts";
import { openStateDb } from "../../src/store/state-db.ts";
import { latency, type Latency } from "../lib/stats.ts";

/** What one run measured. */
export interface MemorySearchRun {
  files: number;
  chunks: number;
  bytes: number;
  generateMs: number;
  /** First index of every file (read, chunk, insert, FTS). */
  indexMs: number;
  /** A sync with nothing changed (the stat check alone). */
  noopSyncMs: number;
  /** Re-index after 1% of the files changed. */
  incrementalMs: number;
  /** Watched workspace, default recheck interval (what the gateway does). */
  searchMs: Latency;
  /** `recheckMs: 0`: the stat check of every file before every search. */
  strictMs: Latency;
  /** The FTS5 query and snippets alone (same queries). */
  queryOnlyMs: Latency;
  queries: number;
  plantedChecked: number;
  plantedTop1: number;
}

/** Runs the scenario once in a temp dir (removed afterwards). */
export async function runMemorySearch(opts: { files: number; queries: number; seed?: number }): Promise<MemorySearchRun> {
  const base = mkdtempSync(join(tmpdir(), "openclaw-bench-memory-"));
  const ws = join(base, "workspace");
  const rand = mulberry32(opts.seed ?? 42);
  const vocab = Array.from({ length: 5000 }, (_, i) => word(i));
  const zipf = zipfSampler(vocab.length, rand);
  try {
    let t = performance.now();
    const planted: { token: string; path: string }[] = [];
    let bytes = 0;
    for (let i = 0; i < opts.files; i++) {
      const day = new Date(Date.UTC(2000, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
      const rel = `memory/${day.slice(0, 4)}/${day}.md`;
      const lines = [`# ${day}`, ""];
      const sections = 1 + Math.floor(rand() * 3);
      for (let s = 0; s < sections; s++) {
        lines.push(`## ${sentence(vocab, zipf, 2 + Math.floor(rand() * 3))}`, "");
        const bullets = 3 + Math.floor(rand() * 8);
        for (let b = 0; b < bullets; b++) lines.push(`- ${sentence(vocab, zipf, 6 + Math.floor(rand() * 12))}`);
        lines.push("");
      }
      if (i % 100 === 7) {
        const token = `zq${i.toString(36)}fact`;
        lines.push(`- Planted fact: the code word is ${token}.`);
        planted.push({ token, path: rel });
      }
      const text = `${lines.join("\n")}\n`;
      bytes += text.length;
      mkdirSync(join(ws, "memory", day.slice(0, 4)), { recursive: true });
      writeFileSync(join(ws, rel), text);
    }
    writeFileSync(join(ws, "MEMORY.md"), "# Durable facts\n\n- Prefers window seats.\n");
    const generateMs = performance.now() - t;

    const db = openStateDb(join(base, "state.db"));
    const svc = new MemoryService({ db: db.db, watch: true });
    const strict = new MemoryService({ db: db.db, watch: false, recheckMs: 0 });
    try {
      t = performance.now();
      const first = await svc.reindex(ws);
      const indexMs = performance.now() - t;
      t = performance.now();
      await svc.reindex(ws);
      const noopSyncMs = performance.now() - t;

      // Queries: vocabulary words (Zipf, so common and rare ones), and planted tokens.
      const queries: { q: string; expect?: string }[] = [];
      for (let i = 0; i < opts.queries; i++) {
        if (i % 3 === 0 && planted.length > 0) {
          const p = planted[Math.floor(rand() * planted.length)]!;
          queries.push({ q: p.token, expect: p.path });
        } else queries.push({ q: Array.from({ length: 1 + Math.floor(rand() * 3) }, () => vocab[zipf()]).join(" ") });
      }
      for (const q of queries.slice(0, 20)) await svc.search(ws, q.q);
      const lat: number[] = [];
      let checked = 0;
      let top1 = 0;
      for (const q of queries) {
        const s = performance.now();
        const res = await svc.search(ws, q.q, 6);
        lat.push(performance.now() - s);
        if (q.expect) {
          checked += 1;
          if (res.results[0]?.path === q.expect) top1 += 1;
        }
      }
      const slat: number[] = [];
      for (const q of queries) {
        const s = performance.now();
        await strict.search(ws, q.q, 6);
        slat.push(performance.now() - s);
      }
      const { parseQuery } = await import("../../src/memory/query.ts");
      const root = first.workspace;
      const qlat: number[] = [];
      for (const q of queries) {
        const s = performance.now();
        svc.index.search(root, parseQuery(q.q), 6);
        qlat.push(performance.now() - s);
      }

      // Incremental: 1% of the files rewritten.
      const changed = Math.max(1, Math.floor(opts.files / 100));
      for (let i = 0; i < changed; i++) {
        const day = new Date(Date.UTC(2000, 0, 1) + i * 97 * 86_400_000 % (opts.files * 86_400_000)).toISOString().slice(0, 10);
        writeFileSync(join(ws, "memory", day.slice(0, 4), `${day}.md`), `# ${day}\n\n- rewritten ${sentence(vocab, zipf, 10)}\n`);
      }
      t = performance.now();
      await svc.reindex(ws);
      const incrementalMs = performance.now() - t;
      return {
        files: first.files,
        chunks: first.chunks,
        bytes,
        generateMs,
        indexMs,
        noopSyncMs,
        incrementalMs,
        searchMs: latency(lat),
        strictMs: latency(slat),
        queryOnlyMs: latency(qlat),
        queries: queries.length,
        plantedChecked: checked,
        plantedTop1: top1,
      };
    } finally {
      svc.close();
      strict.close();
      db.close();
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

// --- internal ---

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Index sampler with P(k) ∝ 1/(k+1). */
function zipfSampler(n: number, rand: () => number): () => number {
  const cdf: number[] = [];
  let sum = 0;
  for (let k = 0; k < n; k++) cdf.push((sum += 1 / (k + 1)));
  return () => {
    const x = rand() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** A pronounceable made-up word per index (stable across runs). */
function word(i: number): string {
  const c = "bcdfghklmnprstvz";
  const v = "aeiou";
  let s = "";
  let n = i + 17;
  do {
    s += c[n % c.length]! + v[Math.floor(n / c.length) % v.length]!;
    n = Math.floor(n / (c.length * v.length));
  } while (n > 0);
  return s;
}

function sentence(vocab: string[], zipf: () => number, n: number): string {
  return Array.from({ length: n }, () => vocab[zipf()]).join(" ");
}
