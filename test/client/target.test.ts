import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCliConfig, resolveCallTarget } from "../../src/client/target.ts";
import { resolveLockDir } from "../../src/config/paths.ts";
import { CliError, ConfigError } from "../../src/errors.ts";
import { lockPathFor } from "../../src/util/lock-file.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A state dir with an optional config and an optional lock (held by this live process) recording `lockPort`. */
function sandbox(opts: { config?: string; lockPort?: number; profile?: string } = {}) {
  const home = mkdtempSync(join(tmpdir(), "openclaw-target-"));
  dirs.push(home);
  const stateDir = join(home, opts.profile ? `.openclaw-${opts.profile}` : ".openclaw");
  const env: Record<string, string | undefined> = { HOME: home, OPENCLAW_STATE_DIR: stateDir, ...(opts.profile && { OPENCLAW_PROFILE: opts.profile }) };
  if (opts.config !== undefined) {
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(join(stateDir, "openclaw.json"), opts.config);
  }
  if (opts.lockPort !== undefined) {
    mkdirSync(resolveLockDir(), { recursive: true });
    const path = lockPathFor(resolveLockDir(), stateDir);
    writeFileSync(path, JSON.stringify({ pid: process.pid, startTime: null, port: opts.lockPort, stateDir, createdAtMs: Date.now() }));
    dirs.push(path);
  }
  return env;
}

describe("resolveCallTarget", () => {
  test("order: --url > --port > remote url > the live lock's port > env > config > default", () => {
    const env = sandbox({ config: '{ gateway: { port: 20001, auth: { token: "local-secret-0123456789" } } }', lockPort: 20002 });
    expect(resolveCallTarget({}, env)).toMatchObject({ url: "ws://127.0.0.1:20002", source: "lock", token: "local-secret-0123456789" });
    expect(resolveCallTarget({ port: "20003" }, env)).toMatchObject({ url: "ws://127.0.0.1:20003", source: "--port", token: "local-secret-0123456789" });
    expect(resolveCallTarget({ url: "ws://10.0.0.1:1" }, env)).toMatchObject({ url: "ws://10.0.0.1:1", source: "--url" });
    expect(resolveCallTarget({}, { ...env, OPENCLAW_GATEWAY_PORT: "20004" }).url).toBe("ws://127.0.0.1:20002");
    const noLock = sandbox({ config: "{ gateway: { port: 20001 } }" });
    expect(resolveCallTarget({}, noLock)).toMatchObject({ url: "ws://127.0.0.1:20001", source: "local" });
    expect(resolveCallTarget({}, { ...noLock, OPENCLAW_GATEWAY_PORT: "20004" }).url).toBe("ws://127.0.0.1:20004");
    expect(resolveCallTarget({}, sandbox()).url).toBe("ws://127.0.0.1:18789");
  });

  test("remote mode dials gateway.remote.url even with a local lock; --port means the local gateway", () => {
    const env = sandbox({ config: '{ gateway: { mode: "remote", remote: { url: "wss://gw.example:443", token: "remote-secret-0123456789" } } }', lockPort: 20005 });
    expect(resolveCallTarget({}, env)).toMatchObject({ url: "wss://gw.example:443", source: "gateway.remote.url", token: "remote-secret-0123456789" });
    expect(resolveCallTarget({ port: "20005" }, env)).toMatchObject({ url: "ws://127.0.0.1:20005", source: "--port", token: undefined });
  });

  test("a dead lock is ignored", () => {
    const env = sandbox({ config: "{ gateway: { port: 20006 } }" });
    const path = lockPathFor(resolveLockDir(), env.OPENCLAW_STATE_DIR as string);
    writeFileSync(path, JSON.stringify({ pid: 2 ** 22 + 19, startTime: null, port: 20007, stateDir: env.OPENCLAW_STATE_DIR, createdAtMs: 0 }));
    dirs.push(path);
    expect(resolveCallTarget({}, env).url).toBe("ws://127.0.0.1:20006");
  });

  test("bad flags are CliErrors: --url with --port, an invalid --port", () => {
    const env = sandbox();
    expect(() => resolveCallTarget({ url: "ws://x", port: "1" }, env)).toThrow(CliError);
    expect(() => resolveCallTarget({ port: "99999" }, env)).toThrow("Invalid port from --port");
  });

  test("a named profile without config or running gateway is an error; with a running gateway it is not", () => {
    expect(() => resolveCallTarget({}, sandbox({ profile: "work" }))).toThrow('No config for profile "work"');
    expect(resolveCallTarget({}, sandbox({ profile: "work", lockPort: 20008 })).url).toBe("ws://127.0.0.1:20008");
    expect(resolveCallTarget({ port: "20009" }, sandbox({ profile: "work" })).url).toBe("ws://127.0.0.1:20009");
    expect(resolveCallTarget({}, sandbox({ profile: "dev" })).source).toBe("local");
  });
});

describe("loadCliConfig", () => {
  test("an unset ${VAR} in a key the CLI does not read is tolerated; one it reads is named", () => {
    const unused = sandbox({ config: '{ gateway: { port: 20010 }, channels: { telegram: { botToken: "${TARGET_TEST_UNSET_A}" } } }' });
    expect(loadCliConfig(unused).gateway?.port).toBe(20010);
    const needed = sandbox({ config: '{ gateway: { auth: { token: "${TARGET_TEST_UNSET_B}" } } }' });
    expect(() => loadCliConfig(needed)).toThrow("gateway.auth.token");
    expect(() => loadCliConfig(needed)).toThrow("${TARGET_TEST_UNSET_B}");
    // Anything else wrong is still the config error, with every path.
    const broken = sandbox({ config: '{ gateway: { port: "nope" }, channels: { telegram: { botToken: "${TARGET_TEST_UNSET_A}" } } }' });
    expect(() => loadCliConfig(broken)).toThrow(ConfigError);
  });
});
