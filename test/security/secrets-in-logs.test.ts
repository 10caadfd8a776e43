/**
 * Advisory class: secrets in logs. A session that uses every kind of secret (gateway token, a wrong token,
 * a device token, a password, a wrong password, a provider API key, a hooks token, HTTP bearers) and a
 * message body, run against an in-process gateway logging at debug level and against the compiled binary;
 * no secret and no message body appears in the log file, stdout or stderr.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGateway, type GatewayHandle } from "../../src/gateway/server.ts";
import { Logger } from "../../src/logging/logger.ts";
import { BINARY, binaryEnv, ensureBinary, freePort, startBinaryGateway, tempHome } from "../helpers/binary.ts";
import { type FakeProvider, startFakeProvider } from "../helpers/fake-provider.ts";
import { newIdentity } from "../helpers/protocol.ts";
import { rawConnect, rawConnectParams, rawDeviceConnect, responseTo, type RawWs } from "./_helpers.ts";

const S = {
  token: "SECRET-GATEWAY-TOKEN-7f3a9c1e5b2d4680aa",
  wrongToken: "SECRET-WRONG-TOKEN-0b1c2d3e4f5a6b7c8d",
  password: "SECRET-PASSWORD-correct-horse-9911",
  wrongPassword: "SECRET-WRONG-PASSWORD-battery-2277",
  apiKey: "sk-SECRET-PROVIDER-KEY-5e6f7a8b9c0d1e2f",
  hookToken: "SECRET-HOOK-TOKEN-3c4d5e6f7a8b9c0d1e",
  wrongBearer: "SECRET-WRONG-BEARER-6a7b8c9d0e1f2a3b",
  body: "SECRET-MESSAGE-BODY please remember my card 4111111111111111",
  reply: "SECRET-REPLY-BODY the assistant said something private",
};

let fake: FakeProvider;
const dirs: string[] = [];
beforeAll(() => {
  fake = startFakeProvider({ requireKey: S.apiKey, fallback: { text: S.reply } });
});
afterAll(() => {
  fake.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Everything a log reader would see must be free of every secret (and of distinctive prefixes of them). */
function expectClean(where: string, text: string, secrets: Record<string, string>): void {
  expect(text.length).toBeGreaterThan(0);
  for (const [name, value] of Object.entries(secrets)) {
    for (const needle of [value, value.slice(0, 24), value.slice(-16)]) {
      expect({ where, name, found: text.includes(needle) }).toEqual({ where, name, found: false });
    }
  }
}

function config(port: number, workspace: string, logFile?: string) {
  return {
    gateway: { mode: "local" as const, port, auth: { token: S.token }, http: { endpoints: { chatCompletions: { enabled: true } } } },
    hooks: { enabled: true, token: S.hookToken },
    browser: { enabled: false },
    models: { providers: { local: { baseUrl: fake.openaiBaseUrl, apiKey: S.apiKey, api: "openai-completions", models: [{ id: "m1" }] } } },
    agents: { defaults: { model: "local/m1", workspace } },
    ...(logFile && { logging: { level: "debug" as const, file: logFile } }),
  };
}

/** Runs the same session against a gateway on `port`: every secret used right and wrong, one chat turn. */
async function session(port: number, secret: { token?: string; password?: string }): Promise<void> {
  const auth = secret.password ? { password: secret.password } : { token: secret.token };
  const wrong = secret.password ? { password: S.wrongPassword } : { token: S.wrongToken };
  // Wrong secret, then the right one.
  const bad = await rawConnect({ port }, rawConnectParams({ client: { id: "cli", version: "1", platform: "linux", mode: "cli" }, auth: wrong }));
  expect(bad.res.ok).toBe(false);
  bad.ws.destroy();
  const { ws, res } = await rawConnect({ port }, rawConnectParams({ auth }));
  expect(res.ok).toBe(true);
  // A device: paired on loopback, gets a device token, reconnects with the device token alone.
  const id = newIdentity();
  const dev = await rawDeviceConnect({ port }, id, { token: secret.token ?? undefined, scopes: ["operator.read"] });
  let deviceToken: string | undefined;
  if (secret.token) {
    expect(dev.res.ok).toBe(true);
    deviceToken = dev.res.payload.auth.deviceToken;
    dev.ws.destroy();
    const again = await rawDeviceConnect({ port }, id, { token: deviceToken, scopes: ["operator.read"] });
    expect(again.res.ok).toBe(true);
    again.ws.destroy();
    const wrongDevice = await rawDeviceConnect({ port }, id, { token: `${deviceToken}x`, scopes: ["operator.read"] });
    expect(wrongDevice.res.ok).toBe(false);
  } else dev.ws.destroy();
  // A chat turn through the provider (uses the API key; carries a message body both ways).
  await chat(ws, S.body);
  // HTTP: wrong and right bearers, hooks with the hook token.
  const base = `http://127.0.0.1:${port}`;
  await fetch(`${base}/tools/invoke`, { method: "POST", headers: { authorization: `Bearer ${S.wrongBearer}` }, body: "{}" });
  await fetch(`${base}/tools/invoke`, { method: "POST", headers: { authorization: `Bearer ${secret.token ?? secret.password}`, "content-type": "application/json" }, body: JSON.stringify({ tool: "sessions_history", args: { sessionKey: "main" } }) });
  await fetch(`${base}/hooks/wake`, { method: "POST", headers: { authorization: `Bearer ${S.hookToken}`, "content-type": "application/json" }, body: JSON.stringify({ text: S.body, mode: "next-heartbeat" }) });
  await fetch(`${base}/hooks/wake?token=${S.hookToken}`, { method: "POST", body: "{}" });
  await fetch(`${base}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${secret.token ?? secret.password}`, "content-type": "application/json" }, body: JSON.stringify({ messages: [{ role: "user", content: S.body }] }) });
  // A provider failure (wrong key → 401 from the provider) is logged without the key or the body.
  ws.destroy();
  if (deviceToken) (S as Record<string, string>).deviceToken = deviceToken;
}

