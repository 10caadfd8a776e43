/**
 * Nodes over real sockets: a simulated node (role node, Ed25519-signed) pairs remotely, is listed and
 * invoked; timeouts, disconnects mid-call, the command allowlist, token rotation and revocation, and every
 * scope-escalation path we know of.
 */
import { describe, expect, test } from "bun:test";
import { checkEventPayload as checkEvent, checkResult } from "../../src/protocol/index.ts";
import type { TestGateway } from "../helpers/gateway.ts";
import { HOLD, SimulatedNode, type NodeConnectOptions } from "../helpers/node.ts";
import { deviceConnect, drain, expectNoFrame, newIdentity, useCleanup } from "../helpers/protocol.ts";
import { connectClient, type TestSocket } from "../helpers/ws.ts";
import { waitFor } from "../helpers/wait.ts";

const env = useCleanup();
const REMOTE = "203.0.113.7";

async function operator(gw: TestGateway, scopes?: string[]): Promise<TestSocket> {
  const { sock } = await connectClient(gw.url, gw.token, scopes ? { scopes } : {});
  env.defer(() => sock.close());
  return sock;
}

async function node(gw: TestGateway, opts: NodeConnectOptions): Promise<SimulatedNode> {
  const n = await SimulatedNode.connect(gw.url, opts);
  env.defer(() => n.close());
  return n;
}

/** Pairs a fresh remote node (request → admin approves) and connects it with its node token. */
async function pairedNode(gw: TestGateway, admin: TestSocket, opts: NodeConnectOptions = {}): Promise<{ node: SimulatedNode; token: string }> {
  const identity = opts.identity ?? newIdentity();
  const first = await node(gw, { ...opts, identity, token: gw.token, remoteIp: REMOTE });
  expect(first.error?.code).toBe("NOT_PAIRED");
  const approved = await admin.request("node.pair.approve", { requestId: first.error!.details.requestId });
  expect(approved.ok).toBe(true);
  const token = approved.payload.node.token as string;
  const n = await node(gw, { ...opts, identity, token, remoteIp: REMOTE });
  expect(n.hello).toBeDefined();
  return { node: n, token };
}

