/**
 * Isolates the cost of the fan-out strategy: the limit server with `--broadcast publish|loop|batch`
 * (see limit-server.ts; all three send a `health` event to every client per connect and per `health`
 * call, as the upstream does) under scenario 3 (handshakes @50), scenario 4 (health @10 and @100) and
 * scenario 5 (one `presence` to 1 000 clients), servers on core 0, load generator on core 1.
 * Writes bench/results/broadcast-experiment.md.
 *
 *   bun bench/broadcast-experiment.ts [--ms 3000]
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pinToLoadgenCpu, SERVER_CPU, writeResult } from "./lib/script.ts";
import { startServer } from "./lib/servers.ts";
import { runHandshake } from "./scenarios/handshake.ts";
import { runHealth } from "./scenarios/health.ts";
import { runMemoryAndFanout } from "./scenarios/memory-fanout.ts";

const { values } = parseArgs({ args: Bun.argv.slice(2), options: { ms: { type: "string", default: "3000" } } });
const pinning = await pinToLoadgenCpu(import.meta.path);
const ms = Number(values.ms);
const rows: string[] = [];
for (const mode of ["publish", "loop", "batch"]) {
  const s = await startServer("limit", {
    oursBin: "",
    referenceScript: "",
    limitScript: join(import.meta.dir, "limit-server.ts"),
    serverCpu: pinning ? SERVER_CPU : undefined,
    limitArgs: ["--broadcast", mode],
  });
  try {
    const hs = await runHandshake(s, 50, ms);
    const h10 = await runHealth(s, 10, ms);
    const h100 = await runHealth(s, 100, ms);
    const { fanout } = await runMemoryAndFanout(s, { count: 1000, trials: 5, settleMs: 200, log: () => {} });
    const fo = fanout ? `${fanout.p50.toFixed(1)} / ${fanout.p99.toFixed(1)} ms` : "—";
    const row = `| ${mode} | ${fo} | ${Math.round(hs.perSecond)}/s (server ${hs.serverCpuPct}%, other ${hs.otherCpuPct}%) | ${Math.round(h10.perSecond)}/s (server ${h10.serverCpuPct}%, other ${h10.otherCpuPct}%) | ${Math.round(h100.perSecond)}/s, p99 ${h100.latencyMs.p99.toFixed(1)} ms (server ${h100.serverCpuPct}%, loadgen ${h100.loadgenCpuPct}%, other ${h100.otherCpuPct}%) |`;
    console.log(row);
    rows.push(row);
  } finally {
    await s.stop();
  }
}
const md = [
  "# Fan-out strategy experiment (limit server)",
  "",
  `${new Date().toISOString()}; ${ms} ms per run; servers on core 0, load generator on core 1.`,
  "",
  "| --broadcast | fan-out to 1 000: p50 / p99 | handshakes @50 | health @10 | health @100 |",
  "|---|---|---|---|---|",
  ...rows,
  "",
].join("\n");
writeResult("broadcast-experiment.md", md);
console.log(md);
process.exit(0);
