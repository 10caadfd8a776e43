/**
 * Scenario 9: N idle gateways on one host (profiles, or a hoster running one per user). Starts N instances
 * of a kind, each in its own HOME on its own port, waits until they are idle, and sums their memory:
 * - RSS: what `ps` shows, summed (pages of a shared executable are counted once per process);
 * - PSS: the same pages split between the processes that map them, so the sum is what the N together take
 *   from the machine. For the upstream, every member of each process group (wrapper + gateway) is counted.
 */
import { listProcessGroup, readPgid, readPssKb, readRssKb } from "../lib/proc.ts";
import { waitQuiet } from "../lib/quiet.ts";
import { startServer, type RunningServer, type ServerKind, type ServerSources } from "../lib/servers.ts";

/** The result for one kind. */
export interface ManyGateways {
  count: number;
  /** How many actually started (a failure is reported, the others still measured). */
  started: number;
  rssTotalKb: number;
  pssTotalKb: number;
  /** Per-instance RSS, KiB. */
  rssKb: number[];
  errors: string[];
}

/** Starts `count` instances of `kind`, measures them `idleMs` after the last one said hello-ok, stops them. */
export async function runManyGateways(kind: ServerKind, src: ServerSources, count: number, idleMs: number, log: (line: string) => void): Promise<ManyGateways> {
  const running: RunningServer[] = [];
  const errors: string[] = [];
  try {
    for (let i = 0; i < count; i++) {
      try {
        running.push(await startServer(kind, src));
      } catch (err) {
        errors.push(`instance ${i + 1}: ${(err as Error).message}`);
      }
    }
    await Bun.sleep(idleMs);
    for (const s of running) await waitQuiet(s.pid);
    const rssKb: number[] = [];
    let pssTotalKb = 0;
    for (const s of running) {
      const pids = kind === "upstream" ? listProcessGroup(readPgid(s.pid) ?? s.pid) : [s.pid];
      rssKb.push(pids.reduce((sum, p) => sum + (readRssKb(p) ?? 0), 0));
      pssTotalKb += pids.reduce((sum, p) => sum + (readPssKb(p) ?? 0), 0);
    }
    const rssTotalKb = rssKb.reduce((a, b) => a + b, 0);
    log(`  ${kind}: ${running.length}/${count} idle instances: RSS total ${Math.round(rssTotalKb / 1024)} MiB, PSS total ${Math.round(pssTotalKb / 1024)} MiB`);
    return { count, started: running.length, rssTotalKb, pssTotalKb, rssKb, errors };
  } finally {
    await Promise.all(running.map((s) => s.stop()));
  }
}
