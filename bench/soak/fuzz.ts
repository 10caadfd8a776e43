/**
 * The long fuzz run: the generators and properties of test/fuzz/, at volume.
 *
 *   bun bench/soak/fuzz.ts --count 1000000 [--seed N] [--out bench/soak/fuzz-results.md]
 *
 * Three targets, each with its own share of `--count`:
 *   frames  (count)       pure: JSON.parse → checkRequestFrame → checkParams → authorize, every method
 *   config  (count / 20)  pure: parseConfigText → resolveGatewaySettings (ConfigError / CliError only)
 *   socket  (count / 100) a real in-process gateway on 127.0.0.1: frames sent after connect, each answered
 * Prints throughput per target and every failure with its seed and index (replay: same seed, same index);
 * exits 1 when anything failed. Bounded: loopback only, the socket phase keeps at most 200 requests in flight.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startGateway } from "../../src/gateway/server.ts";
import { Logger } from "../../src/logging/logger.ts";
import { POLICY } from "../../src/protocol/index.ts";
import { Rng } from "../../test/fuzz/_gen.ts";
import { checkConfigInput, checkFrameInput, DEFAULT_SEED, generateConfigText, generateFrameText } from "../../test/fuzz/_targets.ts";
import { openRawWs, rawConnect, rawConnectParams, type RawWs } from "../../test/security/_helpers.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { count: { type: "string", default: "100000" }, seed: { type: "string" }, out: { type: "string" } },
});
const COUNT = Number(values.count);
const SEED = Number(values.seed ?? process.env.FUZZ_SEED ?? DEFAULT_SEED);
if (!Number.isInteger(COUNT) || COUNT <= 0) throw new Error("--count must be a positive integer");

interface TargetResult {
  name: string;
  inputs: number;
  seconds: number;
  failures: string[];
  outcomes: Record<string, number>;
  slowestMs: number;
}

const results: TargetResult[] = [];
const report = (r: TargetResult) => {
  results.push(r);
  console.log(`${r.name}: ${r.inputs} inputs in ${r.seconds.toFixed(1)} s (${Math.round(r.inputs / r.seconds)}/s), slowest ${r.slowestMs.toFixed(1)} ms, ${r.failures.length} failures ${JSON.stringify(r.outcomes)}`);
  for (const f of r.failures.slice(0, 20)) console.log(`  FAIL ${f}`);
};

// --- pure targets ---

function runPure(name: string, n: number, seed: number, one: (rng: Rng, i: number) => string | undefined): TargetResult {
  const rng = new Rng(seed);
  const outcomes: Record<string, number> = {};
  const failures: string[] = [];
  let slowestMs = 0;
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    let outcome: string | undefined;
    try {
      outcome = one(rng, i);
    } catch (err) {
      failures.push(`${name} seed=${seed} index=${i}: ${(err as Error)?.stack?.split("\n").slice(0, 3).join(" | ") ?? String(err)}`);
      outcome = "failed";
    }
    outcomes[outcome ?? "ok"] = (outcomes[outcome ?? "ok"] ?? 0) + 1;
    slowestMs = Math.max(slowestMs, performance.now() - t);
    if (i > 0 && i % 100_000 === 0) console.log(`  ${name}: ${i}/${n}`);
  }
  return { name, inputs: n, seconds: (performance.now() - started) / 1000, failures, outcomes, slowestMs };
}

report(runPure("frames", COUNT, SEED, (rng, i) => checkFrameInput(generateFrameText(rng, i))));
report(
  runPure("config", Math.max(1, Math.floor(COUNT / 20)), SEED + 1, (rng) => {
    const problem = checkConfigInput(generateConfigText(rng));
    if (problem) throw new Error(problem);
    return "ok";
  }),
);

// --- socket target ---

const WAITERS = new Set(["agent.wait", "web.login.wait", "node.invoke"]);
{
  const n = Math.max(1, Math.floor(COUNT / 100));
  const stateDir = mkdtempSync(join(tmpdir(), "openclaw-fuzz-soak-"));
  const token = "fuzz-soak-token-0123456789abcdef";
  const handle = await startGateway({
    version: "fuzz",
    stateDir,
    loaded: { path: join(stateDir, "openclaw.json"), exists: false, raw: "", hash: "", config: { gateway: { mode: "local", auth: { token } }, browser: { enabled: false }, web: { enabled: false }, canvasHost: { enabled: false } } },
    settings: { port: 0, bind: "loopback", hosts: ["127.0.0.1"], auth: { mode: "token", token } },
    logger: new Logger("gateway", { level: "error", noFile: true, write: () => {} }),
  });
  const rng = new Rng(SEED + 2);
  const failures: string[] = [];
  const outcomes: Record<string, number> = { sent: 0, answered: 0, reconnects: 0 };
  const pending = new Map<string, { sentAt: number; index: number }>();
  let slowestMs = 0;
  let ws: RawWs;
  const connect = async () => {
    const { ws: sock, res } = await rawConnect({ port: handle.port }, rawConnectParams({ auth: { token } }));
    if (!res?.ok) throw new Error(`admin connect failed: ${JSON.stringify(res)}`);
    void (async () => {
      for (;;) {
        const f = await sock.next(600_000);
        if (!f || f.opcode === 8) return;
        if (f.opcode !== 1) continue;
        const frame = JSON.parse(f.text);
        if (frame.type !== "res") continue;
        const p = pending.get(frame.id);
        if (p) {
          slowestMs = Math.max(slowestMs, performance.now() - p.sentAt);
          pending.delete(frame.id);
          outcomes.answered! += 1;
        }
      }
    })();
    return sock;
  };
  ws = await connect();
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    while (pending.size >= 200) await Bun.sleep(1);
    let text = generateFrameText(rng, i);
    let value: any;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (value && WAITERS.has(value.method) && value.params && typeof value.params === "object") {
      value.params.timeoutMs = 50;
      text = JSON.stringify(value);
    }
    // Unique ids so every answer can be matched; what the frame says stays generated.
    if (value && typeof value === "object" && typeof value.id === "string" && value.id) {
      value.id = `s${i}`;
      text = JSON.stringify(value);
      if (Buffer.byteLength(text) <= POLICY.maxPayload) pending.set(`s${i}`, { sentAt: performance.now(), index: i });
    }
    ws.sendText(text);
    outcomes.sent! += 1;
    if (Buffer.byteLength(text) > POLICY.maxPayload || i % 500 === 499) {
      // Oversized frames close the socket by design (1009); check liveness, reconnect when closed.
      const probe = await openRawWs({ port: handle.port }).catch(() => undefined);
      if (!probe) failures.push(`socket seed=${SEED + 2} index=${i}: gateway stopped accepting connections`);
      probe?.destroy();
      if (ws.ended || Buffer.byteLength(text) > POLICY.maxPayload) {
        await Bun.sleep(20);
        if (ws.ended) {
          for (const [id, p] of pending) if (p.index <= i) pending.delete(id);
          ws = await connect();
          outcomes.reconnects! += 1;
        }
      }
    }
  }
  const deadline = Date.now() + 30_000;
  while (pending.size > 0 && Date.now() < deadline) await Bun.sleep(10);
  for (const [id, p] of pending) failures.push(`socket seed=${SEED + 2} index=${p.index}: request ${id} never answered`);
  ws.destroy();
  await handle.stop();
  rmSync(stateDir, { recursive: true, force: true });
  report({ name: "socket", inputs: n, seconds: (performance.now() - started) / 1000, failures, outcomes, slowestMs });
}

const total = results.reduce((s, r) => s + r.failures.length, 0);
const md = [
  `# Fuzz run (${new Date().toISOString()})`,
  "",
  `\`bun bench/soak/fuzz.ts --count ${COUNT} --seed ${SEED}\` on ${process.platform}/${process.arch}, Bun ${Bun.version}.`,
  "",
  "| target | inputs | seconds | inputs/s | slowest input (ms) | failures | outcomes |",
  "|---|---|---|---|---|---|---|",
  ...results.map((r) => `| ${r.name} | ${r.inputs} | ${r.seconds.toFixed(1)} | ${Math.round(r.inputs / r.seconds)} | ${r.slowestMs.toFixed(1)} | ${r.failures.length} | ${Object.entries(r.outcomes).map(([k, v]) => `${k} ${v}`).join(", ")} |`),
  "",
  ...(total > 0 ? ["## Failures", "", ...results.flatMap((r) => r.failures.slice(0, 50).map((f) => `- ${f}`))] : ["No failures."]),
  "",
].join("\n");
if (values.out) writeFileSync(values.out, md);
console.log(total === 0 ? "fuzz: no failures" : `fuzz: ${total} failures`);
process.exit(total === 0 ? 0 : 1);
