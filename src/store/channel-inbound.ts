/**
 * The durable inbound queue of the channels: every message that passed access control is written here
 * before the channel acknowledges it (Telegram's getUpdates offset, WhatsApp's read receipt), so a stop,
 * an in-process restart or a `kill -9` loses nothing that Telegram or WhatsApp already handed over.
 *
 * One row per message: `received` → `running` (its turn started) → `done` (answered, or dropped on
 * purpose). At start the rows still `received` or `running` are handed back in arrival order. Rows are
 * unique per (channel, account, dedupe key), so a redelivered message is recognised and reaches the agent
 * once. A `done` row keeps only its key (the body is cleared) and is pruned after {@link INBOUND_DONE_TTL_MS}.
 */
import type { Database } from "bun:sqlite";
import type { SchemaPart } from "./migrate.ts";
import type { StateDb } from "./state-db.ts";

/** The inbound queue's part of the state DB schema. Version 1 adopts the table of files from before `schema_version`. */
export const CHANNEL_INBOUND_SCHEMA: SchemaPart = {
  name: "channel-inbound",
  migrations: [
    {
      version: 1,
      up: `CREATE TABLE IF NOT EXISTS channel_inbound (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          channel TEXT NOT NULL, account_id TEXT NOT NULL, dedupe_key TEXT NOT NULL,
          session_key TEXT NOT NULL, agent_id TEXT NOT NULL,
          status TEXT NOT NULL, received_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
          attempts INTEGER NOT NULL DEFAULT 0, body TEXT,
          UNIQUE (channel, account_id, dedupe_key));
        CREATE INDEX IF NOT EXISTS channel_inbound_open ON channel_inbound(status, channel, account_id, id);`,
    },
  ],
};

/** Where a message is in its life. */
export type InboundStatus = "received" | "running" | "done";

/** How long a finished row is kept to recognise redeliveries. */
export const INBOUND_DONE_TTL_MS = 48 * 60 * 60 * 1000;
const PRUNE_EVERY_ADDS = 500;

/** A row as stored. `body` is the channel's message as JSON (undefined once done). */
export interface InboundRow {
  id: number;
  channel: string;
  accountId: string;
  dedupeKey: string;
  sessionKey: string;
  agentId: string;
  status: InboundStatus;
  receivedAt: number;
  attempts: number;
  body?: Record<string, unknown>;
}

/** What {@link InboundStore.add} records. */
export interface NewInbound {
  channel: string;
  accountId: string;
  dedupeKey: string;
  sessionKey: string;
  agentId: string;
  body: Record<string, unknown>;
  receivedAt?: number;
}

type RawRow = {
  id: number;
  channel: string;
  account_id: string;
  dedupe_key: string;
  session_key: string;
  agent_id: string;
  status: InboundStatus;
  received_at: number;
  attempts: number;
  body: string | null;
};

/** The inbound queue in the state DB. Synchronous; every write is committed when the call returns. */
export class InboundStore {
  private readonly db: Database;
  private addsSincePrune = 0;

  /** Prunes old finished rows. */
  constructor(stateDb: StateDb, now = Date.now()) {
    this.db = stateDb.db;
    this.prune(now);
  }

  /** True when this message was recorded before (in any status). */
  has(channel: string, accountId: string, dedupeKey: string): boolean {
    return this.db.query("SELECT 1 FROM channel_inbound WHERE channel = ? AND account_id = ? AND dedupe_key = ?").get(channel, accountId, dedupeKey) !== null;
  }

  /**
   * Records a message as `received`.
   * @returns its row id, or undefined when the same (channel, account, dedupe key) is already recorded.
   * @throws when the write fails (disk full, DB closed): the caller must not acknowledge the message then.
   */
  add(entry: NewInbound): number | undefined {
    const at = entry.receivedAt ?? Date.now();
    const res = this.db
      .query(
        `INSERT OR IGNORE INTO channel_inbound (channel, account_id, dedupe_key, session_key, agent_id, status, received_at, updated_at, attempts, body)
         VALUES (?, ?, ?, ?, ?, 'received', ?, ?, 0, ?)`,
      )
      .run(entry.channel, entry.accountId, entry.dedupeKey, entry.sessionKey, entry.agentId, at, at, JSON.stringify(entry.body));
    // A long-running gateway prunes as it goes, not only at start.
    if (++this.addsSincePrune >= PRUNE_EVERY_ADDS) {
      this.addsSincePrune = 0;
      this.prune(at);
    }
    return res.changes > 0 ? Number(res.lastInsertRowid) : undefined;
  }

  /** Marks rows `running` and counts the attempt. */
  markRunning(ids: number[]): void {
    this.update(ids, "UPDATE channel_inbound SET status = 'running', attempts = attempts + 1, updated_at = ? WHERE id = ? AND status != 'done'");
  }

  /** Marks rows `done` and forgets their bodies (the key stays for dedupe). */
  markDone(ids: number[]): void {
    this.update(ids, "UPDATE channel_inbound SET status = 'done', body = NULL, updated_at = ? WHERE id = ?");
  }

  /** Rows of an account still `received` or `running`, oldest first. */
  listOpen(channel: string, accountId: string): InboundRow[] {
    const rows = this.db
      .query("SELECT * FROM channel_inbound WHERE status IN ('received', 'running') AND channel = ? AND account_id = ? ORDER BY id")
      .all(channel, accountId) as RawRow[];
    return rows.map(toRow);
  }

  /** One row by id, or undefined. */
  get(id: number): InboundRow | undefined {
    const row = this.db.query("SELECT * FROM channel_inbound WHERE id = ?").get(id) as RawRow | null;
    return row ? toRow(row) : undefined;
  }

  /** Deletes finished rows older than {@link INBOUND_DONE_TTL_MS}. @returns how many went. */
  prune(now = Date.now()): number {
    return this.db.query("DELETE FROM channel_inbound WHERE status = 'done' AND updated_at < ?").run(now - INBOUND_DONE_TTL_MS).changes;
  }

  private update(ids: number[], sql: string): void {
    if (ids.length === 0) return;
    const q = this.db.query(sql);
    const now = Date.now();
    this.db.transaction(() => {
      for (const id of ids) q.run(now, id);
    })();
  }
}

function toRow(r: RawRow): InboundRow {
  return {
    id: r.id,
    channel: r.channel,
    accountId: r.account_id,
    dedupeKey: r.dedupe_key,
    sessionKey: r.session_key,
    agentId: r.agent_id,
    status: r.status,
    receivedAt: r.received_at,
    attempts: r.attempts,
    ...(r.body !== null && { body: parseBody(r.body) }),
  };
}

/** A body that no longer parses comes back undefined (the caller drops that row with a log line). */
function parseBody(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === "object" ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
