/**
 * Replacing a file atomically: readers see the old content or the new, never a torn write.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, lstatSync, mkdirSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Writes `data` to a temp file next to `path`, sets `mode` (default 0600, regardless of umask) and renames
 * it over `path`, creating missing folders with `dirMode` (default 0700). Concurrent calls never share a
 * temp file; the last rename wins. A symlink at `path` is replaced by the file, unless `followSymlink`:
 * then the file it points to is replaced and the link stays (a config kept in a dotfiles repo).
 * @throws Error from the file system; `path` is then unchanged and no temp file is left behind.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, opts: { mode?: number; dirMode?: number; followSymlink?: boolean } = {}): void {
  const mode = opts.mode ?? 0o600;
  if (opts.followSymlink && isSymlink(path)) path = realpathSync(path);
  mkdirSync(dirname(path), { recursive: true, mode: opts.dirMode ?? 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(tmp, data, { mode });
    chmodSync(tmp, mode);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
