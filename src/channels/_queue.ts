/**
 * Per-session inbound queue (agent.md §6 "Inbound while busy"): one turn at a time per session key.
 * Messages that arrive while a turn runs wait; when it ends, after `debounceMs` of quiet, `collect` runs
 * them as one coalesced turn, `followup` runs them one by one. At most `cap` wait; `drop` says which go.
 */
import type { OpenClawConfig } from "../config/schema.ts";

/** Queue modes upstream knows. `steer*` and `interrupt` need a running turn we can inject into; here they behave as `collect`. */
export type QueueMode = "collect" | "followup" | "steer" | "steer-backlog" | "interrupt";

/** Effective queue settings for one channel. */
export interface QueueSettings {
  mode: QueueMode;
  debounceMs: number;
  cap: number;
  /** Which message to drop when `cap` is reached: the oldest waiting (default) or the new one. */
  drop: "old" | "new";
}

/** `messages.queue.*` with `byChannel.<ch>` applied (a string there is a mode; an object overrides keys). */
export function resolveQueueSettings(config: OpenClawConfig, channel: string): QueueSettings {
  const q = ((config.messages as { queue?: Record<string, unknown> } | undefined)?.queue ?? {}) as Record<string, unknown>;
  const byChannel = (q.byChannel as Record<string, unknown> | undefined)?.[channel];
  const over = typeof byChannel === "string" ? { mode: byChannel } : ((byChannel as Record<string, unknown> | undefined) ?? {});
  const pick = <T>(key: string, ok: (v: unknown) => boolean, fallback: T): T => (ok(over[key]) ? over[key] : ok(q[key]) ? q[key] : fallback) as T;
  const isNum = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v >= 0;
  return {
    mode: pick("mode", (v) => typeof v === "string" && ["collect", "followup", "steer", "steer-backlog", "interrupt"].includes(v), "collect"),
    debounceMs: pick("debounceMs", isNum, 1000),
    cap: Math.max(1, pick("cap", isNum, 20)),
    drop: pick("drop", (v) => v === "old" || v === "new", "old"),
  };
}

type Lane<T> = { running: boolean; pending: T[]; timer?: ReturnType<typeof setTimeout>; settings: QueueSettings };

/**
 * Serializes turns per key. `run` gets one or more items (more only in `collect` mode) and must not
 * throw (its errors are swallowed here so a lane never wedges).
 */
export class SessionQueue<T> {
  private readonly lanes = new Map<string, Lane<T>>();
  private readonly idleWaiters = new Set<() => void>();
  private readonly run: (key: string, items: T[]) => Promise<void>;
  private readonly onDrop?: (key: string, item: T) => void;
  private readonly alone?: (item: T) => boolean;
  private stopped = false;

  /**
   * `onDrop` hears of each waiting item pushed out by the cap (drop "old"). An item for which `alone` is
   * true is never coalesced with others in `collect` mode: it runs as a turn of its own.
   */
  constructor(run: (key: string, items: T[]) => Promise<void>, opts: { onDrop?: (key: string, item: T) => void; alone?: (item: T) => boolean } = {}) {
    this.run = run;
    this.onDrop = opts.onDrop;
    this.alone = opts.alone;
  }

  /**
   * Adds an item. Runs it at once when the lane is idle.
   * @returns "started", "queued", or "dropped" (cap reached with drop "new", or the queue is stopped).
   */
  enqueue(key: string, item: T, settings: QueueSettings): "started" | "queued" | "dropped" {
    if (this.stopped) return "dropped";
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { running: false, pending: [], settings };
      this.lanes.set(key, lane);
    }
    lane.settings = settings;
    if (!lane.running && lane.pending.length === 0 && !lane.timer) {
      this.start(key, lane, [item]);
      return "started";
    }
    if (lane.pending.length >= settings.cap) {
      if (settings.drop === "new") return "dropped";
      const dropped = lane.pending.shift() as T;
      this.onDrop?.(key, dropped);
    }
    lane.pending.push(item);
    // Waiting out the debounce: quiet restarts with each new message.
    if (lane.timer) this.schedule(key, lane);
    return "queued";
  }

  /** Number of items waiting (not running) for `key`. */
  pendingCount(key: string): number {
    return this.lanes.get(key)?.pending.length ?? 0;
  }

  /** Takes out and returns the items waiting for `key`; a turn running there goes on. */
  clear(key: string): T[] {
    const lane = this.lanes.get(key);
    if (!lane) return [];
    clearTimeout(lane.timer);
    lane.timer = undefined;
    const taken = lane.pending.splice(0);
    if (!lane.running) {
      this.lanes.delete(key);
      this.notifyIdle();
    }
    return taken;
  }

  /** Resolves when no lane is running or waiting. */
  idle(): Promise<void> {
    if (this.lanes.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.add(resolve));
  }

  /** Drops everything waiting (the caller keeps what must survive); running turns finish on their own. */
  stop(): void {
    this.stopped = true;
    for (const lane of this.lanes.values()) {
      clearTimeout(lane.timer);
      lane.timer = undefined;
      lane.pending = [];
    }
    for (const [key, lane] of this.lanes) if (!lane.running) this.lanes.delete(key);
    this.notifyIdle();
  }

  private start(key: string, lane: Lane<T>, items: T[]): void {
    lane.running = true;
    void this.run(key, items)
      .catch(() => {})
      .finally(() => {
        lane.running = false;
        if (lane.pending.length > 0 && !this.stopped) this.schedule(key, lane);
        else {
          this.lanes.delete(key);
          this.notifyIdle();
        }
      });
  }

  private schedule(key: string, lane: Lane<T>): void {
    clearTimeout(lane.timer);
    lane.timer = setTimeout(() => {
      lane.timer = undefined;
      if (lane.pending.length === 0) return;
      const items = lane.settings.mode === "followup" ? [lane.pending.shift() as T] : this.takeBatch(lane.pending);
      this.start(key, lane, items);
    }, lane.settings.debounceMs);
  }

  /** The waiting items `collect` runs as one turn: all of them, but an `alone` item only by itself. */
  private takeBatch(pending: T[]): T[] {
    const alone = this.alone;
    if (!alone) return pending.splice(0);
    if (alone(pending[0])) return pending.splice(0, 1);
    const stop = pending.findIndex(alone);
    return pending.splice(0, stop < 0 ? pending.length : stop);
  }

  private notifyIdle(): void {
    if (this.lanes.size > 0) return;
    for (const w of this.idleWaiters) w();
    this.idleWaiters.clear();
  }
}
