/**
 * Faults: the compiled gateway is killed with SIGKILL in the middle of agent runs, pairing writes and
 * device-token (credential) rotations, then restarted on the same state. Everything it acknowledged is
 * still there and readable: `PRAGMA integrity_check` on state.db, every device pairing row parses (device
 * pairing lives in state.db), chat.history holds every acknowledged user message, acknowledged pairings and
 * tokens work. A
 * model provider that is down never makes the gateway unready.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import type { DeviceIdentity } from "../../src/client/device-identity.ts";
import { ensureBinary, freePort, startBinaryGateway, tempHome } from "../helpers/binary.ts";
import { type FakeProvider, startFakeProvider } from "../helpers/fake-provider.ts";
import { newIdentity } from "../helpers/protocol.ts";
import { rawConnect, rawConnectParams, rawDeviceConnect, type RawWs, responseTo, runBounded } from "./_helpers.ts";
import { waitFor } from "../helpers/wait.ts";

const TOKEN = "crash-token-0123456789abcdef0123456789";
let fake: FakeProvider;
const homes: string[] = [];
const procs: { kill(sig?: number | NodeJS.Signals): void }[] = [];

beforeAll(async () => {
  await ensureBinary();
  fake = startFakeProvider({ fallback: { text: ["slow ", "stream ", "of ", "words ", "that ", "keeps ", "going"], delayMs: 40 } });
});
afterAll(() => {
  for (const p of procs) p.kill("SIGKILL");
  for (const h of homes) rmSync(h, { recursive: true, force: true });
  fake.stop();
});

/** A home with a config; `start()` runs the binary gateway on it (again after a kill). */
function setup(providerBaseUrl = fake.openaiBaseUrl) {
  const home = tempHome();
  homes.push(home);
  const port = freePort();
  const stateDir = join(home, ".openclaw");
  mkdirSync(stateDir, { recursive: true });
  mkdirSync(join(home, "ws"));
  writeFileSync(
    join(stateDir, "openclaw.json"),
    JSON.stringify({
      gateway: { mode: "local", port, auth: { token: TOKEN } },
      browser: { enabled: false },
      canvasHost: { enabled: false },
      models: { providers: { local: { baseUrl: providerBaseUrl, apiKey: "sk-crash", api: "openai-completions", models: [{ id: "m1" }] } } },
      agents: { defaults: { model: "local/m1", workspace: join(home, "ws") } },
    }),
  );
  return {
    home,
    port,
    stateDir,
    async start() {
      const gw = await startBinaryGateway(["gateway"], { home });
      procs.push(gw.proc);
      return gw;
    },
  };
}

async function operator(port: number): Promise<{ ws: RawWs; call(method: string, params?: unknown): Promise<any> }> {
  const { ws, res } = await rawConnect({ port }, rawConnectParams({ auth: { token: TOKEN } }));
  expect(res.ok).toBe(true);
  return wrap(ws);
}

function wrap(ws: RawWs) {
  let n = 0;
  return {
    ws,
    async call(method: string, params: unknown = {}) {
      const id = `c${++n}`;
      ws.request(method, params, id);
      return responseTo(ws, id, 15_000);
    },
  };
}

function expectDbIntact(stateDir: string): void {
  const db = new Database(join(stateDir, "state.db"), { readonly: true });
  try {
    expect(db.query("PRAGMA integrity_check").all()).toEqual([{ integrity_check: "ok" }]);
  } finally {
    db.close();
  }
}

/** The paired devices in state.db by deviceId, after checking the file and that every row parses. */
function expectPairedDevicesIntact(stateDir: string): Record<string, any> {
  expectDbIntact(stateDir);
  // Device pairing is in the state DB: no JSON files come back.
  expect(existsSync(join(stateDir, "devices"))).toBe(false);
  const db = new Database(join(stateDir, "state.db"), { readonly: true });
  try {
    const rows = db.query<{ device_id: string; body: string }, []>("SELECT device_id, body FROM device_paired").all();
    const out: Record<string, any> = {};
    for (const row of rows) out[row.device_id] = JSON.parse(row.body);
    return out;
  } finally {
    db.close();
  }
}

