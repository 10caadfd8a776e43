/**
 * Side-by-side benchmark: our gateway (dist/openclaw), the upstream Node gateway (reference script) and a
 * bare Bun.serve "limit" server, every scenario against each in one sitting, alternating, servers pinned to
 * core 0 and this load generator to core 1. Writes bench/results/latest.{md,json}.
 *
 *   bun run bench/run.ts [--quick] [--scenarios 1,2,3,4,5,6,7,8,9] [--no-upstream] [--binary FILE] [--out NAME]
 *
 * `--binary` runs another build of ours instead of dist/openclaw (to compare build variants); `--out NAME`
 * writes bench/results/NAME.{md,json} instead of latest.{md,json}, so a partial run leaves latest.md alone.
 *
 * `bun run bench` builds first; this script only copies dist/openclaw aside and runs it.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, release, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readAffinity, readRssKb, readRssSplitKb } from "./lib/proc.ts";
import { groupRssKb, startServer, type RunningServer, type ServerKind, type ServerSources } from "./lib/servers.ts";
import { median, spread } from "./lib/stats.ts";
import { renderMarkdown, type Results } from "./report.ts";
import { runHandshake, type HandshakeRun } from "./scenarios/handshake.ts";
import { runHealth, type HealthRun } from "./scenarios/health.ts";
import { runMemoryAndFanout, type ConnMemory } from "./scenarios/memory-fanout.ts";
import { runSlowConsumer } from "./scenarios/slow-consumer.ts";
import { runManyGateways } from "./scenarios/many-gateways.ts";
import { runStartRound } from "./scenarios/start.ts";
import { runWrongToken } from "./scenarios/wrong-token.ts";
import { QUIET, waitMachineQuiet } from "./lib/quiet.ts";
import { LOADGEN_CPU, pinToLoadgenCpu, SERVER_CPU, writeResult } from "./lib/script.ts";

const ROOT = join(import.meta.dir, "..");

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    quick: { type: "boolean", default: false },
    scenarios: { type: "string" },
    "no-upstream": { type: "boolean", default: false },
    binary: { type: "string" },
    out: { type: "string", default: "latest" },
  },
});

// Pin ourselves (the load generator) to core 1 by re-running under taskset; servers get core 0.
const pinning = await pinToLoadgenCpu(import.meta.path);

const quick = flags.quick === true;
const CFG = quick
  ? {
      startRounds: 1,
      startRuns: { ours: 5, limit: 3, upstream: 0 } as Record<ServerKind, number>,
      idleCount: 200,
      memoryCycles: 1,
      fanoutTrials: 2,
      keyRounds: 1,
      handshakeConcurrency: 50,
      handshakeMs: 800,
      healthClients: [1, 10, 100],
      healthMs: 600,
      slowMs: 800,
      slowTailMs: 500,
      idleWaitMs: 2000,
      settleMs: 700,
      wrongAttempts: 200,
      wrongConcurrency: 20,
      wrongBaseline: 5,
      manyIdleCount: 1000,
      gatewayCount: 3,
    }
  : {
      startRounds: 3,
      startRuns: { ours: 10, limit: 10, upstream: 5 } as Record<ServerKind, number>,
      idleCount: 1000,
      memoryCycles: 3,
      fanoutTrials: 5,
      keyRounds: 3,
      handshakeConcurrency: 50,
      handshakeMs: 5000,
      healthClients: [1, 10, 100],
      healthMs: 5000,
      slowMs: 8000,
      slowTailMs: 1500,
      idleWaitMs: 5000,
      settleMs: 2000,
      wrongAttempts: 1000,
      wrongConcurrency: 20,
      wrongBaseline: 20,
      manyIdleCount: 5000,
      gatewayCount: 10,
    };
if (quick) QUIET.windowMs = 100;
const wanted = new Set((flags.scenarios ?? "1,2,3,4,5,6,7,8,9").split(",").map((s) => Number(s.trim())));
const kinds: ServerKind[] = flags["no-upstream"] ? ["ours", "limit"] : ["ours", "upstream", "limit"];

const began = Date.now();
const log = (line: string) => console.log(`[${((Date.now() - began) / 1000).toFixed(1).padStart(6)}s] ${line}`);

// --- sources ---
const distBin = flags.binary ?? join(ROOT, "dist/openclaw");
if (!existsSync(distBin)) throw new Error(`${distBin} is missing: run \`bun run build.ts\` (or \`bun run bench\`)`);
if (!/^[\w.-]+$/.test(flags.out as string)) throw new Error(`--out takes a file name without folder or extension, got "${flags.out}"`);
const work = mkdtempSync(join(tmpdir(), "openclaw-bench."));
const oursBin = join(work, "openclaw");
copyFileSync(distBin, oursBin);
const src: ServerSources = {
  oursBin,
  referenceScript: "/work/shared/tools/reference-gateway.sh",
  limitScript: join(import.meta.dir, "limit-server.ts"),
  serverCpu: pinning ? SERVER_CPU : undefined,
};

const results: Results = {
  meta: {
    date: new Date().toISOString(),
    quick,
    kinds,
    config: CFG,
    machine: { cpu: cpus()[0]?.model ?? "?", cores: cpus().length, kernel: release(), memTotalMb: Math.round(Number(/MemTotal:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"))?.[1] ?? 0) / 1024) },
    versions: {
      bun: Bun.version,
      ours: readVersion(oursBin),
      oursBinaryMb: Math.round(statSync(oursBin).size / 1e5) / 10,
      oursCommit: readCommit(),
      upstream: readUpstreamVersion(),
    },
    pinning: { enabled: pinning, serverCpu: pinning ? SERVER_CPU : null, loadgenCpu: pinning ? LOADGEN_CPU : null, loadgenAffinity: readAffinity(process.pid), serverAffinity: {} },
    fdLimit: /Max open files\s+(\d+)/.exec(readFileSync("/proc/self/limits", "utf8"))?.[1] ?? "?",
    loadavgStart: loadavg().map((v) => Math.round(v * 100) / 100),
    loadavgEnd: [],
    notes: [],
    durationS: 0,
  },
  start: {},
  idle: {},
  memory: {},
  fanout: {},
  handshake: {},
  health: {},
  slow: {},
  wrongToken: {},
  manyIdle: {},
  manyGateways: {},
  download: readDownload(distBin),
  stopAfterRun: {},
  errors: [],
};

function readVersion(bin: string): string {
  const r = Bun.spawnSync([bin, "--version"]);
  return r.stdout.toString().trim() || "?";
}
function readCommit(): string {
  const r = Bun.spawnSync(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]);
  return r.stdout.toString().trim() || "?";
}
/** Sizes of the binary and of the compressed archives `build.ts --all` writes beside it (absent: not built). */
function readDownload(bin: string): Results["download"] {
  const archives: Record<string, number> = {};
  for (const format of ["tar.xz", "tar.zst", "tar.gz"]) {
    const file = join(ROOT, "dist", `openclaw-linux-x64.${format}`);
    if (existsSync(file)) archives[format] = statSync(file).size;
  }
  return { binaryBytes: statSync(bin).size, archives };
}

