/**
 * The results document: the JSON shape written to bench/results/latest.json and its Markdown rendering
 * (bench/results/latest.md): one table with ours, upstream, the ratio, the limit server and the target.
 */
import type { Fanout, ConnMemory } from "./scenarios/memory-fanout.ts";
import type { ManyGateways } from "./scenarios/many-gateways.ts";
import type { HandshakeRun } from "./scenarios/handshake.ts";
import type { HealthRun } from "./scenarios/health.ts";
import type { SlowConsumer } from "./scenarios/slow-consumer.ts";
import type { WrongToken } from "./scenarios/wrong-token.ts";
import { median, round, type Spread } from "./lib/stats.ts";

/** Everything one run measured. Keys of the per-scenario records are server kinds. */
export interface Results {
  meta: {
    date: string;
    quick: boolean;
    kinds: string[];
    config: Record<string, unknown>;
    machine: { cpu: string; cores: number; kernel: string; memTotalMb: number };
    versions: { bun: string; ours: string; oursBinaryMb: number; oursCommit: string; upstream: string };
    pinning: { enabled: boolean; serverCpu: number | null; loadgenCpu: number | null; loadgenAffinity: string; serverAffinity: Record<string, string> };
    fdLimit: string;
    loadavgStart: number[];
    loadavgEnd: number[];
    notes: string[];
    durationS: number;
  };
  start: Record<string, { rounds: { samplesMs: number[]; medianMs: number }[]; rssAtHelloKb: number[]; stopMs?: number[]; medianOfRounds?: Spread; rssAtHelloMedianKb?: number }>;
  idle: Record<string, { rssKb: number; groupRssKb: number; secondsAfterHello: number; rssAtHelloKb: number; anonKb?: number; fileKb?: number }>;
  memory: Record<string, { cycles: ConnMemory[]; count: number; perConnKb: Spread; connectMs: Spread }>;
  fanout: Record<string, Fanout>;
  handshake: Record<string, { runs: HandshakeRun[]; perSecond: Spread }>;
  health: Record<string, Record<string, { runs: HealthRun[]; perSecond: Spread; p50: Spread; p99: Spread }>>;
  slow: Record<string, SlowConsumer>;
  wrongToken: Record<string, WrongToken>;
  /** Scenario 8: many idle clients on the long-running instance. */
  manyIdle: Record<string, ConnMemory>;
  /** Scenario 9: N idle instances at once. */
  manyGateways: Record<string, ManyGateways>;
  /** Our binary and the compressed archives beside it (bytes; archives only when `build.ts --all` ran). */
  download?: { binaryBytes: number; archives: Record<string, number> };
  /** SIGTERM → exit of the long-running instances at the end, ms. */
  stopAfterRun?: Record<string, number>;
  errors: string[];
}

type Row = [scenario: string, metric: string, ours: string, upstream: string, ratio: string, limit: string, target: string, status: string];

const fmt = (v: number | undefined, unit = ""): string => (v === undefined || !Number.isFinite(v) ? "—" : `${round(v).toLocaleString("en-US")}${unit}`);
const fmtSpread = (s: Spread | undefined, unit = ""): string => {
  if (!s || s.n === 0) return "—";
  if (s.n === 1) return fmt(s.median, unit);
  return `${fmt(s.median, unit)} (${fmt(s.min)}–${fmt(s.max)})`;
};
const mib = (kb: number | undefined) => (kb === undefined ? undefined : kb / 1024);

/** "12× better" where `better` is ours vs upstream (>1 means ours wins). */
function ratio(better: number | undefined, word: string): string {
  if (better === undefined || !Number.isFinite(better) || better <= 0) return "—";
  return better >= 1 ? `${fmt(better)}× ${word}` : `${fmt(1 / better)}× worse`;
}

function status(ok: boolean | undefined): string {
  return ok === undefined ? "n/a" : ok ? "met" : "**missed**";
}

