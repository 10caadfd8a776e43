/**
 * Exactly one long poll per bot token in this process. Telegram answers a second concurrent getUpdates
 * with 409 Conflict, and two pollers would each see half the updates; so a new poller first aborts the
 * previous holder's in-flight request and waits for its loop to end. (Another process polling the same
 * token still yields 409, which the poller reports in status and retries.)
 */

type Holder = { abort: () => void; done: Promise<void> };

const holders = new Map<string, Holder>();
const queues = new Map<string, Promise<void>>();

/** Key of a token in the lock table; the token itself is not kept. */
function keyOf(token: string): string {
  return new Bun.CryptoHasher("sha256").update(token).digest("hex");
}

/**
 * Takes the poll lock of `token`, aborting and awaiting the current holder first. Acquisitions of the same
 * token are serialized.
 * @param abort stops this holder's poll (called when a later poller takes over).
 * @param done resolves when this holder's loop has ended.
 * @returns a release function (idempotent).
 */
export async function acquirePollLock(token: string, abort: () => void, done: Promise<void>): Promise<() => void> {
  const key = keyOf(token);
  const prevTurn = queues.get(key) ?? Promise.resolve();
  let endTurn!: () => void;
  const turn = new Promise<void>((r) => (endTurn = r));
  const chained = prevTurn.then(() => turn);
  queues.set(key, chained);
  await prevTurn;
  try {
    const current = holders.get(key);
    if (current) {
      current.abort();
      await current.done.catch(() => {});
    }
    const me: Holder = { abort, done };
    holders.set(key, me);
    return () => {
      if (holders.get(key) === me) holders.delete(key);
    };
  } finally {
    endTurn();
    if (queues.get(key) === chained) queues.delete(key);
  }
}

/** True when some poller holds the lock of `token` (tests). */
export function isPollLocked(token: string): boolean {
  return holders.has(keyOf(token));
}
