/**
 * `gateway --force`: frees the port before start by asking `lsof` who listens on it, sending SIGTERM,
 * and SIGKILL to whatever is still there after 700 ms. Gives up waiting after 2 s.
 */
import { listPortListeners, type PortListener } from "../util/port-listeners.ts";

/** `lsof` is not installed. */
export class LsofMissingError extends Error {
  constructor() {
    super("Force: Error: lsof not found; required for --force");
    this.name = "LsofMissingError";
  }
}

function listOrThrow(port: number): PortListener[] {
  const listeners = listPortListeners(port);
  if (!listeners) throw new LsofMissingError();
  return listeners;
}

/**
 * Frees `port`: SIGTERM to every listener, SIGKILL after 700 ms, polling every 100 ms up to 2 s.
 * @returns the listeners that were signalled (empty when the port was free).
 * @throws LsofMissingError when lsof is not installed.
 */
export async function freePort(port: number, log: (line: string) => void): Promise<PortListener[]> {
  const listeners = listOrThrow(port);
  if (listeners.length === 0) {
    log(`force: no listeners on port ${port}`);
    return [];
  }
  for (const l of listeners) {
    signal(l.pid, "SIGTERM");
    log(`force: killed pid ${l.pid} (${l.command || "unknown"}) on port ${port}`);
  }
  const started = Date.now();
  let killed = false;
  while (Date.now() - started < 2000) {
    await Bun.sleep(100);
    const left = listOrThrow(port);
    if (left.length === 0) break;
    if (!killed && Date.now() - started >= 700) {
      killed = true;
      for (const l of left) signal(l.pid, "SIGKILL");
    }
  }
  return listeners;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
