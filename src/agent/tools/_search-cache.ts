/**
 * The gateway process's cache of `web_search` answers, so a model that repeats a query (or several runs that
 * ask the same thing) does not spend another paid provider call. Bounded in entries and in bytes; each entry
 * keeps the deadline it was stored with, and a read with a shorter TTL than that only accepts entries young
 * enough for it (a TTL raised later never extends an entry already stored).
 */

/** Default `tools.web.search.cacheTtlMinutes` (the upstream's). */
export const DEFAULT_SEARCH_CACHE_TTL_MINUTES = 15;
/** Entries kept at most (the upstream keeps about 100 as well). */
export const SEARCH_CACHE_MAX_ENTRIES = 100;
/** Bytes of cached answers (as JSON) kept at most; one answer larger than this is not cached. */
export const SEARCH_CACHE_MAX_BYTES = 2 * 1024 * 1024;

/** Options of {@link SearchCache}. */
export interface SearchCacheOptions {
  maxEntries?: number;
  maxBytes?: number;
  /** Clock in ms (tests). Default `Date.now()`. */
  now?: () => number;
}

interface Entry<V> {
  value: V;
  storedAt: number;
  expiresAt: number;
  bytes: number;
}

/**
 * Expiring cache bounded by count and size; least recently used entries go first. Synchronous, so safe to
 * share between concurrent runs on one event loop.
 */
export class SearchCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  #bytes = 0;

  constructor(opts: SearchCacheOptions = {}) {
    this.#maxEntries = opts.maxEntries ?? SEARCH_CACHE_MAX_ENTRIES;
    this.#maxBytes = opts.maxBytes ?? SEARCH_CACHE_MAX_BYTES;
    this.#now = opts.now ?? (() => Date.now());
    if (!(this.#maxEntries >= 1) || !(this.#maxBytes >= 1)) throw new RangeError(`SearchCache needs maxEntries >= 1 and maxBytes >= 1 (got ${this.#maxEntries}, ${this.#maxBytes})`);
  }

  /**
   * The value for `key` if it was stored less than `ttlMs` ago and its own deadline has not passed.
   * @returns undefined on a miss, always when `ttlMs` is 0 (the cache is off).
   */
  get(key: string, ttlMs: number): V | undefined {
    if (!(ttlMs > 0)) return undefined;
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const now = this.#now();
    if (now >= entry.expiresAt) {
      this.#drop(key, entry);
      return undefined;
    }
    if (now - entry.storedAt >= ttlMs) return undefined;
    // Re-insert so the map's order is least recently used first.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /**
   * Stores `value` for `ttlMs`; `bytes` is its size as the cache counts it. Does nothing when `ttlMs` is 0 or
   * the value alone is larger than the byte bound. Drops expired, then least recently used entries to fit.
   */
  set(key: string, value: V, bytes: number, ttlMs: number): void {
    if (!(ttlMs > 0) || bytes > this.#maxBytes) return;
    const old = this.#entries.get(key);
    if (old) this.#drop(key, old);
    const now = this.#now();
    for (const [k, e] of this.#entries) if (now >= e.expiresAt) this.#drop(k, e);
    while (this.#entries.size >= this.#maxEntries || this.#bytes + bytes > this.#maxBytes) {
      const [k, e] = this.#entries.entries().next().value as [string, Entry<V>];
      this.#drop(k, e);
    }
    this.#entries.set(key, { value, storedAt: now, expiresAt: now + ttlMs, bytes });
    this.#bytes += bytes;
  }

  /** Removes everything. */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  /** Entries held (expired ones may still count until the next write). */
  get size(): number {
    return this.#entries.size;
  }

  /** Bytes held, as counted by {@link set}. */
  get bytes(): number {
    return this.#bytes;
  }

  #drop(key: string, entry: Entry<V>): void {
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}
