/**
 * Advisory class: privilege escalation through scopes. Scopes a device holds come from an operator's
 * approval, never from what the client asks for; reconnecting, rotating or restarting never widens them;
 * a rotated or revoked device token is dead at once (live sessions closed) and stays dead after a restart;
 * device tokens open no HTTP surface at all.
 */
import { afterEach, describe, expect, test } from "bun:test";
import type { DeviceIdentity } from "../../src/client/device-identity.ts";
import { type AgentGateway, startAgentGateway } from "../helpers/agent-gateway.ts";
import { TEST_TOKEN } from "../helpers/gateway.ts";
import { newIdentity } from "../helpers/protocol.ts";
import { rawConnect, rawConnectParams, rawDeviceConnect, rawHttp, type RawWs, responseTo } from "./_helpers.ts";

const REMOTE = { "x-forwarded-for": "203.0.113.7" };
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function gateway(): Promise<AgentGateway> {
  const gw = await startAgentGateway({ gateway: { mode: "local", auth: { token: TEST_TOKEN }, http: { endpoints: { chatCompletions: { enabled: true }, responses: { enabled: true } } } }, browser: { enabled: true } });
  cleanup.push(() => gw.stop());
  return gw;
}

/** An admin session over a raw socket; `call` sends one request and returns its response. */
async function admin(gw: AgentGateway, scopes?: string[]): Promise<{ ws: RawWs; call(method: string, params?: unknown): Promise<any> }> {
  const { ws, res } = await rawConnect({ port: gw.handle.port }, rawConnectParams({ auth: { token: TEST_TOKEN }, ...(scopes && { scopes }) }));
  expect(res.ok).toBe(true);
  cleanup.push(() => ws.destroy());
  let n = 0;
  return {
    ws,
    async call(method, params = {}) {
      const id = `a${++n}`;
      ws.request(method, params, id);
      const res = await responseTo(ws, id);
      if (!res) throw new Error(`no answer to ${method}`);
      return res;
    },
  };
}

/** Pairs a remote device for `scopes` (request → approve) and returns its device token. */
async function pairRemote(gw: AgentGateway, op: Awaited<ReturnType<typeof admin>>, id: DeviceIdentity, scopes: string[]): Promise<string> {
  const port = gw.handle.port;
  const first = await rawDeviceConnect({ port, headers: REMOTE }, id, { token: TEST_TOKEN, scopes });
  expect(first.res.error?.message).toBe("pairing required");
  expect((await op.call("device.pair.approve", { requestId: first.res.error.details.requestId })).ok).toBe(true);
  const second = await rawDeviceConnect({ port, headers: REMOTE }, id, { token: TEST_TOKEN, scopes });
  expect(second.res.ok).toBe(true);
  expect(second.res.payload.auth.scopes).toEqual(scopes);
  second.ws.destroy();
  return second.res.payload.auth.deviceToken;
}

describe("scopes come from approval, not from the client", () => {
  test("a device token never opens wider scopes, another role, or another device", async () => {
    const gw = await gateway();
    const op = await admin(gw);
    const id = newIdentity();
    const token = await pairRemote(gw, op, id, ["operator.read"]);
    const port = gw.handle.port;
    for (const scopes of [["operator.write"], ["operator.admin"], ["operator.read", "operator.pairing"], ["operator.approvals"]]) {
      const { res } = await rawDeviceConnect({ port, headers: REMOTE }, id, { token, scopes });
      expect({ scopes, ok: res.ok }).toEqual({ scopes, ok: false });
    }
    // An empty or missing scope list defaults an operator to admin; with a device token that is refused.
    expect((await rawDeviceConnect({ port, headers: REMOTE }, id, { token, scopes: [] })).res.ok).toBe(false);
    expect((await rawDeviceConnect({ port, headers: REMOTE }, id, { token })).res.ok).toBe(false);
    const node = await rawDeviceConnect({ port, headers: REMOTE }, id, { token, role: "node", client: { id: "node-host", version: "1", platform: "linux", mode: "node" } });
    expect(node.res.ok).toBe(false);
    const other = await rawDeviceConnect({ port, headers: REMOTE }, newIdentity(), { token, scopes: ["operator.read"] });
    expect(other.res.ok).toBe(false);
    // The approved scope works, and a write method is refused on it.
    const ok = await rawDeviceConnect({ port, headers: REMOTE }, id, { token, scopes: ["operator.read"] });
    expect(ok.res.ok).toBe(true);
    ok.ws.request("chat.send", { sessionKey: "main", message: "x", idempotencyKey: "k" }, "w");
    expect((await responseTo(ok.ws, "w")).error?.message).toBe("missing scope: operator.write");
    ok.ws.destroy();
  });

  test("a paired device asking for more with the shared secret is a new pairing request, not a silent upgrade", async () => {
    const gw = await gateway();
    const op = await admin(gw);
    const id = newIdentity();
    await pairRemote(gw, op, id, ["operator.read"]);
    const { res } = await rawDeviceConnect({ port: gw.handle.port, headers: REMOTE }, id, { token: TEST_TOKEN, scopes: ["operator.admin"] });
    expect(res.error?.message).toBe("pairing required");
    const pending = (await op.call("device.pair.list")).payload.pending;
    expect(pending).toEqual([expect.objectContaining({ deviceId: id.deviceId, isRepair: true })]);
    expect(gw.handle.ctx.devices.getPaired(id.deviceId)?.scopes).toEqual(["operator.read"]);
  });

  test("a node never holds operator scopes, whatever it asks", async () => {
    const gw = await gateway();
    const { ws, res } = await rawConnect({ port: gw.handle.port }, rawConnectParams({ role: "node", scopes: ["operator.admin", "operator.write"], auth: { token: TEST_TOKEN }, client: { id: "node-host", version: "1", platform: "linux", mode: "node" } }));
    expect(res.ok).toBe(true);
    ws.request("health", {}, "h");
    expect((await responseTo(ws, "h")).error?.message).toBe("unauthorized role: node");
    ws.destroy();
  });

  test("nobody hands out more than they hold: a pairing-only operator cannot approve or mint admin", async () => {
    const gw = await gateway();
    const op = await admin(gw);
    const pairer = await admin(gw, ["operator.pairing"]);
    const id = newIdentity();
    const first = await rawDeviceConnect({ port: gw.handle.port, headers: REMOTE }, id, { token: TEST_TOKEN, scopes: ["operator.admin"] });
    const requestId = first.res.error.details.requestId;
    expect((await pairer.call("device.pair.approve", { requestId })).error?.message).toBe("missing scope: operator.admin");
    await pairRemote(gw, op, newIdentity(), ["operator.read"]);
    const paired = gw.handle.ctx.devices.listPairing().paired[0]!;
    const rotate = await pairer.call("device.token.rotate", { deviceId: paired.deviceId, role: "operator", scopes: ["operator.admin"] });
    expect(rotate.error?.message).toBe("missing scope: operator.admin");
    // Even an admin cannot rotate a token wider than the device's approval.
    const wider = await op.call("device.token.rotate", { deviceId: paired.deviceId, role: "operator", scopes: ["operator.admin"] });
    expect(wider.ok).toBe(false);
  });
});