describe("pairing a remote node", () => {
  test("pending → node.pair.requested to pairing scopes only → approve → connect with the node token", async () => {
    const gw = await env.gateway();
    const admin = await operator(gw);
    const pairer = await operator(gw, ["operator.pairing"]);
    const reader = await operator(gw, ["operator.read"]);
    const identity = newIdentity();
    const opts: NodeConnectOptions = { identity, displayName: "Pixel", platform: "android", caps: ["camera", "location"], commands: ["device.info", "system.notify", "camera.snap"], permissions: { camera: true } };

    const first = await node(gw, { ...opts, token: gw.token, remoteIp: REMOTE });
    const requestId = first.error?.details?.requestId;
    expect(first.error).toMatchObject({ code: "NOT_PAIRED", message: "pairing required", details: { requestId: expect.any(String) } });
    expect(await first.closed).toEqual({ code: 1008, reason: "pairing required" });

    for (const sock of [admin, pairer]) {
      const ev = await sock.nextMatching((f) => f.event === "node.pair.requested");
      expect(checkEvent("node.pair.requested", ev.payload)).toEqual({ ok: true });
      expect(ev.payload).toMatchObject({ requestId, nodeId: identity.deviceId, displayName: "Pixel", platform: "android", caps: ["camera", "location"], isRepair: false });
      expect(ev.payload.publicKey).toBeUndefined();
      expect(typeof ev.seq).toBe("number");
    }
    await expectNoFrame(reader, 50).catch(async () => {
      expect((await drain(reader)).filter((f) => String(f.event).startsWith("node.pair."))).toEqual([]);
    });

    // A second refused connect refreshes the same request instead of adding one.
    const again = await node(gw, { ...opts, token: gw.token, remoteIp: REMOTE });
    expect(again.error?.details.requestId).toBe(requestId);
    const list = await pairer.request("node.pair.list");
    expect(checkResult("node.pair.list", list.payload)).toEqual({ ok: true });
    expect(list.payload.pending.map((p: any) => p.requestId)).toEqual([requestId]);
    expect(list.payload.paired).toEqual([]);
    // Not paired yet: the device token path and the shared secret both still say pairing required.
    expect((await node(gw, { ...opts, token: gw.token, remoteIp: REMOTE })).error?.code).toBe("NOT_PAIRED");

    const approved = await admin.request("node.pair.approve", { requestId });
    expect(approved.ok).toBe(true);
    const token: string = approved.payload.node.token;
    expect(typeof token).toBe("string");
    expect(approved.payload).toMatchObject({ requestId, node: { nodeId: identity.deviceId, paired: true, connected: false, token } });
    const resolved = await pairer.nextMatching((f) => f.event === "node.pair.resolved");
    expect(resolved.payload).toEqual({ requestId, nodeId: identity.deviceId, decision: "approved", ts: expect.any(Number) });
    expect((await pairer.request("node.pair.approve", { requestId })).error).toEqual({ code: "INVALID_REQUEST", message: `unknown requestId: ${requestId}` });

    // The node token alone (no shared secret) now opens the door, and hello-ok hands the same token back.
    const n = await node(gw, { ...opts, token, remoteIp: REMOTE });
    expect(n.error).toBeUndefined();
    expect(n.hello.auth).toMatchObject({ deviceToken: token, role: "node", scopes: [] });
    expect(n.hello.features.events).toContain("node.invoke.request");

    const listed = await reader.request("node.list");
    expect(checkResult("node.list", listed.payload)).toEqual({ ok: true });
    expect(listed.payload.nodes).toEqual([
      expect.objectContaining({
        nodeId: identity.deviceId,
        displayName: "Pixel",
        platform: "android",
        caps: ["camera", "location"],
        // camera.snap is not in the default allowlist.
        commands: ["device.info", "system.notify"],
        permissions: { camera: true },
        paired: true,
        connected: true,
        connectedAtMs: expect.any(Number),
        remoteIp: "127.0.0.1",
      }),
    ]);
    const described = await reader.request("node.describe", { nodeId: identity.deviceId });
    expect(checkResult("node.describe", described.payload)).toEqual({ ok: true });
    expect(described.payload).toEqual(listed.payload.nodes[0]);
    expect((await reader.request("node.describe", { nodeId: "nope" })).error).toEqual({ code: "INVALID_REQUEST", message: "unknown nodeId" });

    expect((await pairer.request("node.pair.verify", { nodeId: identity.deviceId, token })).payload).toMatchObject({ ok: true, node: { nodeId: identity.deviceId } });
    expect((await pairer.request("node.pair.verify", { nodeId: identity.deviceId, token: `${token}x` })).payload).toEqual({ ok: false });
    expect((await pairer.request("node.pair.list")).payload.paired.map((p: any) => p.nodeId)).toEqual([identity.deviceId]);

    const presence = (await reader.request("system-presence")).payload as any[];
    expect(presence.find((p) => p.deviceId === identity.deviceId)).toMatchObject({ roles: ["node"], scopes: [], mode: "node", reason: "connect" });

    // Offline, the node stays listed from what it reported last.
    n.close();
    await waitFor(() => !gw.handle.ctx.nodes.describe(identity.deviceId)?.connected, "node offline", 2000);
    const offline = (await reader.request("node.describe", { nodeId: identity.deviceId })).payload;
    expect(offline).toMatchObject({ connected: false, paired: true, displayName: "Pixel", commands: ["device.info", "system.notify"], lastConnectedAtMs: expect.any(Number) });
    expect(offline.connectedAtMs).toBeUndefined();
  });

  test("reject, unknown ids, operator-made requests, and a local node pairs silently", async () => {
    const gw = await env.gateway();
    const admin = await operator(gw);
    const first = await node(gw, { token: gw.token, remoteIp: REMOTE });
    const requestId = first.error!.details.requestId;
    const rejected = await admin.request("node.pair.reject", { requestId });
    expect(rejected.payload).toEqual({ requestId, nodeId: first.nodeId });
    expect((await admin.nextMatching((f) => f.event === "node.pair.resolved")).payload).toMatchObject({ requestId, decision: "rejected" });
    expect((await admin.request("node.pair.reject", { requestId })).error.message).toBe(`unknown requestId: ${requestId}`);

    const made = await admin.request("node.pair.request", { nodeId: "legacy-1", displayName: "Bridge", commands: ["system.notify"] });
    const legacyRequestId: string = made.payload.request.requestId;
    expect(made.payload).toMatchObject({ status: "pending", created: true, request: { nodeId: "legacy-1", requestId: legacyRequestId, isRepair: false } });
    const remade = await admin.request("node.pair.request", { nodeId: "legacy-1" });
    expect(remade.payload).toMatchObject({ created: false, request: { requestId: legacyRequestId, displayName: "Bridge" } });
    const ok = await admin.request("node.pair.approve", { requestId: legacyRequestId });
    expect(ok.error).toBeUndefined();
    expect((await admin.request("node.pair.verify", { nodeId: "legacy-1", token: ok.payload.node.token })).payload.ok).toBe(true);
    expect((await admin.request("node.describe", { nodeId: "legacy-1" })).payload).toMatchObject({ paired: true, connected: false, displayName: "Bridge" });

    // Loopback without proxy headers: approved without asking (protocol.md §3.4).
    const local = await node(gw, { token: gw.token });
    expect(local.hello.auth).toMatchObject({ role: "node", scopes: [] });
    expect((await admin.request("node.describe", { nodeId: local.nodeId })).payload).toMatchObject({ paired: true, connected: true });
  });

  test("node.rename survives reconnects; node.event reaches subscribers", async () => {
    const gw = await env.gateway();
    const admin = await operator(gw);
    const identity = newIdentity();
    const { node: n, token } = await pairedNode(gw, admin, { identity, displayName: "mac-mini" });
    expect((await admin.request("node.rename", { nodeId: n.nodeId, displayName: "Studio Mac" })).payload).toEqual({ nodeId: n.nodeId, displayName: "Studio Mac" });
    expect((await admin.request("node.rename", { nodeId: "nope", displayName: "x" })).error.message).toBe("unknown nodeId");
    n.close();
    await n.closed;
    await node(gw, { identity, token, remoteIp: REMOTE, displayName: "mac-mini" });
    expect((await admin.request("node.describe", { nodeId: n.nodeId })).payload.displayName).toBe("Studio Mac");

    const seen: any[] = [];
    gw.handle.ctx.nodes.onEvent((e) => seen.push(e));
    const again = await node(gw, { identity, token, remoteIp: REMOTE });
    expect((await again.request("node.event", { event: "voice.transcript", payloadJSON: '{"text":"hi"}' })).payload).toEqual({ ok: true });
    expect(seen).toEqual([{ nodeId: identity.deviceId, event: "voice.transcript", payload: { text: "hi" }, ts: expect.any(Number) }]);
  });
});

