/**
 * Durable per-account cursors of the channels, e.g. Telegram's getUpdates offset, so a restart neither
 * replays nor skips updates. One row per (channel, account, key).
 */
import type { Database } from "bun:sqlite";
import type { SchemaPart } from "./migrate.ts";
import type { StateDb } from "./state-db.ts";

/** The cursors' part of the state DB schema. Version 1 adopts the table of files from before `schema_version`. */
export const CHANNEL_CURSORS_SCHEMA: SchemaPart = {
  name: "channel-cursors",
  migrations: [
    {
      version: 1,
      up: `CREATE TABLE IF NOT EXISTS channel_cursors (
        channel TEXT NOT NULL, account_id TEXT NOT NULL, key TEXT NOT NULL, value INTEGER NOT NULL, updated_at INTEGER NOT NULL,
        PRIMARY KEY (channel, account_id, key))`,
    },
  ],
};

/** Cursors in the state DB. Synchronous; safe to call from anywhere. */
export class CursorStore {
  private readonly db: Database;

  constructor(stateDb: StateDb) {
    this.db = stateDb.db;
  }

  /** The saved value, or undefined when none was saved. */
  get(channel: string, accountId: string, key: string): number | undefined {
    const row = this.db.query("SELECT value FROM channel_cursors WHERE channel = ? AND account_id = ? AND key = ?").get(channel, accountId, key) as { value: number } | null;
    return row ? row.value : undefined;
  }

  /** Saves (replaces) a value. */
  set(channel: string, accountId: string, key: string, value: number): void {
    this.db
      .query("INSERT OR REPLACE INTO channel_cursors (channel, account_id, key, value, updated_at) VALUES (?, ?, ?, ?, ?)")
      .run(channel, accountId, key, value, Date.now());
  }

  /** Forgets every cursor of an account (after logout or a token change). */
  clear(channel: string, accountId: string): void {
    this.db.query("DELETE FROM channel_cursors WHERE channel = ? AND account_id = ?").run(channel, accountId);
  }
}
