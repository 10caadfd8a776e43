/**
 * Config writes under the real daemon (run from source in a temp HOME): config.patch / config.apply restart
 * the gateway in process (shutdown event, close 1012, same PID, new config live after reconnect, the note
 * queued as a system event); config.set restarts once when the reload plan needs it and stays up for hot
 * changes, with the file watcher never applying the same write twice.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { connectClient, type TestSocket } from "../helpers/ws.ts";
import { waitFor } from "../helpers/wait.ts";

const ROOT = resolve(import.meta.dir, "../..");
const TOKEN = "restart-test-token-0123456789abcdef01234";
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups.splice(0)) c();
});

function freePort(): number {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

/** Starts `openclaw gateway` from source with its own HOME; resolves once it listens. */
async function startDaemon() {
  const home = mkdtempSync(join(tmpdir(), "openclaw-restart-"));
  const port = freePort();
  const dir = join(home, ".openclaw");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "openclaw.json");
  writeFileSync(path, JSON.stringify({ gateway: { mode: "local", port, auth: { token: TOKEN }, reload: { debounceMs: 50 } }, browser: { enabled: false }, logging: { file: join(home, "gateway.log") } }, null, 2));
  const proc = Bun.spawn([process.execPath, join(ROOT, "src/main.ts"), "gateway"], {
    cwd: home,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, TMPDIR: tmpdir(), OPENCLAW_DISABLE_BONJOUR: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  let out = "";
  for (const stream of [proc.stdout, proc.stderr]) {
    void (async () => {
      const reader = stream.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) return;
        out += decoder.decode(chunk.value);
      }
    })();
  }
  cleanups.push(() => {
    proc.kill("SIGKILL");
    rmSync(home, { recursive: true, force: true });
  });
  const listens = () => (out.match(/listening on ws:\/\/127\.0\.0\.1/g) ?? []).length;
  await waitFor(() => listens() >= 1, "the gateway to listen", 15_000);
  return { home, dir, path, port, proc, url: `ws://127.0.0.1:${port}`, output: () => out, listens };
}

async function call(sock: TestSocket, method: string, params: Record<string, unknown> = {}): Promise<any> {
  const res = await sock.request(method, params);
  if (!res.ok) throw new Error(`${method}: ${res.error.message}`);
  return res.payload;
}

/** Waits for the restart a client just caused: shutdown event, 1012 close, the second listen. */
async function expectRestart(sock: TestSocket, daemon: Awaited<ReturnType<typeof startDaemon>>, listensBefore: number) {
  const shutdown = await sock.nextMatching((f) => f.event === "shutdown", 8000);
  expect(shutdown.payload).toEqual({ reason: "gateway restarting", restartExpectedMs: 1500 });
  expect(await sock.closed).toEqual({ code: 1012, reason: "service restart" });
  await waitFor(() => daemon.listens() > listensBefore, "the gateway to listen again");
}

const MODELS = { providers: { local: { baseUrl: "http://127.0.0.1:1/v1", api: "openai-completions", models: [{ id: "patched" }] } } };
const MODEL_PATCH = JSON.stringify({ models: MODELS });

const hotReloads = (daemon: { output(): string }) => (daemon.output().match(/config hot reload applied/g) ?? []).length;

/**
 * Settle point for the file watcher: writes a hot change (a probe model) to the file and waits until it is
 * applied. The watcher handles changes in order, so every earlier write has been dealt with by then.
 */
async function settleWatcher(daemon: Awaited<ReturnType<typeof startDaemon>>, probe: string): Promise<void> {
  const before = hotReloads(daemon);
  const config = JSON.parse(readFileSync(daemon.path, "utf8"));
  config.models = { providers: { local: { ...MODELS.providers.local, models: [{ id: probe }] } } };
  writeFileSync(daemon.path, JSON.stringify(config, null, 2));
  await waitFor(() => hotReloads(daemon) > before, `the watcher to apply ${probe}`, 8000);
}

