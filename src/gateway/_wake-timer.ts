/**
 * The clock the gateway's schedulers (heartbeat runner, cron service) read time and timers from, and the
 * one timer each of them keeps armed for its earliest due time.
 */

/** Timers and time, injectable for tests. */
export interface HeartbeatClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock. */
export const SYSTEM_CLOCK: HeartbeatClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

// setTimeout overflows above 2^31-1 ms (~24.8 days); a later due time re-arms on the way.
const MAX_TIMER_MS = 2_147_483_647;

/**
 * At most one timer on `clock` that calls `onFire` when the time it was armed for comes. The delay is
 * capped at 2^31-1 ms, so `onFire` may run before anything is due and must re-arm then.
 */
export class WakeTimer {
  private readonly clock: HeartbeatClock;
  private readonly onFire: () => void;
  private handle: unknown;

  constructor(clock: HeartbeatClock, onFire: () => void) {
    this.clock = clock;
    this.onFire = onFire;
  }

  /** Replaces the armed timer with one for `atMs` (epoch ms; past times fire at once); null only disarms. */
  arm(atMs: number | null): void {
    this.disarm();
    if (atMs === null) return;
    const delay = Math.min(Math.max(0, atMs - this.clock.now()), MAX_TIMER_MS);
    this.handle = this.clock.setTimeout(() => {
      this.handle = undefined;
      this.onFire();
    }, delay);
  }

  /** Clears the armed timer, if any. */
  disarm(): void {
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.handle = undefined;
  }
}
