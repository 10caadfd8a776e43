/**
 * An in-memory store with the same behaviour as the SQLite one, for tests. `transaction` rolls back on a
 * throw by restoring a snapshot, so tests of atomicity mean the same thing on both backends.
 */
import type { ContentBlock, RunRecord, SessionEntry, SessionRow, Store, TranscriptMessage } from "./store.ts";

/** Creates an empty in-memory store. */
export function createMemoryStore(): Store {
  let sessions = new Map<string, SessionEntry>();
  let messages = new Map<string, TranscriptMessage[]>();
  let runs = new Map<string, RunRecord>();
  let depth = 0;
  const clone = <T>(v: T): T => structuredClone(v);

  return {
    path: ":memory:",
    getSession: (key) => (sessions.has(key) ? clone(sessions.get(key)) : undefined),
    setSession: (key, entry) => void sessions.set(key, clone(entry)),
    deleteSession: (key) => sessions.delete(key),
    listSessions(prefix) {
      const rows: SessionRow[] = [];
      for (const [key, entry] of sessions) if (!prefix || key.startsWith(prefix)) rows.push({ key, entry: clone(entry) });
      return rows.sort((a, b) => b.entry.updatedAt - a.entry.updatedAt || a.key.localeCompare(b.key));
    },
    appendMessages(sessionId, list) {
      const cur = messages.get(sessionId) ?? [];
      cur.push(...clone(list));
      messages.set(sessionId, cur);
    },
    readMessages(sessionId, limit, opts) {
      const all = messages.get(sessionId) ?? [];
      const out = clone(limit === undefined ? all : all.slice(Math.max(0, all.length - limit)));
      if (opts?.imageMessages !== undefined) dropOlderImageData(out, opts.imageMessages);
      return out;
    },
    countMessages: (sessionId) => messages.get(sessionId)?.length ?? 0,
    listTranscripts: (since) =>
      [...messages]
        .map(([sessionId, list]) => ({ sessionId, lastTs: Math.max(-Infinity, ...list.filter((m) => m.timestamp >= since).map((m) => m.timestamp)) }))
        .filter((t) => t.lastTs >= since)
        .sort((a, b) => b.lastTs - a.lastTs || a.sessionId.localeCompare(b.sessionId)),
    deleteTranscript: (sessionId) => (messages.get(sessionId)?.length ?? 0) > 0 && messages.delete(sessionId),
    putRun: (run) => void runs.set(run.runId, clone(run)),
    getRun: (runId) => (runs.has(runId) ? clone(runs.get(runId)) : undefined),
    listRuns: (statuses) => [...runs.values()].filter((r) => statuses.includes(r.status)).sort((a, b) => a.createdAt - b.createdAt).map(clone),
    transaction(fn) {
      if (depth > 0) return fn();
      const snapshot = { sessions: clone(sessions), messages: clone(messages), runs: clone(runs) };
      depth += 1;
      try {
        return fn();
      } catch (err) {
        sessions = snapshot.sessions;
        messages = snapshot.messages;
        runs = snapshot.runs;
        throw err;
      } finally {
        depth -= 1;
      }
    },
    close() {},
  };
}

// --- internal ---

/** Leaves image data on the newest `keep` messages that have some; older image blocks keep only their type. */
function dropOlderImageData(list: TranscriptMessage[], keep: number): void {
  const hasData = (b: ContentBlock) => b.type === "image" && typeof b.data === "string";
  let seen = 0;
  for (let i = list.length - 1; i >= 0; i--) {
    const m = list[i];
    if (!m.content.some(hasData)) continue;
    seen += 1;
    if (seen > keep) m.content = m.content.map((b) => (hasData(b) && b.type === "image" ? { type: "image", mimeType: b.mimeType } : b));
  }
}