async function chat(ws: RawWs, message: string): Promise<void> {
  ws.request("chat.send", { sessionKey: "main", message, idempotencyKey: crypto.randomUUID() }, "chat");
  expect((await responseTo(ws, "chat"))?.ok).toBe(true);
  for (;;) {
    const f = await ws.nextJson(15_000);
    if (!f) throw new Error("no final chat event");
    if (f.event === "chat" && f.payload.state !== "delta") {
      expect(f.payload.state).toBe("final");
      return;
    }
  }
}

describe("in-process gateway, debug level", () => {
  for (const mode of ["token", "password"] as const) {
    test(`${mode} mode`, async () => {
      const stateDir = mkdtempSync(join(tmpdir(), "openclaw-logs-"));
      dirs.push(stateDir);
      const workspace = join(stateDir, "ws");
      mkdirSync(workspace);
      const lines: string[] = [];
      const logFile = join(stateDir, "gateway.log");
      const logger = new Logger("gateway", { level: "debug", file: logFile, write: (l) => lines.push(l) });
      const cfg = config(0, workspace);
      const handle: GatewayHandle = await startGateway({
        version: "test",
        stateDir,
        loaded: { path: join(stateDir, "openclaw.json"), exists: false, raw: "", hash: "", config: cfg },
        settings: { port: 0, bind: "loopback", hosts: ["127.0.0.1"], auth: mode === "token" ? { mode, token: S.token } : { mode, password: S.password } },
        logger,
      });
      try {
        await session(handle.port, mode === "token" ? { token: S.token } : { password: S.password });
      } finally {
        await handle.stop();
      }
      expect(fake.requests.some((r) => JSON.stringify(r.body).includes(S.body))).toBe(true);
      expectClean("console", lines.join("\n"), S);
      expectClean("log file", readFileSync(logFile, "utf8"), S);
    });
  }
});

describe("compiled binary", () => {
  test("token mode: log file, stdout and stderr", async () => {
    await ensureBinary();
    const home = tempHome();
    dirs.push(home);
    const port = freePort();
    const logFile = join(home, "logs", "gateway.jsonl");
    mkdirSync(join(home, ".openclaw"), { recursive: true });
    mkdirSync(join(home, "ws"));
    writeFileSync(join(home, ".openclaw", "openclaw.json"), JSON.stringify(config(port, join(home, "ws"), logFile)));
    const gw = await startBinaryGateway(["gateway"], { home });
    let stderr = "";
    try {
      await session(port, { token: S.token });
      // The CLI with a wrong token: its error output names no secret either.
      const cli = Bun.spawn([BINARY, "gateway", "call", "health", "--token", S.wrongToken, "--url", `ws://127.0.0.1:${port}`], { env: binaryEnv(home), stdout: "pipe", stderr: "pipe" });
      const [out, err] = await Promise.all([new Response(cli.stdout).text(), new Response(cli.stderr).text(), cli.exited]);
      expectClean("cli output", `${out}\n${err}\n(cli ran)`, { ...S, wrongToken: S.wrongToken });
    } finally {
      gw.proc.kill("SIGTERM");
      await gw.proc.exited;
      await gw.drained;
      stderr = await new Response(gw.proc.stderr).text();
    }
    expect(existsSync(logFile)).toBe(true);
    expectClean("binary stdout", gw.output(), S);
    expectClean("binary stderr", `${stderr}\n(stderr)`, S);
    expectClean("binary log file", readFileSync(logFile, "utf8"), S);
  }, 60_000);
});