describe("kill -9 mid-flight, then restart", () => {
  test("during agent runs: state.db intact, every acknowledged user message in chat.history", async () => {
    const env = setup();
    const gw = await env.start();
    const op = await operator(env.port);
    const acked: { sessionKey: string; message: string }[] = [];
    // Several sessions streaming at once, plus a steady trickle of new sends, then the kill lands mid-stream.
    let stop = false;
    const sender = (async () => {
      for (let i = 0; !stop; i++) {
        const sessionKey = `agent:main:crash-${i % 5}`;
        const message = `acknowledged message ${i}`;
        const res = await op.call("chat.send", { sessionKey, message, idempotencyKey: `crash-${i}` }).catch(() => undefined);
        if (res?.ok) acked.push({ sessionKey, message });
        else break;
      }
    })();
    await waitFor(() => acked.length >= 25, "25 acknowledged messages", 30_000);
    gw.proc.kill("SIGKILL");
    await gw.proc.exited;
    stop = true;
    await sender;
    op.ws.destroy();

    expectDbIntact(env.stateDir);
    const again = await env.start();
    const op2 = await operator(env.port);
    for (const sessionKey of new Set(acked.map((a) => a.sessionKey))) {
      const history = await op2.call("chat.history", { sessionKey, limit: 1000 });
      expect(history.ok).toBe(true);
      const texts = history.payload.messages.filter((m: any) => m.role === "user").map((m: any) => m.content.map((c: any) => c.text).join(""));
      for (const a of acked.filter((x) => x.sessionKey === sessionKey)) expect({ sessionKey, message: a.message, present: texts.includes(a.message) }).toEqual({ sessionKey, message: a.message, present: true });
    }
    // The sessions keep working after the crash.
    const res = await op2.call("chat.send", { sessionKey: "agent:main:crash-0", message: "after the crash", idempotencyKey: "after-1" });
    expect(res.ok).toBe(true);
    op2.ws.destroy();
    again.proc.kill("SIGTERM");
    expect(await again.proc.exited).toBe(0);
    expectDbIntact(env.stateDir);
  }, 60_000);

  test("during pairing writes: the device rows in state.db parse and every acknowledged pairing survives", async () => {
    const env = setup();
    const gw = await env.start();
    const acked: { id: DeviceIdentity; token: string }[] = [];
    let killed = false;
    const pairing = runBounded(400, 8, async () => {
      if (killed) return;
      const id = newIdentity();
      try {
        const { ws, res } = await rawDeviceConnect({ port: env.port }, id, { token: TOKEN, scopes: ["operator.read"] });
        ws.destroy();
        if (res?.ok) acked.push({ id, token: res.payload.auth.deviceToken });
      } catch {
        // the kill landed
      }
    });
    await waitFor(() => acked.length >= 40, "40 paired devices", { timeoutMs: 30_000, intervalMs: 5 });
    gw.proc.kill("SIGKILL");
    killed = true;
    await gw.proc.exited;
    await pairing;

    const paired = expectPairedDevicesIntact(env.stateDir);
    for (const { id } of acked) expect({ deviceId: id.deviceId, paired: id.deviceId in paired }).toEqual({ deviceId: id.deviceId, paired: true });
    const again = await env.start();
    // Each acknowledged device reconnects with its device token alone (no shared secret).
    for (const { id, token } of acked.slice(-10)) {
      const { ws, res } = await rawDeviceConnect({ port: env.port }, id, { token, scopes: ["operator.read"] });
      expect({ deviceId: id.deviceId, ok: res?.ok }).toEqual({ deviceId: id.deviceId, ok: true });
      ws.destroy();
    }
    again.proc.kill("SIGTERM");
    await again.proc.exited;
  }, 60_000);

  test("during device-token rotations (credential writes): the device row parses and holds the last committed token", async () => {
    const env = setup();
    const gw = await env.start();
    const id = newIdentity();
    const first = await rawDeviceConnect({ port: env.port }, id, { token: TOKEN, scopes: ["operator.read"] });
    expect(first.res.ok).toBe(true);
    first.ws.destroy();
    const op = await operator(env.port);
    const tokens: string[] = [first.res.payload.auth.deviceToken];
    let inFlight = false;
    let stop = false;
    const rotating = (async () => {
      while (!stop) {
        inFlight = true;
        const res = await op.call("device.token.rotate", { deviceId: id.deviceId, role: "operator" }).catch(() => undefined);
        if (!res?.ok) return;
        tokens.push(res.payload.token);
        inFlight = false;
      }
    })();
    await waitFor(() => tokens.length >= 30, "30 rotated tokens", { timeoutMs: 30_000, intervalMs: 2 });
    gw.proc.kill("SIGKILL");
    await gw.proc.exited;
    stop = true;
    await rotating;
    op.ws.destroy();

    const paired = expectPairedDevicesIntact(env.stateDir);
    const hash = paired[id.deviceId].tokens.operator.hash;
    const last = tokens.at(-1)!;
    const sha = (t: string) => createHash("sha256").update(t).digest("hex");
    // The stored token is the last acknowledged one, or the one whose rotation was in flight when killed.
    if (hash !== sha(last)) expect(inFlight).toBe(true);
    // No older token survives.
    for (const old of tokens.slice(0, -1)) expect(hash).not.toBe(sha(old));
    const again = await env.start();
    const { ws, res } = await rawDeviceConnect({ port: env.port }, id, { token: last, scopes: ["operator.read"] });
    expect(res.ok).toBe(hash === sha(last));
    ws.destroy();
    again.proc.kill("SIGTERM");
    await again.proc.exited;
  }, 60_000);
});

describe("model provider down", () => {
  test("runs fail with the provider's error; the gateway stays ready and healthy", async () => {
    const dead = freePort();
    const env = setup(`http://127.0.0.1:${dead}/v1`);
    const gw = await env.start();
    const op = await operator(env.port);
    const ready = async () => (await fetch(`http://127.0.0.1:${env.port}/readyz`)).status;
    expect(await ready()).toBe(200);
    for (let i = 0; i < 5; i++) {
      const res = await op.call("chat.send", { sessionKey: "main", message: `provider is down ${i}`, idempotencyKey: `down-${i}` });
      expect(res.ok).toBe(true);
    }
    let finals = 0;
    while (finals < 5) {
      const f = await op.ws.nextJson(30_000);
      if (!f) throw new Error("no final chat event");
      if (f.event === "chat" && f.payload.state === "error") finals += 1;
    }
    expect(await ready()).toBe(200);
    expect((await op.call("health")).ok).toBe(true);
    op.ws.destroy();
    gw.proc.kill("SIGTERM");
    expect(await gw.proc.exited).toBe(0);
  }, 60_000);
});
