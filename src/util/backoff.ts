/**
 * Exponential backoff with jitter: `initialMs * factor^(attempt-1)`, capped at `maxMs`, then spread by
 * ±`jitter` (a fraction) so many clients do not retry in lock-step.
 */

/** Backoff parameters. `maxAttempts` 0 means unlimited. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
  jitter: number;
  maxAttempts: number;
}

/**
 * The delay before retry number `attempt` (1-based).
 * @param random a source in [0, 1); tests pass a constant.
 * @example computeBackoff({ initialMs: 2000, maxMs: 30000, factor: 1.8, jitter: 0, maxAttempts: 12 }, 2) // 3600
 */
export function computeBackoff(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt - 1));
  const spread = base * policy.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(Math.min(policy.maxMs, base + spread)));
}

/**
 * Sleeps `ms`, waking early (resolving `false`) when `signal` aborts.
 * @returns true when the full delay elapsed.
 */
export function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (full: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve(full);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
