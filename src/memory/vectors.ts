/**
 * The embedding vectors of memory chunks in the state DB (`memory_embeddings`, keyed by model + chunk content
 * hash, see `store/memory-index.ts`) and the hybrid merge of BM25 and cosine scores. A chunk whose text did
 * not change keeps its hash, so it is never sent to the provider again (a moved, re-read or fully reindexed
 * chunk included). All DB methods are synchronous (bun:sqlite).
 */
import type { Database } from "bun:sqlite";
import { chunkHash } from "./chunk.ts";
import { fromBlob, toBlob } from "./embeddings.ts";
import type { ChunkRow } from "./memory-index.ts";

/** The normalized vectors of one workspace's embedded chunks for one model (the search's in-memory copy). */
export interface WorkspaceVectors {
  ids: number[];
  /** Unit length, so cosine is the dot product. */
  vectors: Float32Array[];
  /** Chunk id → position in `ids`. */
  positions: Map<number, number>;
}

/** Embedding counts of a workspace for a model. */
export interface EmbeddingCounts {
  /** Chunks that have a vector. */
  embedded: number;
  total: number;
}

/** The DB side of the embeddings. */
export class MemoryVectors {
  private readonly q: ReturnType<typeof prepare>;

  constructor(private readonly db: Database) {
    this.q = prepare(db);
  }

  /** Fills in the hash of chunks indexed before hashes were kept. @returns how many were filled in. */
  backfillHashes(root: string): number {
    const rows = this.q.unhashed.all(root);
    if (rows.length === 0) return 0;
    this.db.transaction(() => {
      for (const r of rows) this.q.setHash.run(chunkHash(r.text), r.id);
    })();
    return rows.length;
  }

  /** Up to `limit` distinct chunk texts of the workspace that have no vector for `model` yet. */
  pending(root: string, model: string, limit: number): { hash: string; text: string }[] {
    return this.q.pending.all(root, model, limit);
  }

  /** Stores vectors (one transaction); an existing one for the same model + hash is kept. */
  store(model: string, items: readonly { hash: string; vector: Float32Array }[], now = Date.now()): void {
    this.db.transaction(() => {
      for (const it of items) this.q.insert.run(model, it.hash, it.vector.length, toBlob(it.vector), now);
    })();
  }

  /** How many of the workspace's chunks have a vector for `model`. */
  counts(root: string, model: string): EmbeddingCounts {
    const r = this.q.counts.get(model, root);
    return { embedded: r?.embedded ?? 0, total: r?.total ?? 0 };
  }

  /** The workspace's embedded chunks for `model`, normalized. */
  load(root: string, model: string): WorkspaceVectors {
    const ids: number[] = [];
    const vectors: Float32Array[] = [];
    for (const r of this.q.load.iterate(model, root)) {
      ids.push(r.id);
      vectors.push(normalize(fromBlob(r.vector)));
    }
    return { ids, vectors, positions: new Map(ids.map((id, j) => [id, j])) };
  }

  /** Chunk rows by id (BM25 score 0), for candidates found by their vector only. */
  rows(ids: readonly number[]): ChunkRow[] {
    return ids.flatMap((id) => {
      const r = this.q.row.get(id);
      return r ? [{ ...r, bm25: 0 }] : [];
    });
  }

  /** Drops vectors of `model` no chunk of any workspace has any more. @returns how many. */
  prune(model: string): number {
    return this.q.prune.run(model).changes;
  }
}

/** A copy of `v` scaled to unit length (all zeros stays all zeros). */
export function normalize(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  const out = new Float32Array(v.length);
  if (n === 0) return out;
  const s = 1 / Math.sqrt(n);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * s;
  return out;
}

/**
 * The cosine similarity of the (normalized) query with every vector of the workspace, and the ids of the best
 * `k` with a positive score, best first (ties by id). A vector of another length (stored by a model of the
 * same name with other dimensions) scores 0.
 */
