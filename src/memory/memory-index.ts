/**
 * The memory index engine over the state DB's `memory_*` tables (schema in `store/memory-index.ts`): an
 * incremental sync of one workspace's memory files and a BM25-ranked FTS5 search over their chunks.
 *
 * Sync compares each file's mtime and size with what was indexed; only a changed file is read, and only
 * a changed hash replaces its chunks. A file whose mtime lies within {@link RACY_WINDOW_MS} of the moment it
 * was indexed is read again on the next sync (a write in the same timestamp tick keeps mtime and maybe size),
 * so a sync never keeps stale text. Every change runs in one transaction with prepared statements.
 *
 * All methods are synchronous; bun:sqlite serializes them. Not for concurrent syncs of one workspace from two
 * processes (the gateway lock guarantees one writer).
 */
import type { Database, Statement } from "bun:sqlite";
import { chunkHash, chunkMarkdown, splitLines } from "./chunk.ts";
import { listMemoryFiles, MAX_MEMORY_FILE_BYTES, type MemoryFileStat, readListedFile } from "./files.ts";
import { MemoryQueryError, type ParsedQuery } from "./query.ts";

/** A file indexed less than this long after its mtime is re-read at the next sync. */
export const RACY_WINDOW_MS = 2000;
/** Longest snippet, in characters. */
export const SNIPPET_MAX_CHARS = 700;

/** One search hit: where (workspace-relative path, 1-based inclusive lines of the snippet), what, how good. */
export interface MemoryHit {
  path: string;
  startLine: number;
  endLine: number;
  /** The matching line(s) of the chunk, with a line of context when short. */
  snippet: string;
  /**
   * Higher is better: BM25 relevance (the negated FTS5 rank), or with an embeddings provider the hybrid score
   * (weighted cosine and BM25 normalized by the best candidate, 0..1).
   */
  score: number;
}

/** One chunk as a hybrid search handles it: id, where, its text and BM25 score (0 when it did not match). */
export interface ChunkRow {
  id: number;
  path: string;
  start_line: number;
  end_line: number;
  text: string;
  bm25: number;
}

/** A chunk as a search hit: the snippet of the lines that hold the query's words, with `score` (rounded). */
export function toHit(row: Pick<ChunkRow, "path" | "start_line" | "text">, query: ParsedQuery, score: number): MemoryHit {
  return { path: row.path, ...snippetOf(row.text, row.start_line, query.words), score: round(score) };
}

/** What one sync found and did. */
export interface SyncPlan {
  /** Files to read: new, changed by stat, or inside the racy window. */
  changed: MemoryFileStat[];
  /** Indexed paths no longer on disk (or no longer memory files). */
  removed: string[];
  /** Files on disk in total. */
  files: number;
}

/** Counts of one applied sync. */
export interface SyncReport {
  added: number;
  updated: number;
  removed: number;
  /** Read again but identical (only the stat was recorded). */
  unchanged: number;
  /** Not indexed: too large or binary (with the reason). */
  skipped: { path: string; reason: string }[];
}

/** Totals of one workspace's index. */
export interface IndexTotals {
  files: number;
  chunks: number;
  /** When a file was last (re)indexed, ms since epoch; undefined when nothing is indexed. */
  lastIndexedAt?: number;
}

/** The engine over one open state DB. */
export class MemoryIndex {
  private readonly q: ReturnType<typeof prepare>;

  constructor(private readonly db: Database) {
    this.q = prepare(db);
  }

  /**
   * Stats the workspace's memory files and compares them with the index. Cheap: no file is read.
   * @param root the workspace's real path.
   */
  plan(root: string, now = Date.now()): SyncPlan {
    const onDisk = listMemoryFiles(root);
    const known = new Map(this.q.files.all(root).map((r) => [r.path, r]));
    const changed: MemoryFileStat[] = [];
    for (const f of onDisk) {
      const row = known.get(f.path);
      known.delete(f.path);
      const racy = row !== undefined && f.mtimeMs >= row.indexed_at - RACY_WINDOW_MS;
      if (!row || row.mtime_ms !== f.mtimeMs || row.size !== f.size || racy || now < row.indexed_at) changed.push(f);
    }
    return { changed, removed: [...known.keys()], files: onDisk.length };
  }

