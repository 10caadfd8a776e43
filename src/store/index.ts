/**
 * State the daemon writes: sessions, transcripts and agent runs.
 * `openSqliteStore` is the daemon's backend; `createMemoryStore` serves tests.
 */
export { createMemoryStore } from "./memory.ts";
export { openSqliteStore } from "./sqlite.ts";
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
