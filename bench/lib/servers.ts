/**
 * Starting and stopping the three peers of the benchmark, each with a fresh HOME, on a free loopback port,
 * pinned to the server core:
 * - ours: the compiled `dist/openclaw` (copied aside first, so a parallel rebuild cannot swap it mid-run);
 * - upstream: `/work/shared/tools/reference-gateway.sh start` (a setsid process group; the real server is the
 *   `openclaw-gateway` node child, whose pid we measure);
 * - limit: `bench/limit-server.ts` under the same Bun that runs the benchmark.
 * Start time is spawn → first successful hello-ok, found by retrying a handshake every 10 ms.
 */
import type { BunFile } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectClient } from "./client.ts";
import { freePort, isAlive, listProcessGroup, pinned, readCmdline, readPgid, readProcEnv, readRssKb } from "./proc.ts";

/** Which peer. */
export type ServerKind = "ours" | "upstream" | "limit";

/** Where the peers come from. */
export interface ServerSources {
  /** Our binary (a private copy). */
  oursBin: string;
  /** The reference start script. */
  referenceScript: string;
  /** bench/limit-server.ts. */
  limitScript: string;
  /** CPU to pin servers to (undefined: no pinning). */
  serverCpu?: number;
  /** Extra arguments for the limit server (e.g. `--broadcast loop`). */
  limitArgs?: string[];
}

/** A running peer. */
export interface RunningServer {
  kind: ServerKind;
  port: number;
  url: string;
  token: string;
  /** The process that serves (RSS and CPU are read from it). */
  pid: number;
  /** Spawn → first hello-ok, ms. */
  startMs: number;
  /** VmRSS right after the first hello-ok, KiB. */
  rssAtHelloKb: number;
  /** performance.now() of the first hello-ok. */
  readyAt: number;
  alive(): boolean;
  /** SIGTERM (the upstream: to its process group) and wait for exit; @returns ms from signal to exit. */
  stop(): Promise<number>;
}

const START_TIMEOUT_MS: Record<ServerKind, number> = { ours: 20_000, upstream: 120_000, limit: 20_000 };

/** A fresh auth token (32 hex digits). */
function newToken(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

/** Environment for a child: ours minus anything OPENCLAW_* that could steer it, plus `extra`. */
function childEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("OPENCLAW_") && !k.startsWith("CLAWDBOT_")) env[k] = v;
  return { ...env, ...extra };
}

/** Retries a handshake until one succeeds; @returns the time of hello-ok. */
async function waitForHello(url: string, token: string, deadline: number, stillStarting: () => boolean): Promise<number> {
  let lastError = "";
  while (performance.now() < deadline) {
    try {
      const c = await connectClient({ url, token, id: "cli", mode: "cli", timeoutMs: 5000 });
      const at = performance.now();
      c.close();
      return at;
    } catch (err) {
      lastError = (err as Error).message;
      if (!stillStarting()) throw new Error(`server exited before hello-ok (${lastError})`);
      await Bun.sleep(10);
    }
  }
  throw new Error(`no hello-ok before deadline (${lastError})`);
}

/** Starts one peer and waits for its first hello-ok. */
export async function startServer(kind: ServerKind, src: ServerSources): Promise<RunningServer> {
  switch (kind) {
    case "ours":
      return startOurs(src);
    case "upstream":
      return startUpstream(src);
    case "limit":
      return startLimit(src);
  }
}

function startOurs(src: ServerSources): Promise<RunningServer> {
  return startChild("ours", src.serverCpu, (port, token, home) => ({
    argv: [src.oursBin, "--dev", "gateway", "--allow-unconfigured", "--port", String(port), "--token", token],
    env: { HOME: home, OPENCLAW_GATEWAY_TOKEN: token },
    stdout: Bun.file(join(home, "gateway.log")),
    stderr: Bun.file(join(home, "gateway.err")),
  }));
}

function startLimit(src: ServerSources): Promise<RunningServer> {
  return startChild("limit", src.serverCpu, (port, token, home) => ({
    argv: [process.execPath, src.limitScript, "--port", String(port), "--token", token, ...(src.limitArgs ?? [])],
    env: { HOME: home },
    stdout: "ignore",
    stderr: Bun.file(join(home, "limit.err")),
  }));
}

/** How to spawn a peer that is our direct child, given its port, token and fresh HOME. */
interface ChildLaunch {
  argv: string[];
  /** Added to {@link childEnv}. */
  env: Record<string, string>;
  stdout: "ignore" | BunFile;
  stderr: BunFile;
}

/**
 * Spawns ours or the limit server (a direct child, pinned, in a fresh HOME that {@link stopChild} removes) and
 * waits for its first hello-ok; the start clock runs from just before the spawn.
 * @throws when it exits or has not said hello-ok in time (after stopping it).
 */
