/**
 * End to end: the compiled binary in a temp HOME, driven like a user would.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY, ensureBinary, freePort, runBinary, startBinaryGateway, tempHome } from "../helpers/binary.ts";
import { connectClient } from "../helpers/ws.ts";

const homes: string[] = [];
function home(): string {
  const h = tempHome();
  homes.push(h);
  return h;
}

beforeAll(async () => {
  await ensureBinary();
});
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

describe("openclaw binary", () => {
  test("--version runs alone in an empty folder, without Bun", () => {
    const dir = mkdtempSync(join(tmpdir(), "openclaw-alone-"));
    homes.push(dir);
    copyFileSync(BINARY, join(dir, "openclaw"));
    const p = Bun.spawnSync([join(dir, "openclaw"), "--version"], { env: { PATH: "/nonexistent", HOME: dir }, cwd: dir });
    expect(p.exitCode).toBe(0);
    expect(p.stdout.toString().trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  test("--help on every command", () => {
    const h = home();
    for (const args of [["--help"], ["gateway", "--help"], ["gateway", "call", "--help"], ["gateway", "health", "--help"], ["setup", "--help"], ["status", "--help"], ["health", "--help"]]) {
      const r = runBinary(args, { home: h });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("USAGE");
    }
  });

  test("setup → gateway → handshake + health → SIGTERM exits 0", async () => {
    const h = home();
    const setup = runBinary(["setup", "--json"], { home: h });
    expect(setup.code).toBe(0);
    const info = JSON.parse(setup.stdout);
    expect(info.token).toMatch(/^[0-9a-f]{64}$/);
    const configPath = join(h, ".openclaw", "openclaw.json");
    expect(info.configPath).toBe(configPath);
    expect(statSync(configPath).mode & 0o777).toBe(0o600);
    expect(statSync(join(h, ".openclaw", "workspace")).isDirectory()).toBe(true);

    const port = freePort();
    const gw = await startBinaryGateway(["gateway", "--port", String(port)], { home: h });
    try {
      const { sock, hello, challenge } = await connectClient(`ws://127.0.0.1:${port}`, info.token);
      expect(challenge.event).toBe("connect.challenge");
      expect(hello.type).toBe("hello-ok");
      expect(hello.protocol).toBe(3);
      const res = await sock.request("health");
      expect(res.ok).toBe(true);
      expect(res.payload.ok).toBe(true);
      sock.close();
      // The token never reaches the console log.
      expect(gw.output()).not.toContain(info.token);
    } finally {
      gw.proc.kill("SIGTERM");
    }
    expect(await gw.proc.exited).toBe(0);
    expect(gw.output()).toContain("received SIGTERM; shutting down");
  });

  test("the CLI calls the running gateway (gateway call, health, status)", async () => {
    const h = home();
    runBinary(["setup"], { home: h });
    const port = freePort();
    const env = { OPENCLAW_GATEWAY_PORT: String(port) };
    const gw = await startBinaryGateway(["gateway"], { home: h, env });
    try {
      const call = runBinary(["gateway", "call", "health", "--json"], { home: h, env });
      expect(call.stderr).toBe("");
      expect(call.code).toBe(0);
      expect(JSON.parse(call.stdout).ok).toBe(true);
      expect(runBinary(["gateway", "health"], { home: h, env }).code).toBe(0);
      const status = runBinary(["status", "--json"], { home: h, env });
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout).heartbeat.defaultAgentId).toBe("main");
      const presence = runBinary(["gateway", "call", "system-presence", "--json"], { home: h, env });
      expect(JSON.parse(presence.stdout)[0].reason).toBe("self");
      const bad = runBinary(["gateway", "call", "no.such.method"], { home: h, env });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain("unknown method: no.such.method");
    } finally {
      gw.proc.kill("SIGTERM");
      await gw.proc.exited;
    }
  });

  test("--dev creates its own config with a token and prints how to connect", async () => {
    const h = home();
    const port = freePort();
    const gw = await startBinaryGateway(["--dev", "gateway"], { home: h, env: { OPENCLAW_GATEWAY_PORT: String(port) } });
    try {
      // Written before the gateway listens, and startBinaryGateway returned on the listening line.
      const config = JSON.parse(readFileSync(join(h, ".openclaw-dev", "openclaw.json"), "utf8"));
      const token = config.gateway.auth.token;
      expect(token).toMatch(/^[0-9a-f]{64}$/);
      expect(gw.output()).toContain(`ws://127.0.0.1:${port}`);
      const { sock } = await connectClient(`ws://127.0.0.1:${port}`, token);
      sock.close();
    } finally {
      gw.proc.kill("SIGINT");
    }
    expect(await gw.proc.exited).toBe(0);
  });
  test("--dev with OPENCLAW_GATEWAY_TOKEN set writes no token of its own, so the env token works", async () => {
    const h = home();
    const port = freePort();
    const token = "env-token-0123456789abcdef0123456789abcdef";
    const gw = await startBinaryGateway(["--dev", "gateway"], { home: h, env: { OPENCLAW_GATEWAY_PORT: String(port), OPENCLAW_GATEWAY_TOKEN: token } });
    try {
      const config = JSON.parse(readFileSync(join(h, ".openclaw-dev", "openclaw.json"), "utf8"));
      expect(config.gateway.auth.token).toBeUndefined();
      const { sock } = await connectClient(`ws://127.0.0.1:${port}`, token);
      sock.close();
      expect(gw.output()).not.toContain(token);
    } finally {
      gw.proc.kill("SIGTERM");
    }
    expect(await gw.proc.exited).toBe(0);
  });
});

describe("bad input: one clear message, non-zero exit, nothing changed", () => {
  function withConfig(text: string): { h: string; path: string } {
    const h = home();
    mkdirSync(join(h, ".openclaw"), { recursive: true });
    const path = join(h, ".openclaw", "openclaw.json");
    writeFileSync(path, text);
    return { h, path };
  }

  test("JSON5 syntax error", () => {
    const text = '{ gateway: { mode: "local" auth: {} } }';
    const { h, path } = withConfig(text);
    const r = runBinary(["gateway"], { home: h });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("JSON5 syntax error (line 1");
    expect(r.stderr).toContain(path);
    expect(readFileSync(path, "utf8")).toBe(text);
  });

  test("wrong types list every path", () => {
    const text = '{ gateway: { mode: "local", port: "80", auth: { token: 5 } } }';
    const { h, path } = withConfig(text);
    const r = runBinary(["gateway"], { home: h });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("gateway.port");
    expect(r.stderr).toContain("gateway.auth.token");
    expect(readFileSync(path, "utf8")).toBe(text);
  });

  test("unknown flag and unknown command", () => {
    const h = home();
    const flag = runBinary(["gateway", "--prot", "1"], { home: h });
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain('Unknown option "--prot"');
    const cmd = runBinary(["gatewya"], { home: h });
    expect(cmd.code).toBe(1);
    expect(cmd.stderr).toContain('Unknown command "openclaw gatewya"');
    const sub = runBinary(["gateway", "stauts"], { home: h });
    expect(sub.code).toBe(1);
    expect(sub.stderr).toContain("Unknown command");
  });

  test("--dev with --profile", () => {
    const h = home();
    const r = runBinary(["--dev", "--profile", "x", "gateway"], { home: h });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Cannot combine --dev with --profile");
    expect(() => statSync(join(h, ".openclaw-dev"))).toThrow();
  });

  test("missing token", () => {
    const { h, path } = withConfig('{ gateway: { mode: "local" } }');
    const r = runBinary(["gateway"], { home: h });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Gateway auth is set to token, but no token is configured.");
    expect(readFileSync(path, "utf8")).toBe('{ gateway: { mode: "local" } }');
  });

  test("port in use", async () => {
    const h = home();
    runBinary(["setup"], { home: h });
    const blocker = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("x") });
    try {
      const r = runBinary(["gateway", "--port", String(blocker.port)], { home: h });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`Port ${blocker.port} is already in use`);
    } finally {
      blocker.stop(true);
    }
  });

  test("setup never overwrites without --force", () => {
    const h = home();
    expect(runBinary(["setup"], { home: h }).code).toBe(0);
    const path = join(h, ".openclaw", "openclaw.json");
    const before = readFileSync(path, "utf8");
    const again = runBinary(["setup"], { home: h });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already exists");
    expect(readFileSync(path, "utf8")).toBe(before);
    expect(runBinary(["setup", "--force"], { home: h }).code).toBe(0);
    expect(readFileSync(path, "utf8")).not.toBe(before);
  });

  test("invalid port", () => {
    const h = home();
    runBinary(["setup"], { home: h });
    const r = runBinary(["gateway", "--port", "99999"], { home: h });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Invalid port");
  });
});