describe("rotated and revoked tokens are dead at once", () => {
  test("rotation closes sessions on the old token and refuses it; revoke does the same; a restart keeps them dead", async () => {
    const gw = await gateway();
    const op = await admin(gw);
    const id = newIdentity();
    const token = await pairRemote(gw, op, id, ["operator.read", "operator.write"]);
    const port = gw.handle.port;

    const live = await rawDeviceConnect({ port, headers: REMOTE }, id, { token, scopes: ["operator.read", "operator.write"] });
    expect(live.res.ok).toBe(true);
    const rotated = await op.call("device.token.rotate", { deviceId: id.deviceId, role: "operator", scopes: ["operator.read"] });
    expect(rotated.ok).toBe(true);
    expect(await live.ws.closed()).toMatchObject({ code: 1008, text: "device token rotated" });
    expect((await rawDeviceConnect({ port, headers: REMOTE }, id, { token, scopes: ["operator.read"] })).res.ok).toBe(false);
    // The new token carries the narrower scopes only.
    const fresh = rotated.payload.token as string;
    expect((await rawDeviceConnect({ port, headers: REMOTE }, id, { token: fresh, scopes: ["operator.read", "operator.write"] })).res.ok).toBe(false);
    const narrow = await rawDeviceConnect({ port, headers: REMOTE }, id, { token: fresh, scopes: ["operator.read"] });
    expect(narrow.res.ok).toBe(true);

    expect((await op.call("device.token.revoke", { deviceId: id.deviceId, role: "operator" })).ok).toBe(true);
    expect(await narrow.ws.closed()).toMatchObject({ code: 1008, text: "device token revoked" });
    expect((await rawDeviceConnect({ port, headers: REMOTE }, id, { token: fresh, scopes: ["operator.read"] })).res.ok).toBe(false);

    // A shared-secret admin session of the same gateway is untouched by all this.
    expect((await op.call("health")).ok).toBe(true);

    await gw.restart();
    const p2 = gw.handle.port;
    for (const t of [token, fresh]) {
      const { res } = await rawDeviceConnect({ port: p2, headers: REMOTE }, id, { token: t, scopes: ["operator.read"] });
      expect(res.ok).toBe(false);
    }
    expect(gw.handle.ctx.devices.getPaired(id.deviceId)?.tokens.operator).toBeUndefined();
  });

  test("device tokens are not accepted by any HTTP surface", async () => {
    const gw = await gateway();
    const op = await admin(gw);
    const token = await pairRemote(gw, op, newIdentity(), ["operator.admin"]);
    const port = gw.handle.port;
    const bearer = { authorization: `Bearer ${token}` };
    const post = (path: string) => rawHttp({ port, method: "POST", path, headers: { ...bearer, "content-type": "application/json", "content-length": "2" } });
    for (const path of ["/tools/invoke", "/v1/chat/completions", "/v1/responses"]) {
      gw.handle.ctx.rateLimiter.recordSuccess("127.0.0.1");
      expect({ path, status: (await post(path)).status }).toEqual({ path, status: 401 });
    }
    gw.handle.ctx.rateLimiter.recordSuccess("127.0.0.1");
    expect((await rawHttp({ port, path: "/__openclaw__/canvas/", headers: bearer })).status).toBe(401);
    const control = gw.handle.ctx.browserControl;
    if (control) expect((await fetch(`${control.url}/`, { headers: bearer })).status).toBe(401);
  });
});