describe("config writes under the daemon", () => {
  test("config.patch restarts in process after restartDelayMs; reconnect sees the new config and the note", async () => {
    const daemon = await startDaemon();
    const pid = daemon.proc.pid;
    const { sock } = await connectClient(daemon.url, TOKEN);
    await call(sock, "voicewake.set", { triggers: ["hey gateway"] });
    const { hash } = await call(sock, "config.get");
    const started = Date.now();
    const res = await call(sock, "config.patch", { raw: MODEL_PATCH, baseHash: hash, restartDelayMs: 300, note: "added a model", sessionKey: "main" });
    expect(res.restart).toEqual({ ok: true, pid, delayMs: 300, reason: "config.patch", mode: "in-process" });
    expect(res.sentinel.path).toBe(join(daemon.dir, "restart-sentinel.json"));
    expect(res.sentinel.payload).toMatchObject({ kind: "config-apply", status: "ok", sessionKey: "main", message: "added a model", stats: { mode: "config.patch", root: daemon.path } });
    // Still up while the delay runs: the client can read the new file.
    expect((await call(sock, "config.get")).parsed.models.providers.local.models).toEqual([{ id: "patched" }]);

    await expectRestart(sock, daemon, 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(daemon.proc.pid).toBe(pid);
    expect(daemon.proc.exitCode).toBeNull();

    const again = (await connectClient(daemon.url, TOKEN)).sock;
    expect((await call(again, "models.list")).models.map((m: { id: string }) => m.id)).toEqual(["patched"]);
    const queued: string[] = (await call(again, "status")).queuedSystemEvents;
    expect(queued).toHaveLength(1);
    expect(queued[0]).toStartWith("GatewayRestart:\n");
    expect(JSON.parse(queued[0].slice("GatewayRestart:\n".length))).toMatchObject({ message: "added a model", sessionKey: "main", stats: { mode: "config.patch" } });
    expect(existsSync(join(daemon.dir, "restart-sentinel.json"))).toBe(false);
    // State outside the config survives the restart.
    expect((await call(again, "voicewake.get")).triggers).toEqual(["hey gateway"]);
    // The watcher saw the write as already handled: no live reload of it before the restart, one restart.
    await settleWatcher(daemon, "probe-1");
    expect(daemon.listens()).toBe(2);
    expect(hotReloads(daemon)).toBe(1); // the probe's
    again.close();
  }, 30_000);

  test("config.apply replaces the file and restarts; config.set restarts once for a restart-only key, stays up for a hot one", async () => {
    const daemon = await startDaemon();
    let { sock } = await connectClient(daemon.url, TOKEN);
    const before = await call(sock, "config.get");
    const raw = before.raw.replace("{", `{ "commands": { "restart": true },`);
    const applied = await call(sock, "config.apply", { raw, baseHash: before.hash, restartDelayMs: 0 });
    expect(applied.restart).toMatchObject({ ok: true, delayMs: 0, reason: "config.apply" });
    await expectRestart(sock, daemon, 1);
    // The redacted token in the text went back as the real one (the text is then written as JSON).
    const written = JSON.parse(readFileSync(daemon.path, "utf8"));
    expect(written.commands).toEqual({ restart: true });
    expect(written.gateway.auth.token).toBe(TOKEN);

    sock = (await connectClient(daemon.url, TOKEN)).sock;
    // A hot change through config.set: applied live, the socket stays, no restart. The redacted token in
    // `parsed` goes back as the placeholder and is restored.
    let got = await call(sock, "config.get");
    const hot = await call(sock, "config.set", { raw: JSON.stringify({ ...got.parsed, models: MODELS }), baseHash: got.hash });
    expect(hot.reload).toBe("hot");
    expect((await call(sock, "models.list")).models.map((m: { id: string }) => m.id)).toEqual(["patched"]);
    // Kept as a window: a probe write here could fall into the same debounce as config.set's own write and
    // hide a second application of it, and the daemon shows no sign of a change it ignored.
    await Bun.sleep(300);
    expect(sock.ws.readyState).toBe(WebSocket.OPEN);
    expect(daemon.listens()).toBe(2);
    expect(hotReloads(daemon)).toBe(1);

    // A restart-only key through config.set: one in-process restart.
    got = await call(sock, "config.get");
    const restartOnly = await call(sock, "config.set", { raw: JSON.stringify({ ...got.parsed, discovery: { enabled: false } }), baseHash: got.hash });
    expect(restartOnly.reload).toBe("restart");
    expect(restartOnly.restart).toMatchObject({ ok: true, mode: "in-process", reason: "config.set: discovery" });
    await expectRestart(sock, daemon, 2);
    await settleWatcher(daemon, "probe-2");
    expect(daemon.listens()).toBe(3);
    const last = (await connectClient(daemon.url, TOKEN)).sock;
    expect((await call(last, "config.get")).config.discovery).toEqual({ enabled: false });
    expect(JSON.parse(readFileSync(daemon.path, "utf8")).gateway.auth.token).toBe(TOKEN);
    last.close();
  }, 30_000);
});
