/**
 * Where device pairing lives (spec §3.4, §7 `device.pair.*`): paired devices (with the SHA-256 hashes of their
 * tokens, never the tokens) and pending pairing requests, one row each in the state DB, as JSON. What the
 * records mean, and checking them when read, is the device store's business (`gateway/devices.ts`); this file
 * only keeps them.
 *
 * Before the state DB held them they were two files, `<stateDir>/devices/paired.json` and `pending.json`.
 * {@link importDeviceJson} moves them in once, at start, crash-safe:
 *   1. one transaction inserts every entry and a marker row naming the backup folder;
 *   2. after it commits, `devices/` is renamed to that backup (`devices.migrated-<ms>/`), never deleted.
 * A kill before 1 commits leaves nothing imported and the files in place (the next start imports them again);
 * a kill between 1 and 2 leaves the marker, and the next start only finishes the rename.
 */
import { existsSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import type { SchemaPart } from "./migrate.ts";
import type { StateDb } from "./state-db.ts";

/** The device pairing part of the state DB schema. */
export const DEVICE_PAIRING_SCHEMA: SchemaPart = {
  name: "device-pairing",
  migrations: [
    {
      version: 1,
      up: `CREATE TABLE device_paired (device_id TEXT PRIMARY KEY, updated_at INTEGER NOT NULL, body TEXT NOT NULL);
        CREATE TABLE device_pairing_pending (request_id TEXT PRIMARY KEY, updated_at INTEGER NOT NULL, body TEXT NOT NULL);
        CREATE TABLE device_json_import (id INTEGER PRIMARY KEY CHECK (id = 1), imported_at INTEGER NOT NULL, backup TEXT NOT NULL);`,
    },
  ],
};

/** A stored record: its key and its JSON, parsed (`undefined` when the text does not parse). */
export interface StoredRecord {
  id: string;
  value: unknown;
}

/** What the device store needs from its storage. Every write is durable when it returns. */
export interface DevicePairingStorage {
  /** Every paired device (by deviceId) and pending request (by requestId), as stored. */
  load(): { paired: StoredRecord[]; pending: StoredRecord[] };
  /** Creates or replaces a paired device. */
  putPaired(deviceId: string, device: object): void;
  deletePaired(deviceId: string): void;
  /** Creates or replaces a pending request. */
  putPending(requestId: string, request: object): void;
  deletePending(requestId: string): void;
  /** Runs `fn` so that its writes commit together or not at all. */
  transaction<T>(fn: () => T): T;
}

/** Options of {@link importDeviceJson} and {@link openDevicePairingStorage}. */
export interface DeviceJsonImportOptions {
  /** The state dir whose `devices/` folder is imported. */
  stateDir: string;
  /** Clock (names the backup folder). Default `Date.now`. */
  now?: () => number;
  /** Receives what happened and non-fatal problems (unreadable files, kept in the backup). */
  onWarn?: (message: string) => void;
  /** Called just before the import commits and just before the folder is renamed (crash tests). */
  hooks?: { beforeCommit?: () => void; beforeRename?: () => void };
}

/** The device pairing tables of an open state DB. */
export function createDevicePairingStorage(stateDb: StateDb): DevicePairingStorage {
  const db = stateDb.db;
  const q = {
    paired: db.query<{ id: string; body: string }, []>("SELECT device_id AS id, body FROM device_paired ORDER BY device_id"),
    pending: db.query<{ id: string; body: string }, []>("SELECT request_id AS id, body FROM device_pairing_pending ORDER BY request_id"),
    putPaired: db.query("INSERT OR REPLACE INTO device_paired (device_id, updated_at, body) VALUES (?, ?, ?)"),
    deletePaired: db.query("DELETE FROM device_paired WHERE device_id = ?"),
    putPending: db.query("INSERT OR REPLACE INTO device_pairing_pending (request_id, updated_at, body) VALUES (?, ?, ?)"),
    deletePending: db.query("DELETE FROM device_pairing_pending WHERE request_id = ?"),
  };
  return {
    load: () => ({ paired: q.paired.all().map(toStored), pending: q.pending.all().map(toStored) }),
    putPaired: (id, device) => void q.putPaired.run(id, Date.now(), JSON.stringify(device)),
    deletePaired: (id) => void q.deletePaired.run(id),
    putPending: (id, request) => void q.putPending.run(id, Date.now(), JSON.stringify(request)),
    deletePending: (id) => void q.deletePending.run(id),
    transaction: (fn) => db.transaction(fn)(),
  };
}

/** Imports a legacy `devices/` folder when there is one ({@link importDeviceJson}), then the storage. */
export function openDevicePairingStorage(stateDb: StateDb, opts: DeviceJsonImportOptions): DevicePairingStorage {
  importDeviceJson(stateDb, opts);
  return createDevicePairingStorage(stateDb);
}

/**
 * Moves `<stateDir>/devices/{paired,pending}.json` into the state DB, once (see the file comment). Entries
 * already in the DB win over the files. A file that is not a JSON object is reported and imports nothing;
 * it stays in the backup folder.
 * @returns what was imported and where the folder went, or undefined when there was no folder.
 * @throws when the DB cannot be written (nothing imported) or the folder cannot be renamed (imported; the
 *   next start retries the rename).
 */
export function importDeviceJson(stateDb: StateDb, opts: DeviceJsonImportOptions): { paired: number; pending: number; backup: string } | undefined {
  const db = stateDb.db;
  const dir = join(opts.stateDir, "devices");
  if (!existsSync(dir)) return undefined;
  const now = opts.now ?? Date.now;
  const warn = opts.onWarn ?? (() => {});
  const marker = db.query<{ backup: string }, []>("SELECT backup FROM device_json_import WHERE id = 1").get();
  let result = { paired: 0, pending: 0, backup: marker?.backup ?? `${dir}.migrated-${now()}` };
  if (!marker) {
    const paired = readLegacyFile(dir, "paired.json", warn);
    const pending = readLegacyFile(dir, "pending.json", warn);
    const ts = now();
    db.transaction(() => {
      const putPaired = db.query("INSERT OR IGNORE INTO device_paired (device_id, updated_at, body) VALUES (?, ?, ?)");
      const putPending = db.query("INSERT OR IGNORE INTO device_pairing_pending (request_id, updated_at, body) VALUES (?, ?, ?)");
      for (const [id, value] of Object.entries(paired)) putPaired.run(id, ts, JSON.stringify(value));
      for (const [id, value] of Object.entries(pending)) putPending.run(id, ts, JSON.stringify(value));
      db.query("INSERT INTO device_json_import (id, imported_at, backup) VALUES (1, ?, ?)").run(ts, result.backup);
      opts.hooks?.beforeCommit?.();
    })();
    result = { paired: Object.keys(paired).length, pending: Object.keys(pending).length, backup: result.backup };
  }
  opts.hooks?.beforeRename?.();
  let backup = result.backup;
  if (existsSync(backup)) backup = `${dir}.migrated-${now()}`;
  try {
    renameSync(dir, backup);
  } catch (err) {
    throw new Error(`device pairing is in the state DB now, but ${dir} cannot be renamed to ${backup}`, { cause: err });
  }
  warn(
    marker
      ? `devices/ was imported into the state DB before; moved it to ${backup}`
      : `imported device pairing (${result.paired} paired, ${result.pending} pending) from devices/ into the state DB; the files are kept in ${backup}`,
  );
  return { ...result, backup };
}

// --- internal ---

function toStored(row: { id: string; body: string }): StoredRecord {
  let value: unknown;
  try {
    value = JSON.parse(row.body);
  } catch {
    value = undefined;
  }
  return { id: row.id, value };
}

function readLegacyFile(dir: string, name: string, warn: (message: string) => void): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(join(dir, name), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new Error(`reading devices/${name}`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  warn(`devices/${name} is not a JSON object; nothing imported from it (the file is kept in the backup folder)`);
  return {};
}