/** Renders the Markdown report. */
export function renderMarkdown(r: Results, name = "latest"): string {
  const m = r.meta;
  const rows: Row[] = [];

  // 1. start
  const st = (k: string) => (r.start[k]?.medianOfRounds?.n ? r.start[k].medianOfRounds : undefined);
  const startRatio = st("ours") && st("upstream") ? (st("upstream") as Spread).median / (st("ours") as Spread).median : undefined;
  const startRuns = (k: string) => r.start[k]?.rounds.map((x) => x.samplesMs.length).join("+") ?? "0";
  rows.push([
    "1 start → first hello-ok",
    `ms, median of runs (min–max of ${r.start.ours?.rounds.length ?? 0} rounds); runs: ours ${startRuns("ours")}, upstream ${startRuns("upstream")}, limit ${startRuns("limit")}`,
    fmtSpread(st("ours"), " ms"),
    fmtSpread(st("upstream"), " ms"),
    ratio(startRatio, "faster"),
    fmtSpread(st("limit"), " ms"),
    "≥ 20× faster",
    status(startRatio === undefined ? undefined : startRatio >= 20),
  ]);

  // 2. memory
  const idle = (k: string) => r.idle[k]?.rssKb;
  const idleRatio = idle("ours") && idle("upstream") ? (idle("upstream") as number) / (idle("ours") as number) : undefined;
  rows.push([
    "2 idle RSS after start",
    `MiB, VmRSS of the serving process ~${fmt(r.idle.ours?.secondsAfterHello)} s after first hello-ok (upstream process group incl. wrapper: ${fmt(mib(r.idle.upstream?.groupRssKb))} MiB)`,
    fmt(mib(idle("ours")), " MiB"),
    fmt(mib(idle("upstream")), " MiB"),
    ratio(idleRatio, "smaller"),
    fmt(mib(idle("limit")), " MiB"),
    "≤ 1/5 of upstream",
    status(idleRatio === undefined ? undefined : idleRatio >= 5),
  ]);
  const per = (k: string) => (r.memory[k]?.perConnKb.n ? r.memory[k].perConnKb : undefined);
  // Below ~5 MiB for all N connections a server's RSS delta is inside its own GC/allocator noise (the
  // upstream's V8 heap often absorbs 1 000 connections without growing): no ratio can be read from it.
  const resolvable = (k: string) => per(k) !== undefined && per(k)!.median * (r.memory[k]?.count ?? 0) >= 5 * 1024;
  const perRatio = resolvable("ours") && resolvable("upstream") ? per("upstream")!.median / per("ours")!.median : undefined;
  const perStatus = per("ours") && per("upstream") && !resolvable("upstream") ? "inconclusive (upstream RSS did not move; see README)" : status(perRatio === undefined ? undefined : perRatio >= 3);
  rows.push([
    "2 RSS per idle connection",
    `KiB, (RSS after − before) / ${r.memory.ours?.count ?? "N"} authenticated idle connections, ${fmt(((r.meta.config.settleMs as number) ?? 2000) / 1000)} s after the last hello-ok; median (min–max) of ${r.memory.ours?.cycles.length ?? 0} connect/close cycles`,
    fmtSpread(per("ours"), " KiB"),
    fmtSpread(per("upstream"), " KiB"),
    ratio(perRatio, "smaller"),
    fmtSpread(per("limit"), " KiB"),
    "≤ 1/3 of upstream",
    perStatus,
  ]);
  const conn = (k: string) => (r.memory[k]?.connectMs.n ? r.memory[k].connectMs : undefined);
  rows.push([
    "2 (setup) connect the idle clients",
    `ms to authenticate ${r.memory.ours?.count ?? "N"} clients, 50 in flight, median (min–max) (info)`,
    fmtSpread(conn("ours"), " ms"),
    fmtSpread(conn("upstream"), " ms"),
    ratio(conn("ours") && conn("upstream") ? conn("upstream")!.median / conn("ours")!.median : undefined, "faster"),
    fmtSpread(conn("limit"), " ms"),
    "—",
    "",
  ]);

  // 3. handshakes
  const hs = (k: string) => (r.handshake[k]?.perSecond.n ? r.handshake[k].perSecond : undefined);
  const hsRatio = hs("ours") && hs("upstream") ? (hs("ours") as Spread).median / (hs("upstream") as Spread).median : undefined;
  rows.push(["3 handshake rate", "connect+hello-ok per s at concurrency 50, median (min–max)", fmtSpread(hs("ours"), "/s"), fmtSpread(hs("upstream"), "/s"), ratio(hsRatio, "more"), fmtSpread(hs("limit"), "/s"), "—", ""]);
  const hsLat = (k: string) => {
    const runs = r.handshake[k]?.runs;
    return runs?.length ? `${fmt(median(runs.map((x) => x.latencyMs.p50)))} / ${fmt(median(runs.map((x) => x.latencyMs.p99)))} ms` : "—";
  };
  rows.push(["3 handshake latency", "p50 / p99 ms (median of rounds)", hsLat("ours"), hsLat("upstream"), "", hsLat("limit"), "—", ""]);

  // 4. health
  for (const [n, byKind] of Object.entries(r.health)) {
    const tp = (k: string) => (byKind[k]?.perSecond.n ? byKind[k].perSecond : undefined);
    const tpRatio = tp("ours") && tp("upstream") ? (tp("ours") as Spread).median / (tp("upstream") as Spread).median : undefined;
    const ofLimit = tp("ours") && tp("limit") ? (tp("ours") as Spread).median / (tp("limit") as Spread).median : undefined;
    const ok = tpRatio === undefined || ofLimit === undefined ? undefined : tpRatio >= 3 && ofLimit >= 0.7;
    rows.push([
      `4 health throughput @${n}`,
      `requests/s, ${n} client(s) in closed loop, median (min–max); ours = ${ofLimit === undefined ? "—" : `${Math.round(ofLimit * 100)}%`} of limit; limit = ${tp("limit") && tp("upstream") ? fmt((tp("limit") as Spread).median / (tp("upstream") as Spread).median) : "—"}× upstream`,
      fmtSpread(tp("ours"), "/s"),
      fmtSpread(tp("upstream"), "/s"),
      ratio(tpRatio, "more"),
      fmtSpread(tp("limit"), "/s"),
      "≥ 3× upstream and ≥ 70% of limit",
      status(ok),
    ]);
    const lat = (k: string) => (byKind[k] ? `${fmt(byKind[k].p50.median)} / ${fmt(byKind[k].p99.median)} ms` : "—");
    const p99Ratio = byKind.ours && byKind.upstream ? byKind.upstream.p99.median / byKind.ours.p99.median : undefined;
    rows.push([`4 health latency @${n}`, "p50 / p99 ms (median of rounds)", lat("ours"), lat("upstream"), ratio(p99Ratio, "lower p99"), lat("limit"), "—", ""]);
  }

  // 5. fan-out
  const fo = (k: string) => r.fanout[k];
  const foCell = (k: string) => (fo(k) ? `${fmt(fo(k).p50)} / ${fmt(fo(k).p99)} / ${fmt(fo(k).max)} ms${fo(k).missing ? ` (${fo(k).missing} missing)` : ""}` : "—");
  const foRatio = fo("ours") && fo("upstream") ? fo("upstream").p99 / fo("ours").p99 : undefined;
  rows.push([
    "5 broadcast fan-out",
    `system-event → presence at ${fo("ours")?.receivers ?? "N"} clients: p50 / p99 / max ms (median of ${fo("ours")?.trials.length ?? 0} trials)`,
    foCell("ours"),
    foCell("upstream"),
    ratio(foRatio, "lower p99"),
    foCell("limit"),
    "p99 ≤ 1/3 of upstream",
    status(foRatio === undefined ? undefined : foRatio >= 3),
  ]);

  // 6. slow consumer
  const sc = (k: string) => r.slow[k];
  const scCell = (k: string) => {
    const s = sc(k);
    if (!s) return "—";
    return `+${fmt(mib(s.peakDeltaKb))} MiB peak; ${s.closedByServer ? `closed${s.closeCode ? ` ${s.closeCode} "${s.closeReason}"` : " (EOF)"}` : "NOT closed"}`;
  };
  rows.push(["6 slow consumer", `peak RSS delta while a non-reading client is sent presence + health events for ${fmt(sc("ours")?.durationMs)} ms; did the server close it?`, scCell("ours"), scCell("upstream"), "", scCell("limit"), "bounded", status(sc("ours") ? sc("ours").closedByServer && sc("ours").peakDeltaKb < 64 * 1024 : undefined)]);

  // 7. wrong token
  const wt = (k: string) => r.wrongToken[k];
  const wtCell = (k: string) => {
    const w = wt(k);
    if (!w) return "—";
    return `${fmt(w.duringMs.p50)} / ${fmt(w.duringMs.p99)} ms (baseline ${fmt(w.baselineMs.p50)} / ${fmt(w.baselineMs.p99)}); ${w.goodFailures} good failures; ${w.serverAlive && w.healthyAfter ? "up" : "DOWN"}`;
  };
  rows.push(["7 1 000 wrong-token connects", `good client connect+health p50 / p99 during the attack (from ${wt("ours")?.attackerAddress ?? "127.0.0.2"}, ${wt("ours")?.attempts ?? "N"} attempts)`, wtCell("ours"), wtCell("upstream"), "", wtCell("limit"), "stays up", status(wt("ours") ? wt("ours").serverAlive && wt("ours").healthyAfter && wt("ours").goodFailures === 0 : undefined)]);

  const out: string[] = [];
  const limitRows = limitTable(r);
  out.push(`# Gateway benchmark: ours vs upstream (${name === "latest" ? "latest run" : name})`, "");
  out.push(`- Date: ${m.date}; mode: ${m.quick ? "**quick** (small counts, one round; not for conclusions)" : "full"}; took ${m.durationS} s`);
  out.push(`- Machine: ${m.machine.cores} × ${m.machine.cpu}, Linux ${m.machine.kernel}, ${m.machine.memTotalMb} MiB RAM; fd limit ${m.fdLimit}`);
  out.push(`- Ours: openclaw ${m.versions.ours} (repo HEAD ${m.versions.oursCommit}; compiled binary ${m.versions.oursBinaryMb} MB, Bun ${m.versions.bun}); upstream: openclaw@${m.versions.upstream} on its bundled Node 22; limit: bench/limit-server.ts on Bun ${m.versions.bun}`);
  out.push(
    m.pinning.enabled
      ? `- Pinning: servers on core ${m.pinning.serverCpu} (measured affinity: ${Object.entries(m.pinning.serverAffinity).map(([k, v]) => `${k} ${v}`).join(", ")}), load generator on core ${m.pinning.loadgenCpu} (affinity ${m.pinning.loadgenAffinity}), via taskset`
      : "- Pinning: **off** (taskset missing or one core)",
  );
  out.push(`- Load average at start ${m.loadavgStart.join(" ")}, at end ${m.loadavgEnd.join(" ")} (other work on the machine shows up here)`);
  out.push("- Ratio column: how much better ours is than upstream (values below 1 would read \"× worse\"). Cells with three numbers: median (min–max) over repeated rounds.", "");
  out.push("| scenario | metric | ours | upstream | ours vs upstream | limit (bare Bun.serve) | target | status |");
  out.push("|---|---|---|---|---|---|---|---|");
  for (const row of rows) out.push(`| ${row.join(" | ")} |`);
  out.push("");

  out.push("## Against the limit (bare Bun.serve, same sitting)", "");
  out.push("Ours / limit: for times and memory lower is better (1× = as good as the bare server); for rates it is the share of the limit's rate.", "");
  out.push("| figure | ours | limit | upstream | ours / limit | goal | status |", "|---|---|---|---|---|---|---|");
  for (const row of limitRows) out.push(`| ${row.join(" | ")} |`);
  out.push("");

  // Headroom: CPU use of server and load generator in the throughput scenarios.
  out.push("## Who is the bottleneck (CPU % of one core during the measured window, median of rounds)", "");
  out.push("Server (core 0) / load generator (core 1) / everything else on the machine (other people's jobs; should be ~0).", "");
  out.push("| scenario | ours | upstream | limit |", "|---|---|---|---|");
  const cpuCell = (runs: { serverCpuPct: number; loadgenCpuPct: number; otherCpuPct?: number }[] | undefined) =>
    runs?.length
      ? `${Math.round(median(runs.map((x) => x.serverCpuPct)))}% / ${Math.round(median(runs.map((x) => x.loadgenCpuPct)))}% / ${Math.round(median(runs.map((x) => x.otherCpuPct ?? Number.NaN)))}%`
      : "—";
  out.push(`| 3 handshakes @50 | ${cpuCell(r.handshake.ours?.runs)} | ${cpuCell(r.handshake.upstream?.runs)} | ${cpuCell(r.handshake.limit?.runs)} |`);
  for (const [n, byKind] of Object.entries(r.health)) out.push(`| 4 health @${n} | ${cpuCell(byKind.ours?.runs)} | ${cpuCell(byKind.upstream?.runs)} | ${cpuCell(byKind.limit?.runs)} |`);
  out.push("");

  out.push("## Details", "");
  const idleLine = (k: string) => {
    const i = r.idle[k];
    if (!i) return undefined;
    const split = i.anonKb !== undefined && i.fileKb !== undefined ? ` (anonymous ${fmt(mib(i.anonKb))} + file-backed ${fmt(mib(i.fileKb))})` : "";
    return `${k} ${fmt(mib(i.rssAtHelloKb))} MiB at first hello-ok → ${fmt(mib(i.rssKb))} MiB${split}`;
  };
  out.push(`- Idle RSS: ${["ours", "upstream", "limit"].map(idleLine).filter(Boolean).join("; ")}.`);
  const startRss = (k: string) => (r.start[k]?.rssAtHelloMedianKb ? `${k} ${fmt(mib(r.start[k].rssAtHelloMedianKb))} MiB` : undefined);
  const sr = ["ours", "upstream", "limit"].map(startRss).filter(Boolean);
  if (sr.length) out.push(`- RSS at the moment of first hello-ok, median over the scenario-1 starts: ${sr.join("; ")}.`);
  const stopLine = (k: string) => (r.start[k]?.stopMs?.length ? `${k} ${fmt(median(r.start[k].stopMs as number[]))} ms (max ${fmt(Math.max(...(r.start[k].stopMs as number[])))})` : undefined);
  const stops = ["ours", "upstream", "limit"].map(stopLine).filter(Boolean);
  if (stops.length) out.push(`- SIGTERM → process exit right after each scenario-1 start (no clients connected), median: ${stops.join("; ")}.`);
  const after = Object.entries(r.stopAfterRun ?? {}).map(([k, ms]) => `${k} ${fmt(ms)} ms`);
  if (after.length) out.push(`- SIGTERM → process exit of the long-running instances at the end of the run: ${after.join("; ")}.`);
  for (const k of Object.keys(r.memory)) {
    const first = r.memory[k].cycles[0];
    if (!first) continue;
    const ev = Object.entries(first.eventsDuringSetup).map(([e, c]) => `${e} ${c.toLocaleString("en-US")}`).join(", ");
    const cyc = r.memory[k].cycles.map((c) => `${fmt(mib(c.beforeKb))} → ${fmt(mib(c.afterKb))}`).join("; ");
    out.push(`- Idle connections, ${k}: RSS MiB before → after per cycle: ${cyc}. Events the ${r.memory[k].count} clients received while connecting (first cycle): ${ev || "none"}.`);
  }
  for (const k of Object.keys(r.fanout)) out.push(`- Fan-out ${k}: system-event RPC answered in ${fmt(median(r.fanout[k].trials.map((t) => t.rpcMs)))} ms (median).`);
  for (const k of Object.keys(r.slow)) {
    const s = r.slow[k];
    out.push(`- Slow consumer ${k}: RSS ${fmt(mib(s.rssBeforeKb))} → peak ${fmt(mib(s.rssPeakKb))} → ${fmt(mib(s.rssAfterKb))} MiB ${fmt(s.tailMs / 1000)} s after the pump stopped; ${s.pumpedCalls.toLocaleString("en-US")} requests pumped (system-event/health); the slow client read ${fmt(s.bytesDrained / 1e6)} MB in total; server alive: ${s.serverAlive}.`);
  }
  for (const k of Object.keys(r.wrongToken)) {
    const w = r.wrongToken[k];
    const oc = Object.entries(w.outcomes).map(([o, c]) => `${o}: ${c}`).join(", ");
    out.push(`- Wrong-token ${k}: ${w.attempts} attempts in ${fmt(w.attackMs)} ms; answers: ${oc}; good client ${w.duringMs.n} rounds during the attack, ${w.goodFailures} failed${w.goodFirstError ? ` (first: ${w.goodFirstError})` : ""}.`);
  }
  if (m.notes.length) out.push("", "## Notes", "", ...m.notes.map((n) => `- ${n}`));
  if (r.errors.length) out.push("", "## Errors", "", ...r.errors.map((e) => `- ${e}`));
  out.push("", `Raw numbers: \`bench/results/${name}.json\`. How to run and what each scenario means: \`bench/README.md\`.`, "");
  return out.join("\n");
}

