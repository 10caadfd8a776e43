/**
 * One gateway per state dir. The lock file (in `<tmpdir>/openclaw-<uid>/`) records the owner's PID, the
 * owner process's start time and its port. A lock whose PID is dead, or whose PID now belongs to another
 * process (PIDs are recycled: the start time differs), is stale and taken over.
 */
import { closeSync, mkdirSync, openSync, unlinkSync, writeSync } from "node:fs";
import { isLockAlive, type LockInfo, lockPathFor, processStartTime, readLock } from "../util/lock-file.ts";

export { isLockAlive, isPidAlive, type LockInfo, lockPathFor, processStartTime, readLock } from "../util/lock-file.ts";

/** A held lock. */
export interface GatewayLock {
  path: string;
  info: LockInfo;
  /** Records a new port (in-process restart on another port). */
  update(port: number): void;
  /** Removes the lock if it is still ours. Safe to call twice. */
  release(): void;
}

/** The lock is held by a live gateway. */
export class LockHeldError extends Error {
  readonly owner: LockInfo;
  readonly path: string;
  constructor(path: string, owner: LockInfo) {
    super(`gateway already running for ${owner.stateDir} (PID ${owner.pid}, port ${owner.port}); lock: ${path}`);
    this.name = "LockHeldError";
    this.owner = owner;
    this.path = path;
  }
}

/**
 * Takes the lock for `stateDir`, reclaiming a stale one.
 * @throws LockHeldError when a live process holds it; fs errors when the lock dir is unusable.
 */
export function acquireGatewayLock(opts: { lockDir: string; stateDir: string; port: number; supervised?: boolean; onStale?: (owner: LockInfo) => void }): GatewayLock {
  mkdirSync(opts.lockDir, { recursive: true, mode: 0o700 });
  const path = lockPathFor(opts.lockDir, opts.stateDir);
  const info: LockInfo = { pid: process.pid, startTime: processStartTime(process.pid), port: opts.port, stateDir: opts.stateDir, createdAtMs: Date.now(), ...(opts.supervised && { supervised: true }) };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      try {
        writeSync(fd, JSON.stringify(info));
      } finally {
        closeSync(fd);
      }
      return makeLock(path, info);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const owner = readLock(path);
    if (owner && isLockAlive(owner)) throw new LockHeldError(path, owner);
    if (owner) opts.onStale?.(owner);
    try {
      unlinkSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }
  throw new Error(`could not take the gateway lock at ${path} (another gateway is starting at the same time?)`);
}

function makeLock(path: string, info: LockInfo): GatewayLock {
  let released = false;
  const write = () => {
    const fd = openSync(path, "w", 0o600);
    try {
      writeSync(fd, JSON.stringify(info));
    } finally {
      closeSync(fd);
    }
  };
  return {
    path,
    info,
    update(port: number) {
      info.port = port;
      if (!released) write();
    },
    release() {
      if (released) return;
      released = true;
      if (readLock(path)?.pid === info.pid) {
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      }
    },
  };
}