  /**
   * Reads `changed` files and replaces the chunks of those whose hash changed; drops `removed` paths. One
   * transaction. A file that vanished since the plan counts as removed.
   */
  apply(root: string, changed: readonly MemoryFileStat[], removed: readonly string[], now = Date.now()): SyncReport {
    const report: SyncReport = { added: 0, updated: 0, removed: 0, unchanged: 0, skipped: [] };
    const prepared = changed.map((f) => ({ f, read: readForIndex(f) }));
    this.db.transaction(() => {
      for (const path of removed) {
        this.q.deleteChunks.run(root, path);
        if (this.q.deleteFile.run(root, path).changes > 0) report.removed += 1;
      }
      for (const { f, read } of prepared) {
        const row = this.q.file.get(root, f.path);
        if (read.kind !== "ok") {
          this.q.deleteChunks.run(root, f.path);
          this.q.deleteFile.run(root, f.path);
          if (read.kind === "gone") {
            if (row) report.removed += 1;
          } else report.skipped.push({ path: f.path, reason: read.reason });
          continue;
        }
        if (row && row.hash === read.hash) {
          this.q.touchFile.run(f.mtimeMs, f.size, now, root, f.path);
          report.unchanged += 1;
          continue;
        }
        this.q.deleteChunks.run(root, f.path);
        const chunks = chunkMarkdown(read.text);
        for (const c of chunks) this.q.insertChunk.run(root, f.path, c.startLine, c.endLine, c.text, chunkHash(c.text));
        this.q.upsertFile.run(root, f.path, f.mtimeMs, f.size, read.hash, now, chunks.length);
        if (row) report.updated += 1;
        else report.added += 1;
      }
    })();
    return report;
  }

  /** {@link plan} then {@link apply}, in one call. */
  sync(root: string, now = Date.now()): SyncReport & { files: number } {
    const p = this.plan(root, now);
    return { ...this.apply(root, p.changed, p.removed, now), files: p.files };
  }

  /**
   * The best `max` chunks of the workspace for a parsed query, best first.
   * @returns an empty list when nothing matches.
   * @throws MemoryQueryError when FTS5 still refuses the expression (it should not: {@link parseQuery} quotes every word).
   */
  search(root: string, query: ParsedQuery, max: number): MemoryHit[] {
    return this.searchChunks(root, query, max).map((r) => toHit(r, query, r.bm25));
  }

  /**
   * The best `max` chunks for a parsed query with their ids and BM25 scores (higher is better), best first:
   * the candidates of a hybrid search.
   * @throws MemoryQueryError as {@link search}.
   */
  searchChunks(root: string, query: ParsedQuery, max: number): ChunkRow[] {
    try {
      return this.q.search.all(this.informativeMatch(query), root, max).map(({ rank, ...r }) => ({ ...r, bm25: -rank }));
    } catch (err) {
      throw new MemoryQueryError(`the search index refused the query: ${(err as Error).message}`);
    }
  }

  /**
   * The MATCH expression without the words that occur in more than half of all chunks, when the query has
   * rarer ones too. FTS5's BM25 clamps the idf of such a word to ~0 (1e-6), so it adds nothing to the order
   * of chunks that hold a rarer word; in an OR query it only makes nearly every chunk a match that must be
   * scored (the cost of a search over thousands of files). A query of only such words keeps them all.
   */
  private informativeMatch(query: ParsedQuery): string {
    if (query.terms.length < 2) return query.match;
    const total = this.q.chunkCount.get()?.n ?? 0;
    const kept = query.terms.filter((t) => (this.q.termDocs.get(t)?.n ?? 0) * 2 <= total);
    return kept.length > 0 && kept.length < query.terms.length ? kept.join(" OR ") : query.match;
  }

  /** File and chunk counts of a workspace. */
  totals(root: string): IndexTotals {
    const r = this.q.totals.get(root);
    return { files: r?.files ?? 0, chunks: r?.chunks ?? 0, ...(r?.last != null && { lastIndexedAt: r.last }) };
  }

  /** Forgets everything indexed for a workspace (a full reindex starts from here). */
  clear(root: string): void {
    this.db.transaction(() => {
      this.q.clearChunks.run(root);
      this.q.clearFiles.run(root);
    })();
  }
}

// --- internal ---

type FileRow = { path: string; mtime_ms: number; size: number; hash: string; indexed_at: number };

