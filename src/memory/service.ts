/**
 * The memory service: one {@link MemoryIndex} over the state DB, one watch per workspace it was asked about,
 * and the rule that keeps answers exact. A watched change marks the workspace dirty at once and schedules a
 * debounced sync; a watched workspace is also re-checked in the background every `recheckMs` (default
 * {@link DEFAULT_RECHECK_MS}), which catches a change the kernel never reported. A search first runs a sync
 * (a stat of every memory file, reading only what changed) unless the workspace is watched, nothing was
 * reported since the last sync, and that sync's stat check is younger than twice `recheckMs` (the
 * background check is late on a starved machine); `recheckMs: 0` checks before every search. So an event
 * that arrived but was not yet handled never serves stale text, and a lost one only until the next
 * background check. Status and reindex always check. Syncs of one workspace are serialized; a large sync (the first index of many
 * files) yields to the event loop between batches.
 *
 * With an embeddings provider configured for a workspace (`embeddings`), chunks without a vector are embedded
 * in the background after each sync that changed the index, and a search merges BM25 with cosine similarity
 * (see `vectors.ts`). A search never waits for that background work; when the query cannot be embedded in time
 * (provider down, slow, refusing) it answers from BM25 alone, says so in `status`, warns once, and leaves the
 * provider alone for {@link EMBED_RETRY_MS}. Without a provider nothing here runs and nothing touches the network.
 */
import type { Database } from "bun:sqlite";
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { EMBED_BATCH_INPUTS, EMBED_INDEX_TIMEOUT_MS, EMBED_QUERY_TIMEOUT_MS, type EmbeddingChoice, type EmbeddingSettings, describeEndpoint, embedTexts } from "./embeddings.ts";
import { type IndexTotals, type MemoryHit, MemoryIndex, type SyncReport, toHit } from "./memory-index.ts";
import { type ParsedQuery, parseQuery } from "./query.ts";
import { mergeHybrid, MemoryVectors, nearest, normalize, type WorkspaceVectors } from "./vectors.ts";
import { type MemoryWatch, watchMemoryFiles } from "./watcher.ts";

/** Results returned when no `maxResults` is given. */
export const DEFAULT_MAX_RESULTS = 6;
/** Most results one search returns. */
export const MAX_RESULTS_LIMIT = 50;
/** Default of {@link MemoryServiceOptions.recheckMs}. */
export const DEFAULT_RECHECK_MS = 2000;
/** Files read per transaction during a large sync (the event loop runs between batches). */
const SYNC_BATCH_FILES = 500;
/** After the provider failed, searches skip it (BM25 only) and the background pass waits this long. */
export const EMBED_RETRY_MS = 30_000;
/** Least time between two reloads of a workspace's vectors while the background pass adds to them. */
const VECTOR_RELOAD_MS = 1000;
/** Most candidates a hybrid search takes from each side. */
const MAX_HYBRID_CANDIDATES = 200;

/** Options of {@link MemoryService}. */
export interface MemoryServiceOptions {
  db: Database;
  /** Delay between a watched change and its sync (default 150 ms). */
  debounceMs?: number;
  /** Watch workspaces (default true); without a watch every search runs the stat check. */
  watch?: boolean;
  /**
   * Interval of the background stat check of a watched workspace (default {@link DEFAULT_RECHECK_MS}); a
   * search runs the check itself when the last one is older than twice this. 0: before every search, no timer.
   */
  recheckMs?: number;
  /** Warnings (watcher errors, failed background syncs); file contents never reach it. */
  onWarn?: (message: string) => void;
  /** Called after each sync that changed the index (tests wait on it). */
  onSynced?: (root: string, report: SyncReport) => void;
  /**
   * The embeddings settings of a workspace (its real path), read at every use so a config reload applies.
   * Absent, or `{ kind: "off" }`: keyword search only, no network.
   */
  embeddings?: (root: string) => EmbeddingChoice;
  /** Timeout of the query's embedding (default {@link EMBED_QUERY_TIMEOUT_MS}). */
  queryTimeoutMs?: number;
  /** Timeout of one indexing request (default {@link EMBED_INDEX_TIMEOUT_MS}). */
  indexTimeoutMs?: number;
  /** Wait after a provider failure (default {@link EMBED_RETRY_MS}). */
  retryMs?: number;
}

