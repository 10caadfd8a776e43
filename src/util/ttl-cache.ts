/**
 * A small bounded map whose entries expire a fixed time after they were set: idempotency replays, short-lived
 * computed answers. Entries are kept in the order they were set, which with one TTL is also the order in
 * which they expire, so pruning stops at the first live entry.
 */

/** Options of {@link TtlCache}. */
export interface TtlCacheOptions {
  /** How long an entry is served after it was set. */
  ttlMs: number;
  /** At most this many entries; setting one more drops the oldest. */
  maxEntries: number;
  /** Clock in ms (tests). Default `Date.now()`. */
  now?: () => number;
}

/**
 * Expiring, size-bounded cache. Not safe across threads; within one event loop every call is synchronous.
 * @example
 * const sends = new TtlCache<string, Promise<Result>>({ ttlMs: 5 * 60_000, maxEntries: 1000 });
 * const hit = sends.get(key);
 * if (hit) return hit;
 * return sends.set(key, sendNow()); // a rejected send is forgotten, so a retry runs again
 */
export class TtlCache<K, V> {
  readonly #entries = new Map<K, { at: number; value: V }>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(opts: TtlCacheOptions) {
    if (!(opts.ttlMs > 0) || !(opts.maxEntries >= 1)) throw new RangeError(`TtlCache needs ttlMs > 0 and maxEntries >= 1 (got ${opts.ttlMs}, ${opts.maxEntries})`);
    this.#ttlMs = opts.ttlMs;
    this.#max = opts.maxEntries;
    this.#now = opts.now ?? (() => Date.now());
  }

  /** The live value for `key`, or undefined when there is none or it expired (an expired one is dropped). */
  get(key: K): V | undefined {
    this.#prune();
    return this.#entries.get(key)?.value;
  }

  /** True when `key` has a live value. */
  has(key: K): boolean {
    this.#prune();
    return this.#entries.has(key);
  }

  /**
   * Stores `value` for `key` (its TTL starts now; an existing entry is replaced) and drops the oldest entries
   * beyond `maxEntries`. When `value` is a promise, it is forgotten again if it rejects, or if `keep` says
   * no to what it resolved to; either only while it is still the stored entry. The rejection itself is left
   * to the caller, who holds the same promise.
   * @returns `value`.
   */
  set(key: K, value: V, keep?: (resolved: Awaited<V>) => boolean): V {
    this.#prune();
    const entry = { at: this.#now(), value };
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value as K);
    if (isPromiseLike(value)) {
      const forget = () => {
        if (this.#entries.get(key) === entry) this.#entries.delete(key);
      };
      value.then((resolved) => {
        if (keep && !keep(resolved as Awaited<V>)) forget();
      }, forget);
    }
    return value;
  }

  /** Removes `key`. @returns whether it was there. */
  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  /** Removes everything. */
  clear(): void {
    this.#entries.clear();
  }

  /** Number of live entries. */
  get size(): number {
    this.#prune();
    return this.#entries.size;
  }

  #prune(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (now - entry.at < this.#ttlMs) break;
      this.#entries.delete(key);
    }
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}
