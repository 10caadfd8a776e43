/**
 * The state store interface: session entries (keyed `agent:<agentId>:<rest>`), their transcripts, and the
 * durable record of agent runs. `sqlite.ts` is the daemon's backend (`<stateDir>/state.db`), `memory.ts`
 * the one tests use. "Not found" is `undefined` (or `false` for deletes), never a throw.
 *
 * Every method is synchronous and safe to call from any handler: JavaScript runs one at a time, and the
 * SQLite backend runs on the state DB's single connection (`state-db.ts`); `transaction` groups several
 * writes atomically.
 */

/** Token and cost counters of one model call (upstream transcript shape). */
export interface Usage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  totalTokens: number;
  cost?: { input: number; output: number; cacheRead: number; cacheWrite: number; total: number };
}

/** One content block of a transcript message. */
export type ContentBlock =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string }
  | { type: "toolCall"; id: string; name: string; arguments: unknown }
  | { type: "image"; data?: string; mimeType?: string; url?: string };

/**
 * An image a user sent: base64 `data` and its (sniffed) MIME type. In a transcript read with
 * {@link ReadOptions.imageMessages}, older images come back without `data`.
 */
export type ImageContent = { type: "image"; data: string; mimeType: string };

/**
 * A transcript message as upstream stores it and `chat.history` returns it. A user message that carries
 * channel messages has their `inboundKey` (see {@link RunRecord.inboundKey}).
 */
export type TranscriptMessage =
  | { role: "user"; content: ContentBlock[]; timestamp: number; inboundKey?: string }
  | {
      role: "assistant";
      content: ContentBlock[];
      timestamp: number;
      api?: string;
      provider?: string;
      model?: string;
      usage?: Usage;
      stopReason: "stop" | "length" | "toolUse" | "error" | "aborted";
      errorMessage?: string;
    }
  | { role: "toolResult"; toolCallId: string; toolName: string; content: ContentBlock[]; isError: boolean; timestamp: number };

/** A session store entry (spec agent.md §1). Optional fields are absent until known. */
export interface SessionEntry {
  sessionId: string;
  updatedAt: number;
  createdAt?: number;
  systemSent?: boolean;
  abortedLastRun?: boolean;
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  modelProvider?: string;
  model?: string;
  contextTokens?: number;
  thinkingLevel?: string;
  label?: string;
  displayName?: string;
  chatType?: string;
  origin?: { provider?: string; surface?: string; chatType?: string };
  deliveryContext?: { channel?: string; to?: string; accountId?: string };
  lastChannel?: string;
  lastTo?: string;
  /** A session override of the model ref (`provider/model`), set by `sessions.patch`. */
  modelOverride?: string;
  [extra: string]: unknown;
}

/** Where a run is in its life. */
export type RunStatus = "queued" | "running" | "ok" | "error" | "aborted";

/** The durable record of one agent run: written before the run is acknowledged. */
export interface RunRecord {
  runId: string;
  sessionKey: string;
  kind: "agent" | "chat";
  status: RunStatus;
  /** The user message of the run, as sent. */
  message: string;
  /**
   * The identity of the channel message(s) the run answers (`inbound:<row ids>` of the inbound queue), kept
   * on the transcript's user message: a turn run again after a stop finds it there and does not add it twice.
   */
  inboundKey?: string;
  /**
   * The images sent with the message, kept only while the run is queued so a crash before it starts
   * loses nothing; once the run starts they are in the transcript and dropped from here.
   */
  images?: ImageContent[];
  createdAt: number;
  startedAt?: number;
  endedAt?: number;
  /** The final response payload (and error, for failed runs), replayed to an idempotent retry. */
  final?: { ok: boolean; payload: unknown; error?: { code: string; message: string; retryable?: boolean; retryAfterMs?: number } };
  error?: string;
}

/** A session and its key. */
export interface SessionRow {
  key: string;
  entry: SessionEntry;
}

/** Options of {@link Store.readMessages}. */
export interface ReadOptions {
  /**
   * Only the newest `imageMessages` messages that carry images get their image `data`; image blocks of
   * older ones come back as `{type:"image", mimeType}`. Default: every image has its data.
   */
  imageMessages?: number;
}

/** The gateway's state store. */
export interface Store {
  /** Where the data lives (file path, or ":memory:"). */
  readonly path: string;
  /** The entry for `key`, or undefined. */
  getSession(key: string): SessionEntry | undefined;
  /** Creates or replaces the entry for `key`. */
  setSession(key: string, entry: SessionEntry): void;
  /** Removes an entry. @returns false when there was none. */
  deleteSession(key: string): boolean;
  /** Entries whose key starts with `prefix` (all when omitted), most recently updated first. */
  listSessions(prefix?: string): SessionRow[];
  /** Appends messages to a session's transcript, in order. */
  appendMessages(sessionId: string, messages: TranscriptMessage[]): void;
  /** The newest `limit` messages of a transcript (all when omitted), oldest first; [] when none. */
  readMessages(sessionId: string, limit?: number, opts?: ReadOptions): TranscriptMessage[];
  /** Number of messages in a transcript. */
  countMessages(sessionId: string): number;
  /**
   * Every transcript with a message at or after `since` (ms epoch), including those no session points to
   * any more (left behind by resets), newest activity first.
   */
  listTranscripts(since: number): { sessionId: string; lastTs: number }[];
  /** Drops a transcript. @returns false when it had no messages. */
  deleteTranscript(sessionId: string): boolean;
  /** Creates or replaces a run record. */
  putRun(run: RunRecord): void;
  /** A run record, or undefined. */
  getRun(runId: string): RunRecord | undefined;
  /** Runs in any of `statuses`, oldest first. */
  listRuns(statuses: RunStatus[]): RunRecord[];
  /**
   * Runs `fn` atomically: every write inside commits together or not at all. Nested calls join the outer one.
   * @throws whatever `fn` throws, after rolling back.
   */
  transaction<T>(fn: () => T): T;
  /**
   * Closes the store, and its connection when it opened one itself (`openSqliteStore`); a store on the
   * gateway's shared state DB leaves the connection to its owner. Safe to call twice.
   */
  close(): void;
}

/** The agent id of a canonical key `agent:<agentId>:…`, or undefined for other keys. */
export function agentIdOfKey(key: string): string | undefined {
  const m = /^agent:([^:]+):/.exec(key);
  return m ? m[1] : undefined;
}
