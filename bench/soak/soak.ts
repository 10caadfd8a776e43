/**
 * Soak: the compiled gateway under idle connections, RPC load and a slow consumer, for a fixed time.
 *
 *   bun bench/soak/soak.ts [--duration 10m] [--idle 5000] [--rps 100] [--out bench/soak/results.md]
 *
 * - Gateway: a private copy of dist/openclaw in a temp HOME on a free 127.0.0.1 port (browser off).
 * - Idle: `--idle` sockets (50 handshakes in flight) that authenticate and then only drain what the gateway
 *   broadcasts (health, ticks) without parsing it. Client id `cli`, so they add no presence rows.
 * - RPC load: open loop at `--rps` over 10 clients, cycling read methods (status, sessions.list, …), plus
 *   one `health` call every 5 s (which broadcasts a health event to every socket).
 * - Slow consumer: one authenticated socket that never reads but keeps asking for `config.schema` (~24 KB
 *   each, `--slow-rps` per second, default 40; loopback TCP buffers absorb tens of MB first); when the
 *   gateway closes it for not reading (its metrics counter moves), a new one is opened. Closures counted.
 * - Sampled every 5 s from /proc/<pid>: RSS and open fds; /readyz status. Reported: RSS slope after the
 *   warm-up (first quarter, at most 60 s), fd range, p50/p99/max latency and errors per minute.
 * Nothing here is asserted; results go to `--out` (markdown) and stdout. Linux only; loopback only.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { freePort, readCpuMs, readRssKb } from "../lib/proc.ts";
import { percentile } from "../lib/stats.ts";
import { openRawWs, type RawWs } from "../../test/helpers/raw-ws.ts";
import { rawConnect, rawConnectParams, responseTo } from "../../test/security/_helpers.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    duration: { type: "string", default: "10m" },
    idle: { type: "string", default: "5000" },
    rps: { type: "string", default: "100" },
    "slow-rps": { type: "string", default: "40" },
    out: { type: "string", default: "bench/soak/results.md" },
    bin: { type: "string", default: "dist/openclaw" },
  },
});
const DURATION_MS = parseDuration(values.duration!);
const IDLE = Number(values.idle);
const RPS = Number(values.rps);
const SLOW_RPS = Number(values["slow-rps"]);
const TOKEN = `soak-${randomBytes(12).toString("hex")}`;
const SAMPLE_MS = 5000;

// --- start the gateway ---

const work = mkdtempSync(join(tmpdir(), "openclaw-soak-"));
const bin = join(work, "openclaw");
copyFileSync(resolve(values.bin!), bin);
const home = join(work, "home");
mkdirSync(join(home, ".openclaw"), { recursive: true });
const port = freePort();
writeFileSync(
  join(home, ".openclaw", "openclaw.json"),
  JSON.stringify({ gateway: { mode: "local", port, auth: { token: TOKEN } }, browser: { enabled: false }, logging: { level: "warn", file: join(work, "gateway.log") } }),
);
const proc = Bun.spawn([bin, "gateway"], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, TMPDIR: tmpdir() }, cwd: home, stdout: "ignore", stderr: Bun.file(join(work, "gateway.err")) });
const pid = proc.pid;
await waitListening();
console.log(`gateway pid ${pid} on 127.0.0.1:${port}; soak ${values.duration} with ${IDLE} idle sockets, ${RPS} rps`);

// --- sampling ---

interface Sample {
  t: number;
  rssKb: number;
  fds: number;
  cpuMs: number;
  ready: number;
  idleOpen: number;
  slowClosedTotal: number;
}
const samples: Sample[] = [];
const t0 = Date.now();
let phase: "connect" | "soak" = "connect";
let soakStart = 0;
const sampler = setInterval(() => void sample(), SAMPLE_MS);
async function sample(): Promise<void> {
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status).catch(() => 0);
  slowClosedTotal = await readSlowClosed();
  const s = { t: Date.now() - t0, rssKb: readRssKb(pid) ?? 0, fds: countFds(pid), cpuMs: readCpuMs(pid) ?? 0, ready, idleOpen: idle.filter((c) => !c.ended).length, slowClosedTotal };
  samples.push(s);
  console.log(`[${phase}] t=${(s.t / 1000).toFixed(0)}s rss=${(s.rssKb / 1024).toFixed(1)}MiB fds=${s.fds} ready=${s.ready} idle=${s.idleOpen} rpc=${latencies.length} err=${rpcErrors} slowClosed=${slowClosures}`);
}

// --- idle sockets ---

const idle: RawWs[] = [];
const connectStarted = Date.now();
let idleFailed = 0;
{
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= IDLE) return;
      try {
        idle.push(await openIdle(i));
      } catch (err) {
        idleFailed += 1;
        if (idleFailed <= 5) console.log(`idle ${i} failed: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
}
const connectMs = Date.now() - connectStarted;
console.log(`${idle.length} idle sockets connected in ${(connectMs / 1000).toFixed(1)} s (${idleFailed} failed)`);

// --- RPC load and the slow consumer ---

const METHODS: [string, unknown][] = [
  ["status", {}],
  ["sessions.list", {}],
  ["system-presence", {}],
  ["models.list", {}],
  ["last-heartbeat", {}],
  ["chat.history", { sessionKey: "main", limit: 20 }],
  ["agents.list", {}],
  ["node.list", {}],
  ["channels.status", {}],
  ["config.get", {}],
];
const latencies: { minute: number; ms: number }[] = [];
const errorsByMinute = new Map<number, number>();
let rpcErrors = 0;
const rpc: { ws: RawWs; pending: Map<string, number> }[] = [];
for (let i = 0; i < 10; i++) {
  const { ws, res } = await rawConnect({ port }, rawConnectParams({ auth: { token: TOKEN }, client: { id: "cli", version: "soak", platform: "linux", mode: "cli" } }));
  if (!res?.ok) throw new Error(`rpc client connect failed: ${JSON.stringify(res?.error)}`);
  const client = { ws, pending: new Map<string, number>() };
  rpc.push(client);
  void (async () => {
    for (;;) {
      const f = await ws.nextJson(3_600_000);
      if (!f) return;
      if (f.type !== "res") continue;
      const sent = client.pending.get(f.id);
      if (sent === undefined) continue;
      client.pending.delete(f.id);
      const minute = Math.floor((Date.now() - soakStart) / 60_000);
      latencies.push({ minute, ms: performance.now() - sent });
      if (!f.ok) {
        rpcErrors += 1;
        errorsByMinute.set(minute, (errorsByMinute.get(minute) ?? 0) + 1);
      }
    }
  })();
}

let slowClosures = 0;
let slowClosedTotal = 0;
let slow = await openSlow();
let slowBaseline = await readSlowClosed();
let lastSlowCheck = Date.now();
let lastSlowPump = 0;

phase = "soak";
soakStart = Date.now();
let seq = 0;
let timeouts = 0;
const interval = 1000 / RPS;
let nextSend = performance.now();
let lastHealth = 0;
while (Date.now() - soakStart < DURATION_MS) {
  const now = performance.now();
  if (now < nextSend) {
    await Bun.sleep(Math.min(50, nextSend - now));
    continue;
  }
  nextSend += interval;
  const client = rpc[seq % rpc.length]!;
  const [method, params] = Date.now() - lastHealth > 5000 ? (((lastHealth = Date.now()), ["health", {}]) as [string, unknown]) : METHODS[seq % METHODS.length]!;
  const id = `q${seq++}`;
  client.pending.set(id, performance.now());
  client.ws.request(method, params, id);
  // Requests older than 10 s count as errors (and are forgotten).
  if (seq % 100 === 0) {
    for (const c of rpc) {
      for (const [pid2, sent] of c.pending) {
        if (performance.now() - sent > 10_000) {
          c.pending.delete(pid2);
          timeouts += 1;
          rpcErrors += 1;
        }
      }
    }
  }
  if (Date.now() - lastSlowPump >= 1000 / SLOW_RPS) {
    lastSlowPump = Date.now();
    slow.request("config.schema", {}, `slow${seq}`);
  }
  if (Date.now() - lastSlowCheck > 2000) {
    lastSlowCheck = Date.now();
    const closed = await readSlowClosed();
    if (closed > slowBaseline) {
      slowClosures += closed - slowBaseline;
      slow.destroy();
      slow = await openSlow();
      slowBaseline = await readSlowClosed();
    }
  }
}
const soakMs = Date.now() - soakStart;
await Bun.sleep(2000);
clearInterval(sampler);
await sample();

// --- wrap up ---

const idleLost = idle.filter((c) => c.ended).length;
const readyAtEnd = samples.at(-1)?.ready ?? 0;
for (const c of idle) c.destroy();
for (const c of rpc) c.ws.destroy();
slow.destroy();
proc.kill("SIGTERM");
const exitCode = await Promise.race([proc.exited, Bun.sleep(10_000).then(() => "timeout")]);
if (exitCode === "timeout") proc.kill("SIGKILL");

const soakSamples = samples.filter((s) => s.t >= soakStart - t0);
const warmupMs = Math.min(60_000, soakMs / 4);
const steady = soakSamples.filter((s) => s.t >= soakStart - t0 + warmupMs);
const slope = linearSlope(steady.map((s) => [s.t / 60_000, s.rssKb / 1024]));
const minutes = [...new Set(latencies.map((l) => l.minute))].sort((a, b) => a - b);
const perMinute = minutes.map((m) => {
  const ms = latencies.filter((l) => l.minute === m).map((l) => l.ms);
  return { minute: m, n: ms.length, p50: percentile(ms, 50), p99: percentile(ms, 99), max: Math.max(...ms), errors: errorsByMinute.get(m) ?? 0 };
});
const fds = soakSamples.map((s) => s.fds);
const rss = soakSamples.map((s) => s.rssKb / 1024);
const md = [
  `# Soak results (${new Date().toISOString()})`,
  "",
  `\`bun bench/soak/soak.ts --duration ${values.duration} --idle ${IDLE} --rps ${RPS} --slow-rps ${SLOW_RPS}\` against a copy of \`${values.bin}\` on 127.0.0.1, ${process.platform}/${process.arch}, ${navigatorCpus()} CPUs, Bun ${Bun.version}. Load generator and gateway share the machine.`,
  "",
  "## Summary",
  "",
  "| item | value |",
  "|---|---|",
  `| idle sockets connected | ${idle.length} of ${IDLE} in ${(connectMs / 1000).toFixed(1)} s (${idleFailed} failed) |`,
  `| idle sockets lost during the soak | ${idleLost} |`,
  `| soak window | ${(soakMs / 1000).toFixed(0)} s after the connect phase; warm-up ${(warmupMs / 1000).toFixed(0)} s |`,
  `| RPC requests answered | ${latencies.length} (${rpcErrors} errors, ${timeouts} over 10 s) |`,
  `| RSS during soak (MiB) | min ${Math.min(...rss).toFixed(1)}, max ${Math.max(...rss).toFixed(1)}, end ${rss.at(-1)?.toFixed(1)} |`,
  `| RSS slope after warm-up | ${slope.toFixed(2)} MiB/min over ${steady.length} samples |`,
  `| open fds during soak | min ${Math.min(...fds)}, max ${Math.max(...fds)} |`,
  `| slow consumer closed by the gateway | ${slowClosures} time(s) |`,
  `| /readyz at the end | ${readyAtEnd} |`,
  `| gateway exit after SIGTERM | ${String(exitCode)} |`,
  "",
  "## Latency per minute (ms)",
  "",
  "| minute | requests | p50 | p99 | max | errors |",
  "|---|---|---|---|---|---|",
  ...perMinute.map((r) => `| ${r.minute + 1} | ${r.n} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.max.toFixed(1)} | ${r.errors} |`),
  "",
  "## Samples (every 5 s)",
  "",
  "| t (s) | phase | RSS (MiB) | fds | CPU (s) | /readyz | idle open | slow consumers closed |",
  "|---|---|---|---|---|---|---|---|",
  ...samples.map((s) => `| ${(s.t / 1000).toFixed(0)} | ${s.t < soakStart - t0 ? "connect" : "soak"} | ${(s.rssKb / 1024).toFixed(1)} | ${s.fds} | ${(s.cpuMs / 1000).toFixed(1)} | ${s.ready} | ${s.idleOpen} | ${s.slowClosedTotal} |`),
  "",
].join("\n");
writeFileSync(values.out!, md);
console.log(md.split("## Samples")[0]);
rmSync(work, { recursive: true, force: true });
process.exit(0);

// --- helpers ---

function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`bad --duration ${text} (e.g. 90s, 2m, 10m)`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? "s"]!;
}

async function waitListening(): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok).catch(() => false);
    if (ok) return;
    await Bun.sleep(50);
  }
  throw new Error(`gateway did not start: ${readFileSync(join(work, "gateway.err"), "utf8")}`);
}

async function readSlowClosed(): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()).catch(() => "");
  return Number(/^openclaw_slow_consumers_closed_total (\d+)/m.exec(text)?.[1] ?? 0);
}

function countFds(p: number): number {
  try {
    return readdirSync(`/proc/${p}/fd`).length;
  } catch {
    return -1;
  }
}

function navigatorCpus(): number {
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 0;
}

/** Least-squares slope of y over x. */
function linearSlope(points: [number, number][]): number {
  if (points.length < 2) return Number.NaN;
  const n = points.length;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  const num = points.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0);
  const den = points.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

