/**
 * Scenario 3: handshake rate. `concurrency` workers each loop: open a socket, wait for the challenge, send
 * `connect`, wait for hello-ok, close (without waiting for the close to finish), for `durationMs`.
 * Worker w always uses client.instanceId "bench-hs-<w>", like a client that reconnects, so the presence
 * table holds at most `concurrency` rows.
 */
import { connectClient, type BenchClient } from "../lib/client.ts";
import { measureCpu } from "../lib/proc.ts";
import { waitQuiet } from "../lib/quiet.ts";
import type { RunningServer } from "../lib/servers.ts";
import { latency, type Latency } from "../lib/stats.ts";

/** One handshake-rate run. */
export interface HandshakeRun {
  perSecond: number;
  completed: number;
  failed: number;
  latencyMs: Latency;
  serverCpuPct: number;
  loadgenCpuPct: number;
  /** CPU used by everything else on the machine during the run (noise indicator). */
  otherCpuPct: number;
  firstError?: string;
}

/** Runs scenario 3 once against `s`. */
export async function runHandshake(s: RunningServer, concurrency: number, durationMs: number): Promise<HandshakeRun> {
  await waitQuiet(s.pid);
  const lat: number[] = [];
  let failed = 0;
  let firstError: string | undefined;
  const open: BenchClient[] = [];
  const measured = await measureCpu(s.pid, async () => {
    const end = performance.now() + durationMs;
    const worker = async (w: number) => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          const c = await connectClient({ url: s.url, token: s.token, instanceId: `bench-hs-${w}`, timeoutMs: 10_000 });
          lat.push(performance.now() - t);
          c.close();
          open.push(c);
        } catch (err) {
          failed += 1;
          firstError ??= (err as Error).message;
          await Bun.sleep(5);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  });
  await Promise.race([Promise.all(open.map((c) => c.closed)), Bun.sleep(5000)]);
  return {
    perSecond: (lat.length / measured.wallMs) * 1000,
    completed: lat.length,
    failed,
    latencyMs: latency(lat),
    serverCpuPct: measured.serverCpuPct,
    loadgenCpuPct: measured.loadgenCpuPct,
    otherCpuPct: measured.otherCpuPct,
    ...(firstError && { firstError }),
  };
}