type LimitRow = [figure: string, ours: string, limit: string, upstream: string, ratio: string, goal: string, status: string];

/** The rows of the "against the limit" table (issue 23's figures), each with ours / limit and its goal. */
function limitTable(r: Results): LimitRow[] {
  const rows: LimitRow[] = [];
  const times = (o: number | undefined, l: number | undefined) => (o !== undefined && l !== undefined && l > 0 ? o / l : undefined);
  const x = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? "—" : `${fmt(v)}×`);
  const pct = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? "—" : `${Math.round(v * 100)} %`);
  const at = (v: number | undefined, goal: number, higher = false) => status(v === undefined || !Number.isFinite(v) ? undefined : higher ? v >= goal : v <= goal);

  const st = (k: string) => r.start[k]?.medianOfRounds?.median;
  const sv = times(st("ours"), st("limit"));
  rows.push(["start → first hello-ok", fmt(st("ours"), " ms"), fmt(st("limit"), " ms"), fmt(st("upstream"), " ms"), x(sv), "≤ 1.5×", at(sv, 1.5)]);

  const idle = (k: string) => mib(r.idle[k]?.rssKb);
  const iv = times(idle("ours"), idle("limit"));
  const split = (k: string) => (r.idle[k]?.anonKb !== undefined ? ` (${fmt(mib(r.idle[k].anonKb))} anon + ${fmt(mib(r.idle[k].fileKb))} file)` : "");
  rows.push(["idle RSS", `${fmt(idle("ours"), " MiB")}${split("ours")}`, `${fmt(idle("limit"), " MiB")}${split("limit")}`, fmt(idle("upstream"), " MiB"), x(iv), "≤ 1.3×", at(iv, 1.3)]);

  const hs = (k: string) => (r.handshake[k]?.perSecond.n ? r.handshake[k].perSecond.median : undefined);
  const hv = times(hs("ours"), hs("limit"));
  rows.push(["handshakes/s at concurrency 50", fmt(hs("ours"), "/s"), fmt(hs("limit"), "/s"), fmt(hs("upstream"), "/s"), pct(hv), "≥ 75 %", at(hv, 0.75, true)]);

  const fo = (k: string) => r.fanout[k]?.p99;
  const fv = times(fo("ours"), fo("limit"));
  rows.push([`fan-out to ${r.fanout.ours?.receivers ?? "N"} clients, p99`, fmt(fo("ours"), " ms"), fmt(fo("limit"), " ms"), fmt(fo("upstream"), " ms"), x(fv), "≤ 1.15×", at(fv, 1.15)]);

  const rpc = (k: string) => (r.fanout[k]?.trials.length ? median(r.fanout[k].trials.map((t) => t.rpcMs)) : undefined);
  const rv = times(rpc("ours"), rpc("limit"));
  rows.push(["the `system-event` RPC that triggers the fan-out, answered in (median)", fmt(rpc("ours"), " ms"), fmt(rpc("limit"), " ms"), fmt(rpc("upstream"), " ms"), x(rv), "≤ 2×", at(rv, 2)]);

  const mi = (k: string) => r.manyIdle[k];
  const mv = times(mi("ours")?.connectMs, mi("limit")?.connectMs);
  const n = mi("ours")?.count ?? "N";
  rows.push([`${n} idle clients connect (50 in flight)`, fmt(mi("ours")?.connectMs, " ms"), fmt(mi("limit")?.connectMs, " ms"), fmt(mi("upstream")?.connectMs, " ms"), x(mv), "≤ 1.2×", at(mv, 1.2)]);
  const per1000 = (k: string) => (mi(k) ? (mi(k).perConnKb * 1000) / 1024 : undefined);
  rows.push([`RSS per 1 000 idle clients (at ${n})`, fmt(per1000("ours"), " MiB"), fmt(per1000("limit"), " MiB"), fmt(per1000("upstream"), " MiB"), x(times(per1000("ours"), per1000("limit"))), "≤ 6 MiB", at(per1000("ours"), 6)]);

  const mg = (k: string) => r.manyGateways[k];
  const mgCell = (k: string) => (mg(k) ? `${fmt(mib(mg(k).pssTotalKb), " MiB")} PSS (${fmt(mib(mg(k).rssTotalKb), " MiB")} RSS)${mg(k).started < mg(k).count ? `, ${mg(k).started} started` : ""}` : "—");
  const gv = times(mg("ours")?.pssTotalKb, mg("limit")?.pssTotalKb);
  rows.push([`${mg("ours")?.count ?? "N"} idle gateways on one host, total`, mgCell("ours"), mgCell("limit"), mgCell("upstream"), x(gv), "info", ""]);

  const dl = r.download;
  const binMiB = dl ? dl.binaryBytes / 2 ** 20 : undefined;
  rows.push(["release binary linux-x64", fmt(binMiB, " MiB"), "—", "—", "—", "≤ 120 MiB", at(binMiB, 120)]);
  const archives = Object.entries(dl?.archives ?? {}).sort((a, b) => a[1] - b[1]);
  const smallest = archives[0];
  rows.push([
    "download (what install.sh fetches: the smallest archive its host can unpack)",
    archives.length ? archives.map(([f, b]) => `${f} ${fmt(b / 1e6)} MB`).join(", ") : "not built in this run (`bun run build.ts --all`)",
    "—",
    "—",
    "—",
    "≤ 45 MB",
    at(smallest ? smallest[1] / 1e6 : undefined, 45),
  ]);
  return rows;
}
