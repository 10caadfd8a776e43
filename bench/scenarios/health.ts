/**
 * Scenario 4: `health` RPC throughput and latency with `clients` authenticated clients, each in a closed
 * loop (one request in flight per client) for `durationMs` after a short warm-up. Every `health` call also
 * makes both gateways broadcast a `health` event to all clients, so at 100 clients each call costs the
 * server one response and 100 event frames.
 */
import { closeAll, connectMany } from "../lib/client.ts";
import { measureCpu } from "../lib/proc.ts";
import { waitQuiet } from "../lib/quiet.ts";
import type { RunningServer } from "../lib/servers.ts";
import { latency, type Latency } from "../lib/stats.ts";

/** One throughput run. */
export interface HealthRun {
  clients: number;
  perSecond: number;
  completed: number;
  failed: number;
  latencyMs: Latency;
  eventsReceived: number;
  serverCpuPct: number;
  loadgenCpuPct: number;
  /** CPU used by everything else on the machine during the run (noise indicator). */
  otherCpuPct: number;
}

/** Runs scenario 4 once for one client count. */
export async function runHealth(s: RunningServer, clients: number, durationMs: number, warmupMs = 300): Promise<HealthRun> {
  let events = 0;
  const conns = await connectMany(clients, 50, (i) => ({ url: s.url, token: s.token, instanceId: `bench-h-${i}`, onEvent: () => void (events += 1) }));
  try {
    await Bun.sleep(200);
    await waitQuiet(s.pid);
    const lat: number[] = [];
    let failed = 0;
    let measuring = false;
    let stopAt = performance.now() + warmupMs + durationMs;
    const loop = async (i: number) => {
      const c = conns[i];
      while (performance.now() < stopAt) {
        const t = performance.now();
        const r = await c.request("health");
        if (!measuring) continue;
        if (r.ok) lat.push(performance.now() - t);
        else failed += 1;
      }
    };
    const loops = conns.map((_, i) => loop(i));
    await Bun.sleep(warmupMs);
    events = 0;
    measuring = true;
    const measured = await measureCpu(s.pid, async () => {
      stopAt = performance.now() + durationMs;
      await Promise.all(loops);
    });
    return {
      clients,
      perSecond: (lat.length / measured.wallMs) * 1000,
      completed: lat.length,
      failed,
      latencyMs: latency(lat),
      eventsReceived: events,
      serverCpuPct: measured.serverCpuPct,
      loadgenCpuPct: measured.loadgenCpuPct,
      otherCpuPct: measured.otherCpuPct,
    };
  } finally {
    await closeAll(conns);
    await waitQuiet(s.pid);
  }
}
