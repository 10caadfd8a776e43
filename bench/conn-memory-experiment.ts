/**
 * Per-connection memory by slope: connects idle authenticated clients in steps (0 → 1 000 → 2 000 →
 * 3 000 by default) and reads the server's RSS after each step. Scenario 2's single delta at 1 000
 * connections cannot resolve the upstream: its V8 heap starts with ~300 MiB committed and absorbs 1 000
 * connections without RSS moving. The slope between larger counts can. Servers on core 0, this process on
 * core 1. Writes bench/results/conn-memory-experiment.md.
 *
 *   bun bench/conn-memory-experiment.ts [--steps 1000,2000,3000] [--kinds ours,upstream,limit]
 */
import { mkdtempSync, copyFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { closeAll, connectMany, type BenchClient } from "./lib/client.ts";
import { readRssSplitKb, sampleRssKb } from "./lib/proc.ts";
import { waitQuiet } from "./lib/quiet.ts";
import { pinToLoadgenCpu, SERVER_CPU, writeResult } from "./lib/script.ts";
import { startServer, type ServerKind } from "./lib/servers.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { steps: { type: "string", default: "1000,2000,3000" }, kinds: { type: "string", default: "ours,upstream,limit" } },
});
const pinning = await pinToLoadgenCpu(import.meta.path);

const steps = (values.steps as string).split(",").map(Number);
const kinds = (values.kinds as string).split(",") as ServerKind[];
const work = mkdtempSync(join(tmpdir(), "openclaw-bench-mem."));
const oursBin = join(work, "openclaw");
copyFileSync(join(import.meta.dir, "..", "dist/openclaw"), oursBin);

const lines: string[] = [];
try {
  for (const kind of kinds) {
    const s = await startServer(kind, { oursBin, referenceScript: "/work/shared/tools/reference-gateway.sh", limitScript: join(import.meta.dir, "limit-server.ts"), serverCpu: pinning ? SERVER_CPU : undefined });
    const clients: BenchClient[] = [];
    try {
      await Bun.sleep(5000);
      const points: { count: number; rssKb: number; anonKb?: number; connectMs: number }[] = [{ count: 0, rssKb: await sampleRssKb(s.pid), anonKb: readRssSplitKb(s.pid)?.anonKb, connectMs: 0 }];
      for (const target of steps) {
        const t0 = performance.now();
        const more = await connectMany(target - clients.length, 50, () => ({ url: s.url, token: s.token, instanceId: "bench-mem" }));
        clients.push(...more);
        const connectMs = performance.now() - t0;
        await waitQuiet(s.pid, 10, 120_000);
        await Bun.sleep(2000);
        points.push({ count: target, rssKb: await sampleRssKb(s.pid), anonKb: readRssSplitKb(s.pid)?.anonKb, connectMs });
        console.log(`${kind}: ${target} conns, RSS ${points.at(-1)?.rssKb} KiB (connect step ${Math.round(connectMs)} ms)`);
      }
      const first = points[1];
      const last = points[points.length - 1];
      const slope = (last.rssKb - first.rssKb) / (last.count - first.count);
      const row = `| ${kind} | ${points.map((p) => `${p.count}: ${Math.round(p.rssKb / 1024)}`).join(" · ")} | ${slope.toFixed(1)} KiB | ${points.map((p) => (p.anonKb === undefined ? "?" : Math.round(p.anonKb / 1024))).join(" · ")} |`;
      console.log(row);
      lines.push(row);
    } finally {
      await closeAll(clients, 20_000);
      await s.stop();
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const md = [
  "# Per-connection memory by slope",
  "",
  `${new Date().toISOString()}; idle authenticated clients (client.id "test", one shared instanceId) added in steps; RSS read 2 s after each step settled (median of 5 readings); servers on core 0, load generator on core 1.`,
  "",
  `| server | RSS MiB at N connections | slope ${steps[0]}→${steps[steps.length - 1]} (KiB per connection) | anonymous RSS MiB at the same points |`,
  "|---|---|---|---|",
  ...lines,
  "",
].join("\n");
writeResult("conn-memory-experiment.md", md);
console.log(md);
process.exit(0);
