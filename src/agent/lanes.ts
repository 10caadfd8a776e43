/**
 * Run scheduling (spec agent.md §6): one lane per session (runs on a session never overlap; they queue in
 * arrival order) and a global cap on concurrent runs (`agents.defaults.maxConcurrent`, default 4). A run
 * waits for its session lane first and takes a global slot only when it is next on its session.
 */

/** Default global concurrency. */
export const DEFAULT_MAX_CONCURRENT = 4;

/** Session lanes plus a global semaphore. Safe to use from any number of callers. */
export class Lanes {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly waiting: (() => void)[] = [];
  private running = 0;
  private queued = 0;

  /** @param limit read on every acquire, so a config reload applies to the next run. */
  constructor(private readonly limit: () => number = () => DEFAULT_MAX_CONCURRENT) {}

  /** Runs currently holding a global slot. */
  get active(): number {
    return this.running;
  }

  /** Runs waiting for their session lane or a global slot. */
  get pending(): number {
    return this.queued;
  }

  /**
   * Runs `task` once every earlier task on `sessionKey` has settled and a global slot is free.
   * @returns what `task` returns (or throws).
   */
  run<T>(sessionKey: string, task: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(sessionKey) ?? Promise.resolve();
    this.queued += 1;
    const result = prev.then(async () => {
      await this.acquire();
      this.queued -= 1;
      try {
        return await task();
      } finally {
        this.release();
      }
    });
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(sessionKey, tail);
    void tail.then(() => {
      if (this.tails.get(sessionKey) === tail) this.tails.delete(sessionKey);
    });
    return result;
  }

  private acquire(): Promise<void> {
    if (this.running < Math.max(1, this.limit())) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiting.push(() => {
        this.running += 1;
        resolve();
      });
    });
  }

  private release(): void {
    this.running -= 1;
    while (this.waiting.length > 0 && this.running < Math.max(1, this.limit())) (this.waiting.shift() as () => void)();
  }
}