describe("node.invoke", () => {
  test("forwards node.invoke.request to the node and returns its result", async () => {
    const gw = await env.gateway();
    const admin = await operator(gw);
    const writer = await operator(gw, ["operator.write"]);
    let calls = 0;
    const { node: n } = await pairedNode(gw, admin, {
      commands: ["device.info"],
      handlers: { "device.info": (params) => (calls++, { echo: params, model: "sim" }) },
    });
    const res = await writer.request("node.invoke", { nodeId: n.nodeId, command: "device.info", params: { verbose: true }, timeoutMs: 2000, idempotencyKey: "k1" });
    expect(res.error).toBeUndefined();
    expect(checkResult("node.invoke", res.payload)).toEqual({ ok: true });
    expect(res.payload).toEqual({ ok: true, nodeId: n.nodeId, command: "device.info", payload: { echo: { verbose: true }, model: "sim" } });
    const req = n.invokes[0]!;
    expect(checkEvent("node.invoke.request", req)).toEqual({ ok: true });
    expect(req).toEqual({ id: expect.any(String), nodeId: n.nodeId, command: "device.info", paramsJSON: '{"verbose":true}', timeoutMs: 2000, idempotencyKey: "k1" });

    // Same idempotencyKey: replayed, not re-run. A new key runs again.
    expect((await writer.request("node.invoke", { nodeId: n.nodeId, command: "device.info", params: { verbose: true }, idempotencyKey: "k1" })).payload).toEqual(res.payload);
    expect(calls).toBe(1);
    await writer.request("node.invoke", { nodeId: n.nodeId, command: "device.info", idempotencyKey: "k2" });
    expect(calls).toBe(2);
    expect(n.invokes[1]!.paramsJSON).toBeUndefined();
  });

  test("a node error, a timeout, and a late answer", async () => {
    const gw = await env.gateway();
    const admin = await operator(gw);
    const { node: n } = await pairedNode(gw, admin, {
      commands: ["device.info", "system.notify"],
      handlers: {
        "device.info": () => {
          throw new Error("sensor offline");
        },
        "system.notify": () => HOLD,
      },
    });
    const failed = await admin.request("node.invoke", { nodeId: n.nodeId, command: "device.info", idempotencyKey: "e1" });
    expect(failed.error).toMatchObject({ code: "UNAVAILABLE", message: "sensor offline", details: { nodeError: { code: "COMMAND_FAILED", message: "sensor offline" } } });

    const started = Date.now();
    const timedOut = await admin.request("node.invoke", { nodeId: n.nodeId, command: "system.notify", timeoutMs: 150, idempotencyKey: "t1" });
    expect(timedOut.error).toMatchObject({ code: "UNAVAILABLE", message: "node invoke timed out after 150 ms (system.notify)", retryable: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    // The node answers after the caller gave up: accepted and ignored.
    const late = await n.answer(n.invokes.at(-1)!.id, { ok: true, payload: {} });
    expect(late.payload).toEqual({ ok: true, ignored: true });
    // The failed key is not cached: a retry reaches the node again.
    await admin.request("node.invoke", { nodeId: n.nodeId, command: "system.notify", timeoutMs: 50, idempotencyKey: "t1" });
    expect(n.invokes.filter((r) => r.command === "system.notify")).toHaveLength(2);
  });

  test("the node disconnecting mid-call ends the call with an error", async () => {
    const gw = await env.gateway();
    const admin = await operator(gw);
    const { node: n } = await pairedNode(gw, admin, { commands: ["system.notify"], handlers: { "system.notify": () => (setTimeout(() => n.close(), 20), HOLD) } });
    const started = Date.now();
    const res = await admin.request("node.invoke", { nodeId: n.nodeId, command: "system.notify", timeoutMs: 30_000, idempotencyKey: "d1" });
    expect(res.error).toMatchObject({ code: "UNAVAILABLE", message: "node disconnected during invoke (system.notify)" });
    expect(Date.now() - started).toBeLessThan(5000);
    const again = await admin.request("node.invoke", { nodeId: n.nodeId, command: "system.notify", idempotencyKey: "d2" });
    expect(again.error).toMatchObject({ code: "UNAVAILABLE", message: `node not connected: ${n.nodeId}` });
  });

  test("allowlist: defaults, gateway.nodes.allowCommands / denyCommands, and undeclared commands", async () => {
    const gw = await env.gateway({ config: { gateway: { mode: "local", nodes: { allowCommands: ["test.*"], denyCommands: ["system.run"] } } } });
    const admin = await operator(gw);
    const { node: n } = await pairedNode(gw, admin, {
      commands: ["test.echo", "system.run", "camera.snap", "device.info"],
      handlers: { "test.echo": (p) => p, "camera.snap": () => "should not run" },
    });
    expect((await admin.request("node.describe", { nodeId: n.nodeId })).payload.commands).toEqual(["test.echo", "device.info"]);
    expect((await admin.request("node.invoke", { nodeId: n.nodeId, command: "test.echo", params: [1], idempotencyKey: "a" })).payload.payload).toEqual([1]);
    for (const command of ["camera.snap", "system.run"]) {
      const res = await admin.request("node.invoke", { nodeId: n.nodeId, command, idempotencyKey: command });
      expect(res.error).toMatchObject({ code: "INVALID_REQUEST", message: `node command not allowed: ${command}` });
    }
    // Allowed by the gateway but not declared by this node.
    const undeclared = await admin.request("node.invoke", { nodeId: n.nodeId, command: "location.get", idempotencyKey: "l" });
    expect(undeclared.error).toMatchObject({ code: "INVALID_REQUEST", message: "node command not allowed: location.get" });
    expect(n.invokes.map((r) => r.command)).toEqual(["test.echo"]);
    expect((await admin.request("node.invoke", { nodeId: "ghost", command: "test.echo", idempotencyKey: "g" })).error).toMatchObject({ code: "UNAVAILABLE", message: "node not connected: ghost" });
  });

  test("results only count from the node that was asked", async () => {
    const gw = await env.gateway();
    const admin = await operator(gw);
    const { node: a } = await pairedNode(gw, admin, { commands: ["system.notify"], handlers: { "system.notify": () => HOLD } });
    const { node: b } = await pairedNode(gw, admin, { commands: [] });
    const call = admin.request("node.invoke", { nodeId: a.nodeId, command: "system.notify", timeoutMs: 3000, idempotencyKey: "x" });
    await waitFor(() => a.invokes.length === 1, "invoke at a", 2000);
    const id = a.invokes[0]!.id;
    expect((await b.request("node.invoke.result", { id, nodeId: a.nodeId, ok: true, payload: "forged" })).error).toEqual({ code: "INVALID_REQUEST", message: "nodeId mismatch" });
    expect((await b.answer(id, { ok: true, payload: "forged" })).payload).toEqual({ ok: true, ignored: true });
    await a.answer(id, { ok: true, payloadJSON: '{"real":true}' });
    expect((await call).payload).toEqual({ ok: true, nodeId: a.nodeId, command: "system.notify", payload: { real: true }, payloadJSON: '{"real":true}' });
  });
});

describe("token rotation and revocation", () => {
  test("revoke: the live session is closed, the token is refused on connect and by node.pair.verify", async () => {
    const gw = await env.gateway();
    const admin = await operator(gw);
    const identity = newIdentity();
    const { node: n, token } = await pairedNode(gw, admin, { identity, commands: ["system.notify"] });
    const revoked = await admin.request("device.token.revoke", { deviceId: n.nodeId, role: "node" });
    expect(revoked.payload).toMatchObject({ ok: true, deviceId: n.nodeId, role: "node" });
    expect(await n.closed).toEqual({ code: 1008, reason: "device token revoked" });
    const refused = await node(gw, { identity, token, remoteIp: REMOTE });
    expect(refused.error).toMatchObject({ code: "INVALID_REQUEST", message: expect.stringMatching(/^unauthorized:/) });
    expect((await admin.request("node.pair.verify", { nodeId: n.nodeId, token })).payload).toEqual({ ok: false });
    expect((await admin.request("node.describe", { nodeId: n.nodeId })).payload.connected).toBe(false);
  });

  test("rotate: old token dead at once (sessions closed), new one works; shared-secret sessions stay", async () => {
    const gw = await env.gateway();
    const admin = await operator(gw);
    const identity = newIdentity();
    const { node: n, token } = await pairedNode(gw, admin, { identity });
    const viaShared = await node(gw, { identity, token: gw.token, remoteIp: REMOTE });
    expect(viaShared.hello).toBeDefined();
    const rotated = await admin.request("device.token.rotate", { deviceId: n.nodeId, role: "node" });
    const newToken: string = rotated.payload.token;
    expect(typeof newToken).toBe("string");
    expect(newToken).not.toBe(token);
    expect(rotated.payload).toMatchObject({ deviceId: n.nodeId, role: "node", scopes: [], token: newToken });
    expect(await n.closed).toEqual({ code: 1008, reason: "device token rotated" });
    expect((await node(gw, { identity, token, remoteIp: REMOTE })).error?.message).toStartWith("unauthorized:");
    expect((await admin.request("node.pair.verify", { nodeId: n.nodeId, token })).payload.ok).toBe(false);
    const fresh = await node(gw, { identity, token: newToken, remoteIp: REMOTE });
    expect(fresh.error).toBeUndefined();
    expect(fresh.hello.auth.deviceToken).toBe(newToken);
    expect((await viaShared.request("node.event", { event: "still-here" })).ok).toBe(true);
  });

  test("operator device tokens: rotate closes the sessions that used the old token", async () => {
    const gw = await env.gateway();
    const admin = await operator(gw);
    const identity = newIdentity();
    const headers = { "x-forwarded-for": REMOTE };
    const first = await deviceConnect(gw.url, identity, { token: gw.token, scopes: ["operator.read"], headers });
    await admin.request("device.pair.approve", { requestId: first.res.error.details.requestId });
    const withShared = await deviceConnect(gw.url, identity, { token: gw.token, scopes: ["operator.read"], headers });
    const deviceToken = withShared.res.payload.auth.deviceToken;
    const withToken = await deviceConnect(gw.url, identity, { token: deviceToken, scopes: ["operator.read"], headers });
    expect(withToken.res.ok).toBe(true);
    await admin.request("device.token.rotate", { deviceId: identity.deviceId, role: "operator" });
    expect(await withToken.sock.closed).toEqual({ code: 1008, reason: "device token rotated" });
    expect((await withShared.sock.request("health")).ok).toBe(true);
    withShared.sock.close();
  });
});

describe("scope escalation is refused", () => {
  test("device.token.rotate: a pairing-only caller cannot mint or re-mint admin", async () => {
    const gw = await env.gateway();
    const admin = await operator(gw);
    const pairer = await operator(gw, ["operator.pairing"]);
    const headers = { "x-forwarded-for": REMOTE };
    const identity = newIdentity();
    const asks = await deviceConnect(gw.url, identity, { token: gw.token, scopes: ["operator.read"], headers });
    await admin.request("device.pair.approve", { requestId: asks.res.error.details.requestId });

    const mint = await pairer.request("device.token.rotate", { deviceId: identity.deviceId, role: "operator", scopes: ["operator.admin"] });
    expect(mint.error).toMatchObject({ code: "INVALID_REQUEST", message: "missing scope: operator.admin" });
    const mintWrite = await pairer.request("device.token.rotate", { deviceId: identity.deviceId, role: "operator", scopes: ["operator.read", "operator.write"] });
    expect(mintWrite.error).toMatchObject({ code: "INVALID_REQUEST", message: "missing scope: operator.read" });

    // An admin device's token (default scopes = the current token's) cannot be rotated by a pairing-only caller.
    const adminDevice = newIdentity();
    const ad = await deviceConnect(gw.url, adminDevice, { token: gw.token, scopes: ["operator.admin"] });
    expect(ad.res.ok).toBe(true);
    ad.sock.close();
    expect((await pairer.request("device.token.rotate", { deviceId: adminDevice.deviceId, role: "operator" })).error.message).toBe("missing scope: operator.admin");
    const byAdmin = await admin.request("device.token.rotate", { deviceId: adminDevice.deviceId, role: "operator" });
    expect(byAdmin.payload.scopes).toEqual(["operator.admin"]);
    // Within one's own scopes it works.
    const pairerDevice = newIdentity();
    const pd = await deviceConnect(gw.url, pairerDevice, { token: gw.token, scopes: ["operator.pairing"] });
    pd.sock.close();
    expect((await pairer.request("device.token.rotate", { deviceId: pairerDevice.deviceId, role: "operator" })).payload.scopes).toEqual(["operator.pairing"]);
  });

  test("device.pair.approve: a pairing-only caller cannot approve a device asking for admin", async () => {
    const gw = await env.gateway();
    const admin = await operator(gw);
    const pairer = await operator(gw, ["operator.pairing"]);
    const identity = newIdentity();
    const asks = await deviceConnect(gw.url, identity, { token: gw.token, scopes: ["operator.admin"], headers: { "x-forwarded-for": REMOTE } });
    const requestId = asks.res.error.details.requestId;
    expect((await pairer.request("device.pair.approve", { requestId })).error).toMatchObject({ code: "INVALID_REQUEST", message: "missing scope: operator.admin" });
    expect((await admin.request("device.pair.list")).payload.pending.map((p: any) => p.requestId)).toEqual([requestId]);
    expect((await admin.request("device.pair.approve", { requestId })).ok).toBe(true);
  });

  test("node.pair.approve: exec commands need admin, other commands need write", async () => {
    const gw = await env.gateway();
    const pairer = await operator(gw, ["operator.pairing"]);
    const pairWrite = await operator(gw, ["operator.pairing", "operator.write"]);
    const runner = await node(gw, { token: gw.token, remoteIp: REMOTE, commands: ["system.run"] });
    const notifier = await node(gw, { token: gw.token, remoteIp: REMOTE, commands: ["system.notify"] });
    const bare = await node(gw, { token: gw.token, remoteIp: REMOTE });
    const id = (n: SimulatedNode) => n.error!.details.requestId;
    expect((await pairWrite.request("node.pair.approve", { requestId: id(runner) })).error.message).toBe("missing scope: operator.admin");
    expect((await pairer.request("node.pair.approve", { requestId: id(notifier) })).error.message).toBe("missing scope: operator.write");
    expect((await pairWrite.request("node.pair.approve", { requestId: id(notifier) })).ok).toBe(true);
    expect((await pairer.request("node.pair.approve", { requestId: id(bare) })).ok).toBe(true);
  });

  test("a node gets no operator scopes and cannot call operator methods; operators cannot answer invokes", async () => {
    const gw = await env.gateway();
    const admin = await operator(gw);
    const identity = newIdentity();
    const n = await node(gw, { identity, token: gw.token });
    for (const method of ["node.invoke", "node.pair.approve", "device.token.rotate", "node.list"]) {
      expect((await n.request(method, {})).error).toEqual({ code: "INVALID_REQUEST", message: "unauthorized role: node" });
    }
    // A node token cannot be stretched into operator scopes.
    const asOperator = await deviceConnect(gw.url, identity, { token: n.deviceToken, scopes: ["operator.admin"], headers: { "x-forwarded-for": REMOTE } });
    expect(asOperator.res.ok).toBe(false);
    expect((await admin.request("node.invoke.result", { id: "x", nodeId: n.nodeId, ok: true })).error.message).toBe("unauthorized role: operator");
    // Reader cannot invoke; write can.
    const reader = await operator(gw, ["operator.read"]);
    expect((await reader.request("node.invoke", { nodeId: n.nodeId, command: "x", idempotencyKey: "r" })).error.message).toBe("missing scope: operator.write");
  });
});
