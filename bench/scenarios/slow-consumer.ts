/**
 * Scenario 6: a slow consumer. A raw-socket client authenticates, then stops reading. A pump client (4
 * requests in flight) alternates `system-event` (64 rotating instance ids, so `presence` grows to ~65 rows,
 * ~15 KB per frame, broadcast to everyone; droppable) and `health` (a `health` event to everyone; not
 * droppable; both gateways may coalesce it) for `durationMs`. The slow client's queue grows until the
 * kernel buffers are full and the gateway's own buffer passes its limit; then a gateway should skip
 * droppable events for it and close it on the next non-droppable one. We sample the server's RSS every
 * 100 ms, then read the slow socket again to learn whether the server closed it (close frame or EOF).
 * Runs last: it leaves ~65 presence rows behind for 5 minutes.
 */
import { closeAll, connectClient, connectFrame } from "../lib/client.ts";
import { readRssKb } from "../lib/proc.ts";
import { waitQuiet } from "../lib/quiet.ts";
import type { RunningServer } from "../lib/servers.ts";
import { openRawWs } from "../../test/helpers/raw-ws.ts";

/** Outcome of one slow-consumer run. */
export interface SlowConsumer {
  durationMs: number;
  /** How long RSS was sampled after the pump stopped. */
  tailMs: number;
  /** Requests the pump completed (system-event and health, alternating). */
  pumpedCalls: number;
  rssBeforeKb: number;
  rssPeakKb: number;
  rssAfterKb: number;
  peakDeltaKb: number;
  /** [ms since start, KiB] every 100 ms (thinned to at most 120 points). */
  rssSeries: [number, number][];
  closedByServer: boolean;
  closeCode?: number;
  closeReason?: string;
  /** Bytes of frames the slow client could still read afterwards. */
  bytesDrained: number;
  serverAlive: boolean;
}

/** Runs scenario 6 once. */
export async function runSlowConsumer(s: RunningServer, durationMs: number, tailMs = 1500): Promise<SlowConsumer> {
  await waitQuiet(s.pid);
  const port = Number(new URL(s.url).port);
  const slow = await openRawWs({ port });
  const challenge = await slow.next();
  if (!challenge?.text.includes("connect.challenge")) throw new Error("slow client: no challenge");
  slow.sendText(connectFrame(s.token, { instanceId: "bench-slow" }));
  for (;;) {
    const f = await slow.next();
    if (!f) throw new Error("slow client: closed before hello-ok");
    if (f.text.startsWith('{"type":"res"')) {
      if (!f.text.includes('"ok":true')) throw new Error(`slow client refused: ${f.text.slice(0, 200)}`);
      break;
    }
  }
  slow.pause();
  const pump = await connectClient({ url: s.url, token: s.token, instanceId: "bench-pump" });
  await Bun.sleep(200);
  const rssBeforeKb = readRssKb(s.pid) ?? Number.NaN;
  const series: [number, number][] = [];
  const t0 = performance.now();
  let peak = rssBeforeKb;
  const sampler = setInterval(() => {
    const kb = readRssKb(s.pid);
    if (kb === undefined) return;
    series.push([Math.round(performance.now() - t0), kb]);
    if (kb > peak) peak = kb;
  }, 100);
  let pumped = 0;
  try {
    const end = t0 + durationMs;
    let k = 0;
    const lane = async () => {
      while (performance.now() < end) {
        const i = k++;
        const r = i % 2 === 0 ? await pump.request("system-event", { text: `bench slow ${i}`, instanceId: `bench-slow-${(i >> 1) % 64}` }) : await pump.request("health");
        if (!r.ok) break;
        pumped += 1;
      }
    };
    await Promise.all([lane(), lane(), lane(), lane()]);
    // Keep sampling a little after the pump stops: memory should come back down.
    await Bun.sleep(tailMs);
  } finally {
    clearInterval(sampler);
  }
  const rssAfterKb = readRssKb(s.pid) ?? Number.NaN;

  // Read again: either we drain what the server still holds (not closed), or we find its close frame / EOF.
  slow.resume();
  let closeCode: number | undefined;
  let closeReason: string | undefined;
  // Stop at the close, at EOF, after 500 ms without a frame (nothing more is coming), or after 5 s.
  const drainEnd = performance.now() + 5000;
  while (performance.now() < drainEnd) {
    const f = await slow.next(500);
    if (!f) break;
    if (f.opcode === 8) {
      closeCode = f.code;
      closeReason = f.text;
      break;
    }
  }
  const closedByServer = closeCode !== undefined || slow.ended;
  slow.destroy();
  await closeAll([pump]);
  const step = Math.max(1, Math.ceil(series.length / 120));
  return {
    durationMs,
    tailMs,
    pumpedCalls: pumped,
    rssBeforeKb,
    rssPeakKb: peak,
    rssAfterKb,
    peakDeltaKb: peak - rssBeforeKb,
    rssSeries: series.filter((_, i) => i % step === 0),
    closedByServer,
    ...(closeCode !== undefined && { closeCode }),
    ...(closeReason !== undefined && { closeReason }),
    bytesDrained: slow.bytesReceived,
    serverAlive: s.alive(),
  };
}
