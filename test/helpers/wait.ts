/**
 * The one polling helper of the test suite: wait for a condition the test can observe (a log line, a store
 * row, a fake's recorded request) instead of sleeping a guessed time.
 */

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this long (default 5000 ms). */
  timeoutMs?: number;
  /** Pause between checks (default 10 ms). */
  intervalMs?: number;
}

/**
 * Calls `check` (sync or async) until it returns a truthy value and resolves with that value; `what` names the
 * condition in the timeout message (a function is called at the timeout, to report what was seen; default:
 * the source text of `check`). A throw from `check` propagates at once. Safe to call concurrently.
 * @throws Error "timed out after N ms waiting for <what>" when the condition does not hold in time.
 * @example
 * await waitFor(() => fake.sent.length === 2, "two replies");
 * const row = await waitFor(() => store.get("k"), "row k", { timeoutMs: 10_000 });
 */
export async function waitFor<T>(check: () => T | Promise<T>, what?: string | (() => string), opts: WaitForOptions | number = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 5000, intervalMs = 10 } = typeof opts === "number" ? { timeoutMs: opts } : opts;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === "function" ? what() : (what ?? describe(check))}`);
    await Bun.sleep(intervalMs);
  }
}

// --- internal ---

/** `() => fake.sent.length === 2` → "fake.sent.length === 2", cut to one readable line. */
function describe(check: () => unknown): string {
  const text = check.toString().replace(/\s+/g, " ").replace(/^(async )?\(\) => /, "");
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
