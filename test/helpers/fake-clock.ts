/**
 * A clock tests drive by hand (the heartbeat runner's `HeartbeatClock`): `advance(ms)` moves time and
 * fires the timers that came due, in order, including ones they schedule.
 */
import type { HeartbeatClock } from "../../src/gateway/heartbeat/heartbeat.ts";

/** A manual clock. */
export interface FakeClock extends HeartbeatClock {
  /** Moves time forward and runs every timer due by then. */
  advance(ms: number): void;
  /** Timers armed and not yet fired or cleared. */
  pending(): number;
}

/** Starts at `start` (default: now). */
export function createFakeClock(start = Date.now()): FakeClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const target = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
      }
      now = target;
    },
    pending: () => timers.size,
  };
}
