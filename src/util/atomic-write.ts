/**
 * Replacing a file atomically and durably: readers see the old content or the new, never a torn write, and
 * once the call returns the new content survives a crash or power loss (as far as the disk honours fsync).
 * The one way this codebase replaces a file; a sync and an async flavour share the same steps:
 * temp file in the same folder (a rename is only atomic within one file system) → write → fsync the file →
 * rename over the target → fsync the folder (the rename itself lives in the folder's metadata).
 */
import { randomBytes } from "node:crypto";
import * as nodeFs from "node:fs";
import * as nodeFsPromises from "node:fs/promises";
import { dirname } from "node:path";

/** The file system calls {@link writeFileAtomic} makes; tests pass a recording wrapper. */
export type AtomicWriteFs = Pick<
  typeof nodeFs,
  "openSync" | "writeSync" | "fsyncSync" | "fchmodSync" | "closeSync" | "renameSync" | "rmSync" | "mkdirSync" | "statSync" | "lstatSync" | "realpathSync"
>;

/** The file system calls {@link writeFileAtomicAsync} makes; tests pass a recording wrapper. */
export type AtomicWriteFsAsync = Pick<typeof nodeFsPromises, "open" | "rename" | "rm" | "mkdir" | "stat" | "lstat" | "realpath">;

/** Options of {@link writeFileAtomic} and {@link writeFileAtomicAsync}. */
export interface AtomicWriteOptions {
  /** Permission bits of the new file, applied regardless of umask. Default 0600. */
  mode?: number;
  /** Keep the permission bits of the file being replaced; `mode` then only applies to a new file. */
  keepMode?: boolean;
  /** Mode of folders created on the way (default 0700). */
  dirMode?: number;
  /** Create missing folders (default true); false fails with ENOENT when the folder is gone. */
  createDirs?: boolean;
  /**
   * A symlink at `path` is replaced by the file, unless this is set: then the file it points to is replaced
   * and the link stays (a config kept in a dotfiles repo).
   */
  followSymlink?: boolean;
  /**
   * Fsync the folder after the rename (default true). A caller writing many files into one folder may pass
   * false and call {@link syncDir} / {@link syncDirAsync} once at the end.
   */
  syncDir?: boolean;
  /** Test seam: runs after the temp file is written and synced, before it is renamed into place. */
  beforeRename?: (tempPath: string, targetPath: string) => void;
}

/** Suffix of every temp file: a folder owner may delete `*.tmp` leftovers of a crash on open. */
export const ATOMIC_TEMP_SUFFIX = ".tmp";

/**
 * Writes `data` to a temp file next to `path` (mode set before any byte lands), fsyncs it, renames it over
 * `path` and fsyncs the folder. Missing folders are created with `dirMode`. Concurrent calls never share a
 * temp file; the last rename wins.
 * @throws Error from the file system; `path` is then unchanged and the temp file is removed.
 * @example writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}, fs: AtomicWriteFs = nodeFs): void {
  if (opts.followSymlink && isSymlink(fs, path)) path = fs.realpathSync(path);
  const dir = dirname(path);
  if (opts.createDirs !== false) fs.mkdirSync(dir, { recursive: true, mode: opts.dirMode ?? 0o700 });
  const mode = (opts.keepMode ? existingMode(fs, path) : undefined) ?? opts.mode ?? 0o600;
  const temp = tempPathFor(path);
  try {
    // "wx": never write through something planted at the temp name.
    const fd = fs.openSync(temp, "wx", mode);
    try {
      fs.fchmodSync(fd, mode); // umask may have cleared bits we asked for
      const bytes = typeof data === "string" ? Buffer.from(data) : data;
      for (let off = 0; off < bytes.length; ) off += fs.writeSync(fd, bytes, off, bytes.length - off);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    opts.beforeRename?.(temp, path);
    fs.renameSync(temp, path);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
  if (opts.syncDir !== false) syncDir(dir, fs);
}

/**
 * {@link writeFileAtomic} without blocking the event loop: the writes and fsyncs run on the thread pool, so
 * many files can be written at once.
 * @throws Error from the file system; `path` is then unchanged and the temp file is removed.
 */
export async function writeFileAtomicAsync(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}, fs: AtomicWriteFsAsync = nodeFsPromises): Promise<void> {
  if (opts.followSymlink && (await fs.lstat(path).then((s) => s.isSymbolicLink(), () => false))) path = await fs.realpath(path);
  const dir = dirname(path);
  if (opts.createDirs !== false) await fs.mkdir(dir, { recursive: true, mode: opts.dirMode ?? 0o700 });
  const kept = opts.keepMode ? await fs.stat(path).then((s) => s.mode & 0o7777, () => undefined) : undefined;
  const mode = kept ?? opts.mode ?? 0o600;
  const temp = tempPathFor(path);
  try {
    const fh = await fs.open(temp, "wx", mode);
    try {
      await fh.chmod(mode);
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    opts.beforeRename?.(temp, path);
    await fs.rename(temp, path);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
  if (opts.syncDir !== false) await syncDirAsync(dir, fs);
}

/**
 * Makes renames and deletes in `dir` durable by fsyncing the folder. Best effort: a no-op where folders
 * cannot be opened (Windows). Never throws.
 */
export function syncDir(dir: string, fs: Pick<AtomicWriteFs, "openSync" | "fsyncSync" | "closeSync"> = nodeFs): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot open a folder; some file systems refuse to fsync one. Nothing more can be done.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** {@link syncDir} on the thread pool. Never throws. */
export async function syncDirAsync(dir: string, fs: Pick<AtomicWriteFsAsync, "open"> = nodeFsPromises): Promise<void> {
  try {
    const fh = await fs.open(dir, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // as in syncDir
  }
}

// --- internal ---

function tempPathFor(path: string): string {
  return `${path}.${process.pid}.${randomBytes(4).toString("hex")}${ATOMIC_TEMP_SUFFIX}`;
}

function existingMode(fs: AtomicWriteFs, path: string): number | undefined {
  try {
    return fs.statSync(path).mode & 0o7777;
  } catch {
    return undefined;
  }
}

function isSymlink(fs: AtomicWriteFs, path: string): boolean {
  try {
    return fs.lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
