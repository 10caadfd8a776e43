/**
 * Scenarios 2 and 5 share one set of idle connections:
 * 2. idle RSS of a freshly started server, then RSS per idle authenticated connection at N connections
 *    ((RSS after − RSS before) / N, read 2 s after the last hello-ok);
 * 5. broadcast fan-out to those N clients: an admin client sends `system-event` (both gateways answer it by
 *    broadcasting `presence` to everyone); we time send → arrival of `presence` at each client.
 *
 * The N clients are client.id "test" sharing one client.instanceId, so the presence list stays a few rows
 * long: with N distinct keys a gateway that broadcasts presence on every connect sends O(N²) bytes while
 * the clients connect (measured: ~15 GB for 1 000 clients), which would measure that policy, not idle cost.
 */
import { closeAll, connectClient, connectMany, type BenchClient } from "../lib/client.ts";
import { sampleRssKb } from "../lib/proc.ts";
import { waitQuiet } from "../lib/quiet.ts";
import type { RunningServer } from "../lib/servers.ts";
import { latency, median, type Latency } from "../lib/stats.ts";

/** Idle-connection memory of one server. */
export interface ConnMemory {
  count: number;
  beforeKb: number;
  afterKb: number;
  perConnKb: number;
  /** Time to open and authenticate all N clients (50 handshakes in flight). */
  connectMs: number;
  /** Events the N clients received while connecting (the gateways broadcast on each connect). */
  eventsDuringSetup: Record<string, number>;
}

/** Fan-out result of one server. */
export interface Fanout {
  receivers: number;
  trials: (Latency & { missing: number; rpcMs: number })[];
  /** Medians over trials. */
  p50: number;
  p99: number;
  max: number;
  missing: number;
}

/** Options of {@link runMemoryAndFanout}. */
export interface MemoryFanoutOptions {
  count: number;
  /** Fan-out trials on these connections (0: memory only). */
  trials: number;
  /** Wait after the last hello-ok before reading RSS (default 2000 ms). */
  settleMs?: number;
  log: (line: string) => void;
}

/** Runs scenario 2 (connections part) then, when `opts.trials > 0`, 5 on one server. */
export async function runMemoryAndFanout(s: RunningServer, opts: MemoryFanoutOptions): Promise<{ memory: ConnMemory; fanout?: Fanout }> {
  await waitQuiet(s.pid);
  const beforeKb = await sampleRssKb(s.pid);
  const events: Record<string, number> = {};
  let waitingSince = 0;
  const arrivals: number[] = [];
  let collecting = false;
  const onEvent = (event: string, at: number) => {
    events[event] = (events[event] ?? 0) + 1;
    if (collecting && event === "presence") arrivals.push(at - waitingSince);
  };

  const t0 = performance.now();
  let clients: BenchClient[] = [];
  let trigger: BenchClient | undefined;
  try {
    // Each receiver records only its first presence per trial.
    const seen = new Uint8Array(opts.count);
    clients = await connectMany(opts.count, 50, (i) => ({
      url: s.url,
      token: s.token,
      instanceId: "bench-idle",
      onEvent: (event, at) => {
        if (collecting && event === "presence") {
          if (seen[i]) return;
          seen[i] = 1;
        }
        onEvent(event, at);
      },
    }));
    const connectMs = performance.now() - t0;
    await Bun.sleep(300);
    await waitQuiet(s.pid);
    await Bun.sleep(opts.settleMs ?? 2000);
    const afterKb = await sampleRssKb(s.pid);
    const memory: ConnMemory = {
      count: opts.count,
      beforeKb,
      afterKb,
      perConnKb: (afterKb - beforeKb) / opts.count,
      connectMs,
      eventsDuringSetup: { ...events },
    };
    opts.log(`  ${s.kind}: ${opts.count} idle conns in ${Math.round(connectMs)} ms, RSS ${beforeKb} → ${afterKb} KiB (${memory.perConnKb.toFixed(1)} KiB/conn)`);
    if (opts.trials <= 0) return { memory };

    trigger = await connectClient({ url: s.url, token: s.token, instanceId: "bench-trigger" });
    await Bun.sleep(300);
    await waitQuiet(s.pid);
    const trials: Fanout["trials"] = [];
    for (let t = 0; t < opts.trials; t++) {
      seen.fill(0);
      arrivals.length = 0;
      collecting = true;
      waitingSince = performance.now();
      const reply = trigger.request("system-event", { text: `bench fan-out ${t}`, instanceId: "bench-fanout" });
      const rpc = reply.then(() => performance.now() - waitingSince);
      const deadline = performance.now() + 10_000;
      while (arrivals.length < opts.count && performance.now() < deadline) await Bun.sleep(2);
      collecting = false;
      const rpcMs = await rpc;
      trials.push({ ...latency(arrivals), missing: opts.count - arrivals.length, rpcMs });
      await Bun.sleep(200);
      await waitQuiet(s.pid);
    }
    const fanout: Fanout = {
      receivers: opts.count,
      trials,
      p50: median(trials.map((t) => t.p50)),
      p99: median(trials.map((t) => t.p99)),
      max: median(trials.map((t) => t.max)),
      missing: Math.max(...trials.map((t) => t.missing)),
    };
    opts.log(`  ${s.kind}: fan-out to ${opts.count}: p50 ${fanout.p50.toFixed(1)} p99 ${fanout.p99.toFixed(1)} max ${fanout.max.toFixed(1)} ms, missing ${fanout.missing}`);
    return { memory, fanout };
  } finally {
    await closeAll(trigger ? [...clients, trigger] : clients);
    await waitQuiet(s.pid);
  }
}
