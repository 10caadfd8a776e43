/**
 * One gateway per state dir. The lock file (in `<tmpdir>/openclaw-<uid>/`) records the owner's PID, the
 * owner process's start time and its port. A lock whose PID is dead, or whose PID now belongs to another
 * process (PIDs are recycled: the start time differs), is stale and taken over.
 */
import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";

/** What the lock file holds. */
export interface LockInfo {
  pid: number;
  /** Opaque start time of the process (clock ticks since boot on Linux, `ps lstart` elsewhere). */
  startTime: string | null;
  port: number;
  stateDir: string;
  createdAtMs: number;
}

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

/** The lock file path for a state dir. */
export function lockPathFor(lockDir: string, stateDir: string): string {
  const id = createHash("sha256").update(stateDir).digest("hex").slice(0, 16);
  return join(lockDir, `gateway-${id}.lock`);
}

/**
 * Takes the lock for `stateDir`, reclaiming a stale one.
 * @throws LockHeldError when a live process holds it; fs errors when the lock dir is unusable.
 */
export function acquireGatewayLock(opts: { lockDir: string; stateDir: string; port: number; onStale?: (owner: LockInfo) => void }): GatewayLock {
  mkdirSync(opts.lockDir, { recursive: true, mode: 0o700 });
  const path = lockPathFor(opts.lockDir, opts.stateDir);
  const info: LockInfo = { pid: process.pid, startTime: processStartTime(process.pid), port: opts.port, stateDir: opts.stateDir, createdAtMs: Date.now() };
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

/** Reads a lock file; undefined when missing or unreadable (an unreadable lock counts as stale). */
export function readLock(path: string): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(path, "utf8")) as LockInfo;
    return typeof info.pid === "number" ? info : undefined;
  } catch {
    return undefined;
  }
}

/** True when the lock's PID is alive and is still the same process (same start time). */
export function isLockAlive(info: LockInfo): boolean {
  if (!isPidAlive(info.pid)) return false;
  if (info.startTime === null) return true;
  const now = processStartTime(info.pid);
  return now === null || now === info.startTime;
}

/** True when a process with `pid` exists (EPERM counts: it exists but is not ours). */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A process's start time as an opaque string, or null when it cannot be read. */
export function processStartTime(pid: number): string | null {
  try {
    // /proc/<pid>/stat: field 22 is starttime; the command (field 2) may contain spaces, so split after ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? null;
  } catch {
    // Not Linux: ask ps.
    const p = Bun.spawnSync(["ps", "-o", "lstart=", "-p", String(pid)], { stdout: "pipe", stderr: "ignore" });
    const out = p.stdout.toString().trim();
    return p.exitCode === 0 && out ? out : null;
  }
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
