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
 */
import type { Database } from "bun:sqlite";
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { type IndexTotals, type MemoryHit, MemoryIndex, type SyncReport } from "./memory-index.ts";
import { parseQuery } from "./query.ts";
import { type MemoryWatch, watchMemoryFiles } from "./watcher.ts";

/** Results returned when no `maxResults` is given. */
export const DEFAULT_MAX_RESULTS = 6;
/** Most results one search returns. */
export const MAX_RESULTS_LIMIT = 50;
/** Default of {@link MemoryServiceOptions.recheckMs}. */
export const DEFAULT_RECHECK_MS = 2000;
/** Files read per transaction during a large sync (the event loop runs between batches). */
const SYNC_BATCH_FILES = 500;

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
}

/** One workspace's state as `status` reports it. */
export interface MemoryWorkspaceStatus extends IndexTotals {
  /** The real path of the workspace (or the path as configured when it does not exist). */
  workspace: string;
  exists: boolean;
  watching: boolean;
  /** Files left out at the last sync, with why. */
  skipped: { path: string; reason: string }[];
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
}

/** The service; one per gateway. Every method is safe to call concurrently. */
export class MemoryService {
  readonly index: MemoryIndex;
  private readonly spaces = new Map<string, WorkspaceState>();
  private closed = false;

  constructor(private readonly opts: MemoryServiceOptions) {
    this.index = new MemoryIndex(opts.db);
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
    return { results: ws.exists ? this.index.search(ws.root, parsed, max) : [] };
  }

  /** Index totals of workspace `dir`, after bringing it up to date. */
  async status(dir: string): Promise<MemoryWorkspaceStatus> {
    const ws = this.workspace(dir);
    await this.sync(ws);
    return { workspace: ws.root, exists: ws.exists, watching: ws.watch?.healthy ?? false, skipped: ws.skipped, ...this.index.totals(ws.root) };
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
      ws = { root, exists, running: Promise.resolve(), skipped: [], dirty: false, checkedAt: Number.NEGATIVE_INFINITY, pending: 0 };
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
    if (total.added + total.updated + total.removed > 0) this.opts.onSynced?.(ws.root, total);
    return total;
  }
}