/** Authenticates over a raw socket, then only counts and drops what arrives: an idle client that keeps up with broadcasts. */
async function openIdle(i: number): Promise<RawWs> {
  const deadline = Date.now() + 30_000;
  const ws = await openRawWs({ port, timeoutMs: 30_000 });
  try {
    if (!(await ws.next(Math.max(1, deadline - Date.now())))) throw new Error("no challenge");
    ws.request("connect", rawConnectParams({ auth: { token: TOKEN }, client: { id: "cli", version: "soak", platform: "linux", mode: "cli", instanceId: `idle-${i}` } }), "connect");
    const res = await responseTo(ws, "connect", deadline - Date.now());
    if (!res) throw new Error("no connect response (closed or timed out)");
    if (!res.ok) throw new Error(`connect refused: ${JSON.stringify(res.error).slice(0, 200)}`);
    ws.discardFrames();
    return ws;
  } catch (err) {
    ws.destroy();
    throw err;
  }
}

/** An authenticated socket that stops reading right after hello-ok. */
async function openSlow(): Promise<RawWs> {
  const { ws, res } = await rawConnect({ port }, rawConnectParams({ auth: { token: TOKEN }, client: { id: "test", version: "soak", platform: "linux", mode: "test", instanceId: "slow-consumer" } }));
  if (!res?.ok) {
    ws.destroy();
    throw new Error(`slow consumer connect failed: ${JSON.stringify(res?.error)}`);
  }
  ws.pause();
  return ws;
}
