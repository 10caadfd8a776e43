/**
 * The owner of the state DB (`<stateDir>/state.db`, bun:sqlite): one connection, opened once by the gateway
 * and handed to every store that keeps its data there (sessions and transcripts, runs, cron, node, device and
 * channel pairing, channel cursors, the channel inbound queue, the memory index). Opening runs the migrations of every store
 * (`migrate.ts`); the stores create no tables themselves.
 *
 * The file (and its `-wal`/`-shm`) is mode 0600. WAL journal with `synchronous=FULL`: a write that returned is on disk, so a `kill -9` (or power loss) after
 * an acknowledgement loses nothing acknowledged. The gateway lock keeps other processes from writing; the
 * doctor's integrity check opens its own read-only connection.
 */
import { Database } from "bun:sqlite";
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { resolveStateDbPath } from "../config/paths.ts";
import { CHANNEL_CURSORS_SCHEMA } from "./channel-cursors.ts";
import { CHANNEL_INBOUND_SCHEMA } from "./channel-inbound.ts";
import { CHANNEL_PAIRING_SCHEMA } from "./channel-pairing.ts";
import { CRON_SCHEMA } from "./cron.ts";
import { DEVICE_PAIRING_SCHEMA } from "./device-pairing.ts";
import { MEMORY_INDEX_SCHEMA } from "./memory-index.ts";
import { type SchemaPart, migrate } from "./migrate.ts";
import { NODE_PAIRING_SCHEMA } from "./node-pairing.ts";
import { SESSIONS_SCHEMA } from "./sqlite.ts";

/** Path of the state DB under a state dir (defined once, in `config/paths.ts`). */
export const stateDbPath: (stateDir: string) => string = resolveStateDbPath;

/** The open state DB. Stores borrow {@link db}; only the owner closes it. */
export interface StateDb {
  /** The file (or ":memory:"). */
  readonly path: string;
  /** The one connection. */
  readonly db: Database;
  /** Closes the connection; stores on it must not be used afterwards. Safe to call twice. */
  close(): void;
}

/**
 * Opens (creating when missing) the state DB at `path` and brings every store's schema up to date.
 * @param path a file path, or ":memory:" (tests).
 * @throws Error when the file is not a database, cannot be opened, or was written by a newer openclaw.
 */
export function openStateDb(path: string): StateDb {
  if (path !== ":memory:") {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    if (!existsSync(path)) createFresh(path);
  }
  const db = new Database(path, { create: true, strict: true });
  try {
    // Transcripts and device token hashes live here: owner-only, like the JSON files they replace.
    if (path !== ":memory:") for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;");
    migrate(db, schemaParts(), path);
  } catch (err) {
    db.close(false);
    throw err;
  }
  let closed = false;
  return {
    path,
    db,
    close() {
      if (closed) return;
      closed = true;
      db.close(false);
    },
  };
}

/**
 * Builds a new state DB beside `path` and moves it into place: the schema is written without a sync per
 * step (a first start did ~10 fsyncs creating it in place), then the file is synced once and renamed, so
 * a crash leaves either no file (built again next start) or a complete one.
 */
function createFresh(path: string): void {
  const tmp = `${path}.creating-${process.pid}`;
  // What an earlier start that crashed mid-way left behind.
  const prefix = `${basename(path)}.creating-`;
  for (const f of readdirSync(dirname(path))) if (f.startsWith(prefix)) rmSync(join(dirname(path), f), { force: true });
  const db = new Database(tmp, { create: true, strict: true });
  try {
    chmodSync(tmp, 0o600);
    db.exec("PRAGMA synchronous = OFF; PRAGMA journal_mode = WAL;");
    migrate(db, schemaParts(), path);
  } finally {
    db.close(false);
  }
  const fd = openSync(tmp, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dirname(path), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** Every store's schema, in the order they are migrated (read at open, not at module load: stores import this file). */
function schemaParts(): SchemaPart[] {
  return [SESSIONS_SCHEMA, CHANNEL_PAIRING_SCHEMA, CHANNEL_CURSORS_SCHEMA, CHANNEL_INBOUND_SCHEMA, CRON_SCHEMA, NODE_PAIRING_SCHEMA, DEVICE_PAIRING_SCHEMA, MEMORY_INDEX_SCHEMA];
}