/** The embeddings part of a workspace's status (no secrets: the endpoint without userinfo or query). */
export interface MemoryEmbeddingsStatus {
  /** `none` when no provider is configured. */
  provider: string;
  model?: string;
  endpoint?: string;
  /** off: no provider; unsupported: a provider this gateway cannot serve; indexing: chunks are being embedded; ready; error: the last request failed (searches fall back to BM25). */
  state: "off" | "unsupported" | "indexing" | "ready" | "error";
  hybrid: boolean;
  embedded?: number;
  total?: number;
  /** The last failure (no key, no text), and when (ms since epoch). */
  lastError?: string;
  lastErrorAt?: number;
  /** Whether the last search answered from BM25 alone because the provider failed. */
  fallback: boolean;
}

/** One workspace's state as `status` reports it. */
export interface MemoryWorkspaceStatus extends IndexTotals {
  /** The real path of the workspace (or the path as configured when it does not exist). */
  workspace: string;
  exists: boolean;
  watching: boolean;
  /** Files left out at the last sync, with why. */
  skipped: { path: string; reason: string }[];
  embeddings: MemoryEmbeddingsStatus;
}

/** The result of a search. */
export interface MemorySearchResult {
  results: MemoryHit[];
}

interface WorkspaceState {
  root: string;
  exists: boolean;
  watch?: MemoryWatch;
  timer?: ReturnType<typeof setTimeout>;
  /** The sync running now (others queue behind it). */
  running: Promise<unknown>;
  /** A watcher event arrived since the last sync started. */
  dirty: boolean;
  /** When the last sync's stat check ran (performance.now()); -Infinity before the first. */
  checkedAt: number;
  /** Syncs queued or running. */
  pending: number;
  /** The background re-check. */
  recheck?: ReturnType<typeof setInterval>;
  skipped: { path: string; reason: string }[];
  emb: EmbedState;
}

interface EmbedState {
  /** A background pass is running; `again`: run another when it ends. */
  running: boolean;
  again: boolean;
  /** The model for which every chunk had a vector when the last pass ended (cleared by a sync that changed something). */
  completeFor?: string;
  /** The provider's last failure; warned once until a request succeeds. */
  lastError?: string;
  lastErrorAt?: number;
  failing: boolean;
  /** No provider call (search or pass) before this (performance.now()). */
  skipUntil: number;
  fallback: boolean;
  /**
   * The in-memory vectors for `model`: dropped when a sync changes the chunks; when the background pass adds
   * vectors it is marked `behind` and reloaded at most every {@link VECTOR_RELOAD_MS} (a chunk embedded since
   * is still found by its words).
   */
  cache?: { model: string; vectors: WorkspaceVectors; loadedAt: number; behind: boolean };
  abort: AbortController;
}

/** The service; one per gateway. Every method is safe to call concurrently. */
export class MemoryService {
  readonly index: MemoryIndex;
  readonly vectors: MemoryVectors;
  private readonly spaces = new Map<string, WorkspaceState>();
  private closed = false;

  constructor(private readonly opts: MemoryServiceOptions) {
    this.index = new MemoryIndex(opts.db);
    this.vectors = new MemoryVectors(opts.db);
  }

  /**
   * Searches the memory files of workspace `dir` after bringing its index up to date.
   * @throws MemoryQueryError for an unusable query (empty, only punctuation, too long).
   */
  async search(dir: string, query: string, maxResults = DEFAULT_MAX_RESULTS): Promise<MemorySearchResult> {
    const parsed = parseQuery(query);
    const max = Math.max(1, Math.min(Math.floor(maxResults), MAX_RESULTS_LIMIT));
    const ws = this.workspace(dir);
    const recheckMs = this.opts.recheckMs ?? DEFAULT_RECHECK_MS;
    const quiet = ws.watch?.healthy === true && !ws.dirty && performance.now() - ws.checkedAt < recheckMs * 2;
    // A sync already queued (the debounced one, a reindex) is waited for even when quiet.
    if (quiet) await ws.running;
    else await this.sync(ws);
    if (!ws.exists) return { results: [] };
    const choice = this.opts.embeddings?.(ws.root);
    if (choice?.kind === "on" && choice.settings.hybrid) return { results: await this.hybridSearch(ws, choice.settings, query, parsed, max) };
    return { results: this.index.search(ws.root, parsed, max) };
  }

