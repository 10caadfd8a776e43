/**
 * Session summaries from the store for `health`, `status` and `sessions.list`: where sessions live, how
 * many an agent has, and the most recent ones.
 */
import type { Store } from "../../store/index.ts";
import { stateDbPath } from "../../store/state-db.ts";

export { stateDbPath };

const RECENT = 10;

/** `{path, count, recent:[{key, updatedAt, age}]}` for one agent's sessions; empty when there is no store. */
export function summarizeSessions(store: Store | undefined, stateDir: string, agentId: string, now = Date.now()): { path: string; count: number; recent: { key: string; updatedAt: number; age: number }[] } {
  const rows = store?.listSessions(`agent:${agentId}:`) ?? [];
  return {
    path: stateDbPath(stateDir),
    count: rows.length,
    recent: rows.slice(0, RECENT).map((r) => ({ key: r.key, updatedAt: r.entry.updatedAt, age: Math.max(0, now - r.entry.updatedAt) })),
  };
}
