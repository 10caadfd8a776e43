/**
 * Config written over the protocol can neither run programs nor brick the gateway (issue 17 §6), through a
 * real gateway and socket: keys that pick a program, its flags, code to load or loader variables are
 * refused over config.set / config.patch / config.apply (a round trip that leaves them unchanged passes);
 * configs that would not start (placeholder or missing secrets, hooks without a token, a bind address not
 * on this host, a canvas root or workspace under /proc) are refused before anything is written.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { useCleanup } from "../helpers/protocol.ts";
import { connectClient, type TestSocket } from "../helpers/ws.ts";

const env = useCleanup();
const TOKEN = "config-guard-token-0123456789abcdef0123";

async function admin() {
  const gw = await env.gateway({ config: { gateway: { mode: "local", auth: { token: TOKEN } }, browser: { enabled: false } } });
  const { sock } = await connectClient(gw.url, gw.token);
  const path = join(gw.stateDir, "openclaw.json");
  const base = { gateway: { mode: "local", auth: { token: TOKEN } }, browser: { enabled: false }, canvasHost: { root: join(gw.stateDir, "canvas") } };
  writeFileSync(path, `${JSON.stringify(base, null, 2)}\n`);
  return { gw, sock, path, base };
}

async function hashOf(sock: TestSocket): Promise<string> {
  const res = await sock.request("config.get", {});
  expect(res.ok).toBe(true);
  return res.payload.hash;
}

async function refusedWrite(sock: TestSocket, method: "config.set" | "config.apply" | "config.patch", raw: string) {
  const res = await sock.request(method, { raw, baseHash: await hashOf(sock), ...(method !== "config.set" && { restartDelayMs: 0 }) });
  expect(res.ok).toBe(false);
  expect(res.error.code).toBe("INVALID_REQUEST");
  return res.error as { message: string; details: { issues: { path: string; message: string }[] } };
}

describe("process-spawning and code-loading keys are file-only", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["browser.extraArgs", { browser: { enabled: false, extraArgs: ["--renderer-cmd-prefix=/bin/sh -c id"] } }, "browser.extraArgs"],
    ["browser.executablePath", { browser: { enabled: false, executablePath: "/bin/sh" } }, "browser.executablePath"],
    ["browser.noSandbox", { browser: { enabled: false, noSandbox: true } }, "browser.noSandbox"],
    ["browser.cdpUrl", { browser: { enabled: false, cdpUrl: "http://127.0.0.1:9" } }, "browser.cdpUrl"],
    ["a profile's cdpUrl", { browser: { enabled: false, profiles: { x: { cdpUrl: "http://127.0.0.1:9" } } } }, "browser.profiles.x.cdpUrl"],
    ["browser.allowPrivate", { browser: { enabled: false, allowPrivate: true } }, "browser.allowPrivate"],
    ["hooks.transformsDir", { hooks: { transformsDir: "/tmp" } }, "hooks.transformsDir"],
    ["a hook mapping's transform", { hooks: { mappings: [{ transform: { module: "x.js" } }] } }, "hooks.mappings.0.transform"],
    ["logging.file", { logging: { file: "~/.bashrc" } }, "logging.file"],
    ["secrets (a file provider would hand ~/.ssh to skills)", { secrets: { providers: { k: { source: "file", path: "~/.ssh/id_ed25519", mode: "singleValue" } } } }, "secrets"],
    ["env.LD_PRELOAD", { env: { LD_PRELOAD: "/tmp/evil.so" } }, "env.LD_PRELOAD"],
    ["env.NODE_OPTIONS", { env: { NODE_OPTIONS: "--require /tmp/x.js" } }, "env.NODE_OPTIONS"],
    ["env.PATH", { env: { PATH: "/tmp/evil:/usr/bin" } }, "env.PATH"],
    ["tools.exec.host", { tools: { exec: { host: "gateway" } } }, "tools.exec.host"],
    ["tools.exec.safeBins", { tools: { exec: { safeBins: ["sh"] } } }, "tools.exec.safeBins"],
    ["tools.exec.sandbox.network", { tools: { exec: { sandbox: { network: true } } } }, "tools.exec.sandbox.network"],
    ["an agent's tools.exec.safeBins", { agents: { list: [{ id: "main", tools: { exec: { safeBins: ["python3"] } } }] } }, "agents.list.0.tools.exec.safeBins"],
  ];
  for (const [name, patch, path] of cases) {
    test(`${name}: refused by config.patch, config.set and config.apply; the file is untouched`, async () => {
      const { sock, path: file, base } = await admin();
      const before = readFileSync(file, "utf8");
      const viaPatch = await refusedWrite(sock, "config.patch", JSON.stringify(patch));
      expect(viaPatch.message).toContain(path);
      expect(viaPatch.message).toContain("config file");
      expect(viaPatch.details.issues.map((i) => i.path)).toEqual([path]);
      const merged = { ...base, ...patch, browser: { ...base.browser, ...(patch.browser as object) } };
      for (const method of ["config.set", "config.apply"] as const) {
        const err = await refusedWrite(sock, method, JSON.stringify(merged));
        expect(err.details.issues.map((i) => i.path)).toEqual([path]);
      }
      expect(readFileSync(file, "utf8")).toBe(before);
    });
  }

  test("removing a file-only key is also a change; a key set in the file survives a round trip unchanged", async () => {
    const { sock, path: file, base } = await admin();
    const withArgs = { ...base, browser: { enabled: false, extraArgs: ["--lang=de"] } };
    writeFileSync(file, JSON.stringify(withArgs));
    // Unrelated edit with the file-only key as it is: accepted, key kept.
    const ok = await sock.request("config.patch", { raw: JSON.stringify({ logging: { level: "debug" } }), baseHash: await hashOf(sock), restartDelayMs: 0 });
    expect(ok.error).toBeUndefined();
    expect(JSON.parse(readFileSync(file, "utf8")).browser.extraArgs).toEqual(["--lang=de"]);
    const removed = await refusedWrite(sock, "config.patch", JSON.stringify({ browser: { extraArgs: null } }));
    expect(removed.details.issues.map((i) => i.path)).toEqual(["browser.extraArgs"]);
  });

  test("harmless env entries may still be written", async () => {
    const { sock, path: file } = await admin();
    const res = await sock.request("config.patch", { raw: JSON.stringify({ env: { OPENAI_API_KEY: "sk-x" } }), baseHash: await hashOf(sock), restartDelayMs: 0 });
    expect(res.error).toBeUndefined();
    expect(JSON.parse(readFileSync(file, "utf8")).env.OPENAI_API_KEY).toBe("sk-x");
  });
});

describe("configs that would not start are refused before writing", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['gateway.auth.token "undefined"', { gateway: { auth: { token: "undefined" } } }, "gateway.auth.token"],
    ["password mode without a password", { gateway: { auth: { mode: "password" } } }, "gateway.auth.password"],
    ["hooks enabled without a token", { hooks: { enabled: true } }, "hooks"],
    ["a custom bind address not on this host", { gateway: { bind: "custom", customBindHost: "203.0.113.77" } }, "gateway.customBindHost"],
    ["canvasHost.root under /proc", { canvasHost: { root: "/proc/self/openclaw-canvas" } }, "canvasHost.root"],
    ["a workspace under /proc", { agents: { defaults: { workspace: "/proc/openclaw-ws" } } }, "agents.defaults.workspace"],
    ["a workspace that is a file", { agents: { list: [{ id: "a", workspace: "/etc/hostname" }] } }, "agents.list.0.workspace"],
  ];
  for (const [name, patch, path] of cases) {
    test(name, async () => {
      const { sock, path: file } = await admin();
      const before = readFileSync(file, "utf8");
      const err = await refusedWrite(sock, "config.patch", JSON.stringify(patch));
      expect(err.message).toStartWith("config would not start");
      expect(err.details.issues.map((i) => i.path)).toContain(path);
      expect(readFileSync(file, "utf8")).toBe(before);
    });
  }
});