export function nearest(ws: WorkspaceVectors, query: Float32Array, k: number): { scoreOf: (id: number) => number; top: number[] } {
  const n = ws.ids.length;
  const scores = new Float64Array(n);
  // The best k so far as positions, kept sorted best first; a plain insertion is cheap for k ≤ 200.
  const best: number[] = [];
  const better = (a: number, b: number) => scores[a]! > scores[b]! || (scores[a] === scores[b] && ws.ids[a]! < ws.ids[b]!);
  for (let j = 0; j < n; j++) {
    const v = ws.vectors[j]!;
    let dot = 0;
    if (v.length === query.length) for (let i = 0; i < v.length; i++) dot += v[i]! * query[i]!;
    scores[j] = dot;
    if (dot <= 0 || (best.length === k && !better(j, best[k - 1]!))) continue;
    let at = best.length;
    while (at > 0 && better(j, best[at - 1]!)) at--;
    best.splice(at, 0, j);
    if (best.length > k) best.pop();
  }
  const scoreOf = (id: number) => {
    const j = ws.positions.get(id);
    return j === undefined ? 0 : scores[j]!;
  };
  return { scoreOf, top: best.map((j) => ws.ids[j]!) };
}

/**
 * The weighted merge of a hybrid search over the union of its candidates: BM25 scores divided by the best
 * one (0..1), cosine clamped to 0..1, `vectorWeight × cosine + textWeight × bm25`. Best first; ties by id.
 * A candidate found by its vector alone is dropped below `minScore` (every vector is somewhat similar to
 * every query); a keyword match is always kept.
 */
export function mergeHybrid(
  text: readonly Pick<ChunkRow, "id" | "bm25">[],
  cosineOf: (id: number) => number,
  vectorIds: readonly number[],
  weights: { vectorWeight: number; textWeight: number; minScore: number },
): { id: number; score: number }[] {
  const best = Math.max(0, ...text.map((r) => r.bm25));
  const textScore = new Map(text.map((r) => [r.id, best > 0 ? Math.max(0, r.bm25) / best : 0]));
  const ids = new Set([...text.map((r) => r.id), ...vectorIds]);
  return [...ids]
    .map((id) => ({ id, score: weights.vectorWeight * Math.min(1, Math.max(0, cosineOf(id))) + weights.textWeight * (textScore.get(id) ?? 0) }))
    .filter((c) => textScore.has(c.id) || c.score >= weights.minScore)
    .sort((a, b) => b.score - a.score || a.id - b.id);
}

// --- internal ---

function prepare(db: Database) {
  return {
    unhashed: db.query<{ id: number; text: string }, [string]>("SELECT id, text FROM memory_chunks WHERE workspace = ? AND hash IS NULL"),
    setHash: db.query<never, [string, number]>("UPDATE memory_chunks SET hash = ? WHERE id = ?"),
    pending: db.query<{ hash: string; text: string }, [string, string, number]>(
      `SELECT c.hash AS hash, MIN(c.text) AS text FROM memory_chunks c
       WHERE c.workspace = ?1 AND c.hash IS NOT NULL AND NOT EXISTS (SELECT 1 FROM memory_embeddings e WHERE e.model = ?2 AND e.hash = c.hash)
       GROUP BY c.hash ORDER BY MIN(c.id) LIMIT ?3`,
    ),
    insert: db.query<never, [string, string, number, Uint8Array, number]>("INSERT OR IGNORE INTO memory_embeddings (model, hash, dims, vector, created_at) VALUES (?, ?, ?, ?, ?)"),
    counts: db.query<{ embedded: number; total: number }, [string, string]>(
      "SELECT COUNT(e.hash) AS embedded, COUNT(*) AS total FROM memory_chunks c LEFT JOIN memory_embeddings e ON e.model = ?1 AND e.hash = c.hash WHERE c.workspace = ?2",
    ),
    load: db.query<{ id: number; vector: Uint8Array }, [string, string]>(
      "SELECT c.id AS id, e.vector AS vector FROM memory_chunks c JOIN memory_embeddings e ON e.model = ?1 AND e.hash = c.hash WHERE c.workspace = ?2",
    ),
    row: db.query<Omit<ChunkRow, "bm25">, [number]>("SELECT id, path, start_line, end_line, text FROM memory_chunks WHERE id = ?"),
    // NOT IN over the subquery: SQLite builds its set once (memory_chunks has no index on hash, to keep indexing cheap).
    prune: db.query<never, [string]>("DELETE FROM memory_embeddings WHERE model = ? AND hash NOT IN (SELECT hash FROM memory_chunks WHERE hash IS NOT NULL)"),
  };
}
