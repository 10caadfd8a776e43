/**
 * State the daemon writes: sessions, transcripts and agent runs.
 * `createSqliteStore` on the state DB (`openStateDb`) is the daemon's backend; `openSqliteStore` opens a file
 * of its own; `createMemoryStore` serves tests.
 */
export { createMemoryStore } from "./memory.ts";
export { createSqliteStore, openSqliteStore } from "./sqlite.ts";
export { openStateDb, type StateDb, stateDbPath } from "./state-db.ts";
export {
  agentIdOfKey,
  type ContentBlock,
  type ImageContent,
  type ReadOptions,
  type RunRecord,
  type RunStatus,
  type SessionEntry,
  type SessionRow,
  type Store,
  type TranscriptMessage,
  type Usage,
} from "./store.ts";
