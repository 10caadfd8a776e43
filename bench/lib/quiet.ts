/** Waiting for a server to go idle between measurements, so one scenario's tail does not leak into the next. */
import { readCpuMs, readMachineBusyMs } from "./proc.ts";

/** Window of {@link waitQuiet} in ms (250; quick mode lowers it to save time). */
export const QUIET = { windowMs: 250 };

/**
 * Polls `pid`'s CPU time until a `QUIET.windowMs` window used under `maxPct` percent of a core (at least one
 * 10 ms /proc tick of noise is tolerated), or `timeoutMs` passed.
 * @returns true when the server went quiet.
 */
export async function waitQuiet(pid: number, maxPct = 10, timeoutMs = 15_000): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  let last = readCpuMs(pid);
  while (performance.now() < deadline) {
    await Bun.sleep(QUIET.windowMs);
    const now = readCpuMs(pid);
    if (now === undefined || last === undefined) return false;
    // /proc ticks are 10 ms, so one window can show 0 or 10 ms of noise.
    if (now - last <= Math.max(10, (QUIET.windowMs * maxPct) / 100)) return true;
    last = now;
  }
  return false;
}

/**
 * Waits until the rest of the machine (everything but this process) uses under `maxPct` percent of a core
 * over a `windowMs` window, or `timeoutMs` passed. On a shared box this keeps other people's builds and tests
 * out of the measurements as far as possible.
 * @returns the last window's foreign CPU percent.
 */
export async function waitMachineQuiet(maxPct = 15, timeoutMs = 60_000, windowMs = 500): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let pct = Number.NaN;
  do {
    const m0 = readMachineBusyMs();
    const l0 = process.cpuUsage();
    await Bun.sleep(windowMs);
    const own = process.cpuUsage(l0);
    pct = ((readMachineBusyMs() - m0 - (own.user + own.system) / 1000) / windowMs) * 100;
    if (pct <= maxPct) return Math.max(0, Math.round(pct));
  } while (performance.now() < deadline);
  return Math.round(pct);
}