  /** Index totals of workspace `dir`, after bringing it up to date. */
  async status(dir: string): Promise<MemoryWorkspaceStatus> {
    const ws = this.workspace(dir);
    await this.sync(ws);
    return { workspace: ws.root, exists: ws.exists, watching: ws.watch?.healthy ?? false, skipped: ws.skipped, ...this.index.totals(ws.root), embeddings: this.embeddingsStatus(ws) };
  }

  /**
   * Syncs workspace `dir` now; with `full`, forgets its index first and reads every file again.
   * @returns what changed, with the totals after.
   */
  async reindex(dir: string, full = false): Promise<SyncReport & IndexTotals & { workspace: string; ms: number }> {
    const ws = this.workspace(dir);
    const started = performance.now();
    const report = await this.sync(ws, full);
    return { workspace: ws.root, ...report, ...this.index.totals(ws.root), ms: Math.round(performance.now() - started) };
  }

  /** Starts watching (and indexing, in the background) the workspaces `dirs`. Never throws. */
  watch(dirs: readonly string[]): void {
    for (const dir of dirs) {
      const ws = this.workspace(dir);
      void this.sync(ws).catch((err) => this.opts.onWarn?.(`memory index of ${ws.root}: ${(err as Error).message}`));
    }
  }

  /** Stops every watch and timer; later calls still work but watch nothing. Safe to call twice. */
  close(): void {
    this.closed = true;
    for (const ws of this.spaces.values()) {
      clearTimeout(ws.timer);
      clearInterval(ws.recheck);
      ws.watch?.close();
      ws.watch = undefined;
      ws.emb.abort.abort();
    }
  }

  // --- internal ---

  private workspace(dir: string): WorkspaceState {
    let root: string;
    let exists = true;
    try {
      root = realpathSync(dir);
    } catch {
      root = resolve(dir);
      exists = false;
    }
    let ws = this.spaces.get(root);
    if (!ws) {
      const emb: EmbedState = { running: false, again: false, failing: false, skipUntil: Number.NEGATIVE_INFINITY, fallback: false, abort: new AbortController() };
      ws = { root, exists, running: Promise.resolve(), skipped: [], dirty: false, checkedAt: Number.NEGATIVE_INFINITY, pending: 0, emb };
      this.spaces.set(root, ws);
    }
    ws.exists = exists;
    if (this.opts.watch !== false && !this.closed && exists) {
      if (!ws.watch) {
        const state = ws;
        ws.watch = watchMemoryFiles(root, () => this.schedule(state), (err) => this.opts.onWarn?.(`memory watcher of ${root}: ${err.message}`));
        const recheckMs = this.opts.recheckMs ?? DEFAULT_RECHECK_MS;
        if (recheckMs > 0) {
          state.recheck = setInterval(() => {
            if (state.pending === 0) void this.sync(state).catch((err) => this.opts.onWarn?.(`memory index of ${root}: ${(err as Error).message}`));
          }, recheckMs);
          state.recheck.unref?.();
        }
      } else ws.watch.refresh();
    }
    return ws;
  }

  private schedule(ws: WorkspaceState): void {
    if (this.closed) return;
    ws.dirty = true;
    clearTimeout(ws.timer);
    ws.timer = setTimeout(() => {
      ws.timer = undefined;
      void this.sync(ws).catch((err) => this.opts.onWarn?.(`memory index of ${ws.root}: ${(err as Error).message}`));
    }, this.opts.debounceMs ?? 150);
    ws.timer.unref?.();
  }

  /** Runs one sync of `ws` after the ones already queued. */
  private sync(ws: WorkspaceState, full = false): Promise<SyncReport> {
    ws.pending += 1;
    const next = ws.running
      .catch(() => undefined)
      .then(() => this.syncNow(ws, full))
      .finally(() => {
        ws.pending -= 1;
      });
    ws.running = next;
    return next;
  }