function prepare(db: Database) {
  return {
    files: db.query<FileRow, [string]>("SELECT path, mtime_ms, size, hash, indexed_at FROM memory_files WHERE workspace = ?"),
    file: db.query<FileRow, [string, string]>("SELECT path, mtime_ms, size, hash, indexed_at FROM memory_files WHERE workspace = ? AND path = ?"),
    deleteChunks: db.query<never, [string, string]>("DELETE FROM memory_chunks WHERE workspace = ? AND path = ?"),
    deleteFile: db.query<never, [string, string]>("DELETE FROM memory_files WHERE workspace = ? AND path = ?"),
    insertChunk: db.query<never, [string, string, number, number, string, string]>("INSERT INTO memory_chunks (workspace, path, start_line, end_line, text, hash) VALUES (?, ?, ?, ?, ?, ?)"),
    upsertFile: db.query<never, [string, string, number, number, string, number, number]>(
      `INSERT INTO memory_files (workspace, path, mtime_ms, size, hash, indexed_at, chunks) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(workspace, path) DO UPDATE SET mtime_ms = excluded.mtime_ms, size = excluded.size, hash = excluded.hash, indexed_at = excluded.indexed_at, chunks = excluded.chunks`,
    ),
    touchFile: db.query<never, [number, number, number, string, string]>("UPDATE memory_files SET mtime_ms = ?, size = ?, indexed_at = ? WHERE workspace = ? AND path = ?"),
    search: db.query<{ id: number; path: string; start_line: number; end_line: number; text: string; rank: number }, [string, string, number]>(
      `SELECT c.id, c.path, c.start_line, c.end_line, c.text, bm25(memory_fts) AS rank
       FROM memory_fts JOIN memory_chunks c ON c.id = memory_fts.rowid
       WHERE memory_fts MATCH ? AND c.workspace = ?
       ORDER BY rank, c.path, c.start_line LIMIT ?`,
    ),
    totals: db.query<{ files: number; chunks: number; last: number | null }, [string]>("SELECT COUNT(*) AS files, COALESCE(SUM(chunks), 0) AS chunks, MAX(indexed_at) AS last FROM memory_files WHERE workspace = ?"),
    clearChunks: db.query<never, [string]>("DELETE FROM memory_chunks WHERE workspace = ?"),
    chunkCount: db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM memory_chunks"),
    termDocs: db.query<{ n: number }, [string]>("SELECT COUNT(*) AS n FROM memory_fts WHERE memory_fts MATCH ?"),
    clearFiles: db.query<never, [string]>("DELETE FROM memory_files WHERE workspace = ?"),
  };
}

type ReadResult = { kind: "ok"; text: string; hash: string } | { kind: "gone" } | { kind: "skip"; reason: string };

function readForIndex(f: MemoryFileStat): ReadResult {
  if (f.size > MAX_MEMORY_FILE_BYTES) return { kind: "skip", reason: `larger than ${MAX_MEMORY_FILE_BYTES} bytes` };
  let data: Buffer;
  try {
    data = readListedFile(f, MAX_MEMORY_FILE_BYTES + 1);
  } catch {
    return { kind: "gone" };
  }
  if (data.length > MAX_MEMORY_FILE_BYTES) return { kind: "skip", reason: `larger than ${MAX_MEMORY_FILE_BYTES} bytes` };
  if (data.subarray(0, 8192).includes(0)) return { kind: "skip", reason: "binary (NUL bytes)" };
  return { kind: "ok", text: data.toString("utf8"), hash: Bun.hash(data).toString(16) };
}

/** Strips accents and lower-cases, as the unicode61 tokenizer (remove_diacritics 2) compares words. */
function fold(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}

/**
 * The line of a chunk that holds the most query words (first such line on a tie), with one neighbour line of
 * context when it is short, cut to {@link SNIPPET_MAX_CHARS} around the first match.
 */
function snippetOf(text: string, startLine: number, words: readonly string[]): { startLine: number; endLine: number; snippet: string } {
  const lines = splitLines(text);
  const folded = words.map(fold);
  let best = 0;
  let bestHits = -1;
  lines.forEach((line, i) => {
    const l = fold(line);
    const hits = folded.filter((w) => w && l.includes(w)).length;
    if (hits > bestHits) {
      best = i;
      bestHits = hits;
    }
  });
  let from = best;
  let to = best;
  const size = () => lines.slice(from, to + 1).join("\n").length;
  if (to + 1 < lines.length && lines[to + 1]!.trim() !== "" && size() + lines[to + 1]!.length < SNIPPET_MAX_CHARS / 2) to += 1;
  if (from > 0 && lines[from - 1]!.trim() !== "" && size() + lines[from - 1]!.length < SNIPPET_MAX_CHARS / 2) from -= 1;
  let snippet = lines.slice(from, to + 1).join("\n");
  if (snippet.length > SNIPPET_MAX_CHARS) {
    const at = Math.max(0, Math.min(...folded.map((w) => fold(snippet).indexOf(w)).filter((i) => i >= 0), snippet.length));
    const begin = Math.max(0, Math.min(at - 100, snippet.length - SNIPPET_MAX_CHARS));
    snippet = `${begin > 0 ? "…" : ""}${snippet.slice(begin, begin + SNIPPET_MAX_CHARS)}${begin + SNIPPET_MAX_CHARS < snippet.length ? "…" : ""}`;
  }
  return { startLine: startLine + from, endLine: startLine + to, snippet };
}

function round(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
