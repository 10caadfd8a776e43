/**
 * Device and node pairing answers in the shapes the upstream 2026.2.3 clients read, checked against our own
 * recordings of the upstream gateway (test/fixtures/upstream/device-pairing.json): a remote node's request is
 * a device pairing request (clientId node-host, role node), paired devices list `role` and `tokens` as an
 * array, and `device.pair.approve` returns the `device`.
 */
import { describe, expect, test } from "bun:test";
import { checkResult } from "../../../src/protocol/index.ts";
import upstream from "../../fixtures/upstream/device-pairing.json";
import { SimulatedNode } from "../../helpers/node.ts";
import { deviceConnect, newIdentity, useCleanup } from "../../helpers/protocol.ts";
import { connectClient, type TestSocket } from "../../helpers/ws.ts";

const env = useCleanup();
const REMOTE = "203.0.113.7";

/**
 * Every key the upstream answer has, ours has too, with the same JSON type, recursively (arrays: first
 * elements). Ours may carry more keys: results are open objects.
 */
function expectCovers(theirs: unknown, ours: unknown, path = "$"): void {
  const kind = (v: unknown) => (Array.isArray(v) ? "array" : v === null ? "null" : typeof v);
  expect({ path, kind: kind(ours) }).toEqual({ path, kind: kind(theirs) });
  if (Array.isArray(theirs) && Array.isArray(ours)) {
    if (theirs.length > 0) {
      expect({ path, empty: ours.length === 0 }).toEqual({ path, empty: false });
      expectCovers(theirs[0], ours[0], `${path}[0]`);
    }
  } else if (kind(theirs) === "object") {
    for (const [key, value] of Object.entries(theirs as Record<string, unknown>)) {
      expectCovers(value, (ours as Record<string, unknown>)[key], `${path}.${key}`);
    }
  }
}

async function operator(url: string, token: string, scopes?: string[]): Promise<TestSocket> {
  const { sock } = await connectClient(url, token, scopes ? { scopes } : {});
  env.defer(() => sock.close());
  return sock;
}

async function remoteNode(url: string, opts: Parameters<typeof SimulatedNode.connect>[1]): Promise<SimulatedNode> {
  const n = await SimulatedNode.connect(url, { remoteIp: REMOTE, displayName: "remote-node", ...opts });
  env.defer(() => n.close());
  return n;
}

describe("the recorded upstream answers", () => {
  test("validate against our protocol result schemas", () => {
    for (const list of [upstream.devicePairList_pendingNode, upstream.devicePairList_paired]) {
      expect(checkResult("device.pair.list", list)).toEqual({ ok: true });
    }
    for (const approved of [upstream.devicePairApprove_node, upstream.devicePairApprove_operator]) {
      expect(checkResult("device.pair.approve", approved)).toEqual({ ok: true });
    }
    // The shape our schema pins: the old map form of tokens is refused.
    const oldShape = { ...upstream.devicePairList_paired, paired: [{ ...upstream.devicePairList_paired.paired[0], tokens: { operator: { scopes: [], issuedAtMs: 1 } } }] };
    expect(checkResult("device.pair.list", oldShape).ok).toBe(false);
  });
});

describe("ours, in the same scenario", () => {
  test("a remote node host's request is in device.pair.list pending (node-host, role node) and in node.pair.list", async () => {
    const gw = await env.gateway();
    const admin = await operator(gw.url, gw.token);
    const identity = newIdentity();
    const n = await remoteNode(gw.url, { identity, token: gw.token, commands: ["system.run", "system.which", "device.info"], caps: ["system"] });
    expect(n.error).toMatchObject({ code: upstream.nodeConnectRefused.code, message: upstream.nodeConnectRefused.message, details: { requestId: expect.any(String) } });
    const requestId = n.error!.details.requestId;

    const list = (await admin.request("device.pair.list")).payload;
    expect(checkResult("device.pair.list", list)).toEqual({ ok: true });
    expectCovers(upstream.devicePairList_pendingNode.pending, list.pending, "$.pending");
    expect(list.pending).toEqual([expect.objectContaining({ requestId, deviceId: identity.deviceId, clientId: "node-host", clientMode: "node", role: "node", roles: ["node"], commands: ["system.run", "system.which", "device.info"] })]);
    // One source of truth: node.pair.list shows the same request (upstream shows nothing here).
    const nodes = (await admin.request("node.pair.list")).payload;
    expect(nodes.pending).toEqual([expect.objectContaining({ requestId, nodeId: identity.deviceId, commands: ["system.run", "system.which", "device.info"] })]);
  });

  test("device.pair.approve returns {requestId, device}; the paired list has role and a token array", async () => {
    const gw = await env.gateway();
    const admin = await operator(gw.url, gw.token);
    const identity = newIdentity();
    const first = await remoteNode(gw.url, { identity, token: gw.token, commands: ["system.run", "device.info"] });
    const approved = await admin.request("device.pair.approve", { requestId: first.error!.details.requestId });
    expect(approved.ok).toBe(true);
    expect(checkResult("device.pair.approve", approved.payload)).toEqual({ ok: true });
    expectCovers(upstream.devicePairApprove_node, approved.payload);
    expect(approved.payload.device).toMatchObject({ deviceId: identity.deviceId, clientId: "node-host", role: "node", tokens: [{ role: "node", scopes: [] }] });

    // The node connects with the token from hello-ok (same shape as upstream's hello auth).
    const n = await remoteNode(gw.url, { identity, token: gw.token, commands: ["system.run", "device.info"] });
    expectCovers(upstream.nodeHelloAuth, n.hello.auth);

    // An operator device that then uses its device token: lastUsedAtMs appears, as upstream.
    const opId = newIdentity();
    const asks = await deviceConnect(gw.url, opId, { token: gw.token, scopes: ["operator.read", "operator.pairing"], headers: { "x-forwarded-for": "203.0.113.8" } });
    const opApproved = await admin.request("device.pair.approve", { requestId: asks.res.error.details.requestId });
    expectCovers(upstream.devicePairApprove_operator, opApproved.payload);
    const hello = await deviceConnect(gw.url, opId, { token: gw.token, scopes: ["operator.read", "operator.pairing"], headers: { "x-forwarded-for": "203.0.113.8" } });
    expectCovers(upstream.operatorHelloAuth, hello.res.payload.auth);
    const again = await deviceConnect(gw.url, opId, { token: hello.res.payload.auth.deviceToken, scopes: ["operator.read"], headers: { "x-forwarded-for": "203.0.113.8" } });
    expect(again.res.ok).toBe(true);
    for (const h of [asks, hello, again]) h.sock.close();

    const list = (await admin.request("device.pair.list")).payload;
    expect(checkResult("device.pair.list", list)).toEqual({ ok: true });
    expectCovers(upstream.devicePairList_paired, list);
    const op = list.paired.find((d: any) => d.deviceId === opId.deviceId);
    expect(op.tokens).toEqual([{ role: "operator", scopes: expect.arrayContaining(["operator.read", "operator.pairing"]), createdAtMs: expect.any(Number), lastUsedAtMs: expect.any(Number) }]);
  });

  test("device.pair.reject answers with at least the upstream fields", async () => {
    const gw = await env.gateway();
    const admin = await operator(gw.url, gw.token);
    const asks = await deviceConnect(gw.url, newIdentity(), { token: gw.token, scopes: ["operator.read"], headers: { "x-forwarded-for": "203.0.113.9" } });
    asks.sock.close();
    const rejected = await admin.request("device.pair.reject", { requestId: asks.res.error.details.requestId });
    expectCovers(upstream.devicePairReject, rejected.payload);
  });
});