  private async syncNow(ws: WorkspaceState, full: boolean): Promise<SyncReport> {
    if (full) this.index.clear(ws.root);
    // Cleared before the stat check: an event during this sync marks it again.
    ws.dirty = false;
    const plan = this.index.plan(ws.root);
    ws.checkedAt = performance.now();
    const total: SyncReport = { added: 0, updated: 0, removed: 0, unchanged: 0, skipped: [] };
    const add = (r: SyncReport) => {
      total.added += r.added;
      total.updated += r.updated;
      total.removed += r.removed;
      total.unchanged += r.unchanged;
      total.skipped.push(...r.skipped);
    };
    add(this.index.apply(ws.root, plan.changed.slice(0, SYNC_BATCH_FILES), plan.removed));
    for (let i = SYNC_BATCH_FILES; i < plan.changed.length; i += SYNC_BATCH_FILES) {
      await new Promise<void>((r) => setImmediate(r));
      // Closed (the gateway is stopping and will close the DB): the rest is read at the next start.
      if (this.closed) break;
      add(this.index.apply(ws.root, plan.changed.slice(i, i + SYNC_BATCH_FILES), []));
    }
    // Skipped files are re-judged at each sync that reads them; keep the last verdict per path.
    const stillSkipped = ws.skipped.filter((s) => !plan.changed.some((c) => c.path === s.path) && !plan.removed.includes(s.path));
    ws.skipped = [...stillSkipped, ...total.skipped];
    if (total.added + total.updated + total.removed > 0) {
      ws.emb.completeFor = undefined;
      ws.emb.cache = undefined;
      this.opts.onSynced?.(ws.root, total);
    }
    this.kickEmbeddings(ws);
    return total;
  }

  // --- embeddings ---

  private embeddingChoice(ws: WorkspaceState): EmbeddingChoice {
    return this.opts.embeddings?.(ws.root) ?? { kind: "off" };
  }

  /** Starts the background pass when chunks may lack vectors and the provider is not resting after a failure. */
  private kickEmbeddings(ws: WorkspaceState): void {
    if (this.closed || !ws.exists) return;
    const choice = this.embeddingChoice(ws);
    if (choice.kind !== "on" || ws.emb.completeFor === choice.settings.model) return;
    if (ws.emb.running) {
      ws.emb.again = true;
      return;
    }
    if (performance.now() < ws.emb.skipUntil) return;
    ws.emb.running = true;
    void this.embedPending(ws, choice.settings)
      .catch((err) => this.embeddingFailed(ws, err))
      .finally(() => {
        ws.emb.running = false;
        if (ws.emb.again) {
          ws.emb.again = false;
          this.kickEmbeddings(ws);
        }
      });
  }

  /** Embeds the workspace's chunks that have no vector for the model yet, one batch at a time. */
  private async embedPending(ws: WorkspaceState, settings: EmbeddingSettings): Promise<void> {
    this.vectors.backfillHashes(ws.root);
    let stored = 0;
    for (;;) {
      const batch = this.vectors.pending(ws.root, settings.model, EMBED_BATCH_INPUTS);
      if (batch.length === 0) break;
      const vectors = await embedTexts(settings, batch.map((b) => b.text), { timeoutMs: this.opts.indexTimeoutMs ?? EMBED_INDEX_TIMEOUT_MS, signal: ws.emb.abort.signal });
      // Closed: the gateway is stopping and closes the DB; the rest is embedded at the next start.
      if (this.closed) return;
      this.vectors.store(settings.model, batch.map((b, i) => ({ hash: b.hash, vector: vectors[i]! })));
      stored += batch.length;
      if (ws.emb.cache) ws.emb.cache.behind = true;
      this.embeddingSucceeded(ws);
    }
    ws.emb.completeFor = settings.model;
    // The pass is done: the next search loads every vector it added.
    if (ws.emb.cache?.behind) ws.emb.cache = undefined;
    // Vectors of text no chunk holds any more; not while a sync (a full reindex) may be between batches.
    if (stored > 0 && [...this.spaces.values()].every((s) => s.pending === 0)) this.vectors.prune(settings.model);
  }

