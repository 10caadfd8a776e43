/**
 * The compiled gateway never exits because of a config change (issue 17 §6), and its `env:` block is
 * re-read on reload:
 * - a hand edit that would not start (canvas root under /proc) is skipped and the gateway keeps serving;
 * - a restart whose new config fails to start (its port is taken) falls back to the last good config;
 * - an RPC write of such a config is refused, so the next start still works;
 * - a changed `env:` value is live after the restart it causes, a removed one is unset, and a variable from
 *   the real environment is never overridden by the block.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connectClient } from "../helpers/ws.ts";
import { ensureBinary, freePort, startBinaryGateway, tempHome } from "../helpers/binary.ts";
import { waitFor } from "../helpers/wait.ts";

const homes: string[] = [];
const procs: { kill(sig?: number): void }[] = [];
beforeAll(async () => {
  await ensureBinary();
});
afterAll(() => {
  for (const p of procs) p.kill(9);
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

const TOKEN_ONE = "env-block-token-one-0123456789abcdef01";
const TOKEN_TWO = "env-block-token-two-0123456789abcdef02";

function setup(config: (port: number, home: string) => Record<string, unknown>) {
  const home = tempHome();
  homes.push(home);
  const dir = join(home, ".openclaw");
  mkdirSync(dir, { recursive: true });
  const port = freePort();
  const path = join(dir, "openclaw.json");
  const write = (c: Record<string, unknown>) => writeFileSync(path, JSON.stringify(c, null, 2));
  write(config(port, home));
  return { home, port, path, write };
}

async function canCall(port: number, token: string): Promise<boolean> {
  try {
    const { sock } = await connectClient(`ws://127.0.0.1:${port}`, token);
    const res = await sock.request("health", {});
    sock.close();
    return res.ok === true;
  } catch {
    return false;
  }
}

describe("a config change never takes the compiled gateway down", () => {
  test("hand edits that cannot start are skipped; a restart that fails falls back to the last good config", async () => {
    const base = (port: number, home: string) => ({
      gateway: { mode: "local", port, auth: { token: TOKEN_ONE }, reload: { debounceMs: 30 } },
      browser: { enabled: false },
      canvasHost: { root: join(home, "canvas") },
    });
    const { home, port, write } = setup(base);
    const gw = await startBinaryGateway(["gateway"], { home, env: { OPENCLAW_DISABLE_BONJOUR: "1" } });
    procs.push(gw.proc);
    expect(await canCall(port, TOKEN_ONE)).toBe(true);

    // 1. Canvas root under /proc: the old gateway exited 1 on the restart, and every later start failed.
    write({ ...base(port, home), canvasHost: { root: "/proc/self/openclaw-canvas" } });
    await waitFor(() => /config reload skipped \(the gateway could not start with it\): canvasHost\.root/.test(gw.output()), "the skipped reload");
    expect(gw.proc.exitCode).toBeNull();
    expect(await canCall(port, TOKEN_ONE)).toBe(true);

    // 2. A new port someone else holds: the restart cannot listen, so the last good config serves again.
    const blocker = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const listensBefore = (gw.output().match(/listening on ws:\/\/127\.0\.0\.1/g) ?? []).length;
      write({ ...base(port, home), gateway: { ...base(port, home).gateway, port: blocker.port } });
      await waitFor(() => /falling back to the last good config/.test(gw.output()), "the fallback");
      await waitFor(() => (gw.output().match(/listening on ws:\/\/127\.0\.0\.1/g) ?? []).length > listensBefore, "the listener back on the old port");
      expect(gw.proc.exitCode).toBeNull();
      expect(await canCall(port, TOKEN_ONE)).toBe(true);
    } finally {
      blocker.stop(true);
    }
  }, 60_000);

  test("an RPC write that would brick the gateway is refused, so the next start still works", async () => {
    const { home, port } = setup((port, home) => ({
      gateway: { mode: "local", port, auth: { token: TOKEN_ONE }, reload: { debounceMs: 30 } },
      browser: { enabled: false },
      canvasHost: { root: join(home, "canvas") },
    }));
    const gw = await startBinaryGateway(["gateway"], { home, env: { OPENCLAW_DISABLE_BONJOUR: "1" } });
    procs.push(gw.proc);
    const { sock } = await connectClient(`ws://127.0.0.1:${port}`, TOKEN_ONE);
    const { hash } = (await sock.request("config.get", {})).payload;
    for (const patch of [{ canvasHost: { root: "/proc/1/x" } }, { gateway: { auth: { token: "undefined" } } }, { gateway: { bind: "custom", customBindHost: "203.0.113.9" } }]) {
      const res = await sock.request("config.patch", { raw: JSON.stringify(patch), baseHash: hash, restartDelayMs: 0 });
      expect(res.ok).toBe(false);
      expect(res.error.message).toStartWith("config would not start");
    }
    sock.close();
    gw.proc.kill("SIGTERM");
    expect(await gw.proc.exited).toBe(0);
    const again = await startBinaryGateway(["gateway"], { home, env: { OPENCLAW_DISABLE_BONJOUR: "1" } });
    procs.push(again.proc);
    expect(await canCall(port, TOKEN_ONE)).toBe(true);
  }, 60_000);
});

describe("the env block follows the file", () => {
  test("a changed value is used after the reload; a removed one is unset; the real environment wins", async () => {
    const cfg = (port: number, home: string, env: Record<string, string>) => ({
      env,
      gateway: { mode: "local", port, reload: { debounceMs: 30 } },
      browser: { enabled: false },
      canvasHost: { root: join(home, "canvas") },
    });
    const { home, port, write } = setup((port, home) => cfg(port, home, { OPENCLAW_GATEWAY_TOKEN: TOKEN_ONE }));
    const gw = await startBinaryGateway(["gateway"], { home, env: { OPENCLAW_DISABLE_BONJOUR: "1" } });
    procs.push(gw.proc);
    expect(await canCall(port, TOKEN_ONE)).toBe(true);

    write(cfg(port, home, { OPENCLAW_GATEWAY_TOKEN: TOKEN_TWO }));
    await waitFor(() => canCall(port, TOKEN_TWO), "the new token from the env block");
    expect(await canCall(port, TOKEN_ONE)).toBe(false);

    // Removed from the block: the variable is unset, so the gateway has no token and keeps the old config.
    write(cfg(port, home, {}));
    await waitFor(() => /config reload skipped.*but no token is configured/.test(gw.output()), "the refused reload");
    expect(await canCall(port, TOKEN_TWO)).toBe(true);
    gw.proc.kill("SIGTERM");
    await gw.proc.exited;

    // From the real environment: the block does not override it.
    write(cfg(port, home, { OPENCLAW_GATEWAY_TOKEN: TOKEN_TWO }));
    const real = await startBinaryGateway(["gateway"], { home, env: { OPENCLAW_DISABLE_BONJOUR: "1", OPENCLAW_GATEWAY_TOKEN: TOKEN_ONE } });
    procs.push(real.proc);
    expect(await canCall(port, TOKEN_ONE)).toBe(true);
    write(cfg(port, home, { OPENCLAW_GATEWAY_TOKEN: "env-block-token-three-0123456789abcdef" }));
    write({ ...cfg(port, home, { OPENCLAW_GATEWAY_TOKEN: "env-block-token-three-0123456789abcdef" }), logging: { level: "debug" } });
    await waitFor(() => (real.output().match(/listening on ws:\/\/127\.0\.0\.1/g) ?? []).length >= 2, "the restart");
    expect(await canCall(port, TOKEN_ONE)).toBe(true);
  }, 60_000);
});
