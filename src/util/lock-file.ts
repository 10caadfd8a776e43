/**
 * Reading the gateway's single-instance lock files without owning them: the daemon takes and releases
 * locks (src/gateway/lock.ts); `doctor` and the service commands only inspect them (stale locks, which PID
 * serves a state dir). Pure helpers, no knowledge of the gateway beyond the file format.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** What the lock file holds. */
export interface LockInfo {
  pid: number;
  /** Opaque start time of the process (clock ticks since boot on Linux, `ps lstart` elsewhere). */
  startTime: string | null;
  port: number;
  stateDir: string;
  createdAtMs: number;
  /** True when a service manager started the gateway (its unit sets OPENCLAW_SERVICE_MARKER). */
  supervised?: boolean;
}

/** The lock file path for a state dir. */
export function lockPathFor(lockDir: string, stateDir: string): string {
  const id = createHash("sha256").update(stateDir).digest("hex").slice(0, 16);
  return join(lockDir, `gateway-${id}.lock`);
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
