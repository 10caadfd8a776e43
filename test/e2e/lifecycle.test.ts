/**
 * The gateway's life under a supervisor, driven through the compiled binary: config hot reload and
 * in-process restart, half-written files, the single-instance lock, --force, SIGUSR1, status and logs.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lockPathFor } from "../../src/gateway/lock.ts";
import { ensureBinary, freePort, runBinary, startBinaryGateway, tempHome } from "../helpers/binary.ts";
import { connectClient } from "../helpers/ws.ts";
import { waitFor } from "../helpers/wait.ts";

const TOKEN = "lifecycle-token-0123456789abcdef0123456789";
const homes: string[] = [];
const procs: { kill(sig?: number | NodeJS.Signals): void }[] = [];

beforeAll(async () => {
  await ensureBinary();
});
afterAll(() => {
  for (const p of procs) p.kill("SIGKILL");
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

function writeConfig(home: string, config: Record<string, unknown>): string {
  mkdirSync(join(home, ".openclaw"), { recursive: true });
  const path = join(home, ".openclaw", "openclaw.json");
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

function baseConfig(port: number, extra: Record<string, unknown> = {}) {
  return { gateway: { mode: "local", port, auth: { token: TOKEN }, reload: { debounceMs: 50 } }, ...extra };
}

async function start(extra: Record<string, unknown> = {}, args: string[] = []) {
  const home = tempHome();
  homes.push(home);
  const port = freePort();
  const path = writeConfig(home, baseConfig(port, extra));
  const gw = await startBinaryGateway(["gateway", ...args], { home });
  procs.push(gw.proc);
  return { home, port, path, gw, url: `ws://127.0.0.1:${port}` };
}

describe("config reload", () => {
  test("a hot key applies without dropping clients", async () => {
    const { path, port, gw, url } = await start();
    const { sock } = await connectClient(url, TOKEN);
    expect((await sock.request("models.list")).payload.models).toEqual([]);
    writeFileSync(path, JSON.stringify(baseConfig(port, { models: { providers: { local: { baseUrl: "http://127.0.0.1:1/v1", api: "openai-completions", models: [{ id: "m1" }] } } } })));
    await waitFor(async () => (await sock.request("models.list")).payload.models.length === 1, "models.list to change");
    expect(gw.output()).toContain("config hot reload applied (models)");
    expect(sock.ws.readyState).toBe(WebSocket.OPEN);
    sock.close();
    gw.proc.kill("SIGTERM");
    expect(await gw.proc.exited).toBe(0);
  });

  test("a restart key restarts in process: shutdown event, close 1012, reconnect works", async () => {
    const { path, port, gw, url } = await start();
    const { sock } = await connectClient(url, TOKEN);
    const pid = gw.proc.pid;
    writeFileSync(path, JSON.stringify(baseConfig(port, { commands: { restart: true } })));
    const shutdown = await sock.nextMatching((f) => f.event === "shutdown", 5000);
    expect(shutdown.payload).toEqual({ reason: "gateway restarting", restartExpectedMs: 1500 });
    expect(await sock.closed).toEqual({ code: 1012, reason: "service restart" });
    await waitFor(() => (gw.output().match(/listening on ws:\/\/127\.0\.0\.1/g) ?? []).length >= 2, "second listen");
    const again = await connectClient(url, TOKEN);
    expect((await again.sock.request("health")).ok).toBe(true);
    again.sock.close();
    expect(gw.proc.pid).toBe(pid);
    gw.proc.kill("SIGTERM");
    expect(await gw.proc.exited).toBe(0);
  });

  test("half-written and invalid files never take the gateway down; the last good copy is kept", async () => {
    const { path, port, gw, url } = await start({ commands: { restart: false } });
    const { sock } = await connectClient(url, TOKEN);
    const good = readFileSync(path, "utf8");
    expect(readFileSync(`${path}.last-good`, "utf8")).toBe(good);
    // truncate, then write in two halves, as a slow editor would
    truncateSync(path, 0);
    const next = JSON.stringify(baseConfig(port, { commands: { restart: false }, models: { providers: { p: { models: [{ id: "x" }] } } } }));
    writeFileSync(path, next.slice(0, 20));
    // The editor is "slow" until the watcher has read the half-written file and reported it.
    await waitFor(() => gw.output().includes("config reload skipped (invalid config)"), "the half-written file reported");
    writeFileSync(path, next);
    await waitFor(async () => (await sock.request("models.list")).payload.models.length === 1, "complete file applied");
    // a wrong type: logged once with the path, old config kept
    writeFileSync(path, JSON.stringify({ ...baseConfig(port), gateway: { ...baseConfig(port).gateway, port: "nope" } }));
    await waitFor(() => gw.output().includes("gateway.port: must be integer"), "invalid config log");
    expect(gw.output().match(/config reload skipped \(invalid config\)/g)).toHaveLength(2);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect((await sock.request("health")).ok).toBe(true);
    expect(sock.ws.readyState).toBe(WebSocket.OPEN);
    expect(readFileSync(`${path}.last-good`, "utf8")).toBe(next);
    sock.close();
    gw.proc.kill("SIGTERM");
    expect(await gw.proc.exited).toBe(0);
  });
});

describe("signals, lock, force", () => {
  test("unauthorized SIGUSR1 is logged and ignored", async () => {
    const { gw, url } = await start();
    gw.proc.kill("SIGUSR1");
    await waitFor(() => gw.output().includes("SIGUSR1 restart ignored (not authorized"), "ignore log");
    const { sock } = await connectClient(url, TOKEN);
    expect((await sock.request("health")).ok).toBe(true);
    sock.close();
    expect((gw.output().match(/listening on ws:\/\/127/g) ?? []).length).toBe(1);
    gw.proc.kill("SIGTERM");
    expect(await gw.proc.exited).toBe(0);
  });

  test("authorized SIGUSR1 restarts in place", async () => {
    const { gw, url } = await start({ commands: { restart: true } });
    const { sock } = await connectClient(url, TOKEN);
    gw.proc.kill("SIGUSR1");
    expect((await sock.nextMatching((f) => f.event === "shutdown")).payload.reason).toBe("gateway restarting");
    await waitFor(() => (gw.output().match(/listening on ws:\/\/127/g) ?? []).length === 2, "restart");
    gw.proc.kill("SIGTERM");
    expect(await gw.proc.exited).toBe(0);
  });

  test("a second gateway on the same state dir names the owner; another profile runs", async () => {
    const { home, gw } = await start();
    const second = runBinary(["gateway", "--port", String(freePort())], { home });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`gateway already running for ${join(home, ".openclaw")} (PID ${gw.proc.pid}`);
    expect(runBinary(["--profile", "other", "setup"], { home }).code).toBe(0);
    const other = await startBinaryGateway(["--profile", "other", "gateway", "--port", String(freePort())], { home });
    other.proc.kill("SIGTERM");
    expect(await other.proc.exited).toBe(0);
    gw.proc.kill("SIGTERM");
    await gw.proc.exited;
  });

  test("stale locks (dead PID, recycled PID) are reclaimed", async () => {
    for (const stale of [{ pid: 999_999, startTime: "1" }, { pid: process.pid, startTime: "not-my-start-time" }]) {
      const home = tempHome();
      homes.push(home);
      const port = freePort();
      writeConfig(home, baseConfig(port));
      const lockDir = join(tmpdir(), `openclaw-${process.getuid?.() ?? "user"}`);
      mkdirSync(lockDir, { recursive: true });
      writeFileSync(lockPathFor(lockDir, join(home, ".openclaw")), JSON.stringify({ ...stale, port: 1, stateDir: join(home, ".openclaw"), createdAtMs: 0 }));
      const gw = await startBinaryGateway(["gateway"], { home });
      expect(gw.output()).toContain("reclaimed stale gateway lock");
      gw.proc.kill("SIGTERM");
      expect(await gw.proc.exited).toBe(0);
    }
  });

  test("--force stops a listener on the port; without lsof it fails fast", async () => {
    const home = tempHome();
    homes.push(home);
    const port = freePort();
    writeConfig(home, baseConfig(port));
    const squatter = Bun.spawn([process.execPath, "-e", `Bun.serve({ hostname: "127.0.0.1", port: ${port}, fetch: () => new Response("x") }); setInterval(() => {}, 1000)`], { stdout: "ignore", stderr: "ignore" });
    procs.push(squatter);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false)), "squatter up");
    const noLsof = runBinary(["gateway", "--force"], { home, env: { PATH: "/nonexistent" } });
    expect(noLsof.code).toBe(1);
    expect(noLsof.stderr).toContain("Force: Error: lsof not found; required for --force");
    const gw = await startBinaryGateway(["gateway", "--force"], { home });
    expect(gw.output()).toContain(`force: killed pid ${squatter.pid}`);
    expect(await squatter.exited).not.toBe(0);
    gw.proc.kill("SIGTERM");
    expect(await gw.proc.exited).toBe(0);
  });
});

describe("status and logs", () => {
  test("gateway status --json reports service and RPC separately", async () => {
    const { home, port, gw } = await start();
    const up = runBinary(["gateway", "status", "--json"], { home });
    expect(up.code).toBe(0);
    const report = JSON.parse(up.stdout);
    expect(report.service).toMatchObject({ loaded: false, runtime: { status: "unknown" } });
    expect(report.rpc).toMatchObject({ ok: true, url: `ws://127.0.0.1:${port}` });
    // The running gateway's lock records its port; that is what the CLI dials.
    expect(report.gateway).toMatchObject({ port, portSource: "lock", probeUrl: `ws://127.0.0.1:${port}` });
    expect(report.config.cli).toMatchObject({ exists: true, valid: true });
    expect(JSON.parse(runBinary(["gateway", "status", "--json", "--no-probe"], { home }).stdout).rpc).toBeUndefined();
    gw.proc.kill("SIGTERM");
    await gw.proc.exited;
    const down = runBinary(["gateway", "status", "--json"], { home });
    expect(down.code).toBe(1);
    const after = JSON.parse(down.stdout);
    expect(after.rpc.ok).toBe(false);
    expect(after.rpc.error).toContain("is it running?");
    expect(after.port.status).toBe("free");
  });

  test("logs prints the gateway's file log through logs.tail", async () => {
    const home = tempHome();
    homes.push(home);
    const port = freePort();
    const logFile = join(home, "gw.log");
    writeConfig(home, baseConfig(port, { logging: { file: logFile } }));
    const gw = await startBinaryGateway(["gateway"], { home });
    const r = runBinary(["logs", "--limit", "50"], { home });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("listening on ws://127.0.0.1");
    const json = runBinary(["logs", "--json"], { home });
    for (const line of json.stdout.trim().split("\n")) expect(JSON.parse(line).subsystem).toBeString();
    gw.proc.kill("SIGTERM");
    await gw.proc.exited;
  });
});
