/**
 * Baileys auth state on disk, crash-safe: the same layout as Baileys' `useMultiFileAuthState`
 * (`creds.json` + `<type>-<id>.json` key files), but every write is atomic (temp file, fsync, rename,
 * fsync of the folder) and all writes go through one queue in call order. A kill at any point leaves
 * either the old or the new file, never a torn one; `creds.json.bak` (the previous good copy) is restored
 * if `creds.json` is ever unreadable anyway.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { BufferJSON, initAuthCreds, proto, type AuthenticationCreds, type AuthenticationState, type SignalDataTypeMap } from "@whiskeysockets/baileys";
import { ATOMIC_TEMP_SUFFIX, syncDirAsync, writeFileAtomicAsync } from "../../util/atomic-write.ts";

/** Test seam: runs after a temp file is written and synced, before it is renamed into place. */
export type BeforeRenameHook = (tempPath: string, targetPath: string) => void;

/** An opened auth folder. */
export interface AuthStore {
  /** Pass to Baileys as `auth`. */
  state: AuthenticationState;
  /** Saves the (mutated in place) creds; resolves when on disk. */
  saveCreds(): Promise<void>;
  /** Resolves when every queued write is on disk. */
  flush(): Promise<void>;
  /** Deletes the folder (after pending writes). @returns whether saved creds existed. */
  clear(): Promise<boolean>;
  /** True when creds were loaded from disk (an existing link), false for fresh creds. */
  readonly restored: boolean;
}

const CREDS = "creds.json";

/**
 * Opens (creating when missing) the auth folder. Stale temp files from a crash are removed.
 * @throws when the folder cannot be created or read.
 */
export function openAuthState(dir: string, opts: { beforeRename?: BeforeRenameHook } = {}): AuthStore {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const name of readdirSync(dir)) if (name.endsWith(ATOMIC_TEMP_SUFFIX)) rmSync(join(dir, name), { force: true });

  const loaded = readCreds(dir);
  const creds: AuthenticationCreds = loaded ?? initAuthCreds();
  // Written files not yet on disk: reads see them at once (Baileys reads right after it writes).
  const pending = new Map<string, unknown>();
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (files: Map<string, unknown>): Promise<void> => {
    for (const [name, value] of files) pending.set(name, value);
    // Off the event loop: a first link writes hundreds of pre-key files, each fsynced.
    const job = queue.then(async () => {
      if (files.has(CREDS)) await backupCreds(dir);
      await Promise.all(
        [...files].map(async ([name, value]) => {
          const path = join(dir, name);
          if (value === null) await rm(path, { force: true });
          // One folder fsync per batch (below), not one per file: a first link writes hundreds of key files.
          else await writeFileAtomicAsync(path, JSON.stringify(value, BufferJSON.replacer), { syncDir: false, createDirs: false, beforeRename: opts.beforeRename });
        }),
      );
      for (const [name, value] of files) if (pending.get(name) === value) pending.delete(name);
      await syncDirAsync(dir);
    });
    // One failed write must not wedge the queue; the caller still sees the error.
    queue = job.catch(() => {});
    return job;
  };

  const readKey = (name: string): unknown => {
    if (pending.has(name)) return pending.get(name);
    try {
      return JSON.parse(readFileSync(join(dir, name), "utf8"), BufferJSON.reviver);
    } catch {
      return null;
    }
  };

  return {
    restored: loaded !== undefined,
    state: {
      creds,
      keys: {
        get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => {
          const out: { [id: string]: SignalDataTypeMap[T] } = {};
          for (const id of ids) {
            let value = readKey(keyFileName(type, id)) as SignalDataTypeMap[T] | null;
            if (type === "app-state-sync-key" && value) value = proto.Message.AppStateSyncKeyData.fromObject(value as object) as unknown as SignalDataTypeMap[T];
            if (value) out[id] = value;
          }
          return out;
        },
        set: async (data) => {
          const files = new Map<string, unknown>();
          for (const type of Object.keys(data) as (keyof SignalDataTypeMap)[]) {
            for (const [id, value] of Object.entries(data[type] ?? {})) files.set(keyFileName(type, id), value ?? null);
          }
          await enqueue(files);
        },
      },
    },
    saveCreds: () => enqueue(new Map([[CREDS, creds]])),
    flush: () => queue,
    async clear() {
      await queue;
      const existed = readCreds(dir) !== undefined;
      rmSync(dir, { recursive: true, force: true });
      pending.clear();
      return existed;
    },
  };
}

/**
 * Reads `creds.json`, falling back to `creds.json.bak` when it is missing or unreadable.
 * @returns undefined when neither holds valid creds.
 */
export function readCreds(dir: string): AuthenticationCreds | undefined {
  for (const name of [CREDS, `${CREDS}.bak`]) {
    try {
      const value = JSON.parse(readFileSync(join(dir, name), "utf8"), BufferJSON.reviver);
      if (value && typeof value === "object" && value.noiseKey) return value as AuthenticationCreds;
    } catch {
      // try the next
    }
  }
  return undefined;
}

// --- internal ---

function keyFileName(type: string, id: string): string {
  return `${type}-${id}.json`.replace(/\//g, "__").replace(/:/g, "-");
}

/** Keeps the current creds.json as creds.json.bak, but only when it is valid (never back up a torn file). */
async function backupCreds(dir: string): Promise<void> {
  const current = join(dir, CREDS);
  try {
    if ((await stat(current)).size === 0) return;
    JSON.parse(await readFile(current, "utf8"));
  } catch {
    return;
  }
  await writeFileAtomicAsync(join(dir, `${CREDS}.bak`), await readFile(current), { syncDir: false, createDirs: false });
}
