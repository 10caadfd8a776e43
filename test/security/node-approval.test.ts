/**
 * Advisory class: a node's approval cannot be downgraded. What a node may do is bound to the commands an
 * operator approved for it, checked against what the node declares on every connect; a request an operator
 * can write (node.pair.request) never stands in for what the node declared, and a node whose declared
 * commands grow needs a new approval under the same scope rule (exec commands: operator.admin), whichever
 * approval method is used.
 */
import { describe, expect, test } from "bun:test";
import { HOLD, SimulatedNode, type NodeConnectOptions } from "../helpers/node.ts";
import { newIdentity, useCleanup } from "../helpers/protocol.ts";
import { connectClient, type TestSocket } from "../helpers/ws.ts";
import type { TestGateway } from "../helpers/gateway.ts";

const env = useCleanup();
const REMOTE = "203.0.113.7";
const APPROVE_METHODS = ["node.pair.approve", "device.pair.approve"] as const;

async function operator(gw: TestGateway, scopes?: string[]): Promise<TestSocket> {
  const { sock } = await connectClient(gw.url, gw.token, scopes ? { scopes } : {});
  env.defer(() => sock.close());
  return sock;
}

async function node(gw: TestGateway, opts: NodeConnectOptions): Promise<SimulatedNode> {
  const n = await SimulatedNode.connect(gw.url, { token: gw.token, remoteIp: REMOTE, ...opts });
  env.defer(() => n.close());
  return n;
}

/** True when a `system.run` invoke reaches the node (it answers), false when the gateway refuses it. */
async function runReaches(admin: TestSocket, n: SimulatedNode): Promise<boolean> {
  const res = await admin.request("node.invoke", { nodeId: n.nodeId, command: "system.run", params: { command: ["id"] }, timeoutMs: 2000, idempotencyKey: crypto.randomUUID() });
  return res.ok === true && n.invokes.some((i) => i.command === "system.run");
}

describe("the reported path: rewrite the request with node.pair.request, approve, reconnect with system.run", () => {
  for (const method of APPROVE_METHODS) {
    test(`operator.pairing cannot get an exec node accepted (${method})`, async () => {
      const gw = await env.gateway();
      const admin = await operator(gw);
      const pairer = await operator(gw, ["operator.pairing"]);
      const identity = newIdentity();
      const handlers = { "system.run": () => ({ stdout: "pwned" }) };
      const first = await node(gw, { identity, commands: ["system.run"], handlers });
      expect(first.error?.code).toBe("NOT_PAIRED");
      const requestId = first.error!.details.requestId;

      // Both approval paths apply the scope rule to what the node declared.
      for (const m of APPROVE_METHODS) {
        const refused = await pairer.request(m, { requestId });
        expect({ m, error: refused.error?.message }).toEqual({ m, error: "missing scope: operator.admin" });
      }
      // The rewrite: an operator-written request for the same node, with no commands.
      const rewritten = await pairer.request("node.pair.request", { nodeId: identity.deviceId, commands: [] });
      expect(rewritten.ok).toBe(true);
      const rid = rewritten.payload.request.requestId as string;
      // Whatever it returns, approving it never pairs the node for system.run.
      await pairer.request(method, { requestId: rid });
      await pairer.request("node.pair.approve", { requestId: rid });

      const again = await node(gw, { identity, commands: ["system.run"], handlers });
      expect(again.hello).toBeUndefined();
      expect(again.error?.code).toBe("NOT_PAIRED");
      expect(first.invokes.length + again.invokes.length).toBe(0);
      // The pending request still carries what the node declares, so only an admin can approve it.
      const pending = (await admin.request("device.pair.list")).payload.pending;
      expect(pending.find((p: any) => p.deviceId === identity.deviceId)?.commands).toEqual(["system.run"]);
    });
  }

  test("an operator-made request approved before the node ever connects grants only its own commands", async () => {
    const gw = await env.gateway();
    const admin = await operator(gw);
    const pairer = await operator(gw, ["operator.pairing"]);
    const identity = newIdentity();
    const made = await pairer.request("node.pair.request", { nodeId: identity.deviceId, commands: [] });
    expect((await pairer.request("node.pair.approve", { requestId: made.payload.request.requestId })).ok).toBe(true);
    const n = await node(gw, { identity, commands: ["system.run"], handlers: { "system.run": () => ({}) } });
    expect(n.error?.code).toBe("NOT_PAIRED");
    expect(n.invokes).toEqual([]);
    // With no commands declared, the same node is accepted: the approval itself stands.
    const plain = await node(gw, { identity, commands: [] });
    expect(plain.error).toBeUndefined();
    expect(await runReaches(admin, plain)).toBe(false);
  });
});

describe("declared commands that grow need a new approval under the scope rule", () => {
  for (const method of APPROVE_METHODS) {
    test(`none → device.info (operator.write) → system.run (operator.admin), via ${method}`, async () => {
      const gw = await env.gateway();
      const admin = await operator(gw);
      const pairer = await operator(gw, ["operator.pairing"]);
      const writer = await operator(gw, ["operator.pairing", "operator.write"]);
      const identity = newIdentity();
      const handlers = { "system.run": () => ({ stdout: "ran" }), "device.info": () => ({ model: "x" }) };

      const first = await node(gw, { identity, commands: [] });
      expect((await pairer.request(method, { requestId: first.error!.details.requestId })).ok).toBe(true);
      expect((await node(gw, { identity, commands: [] })).hello).toBeDefined();

      // More commands: refused as not paired, with a repair request that needs operator.write.
      const more = await node(gw, { identity, commands: ["device.info"], handlers });
      expect(more.error?.code).toBe("NOT_PAIRED");
      const repair = more.error!.details.requestId;
      expect((await admin.request("device.pair.list")).payload.pending).toEqual([expect.objectContaining({ requestId: repair, isRepair: true, commands: ["device.info"] })]);
      expect((await pairer.request(method, { requestId: repair })).error?.message).toBe("missing scope: operator.write");
      expect((await writer.request(method, { requestId: repair })).ok).toBe(true);
      const withInfo = await node(gw, { identity, commands: ["device.info"], handlers });
      expect(withInfo.hello).toBeDefined();

      // Exec commands: operator.write is not enough; an admin approval is.
      const exec = await node(gw, { identity, commands: ["device.info", "system.run"], handlers });
      expect(exec.error?.code).toBe("NOT_PAIRED");
      const execReq = exec.error!.details.requestId;
      expect((await writer.request(method, { requestId: execReq })).error?.message).toBe("missing scope: operator.admin");
      expect((await admin.request(method, { requestId: execReq })).ok).toBe(true);
      // node.pair.approve mints a new token and closes the old sessions; device.pair.approve keeps them.
      const accepted = await node(gw, { identity, commands: ["device.info", "system.run"], handlers });
      expect(accepted.hello).toBeDefined();
      expect(await runReaches(admin, accepted)).toBe(true);
    });
  }

  test("the node's own device token does not carry it past the check either", async () => {
    const gw = await env.gateway();
    const admin = await operator(gw);
    const identity = newIdentity();
    const first = await node(gw, { identity, commands: ["device.info"] });
    const approved = await admin.request("node.pair.approve", { requestId: first.error!.details.requestId });
    const token = approved.payload.node.token as string;
    const withToken = await node(gw, { identity, token, commands: ["device.info"] });
    expect(withToken.hello).toBeDefined();
    const grown = await node(gw, { identity, token, commands: ["device.info", "system.run"], handlers: { "system.run": () => HOLD } });
    expect(grown.error?.code).toBe("NOT_PAIRED");
  });
});
