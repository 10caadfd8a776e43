/**
 * The channels' connection to the state DB (`<stateDir>/state.db`, bun:sqlite, WAL). Tables are created
 * by their owners (`channel-pairing.ts`, `channel-cursors.ts`, `channel-inbound.ts`) with `CREATE TABLE IF NOT EXISTS`, so this
 * connection can share the file with the session store's own.
 */
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

/** Path of the state DB under a state dir. */
export function resolveStateDbPath(stateDir: string): string {
  return join(stateDir, "state.db");
}

/**
 * Opens (creating when missing) the state DB for channel tables.
 * @param path a file path, or ":memory:" for tests.
 * @throws when the file cannot be opened (permissions, corrupt file).
 */
export function openChannelDb(path: string): Database {
  if (path !== ":memory:") mkdirSync(join(path, ".."), { recursive: true, mode: 0o700 });
  const db = new Database(path, { create: true });
  // Another connection (the session store) may be writing: wait instead of failing with SQLITE_BUSY.
  db.exec("PRAGMA busy_timeout = 5000");
  if (path !== ":memory:") db.exec("PRAGMA journal_mode = WAL");
  // The inbound queue promises that a message acknowledged to Telegram/WhatsApp is on disk.
  db.exec("PRAGMA synchronous = FULL");
  return db;
}