  private async hybridSearch(ws: WorkspaceState, settings: EmbeddingSettings, query: string, parsed: ParsedQuery, max: number): Promise<MemoryHit[]> {
    const candidates = Math.min(max * settings.candidateMultiplier, MAX_HYBRID_CANDIDATES);
    const text = this.index.searchChunks(ws.root, parsed, candidates);
    const keywordOnly = () => text.slice(0, max).map((r) => toHit(r, parsed, r.bm25));
    const cached = ws.emb.cache;
    if (cached?.model !== settings.model || (cached.behind && performance.now() - cached.loadedAt >= VECTOR_RELOAD_MS)) {
      ws.emb.cache = { model: settings.model, vectors: this.vectors.load(ws.root, settings.model), loadedAt: performance.now(), behind: false };
    }
    const stored = ws.emb.cache!.vectors;
    // Nothing embedded yet (or the provider is resting after a failure): no network call.
    if (stored.ids.length === 0) return keywordOnly();
    if (performance.now() < ws.emb.skipUntil) {
      ws.emb.fallback = true;
      return keywordOnly();
    }
    let q: Float32Array;
    try {
      const [v] = await embedTexts(settings, [query.trim()], { timeoutMs: this.opts.queryTimeoutMs ?? EMBED_QUERY_TIMEOUT_MS, signal: ws.emb.abort.signal });
      q = normalize(v!);
    } catch (err) {
      this.embeddingFailed(ws, err);
      ws.emb.fallback = true;
      return keywordOnly();
    }
    this.embeddingSucceeded(ws);
    ws.emb.fallback = false;
    const { scoreOf, top } = nearest(stored, q, candidates);
    const merged = mergeHybrid(text, scoreOf, top, settings).slice(0, max);
    const byId = new Map(text.map((r) => [r.id, r]));
    const missing = merged.filter((m) => !byId.has(m.id)).map((m) => m.id);
    for (const r of this.vectors.rows(missing)) byId.set(r.id, r);
    return merged.flatMap((m) => {
      const row = byId.get(m.id);
      return row ? [toHit(row, parsed, m.score)] : [];
    });
  }

  private embeddingFailed(ws: WorkspaceState, err: unknown): void {
    if (this.closed) return;
    // EmbeddingError messages name the host and status only; anything else is reduced to its class name.
    const message = (err as Error)?.name === "EmbeddingError" ? (err as Error).message : `embeddings failed (${(err as Error)?.name ?? "error"})`;
    ws.emb.lastError = message;
    ws.emb.lastErrorAt = Date.now();
    ws.emb.skipUntil = performance.now() + (this.opts.retryMs ?? EMBED_RETRY_MS);
    if (!ws.emb.failing) {
      ws.emb.failing = true;
      this.opts.onWarn?.(`memory embeddings of ${ws.root}: ${message}; searching with keywords only until the provider answers again`);
    }
  }

  private embeddingSucceeded(ws: WorkspaceState): void {
    ws.emb.failing = false;
    ws.emb.skipUntil = Number.NEGATIVE_INFINITY;
  }

  private embeddingsStatus(ws: WorkspaceState): MemoryEmbeddingsStatus {
    const choice = this.embeddingChoice(ws);
    if (choice.kind === "off") return { provider: "none", state: "off", hybrid: false, fallback: false };
    if (choice.kind === "unsupported") return { provider: choice.provider, state: "unsupported", hybrid: false, lastError: choice.reason, fallback: false };
    const s = choice.settings;
    const counts = this.vectors.counts(ws.root, s.model);
    const state = ws.emb.failing ? "error" : counts.embedded < counts.total ? "indexing" : "ready";
    return {
      provider: s.provider,
      model: s.model,
      endpoint: describeEndpoint(s.baseUrl),
      state,
      hybrid: s.hybrid,
      ...counts,
      ...(ws.emb.lastError !== undefined && { lastError: ws.emb.lastError, lastErrorAt: ws.emb.lastErrorAt }),
      fallback: ws.emb.fallback,
    };
  }
}