async function startChild(kind: "ours" | "limit", serverCpu: number | undefined, launch: (port: number, token: string, home: string) => ChildLaunch): Promise<RunningServer> {
  const port = freePort();
  const token = newToken();
  const home = mkdtempSync(join(tmpdir(), `openclaw-bench-${kind}.`));
  const { argv, env, stdout, stderr } = launch(port, token, home);
  const cmd = pinned(argv, serverCpu);
  const t0 = performance.now();
  const proc = Bun.spawn(cmd, { env: childEnv(env), stdout, stderr });
  const url = `ws://127.0.0.1:${port}`;
  try {
    const readyAt = await waitForHello(url, token, t0 + START_TIMEOUT_MS[kind], () => proc.exitCode === null);
    return {
      kind,
      port,
      url,
      token,
      pid: proc.pid,
      startMs: readyAt - t0,
      rssAtHelloKb: readRssKb(proc.pid) ?? Number.NaN,
      readyAt,
      alive: () => proc.exitCode === null && isAlive(proc.pid),
      stop: () => stopChild(proc, home),
    };
  } catch (err) {
    await stopChild(proc, home);
    throw err;
  }
}

async function startUpstream(src: ServerSources): Promise<RunningServer> {
  const port = freePort();
  const token = newToken();
  const cmd = pinned([src.referenceScript, "start", String(port), token], src.serverCpu);
  const t0 = performance.now();
  const script = Bun.spawn(cmd, { env: childEnv({}), stdout: "pipe", stderr: "pipe" });
  const url = `ws://127.0.0.1:${port}`;
  // The script prints the group leader's pid once the log says "listening"; the handshake may succeed first.
  const leaderText = new Response(script.stdout).text();
  let scriptDone = false;
  void script.exited.then(() => (scriptDone = true));
  let readyAt: number;
  try {
    readyAt = await waitForHello(url, token, t0 + START_TIMEOUT_MS.upstream, () => !scriptDone || script.exitCode === 0);
  } catch (err) {
    const pgid = Number((await Promise.race([leaderText, Bun.sleep(2000).then(() => "")])).trim());
    if (pgid > 0) await stopGroup(pgid, undefined);
    const stderr = await new Response(script.stderr).text();
    throw new Error(`${(err as Error).message}${stderr ? `; script: ${stderr.trim().slice(-400)}` : ""}`);
  }
  const pgid = Number((await leaderText).trim());
  await script.exited;
  if (!(pgid > 0)) throw new Error("reference script printed no pid");
  const pid = findGatewayPid(pgid);
  const home = readProcEnv(pgid, "HOME");
  return {
    kind: "upstream",
    port,
    url,
    token,
    pid,
    startMs: readyAt - t0,
    rssAtHelloKb: readRssKb(pid) ?? Number.NaN,
    readyAt,
    alive: () => isAlive(pid),
    stop: () => stopGroup(pgid, home),
  };
}

/** The serving process of the upstream group: the `openclaw-gateway` node child, else the largest one. */
function findGatewayPid(pgid: number): number {
  const members = listProcessGroup(pgid);
  const named = members.find((p) => readCmdline(p).startsWith("openclaw-gateway"));
  if (named) return named;
  let best = pgid;
  let bestRss = -1;
  for (const p of members) {
    const rss = readRssKb(p) ?? 0;
    if (rss > bestRss) [best, bestRss] = [p, rss];
  }
  return best;
}

/** Total VmRSS of a process group in KiB (upstream: wrapper + gateway). */
export function groupRssKb(pid: number): number {
  const pgid = readPgid(pid);
  if (pgid === undefined) return Number.NaN;
  return listProcessGroup(pgid).reduce((sum, p) => sum + (readRssKb(p) ?? 0), 0);
}

async function stopChild(proc: Bun.Subprocess, home: string): Promise<number> {
  const t0 = performance.now();
  if (proc.exitCode === null) {
    proc.kill("SIGTERM");
    const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(8000).then(() => false)]);
    if (!exited) {
      proc.kill("SIGKILL");
      await proc.exited;
    }
  }
  const ms = performance.now() - t0;
  rmSync(home, { recursive: true, force: true });
  return ms;
}

async function stopGroup(pgid: number, home: string | undefined): Promise<number> {
  const t0 = performance.now();
  try {
    process.kill(-pgid, "SIGTERM");
  } catch {
    // already gone
  }
  const deadline = performance.now() + 10_000;
  while (listProcessGroup(pgid).length > 0 && performance.now() < deadline) await Bun.sleep(10);
  const ms = performance.now() - t0;
  if (listProcessGroup(pgid).length > 0) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // gone
    }
    await Bun.sleep(200);
  }
  // The script makes its HOME with mktemp; remove only that kind of folder.
  if (home && /^\/tmp\/openclaw-ref-home\.[A-Za-z0-9]+$/.test(home)) rmSync(home, { recursive: true, force: true });
  return ms;
}