function readUpstreamVersion(): string {
  try {
    const dir = process.env.REF_DIR ?? join(process.env.HOME ?? "", ".cache/openclaw-reference");
    return (JSON.parse(readFileSync(join(dir, "node_modules/openclaw/package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
}

/**
 * Runs a key measurement, again (up to twice more; never in quick mode) when other work on the machine used more than 25% of a
 * core meanwhile; keeps the least disturbed attempt.
 */
async function keyRun<T extends { otherCpuPct: number }>(label: string, fn: () => Promise<T>): Promise<T> {
  let best: T | undefined;
  const attempts = quick ? 1 : 3;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const run = await fn();
    if (!best || run.otherCpuPct < best.otherCpuPct) best = run;
    if (run.otherCpuPct <= 25) break;
    log(`  ${label}: other work used ${run.otherCpuPct}% of a core during the run${attempt < attempts ? "; repeating" : "; keeping the least disturbed attempt"}`);
    results.meta.notes.push(`${label}: attempt ${attempt} disturbed (other CPU ${run.otherCpuPct}%)`);
    await waitMachineQuiet(15, 15_000);
  }
  return best as T;
}

/** Rotates `kinds` by `r` so each kind goes first in turn. */
const rotate = <T>(list: T[], r: number): T[] => list.map((_, i) => list[(i + r) % list.length]);

// --- scenario 1: start to first hello-ok (servers started and stopped per run) ---
if (wanted.has(1)) {
  log(`scenario 1: start → hello-ok (${CFG.startRounds} round(s); runs per round ${JSON.stringify(CFG.startRuns)})`);
  const runs = Object.fromEntries(kinds.map((k) => [k, CFG.startRuns[k]])) as Record<ServerKind, number>;
  for (let r = 0; r < CFG.startRounds; r++) {
    const round = await runStartRound(src, runs, log, quick ? { windowMs: 100, timeoutMs: 300 } : { windowMs: 500, timeoutMs: 10_000 });
    for (const k of kinds) {
      const entry = (results.start[k] ??= { rounds: [], rssAtHelloKb: [], stopMs: [] });
      if (round.samplesMs[k]) entry.rounds.push({ samplesMs: round.samplesMs[k] as number[], medianMs: round.medianMs[k] as number });
      entry.rssAtHelloKb.push(...(round.rssAtHelloKb[k] ?? []));
      (entry.stopMs ??= []).push(...(round.stopMs[k] ?? []));
    }
    results.errors.push(...round.errors.map((e) => `start: ${e}`));
  }
}

// --- scenario 9: N idle gateways on one host (before the long-running instances, on a quiet machine) ---
if (wanted.has(9)) {
  log(`scenario 9: ${CFG.gatewayCount} idle instances of each kind`);
  for (const kind of kinds) {
    await waitMachineQuiet(15, quick ? 300 : 15_000, quick ? 100 : 500);
    try {
      const r = await runManyGateways(kind, src, CFG.gatewayCount, CFG.idleWaitMs, log);
      results.manyGateways[kind] = r;
      results.errors.push(...r.errors.map((e) => `gateways ${kind}: ${e}`));
    } catch (err) {
      results.errors.push(`gateways ${kind}: ${(err as Error).message}`);
    }
  }
}

// --- long-running instances for scenarios 2–8 ---
const servers = new Map<ServerKind, RunningServer>();
async function ensureServer(kind: ServerKind, why: string): Promise<RunningServer | undefined> {
  const cur = servers.get(kind);
  if (cur?.alive()) return cur;
  if (cur) {
    results.meta.notes.push(`${kind} server was found dead ${why}; restarted`);
    log(`WARNING: ${kind} server died (${why}); restarting`);
  }
  try {
    const s = await startServer(kind, src);
    servers.set(kind, s);
    results.meta.pinning.serverAffinity[kind] = readAffinity(s.pid);
    return s;
  } catch (err) {
    results.errors.push(`${kind}: could not start (${why}): ${(err as Error).message}`);
    log(`ERROR: ${kind} did not start: ${(err as Error).message}`);
    return undefined;
  }
}

/** Runs `fn` against each kind in rotated order; errors are recorded, not thrown. */
async function eachServer(name: string, round: number, fn: (s: RunningServer) => Promise<void>): Promise<void> {
  for (const kind of rotate(kinds, round)) {
    const s = await ensureServer(kind, `before ${name}`);
    if (!s) continue;
    const other = await waitMachineQuiet(15, quick ? 300 : 15_000, quick ? 100 : 500);
    if (other > 15) log(`  (machine still busy before ${name} ${kind}: other ${other}% of a core)`);
    try {
      await fn(s);
    } catch (err) {
      results.errors.push(`${name} ${kind}: ${(err as Error).message}`);
      log(`ERROR: ${name} ${kind}: ${(err as Error).message}`);
    }
    if (!s.alive()) {
      results.meta.notes.push(`${kind} server exited during ${name}`);
      log(`WARNING: ${kind} exited during ${name}`);
    }
  }
}

const needServers = [2, 3, 4, 5, 6, 7, 8].some((n) => wanted.has(n));
try {
  if (needServers) {
    log("starting long-running instances");
    for (const k of kinds) {
      const s = await ensureServer(k, "at start");
      if (s) log(`  ${k}: pid ${s.pid}, port ${s.port}, up in ${Math.round(s.startMs)} ms, affinity ${readAffinity(s.pid)}`);
    }
    // In quick mode the upstream's one start sample is this instance's start.
    const up = servers.get("upstream");
    if (quick && wanted.has(1) && up) {
      results.start.upstream = { rounds: [{ samplesMs: [up.startMs], medianMs: up.startMs }], rssAtHelloKb: [up.rssAtHelloKb], stopMs: [] };
      results.meta.notes.push("quick mode: upstream start time is the single start of its long-running instance");
    }
  }

  // --- scenario 2 (idle RSS) ---
  if (wanted.has(2)) {
    const lastReady = Math.max(...[...servers.values()].map((s) => s.readyAt));
    const wait = lastReady + CFG.idleWaitMs - performance.now();
    if (wait > 0) await Bun.sleep(wait);
    for (const [k, s] of servers) {
      // Only the upstream runs in its own process group (setsid); for the others the group is ours.
      results.idle[k] = { rssKb: readRssKb(s.pid) ?? Number.NaN, groupRssKb: k === "upstream" ? groupRssKb(s.pid) : Number.NaN, secondsAfterHello: Math.round((performance.now() - s.readyAt) / 100) / 10, rssAtHelloKb: s.rssAtHelloKb, ...readRssSplitKb(s.pid) };
      log(`scenario 2: idle RSS ${k}: ${results.idle[k].rssKb} KiB${k === "upstream" ? ` (process group ${results.idle[k].groupRssKb} KiB)` : ""}`);
    }
  }

  // --- scenarios 2 (per-connection RSS) + 5 (fan-out) on the same idle connections ---
  if (wanted.has(2) || wanted.has(5)) {
    log(`scenarios 2+5: ${CFG.idleCount} idle connections × ${CFG.memoryCycles} cycle(s); ${CFG.fanoutTrials} fan-out trials on the last`);
    const cycles: Partial<Record<ServerKind, ConnMemory[]>> = {};
    for (let c = 0; c < CFG.memoryCycles; c++) {
      const last = c === CFG.memoryCycles - 1;
      await eachServer("memory+fanout", c, async (s) => {
        const { memory, fanout } = await runMemoryAndFanout(s, { count: CFG.idleCount, trials: last && wanted.has(5) ? CFG.fanoutTrials : 0, settleMs: CFG.settleMs, log });
        (cycles[s.kind] ??= []).push(memory);
        if (fanout) results.fanout[s.kind] = fanout;
      });
    }
    for (const [k, list] of Object.entries(cycles)) results.memory[k] = { cycles: list, count: CFG.idleCount, perConnKb: spread(list.map((m) => m.perConnKb)), connectMs: spread(list.map((m) => m.connectMs)) };
  }

  // --- scenario 8: many idle clients (time to connect them all, RSS per 1 000) ---
  if (wanted.has(8)) {
    // Not the upstream: it broadcasts health to everyone on every connect (N²/2 events: ~12.5 M for 5 000).
    log(`scenario 8: ${CFG.manyIdleCount} idle connections (ours and limit)`);
    await eachServer("many-idle", 0, async (s) => {
      if (s.kind === "upstream") return;
      const { memory } = await runMemoryAndFanout(s, { count: CFG.manyIdleCount, trials: 0, settleMs: CFG.settleMs, log });
      results.manyIdle[s.kind] = memory;
    });
  }

  // --- scenario 3: handshake rate ---
  if (wanted.has(3)) {
    log(`scenario 3: handshakes at concurrency ${CFG.handshakeConcurrency}, ${CFG.handshakeMs} ms × ${CFG.keyRounds} round(s)`);
    const runs: Partial<Record<ServerKind, HandshakeRun[]>> = {};
    for (let r = 0; r < CFG.keyRounds; r++) {
      await eachServer("handshake", r, async (s) => {
        const run = await keyRun(`handshake ${s.kind} r${r + 1}`, () => runHandshake(s, CFG.handshakeConcurrency, CFG.handshakeMs));
        (runs[s.kind] ??= []).push(run);
        log(`  ${s.kind} r${r + 1}: ${Math.round(run.perSecond)}/s (p50 ${run.latencyMs.p50.toFixed(1)} p99 ${run.latencyMs.p99.toFixed(1)} ms, failed ${run.failed}; cpu server ${run.serverCpuPct}% loadgen ${run.loadgenCpuPct}% other ${run.otherCpuPct}%)`);
      });
    }
    for (const [k, list] of Object.entries(runs)) results.handshake[k] = { runs: list, perSecond: spread(list.map((x) => x.perSecond)) };
  }

  // --- scenario 4: health throughput ---
  if (wanted.has(4)) {
    log(`scenario 4: health at ${CFG.healthClients.join("/")} clients, ${CFG.healthMs} ms × ${CFG.keyRounds} round(s)`);
    for (const n of CFG.healthClients) {
      const runs: Partial<Record<ServerKind, HealthRun[]>> = {};
      for (let r = 0; r < CFG.keyRounds; r++) {
        await eachServer(`health@${n}`, r, async (s) => {
          const run = await keyRun(`health@${n} ${s.kind} r${r + 1}`, () => runHealth(s, n, CFG.healthMs, quick ? 150 : 300));
          (runs[s.kind] ??= []).push(run);
          log(`  ${s.kind} @${n} r${r + 1}: ${Math.round(run.perSecond)} rps (p50 ${run.latencyMs.p50.toFixed(2)} p99 ${run.latencyMs.p99.toFixed(2)} ms; cpu server ${run.serverCpuPct}% loadgen ${run.loadgenCpuPct}% other ${run.otherCpuPct}%)`);
        });
      }
      const byKind: Results["health"][string] = {};
      for (const [k, list] of Object.entries(runs)) {
        byKind[k] = { runs: list, perSecond: spread(list.map((x) => x.perSecond)), p50: spread(list.map((x) => x.latencyMs.p50)), p99: spread(list.map((x) => x.latencyMs.p99)) };
      }
      results.health[String(n)] = byKind;
    }
  }

  // --- scenario 7: wrong-token flood (it leaves 127.0.0.2 locked out on our gateway for 60 s) ---
  if (wanted.has(7)) {
    log(`scenario 7: ${CFG.wrongAttempts} wrong-token connects from 127.0.0.2 (${CFG.wrongConcurrency} at a time) + good client on 127.0.0.1`);
    await eachServer("wrong-token", 0, async (s) => {
      const r = await runWrongToken(s, { attempts: CFG.wrongAttempts, concurrency: CFG.wrongConcurrency, baselineSamples: CFG.wrongBaseline });
      results.wrongToken[s.kind] = r;
      log(`  ${s.kind}: attack ${Math.round(r.attackMs)} ms ${JSON.stringify(r.outcomes)}; good p50 ${r.baselineMs.p50.toFixed(1)} → ${r.duringMs.p50.toFixed(1)} ms (p99 ${r.duringMs.p99.toFixed(1)}), failures ${r.goodFailures}, alive ${r.serverAlive}`);
    });
  }
  // --- scenario 6: slow consumer (last: it leaves ~65 presence rows behind for 5 minutes) ---
  if (wanted.has(6)) {
    log(`scenario 6: slow consumer, pump ${CFG.slowMs} ms`);
    await eachServer("slow-consumer", 0, async (s) => {
      const r = await runSlowConsumer(s, CFG.slowMs, CFG.slowTailMs);
      results.slow[s.kind] = r;
      log(`  ${s.kind}: RSS +${Math.round(r.peakDeltaKb / 1024)} MiB peak (${r.rssBeforeKb} → ${r.rssPeakKb} → ${r.rssAfterKb} KiB), pumped ${r.pumpedCalls} calls, closed by server: ${r.closedByServer} ${r.closeCode ?? ""} ${r.closeReason ?? ""}`);
    });
  }

} finally {
  results.stopAfterRun = {};
  for (const s of servers.values()) {
    const ms = await s.stop();
    results.stopAfterRun[s.kind] = Math.round(ms);
    log(`stopped ${s.kind} in ${Math.round(ms)} ms`);
  }
  rmSync(work, { recursive: true, force: true });
}

results.meta.loadavgEnd = loadavg().map((v) => Math.round(v * 100) / 100);
results.meta.durationS = Math.round((Date.now() - began) / 1000);
if (!pinning) results.meta.notes.push("taskset not available or fewer than 2 cores: nothing was pinned");
for (const k of Object.keys(results.start)) {
  const entry = results.start[k];
  entry.medianOfRounds = spread(entry.rounds.map((r) => r.medianMs));
  entry.rssAtHelloMedianKb = median(entry.rssAtHelloKb);
}

writeResult(`${flags.out}.json`, `${JSON.stringify(results, null, 2)}\n`);
writeResult(`${flags.out}.md`, renderMarkdown(results, flags.out));
log(`wrote bench/results/${flags.out}.md and ${flags.out}.json (${results.meta.durationS} s)`);
console.log(`\n${renderMarkdown(results, flags.out)}`);
// Pending bounded waits (close timeouts, frame timeouts) would keep the process alive a few more seconds.
process.exit(results.errors.length > 0 ? 1 : 0);
