/**
 * Profiles our gateway under one benchmark load: runs src/main.ts (not the compiled binary, so function
 * names survive) under `bun --cpu-prof --cpu-prof-md`, pinned to core 0, drives it from core 1, stops it
 * with SIGTERM and leaves the profile in bench/results/profiles/ (`<name>.md` and `<name>.cpuprofile`, which
 * Chrome DevTools opens). Bun's sampler also attributes idle time to the last stack, so read it for
 * saturated loads (handshake, health) only.
 *
 *   bun bench/profile.ts handshake|health|fanout|idle [--clients N] [--ms D]
 *
 * `idle` connects N idle clients (scenarios 2 and 8) and profiles only that.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { connectClient } from "./lib/client.ts";
import { freePort, pinned } from "./lib/proc.ts";
import { pinToLoadgenCpu, RESULTS_DIR, SERVER_CPU } from "./lib/script.ts";
import type { RunningServer } from "./lib/servers.ts";
import { runHandshake } from "./scenarios/handshake.ts";
import { runHealth } from "./scenarios/health.ts";
import { runMemoryAndFanout } from "./scenarios/memory-fanout.ts";

const { values, positionals } = parseArgs({
  args: Bun.argv.slice(2),
  allowPositionals: true,
  options: { clients: { type: "string" }, ms: { type: "string" } },
});
const what = positionals[0] ?? "health";
const pinning = await pinToLoadgenCpu(import.meta.path);

const root = join(import.meta.dir, "..");
const outDir = join(RESULTS_DIR, "profiles");
mkdirSync(outDir, { recursive: true });
const home = mkdtempSync(join(tmpdir(), "openclaw-bench-prof."));
const port = freePort();
const token = crypto.randomUUID().replaceAll("-", "");
const name = `ours-${what}${values.clients ? `-${values.clients}` : ""}`;
const proc = Bun.spawn(
  pinned([process.execPath, "--cpu-prof", "--cpu-prof-md", `--cpu-prof-dir=${outDir}`, `--cpu-prof-name=${name}`, join(root, "src/main.ts"), "--dev", "gateway", "--allow-unconfigured", "--port", String(port), "--token", token], pinning ? SERVER_CPU : undefined),
  { env: { ...process.env, HOME: home }, stdout: "ignore", stderr: "inherit" },
);
const url = `ws://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try {
    (await connectClient({ url, token, id: "cli", mode: "cli" })).close();
    break;
  } catch {
    if (i > 500) throw new Error("gateway did not start");
    await Bun.sleep(20);
  }
}
const s: RunningServer = { kind: "ours", port, url, token, pid: proc.pid, startMs: 0, rssAtHelloKb: 0, readyAt: performance.now(), alive: () => proc.exitCode === null, stop: async () => 0 };
const ms = Number(values.ms ?? 5000);
const clients = Number(values.clients ?? 100);
if (what === "handshake") console.log(await runHandshake(s, clients === 100 ? 50 : clients, ms));
else if (what === "fanout") console.log((await runMemoryAndFanout(s, { count: clients, trials: 20, log: console.log })).fanout);
else if (what === "idle") console.log((await runMemoryAndFanout(s, { count: clients, trials: 0, log: console.log })).memory);
else {
  const r = await runHealth(s, clients, ms);
  console.log({ ...r, runs: undefined });
}
proc.kill("SIGTERM");
await proc.exited;
rmSync(home, { recursive: true, force: true });
console.log(`profiles in ${outDir}:`, readdirSync(outDir).filter((f) => f.startsWith(name)));
process.exit(0);
