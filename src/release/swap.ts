/**
 * Replaces an installed binary in place without a moment where the path is missing or half written, and
 * keeps the previous one next to it (`openclaw.prev`, `openclaw.prev.exe` on Windows) for rollback.
 */
import { chmodSync, copyFileSync, existsSync, linkSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";

const IS_WINDOWS = process.platform === "win32";

/** `openclaw` → `openclaw.prev`, `openclaw.exe` → `openclaw.prev.exe` (Windows only runs `.exe` files). */
export function previousPath(target: string): string {
  return target.toLowerCase().endsWith(".exe") ? `${target.slice(0, -4)}.prev.exe` : `${target}.prev`;
}

/**
 * A temp path in the target's own folder: a rename is only atomic within one file system.
 * Safe to call concurrently (pid + random suffix).
 */
export function stagingPath(target: string): string {
  const suffix = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  // Keep ".exe" last: Windows decides by extension whether a file can be started.
  const ext = target.toLowerCase().endsWith(".exe") ? ".exe" : "";
  const name = basename(target);
  return join(dirname(target), `.${ext ? name.slice(0, -4) : name}.new-${suffix}${ext}`);
}

/**
 * Moves `staged` onto `target`, first keeping the current `target` as {@link previousPath}.
 * On Unix `target` is replaced by one rename(2); the previous binary is a hard link (a copy where links
 * are not allowed), so the running process keeps its inode. On Windows a running .exe cannot be
 * overwritten or deleted but can be renamed, so it moves to `.prev.exe` and the new file takes its place.
 * @returns the path of the kept previous binary, or undefined when there was none.
 * @throws the file system error; `target` is then unchanged.
 */
export function swapInto(staged: string, target: string): string | undefined {
  if (!IS_WINDOWS) chmodSync(staged, 0o755);
  const prev = previousPath(target);
  if (!existsSync(target)) {
    renameSync(staged, target);
    return undefined;
  }
  if (IS_WINDOWS) {
    rmSync(prev, { force: true });
    renameSync(target, prev);
    try {
      renameSync(staged, target);
    } catch (err) {
      renameSync(prev, target);
      throw err;
    }
    return prev;
  }
  const prevTmp = stagingPath(prev);
  try {
    linkSync(target, prevTmp);
  } catch {
    copyFileSync(target, prevTmp);
  }
  renameSync(prevTmp, prev);
  renameSync(staged, target);
  return prev;
}

/**
 * Puts the kept previous binary back on `target` (the failed one is discarded) and leaves a copy as
 * `.prev`, so a rollback can be repeated.
 * @throws Error when there is no previous binary.
 */
export function rollBack(target: string): void {
  const prev = previousPath(target);
  if (!existsSync(prev)) throw new Error(`no previous binary at ${prev}`);
  if (IS_WINDOWS) {
    // The failed .exe may be running (a just-restarted service): move it aside rather than delete it.
    const failed = `${target}.failed-${process.pid}`;
    renameSync(target, failed);
    copyFileSync(prev, target);
    try {
      rmSync(failed, { force: true });
    } catch {
      // still running; the next update's staging clean-up is not needed for correctness
    }
    return;
  }
  const tmp = stagingPath(target);
  try {
    linkSync(prev, tmp);
  } catch {
    copyFileSync(prev, tmp);
    chmodSync(tmp, 0o755);
  }
  renameSync(tmp, target);
}
