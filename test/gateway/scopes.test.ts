/**
 * Conformance: per-request authorization (protocol.md §4), table-driven over every implemented method and
 * every spec method, for each scope on its own and for role node. The expected answer is computed here
 * from the spec's lists, not from src/protocol.
 */
import { describe, expect, test } from "bun:test";
import { METHOD_HANDLERS } from "../../src/gateway/methods/index.ts";
import { METHODS } from "../../src/protocol/index.ts";
import type { TestGateway } from "../helpers/gateway.ts";
import { connectClient, type TestSocket } from "../helpers/ws.ts";
import { deviceConnect, newIdentity, useCleanup } from "../helpers/protocol.ts";

const env = useCleanup();

// §4, verbatim.
const NODE = ["node.invoke.result", "node.event", "skills.bins", "node.canvas.capability.refresh"];
// Plus upstream v4's `exec.approval.list` (issue #20: `openclaw approvals pending` reads it with operator.approvals).
const APPROVALS = ["exec.approval.request", "exec.approval.resolve", "exec.approval.list"];
const PAIRING_PREFIXES = ["node.pair.", "device.pair.", "device.token."];
// Ours, beyond §4: the memory index methods read (reindex stays admin).
const OUR_READ = ["memory.search", "memory.status"];
const READ = [
  ...OUR_READ,
  ..."health, logs.tail, channels.status, status, usage.status, usage.cost, tts.status, tts.providers, models.list, agents.list, agent.identity.get, skills.status, voicewake.get, sessions.list, sessions.preview, cron.list, cron.status, cron.runs, system-presence, last-heartbeat, node.list, node.describe, chat.history".split(
    ", ",
  ),
];
// Ours (issue #20): the effective agent tools are read-only information.
READ.push("tools.effective");
const WRITE =
  "send, agent, agent.wait, wake, talk.mode, tts.enable, tts.disable, tts.convert, tts.setProvider, voicewake.set, node.invoke, chat.send, chat.abort, browser.request".split(", ");

// Methods new in protocol v4 (upstream 2026.9.6 method-scopes table); update.status stays admin.
const V4_READ = "chat.startup, sessions.subscribe, sessions.unsubscribe, sessions.describe, sessions.messages.subscribe, sessions.messages.unsubscribe, commands.list, users.prefs.get, plugins.controlUi.list, tasks.list, diagnostics.lanes".split(", ");
const V4_WRITE = ["message.action"];
const V4_APPROVALS = ["plugin.approval.list", "openclaw.approval.list"];
const V4_QUESTIONS = ["question.list"];

interface Caller {
  name: string;
  role: "operator" | "node";
  scopes: string[];
}

const CALLERS: Caller[] = [
  { name: "operator.read", role: "operator", scopes: ["operator.read"] },
  { name: "operator.write", role: "operator", scopes: ["operator.write"] },
  { name: "operator.admin", role: "operator", scopes: ["operator.admin"] },
  { name: "operator.pairing", role: "operator", scopes: ["operator.pairing"] },
  { name: "operator.approvals", role: "operator", scopes: ["operator.approvals"] },
  { name: "node", role: "node", scopes: [] },
];

/** The §4 rules in order: undefined = allowed, else the exact error message. */
function expectedDenial(method: string, caller: Caller): string | undefined {
  const has = (s: string) => caller.scopes.includes(s);
  if (NODE.includes(method)) return caller.role === "node" ? undefined : `unauthorized role: ${caller.role}`;
  if (caller.role === "node") return "unauthorized role: node";
  if (has("operator.admin")) return undefined;
  if (APPROVALS.includes(method) || V4_APPROVALS.includes(method)) return has("operator.approvals") ? undefined : "missing scope: operator.approvals";
  if (V4_QUESTIONS.includes(method)) return has("operator.questions") || has("operator.write") ? undefined : "missing scope: operator.questions";
  if (PAIRING_PREFIXES.some((p) => method.startsWith(p)) || method === "node.rename") {
    return has("operator.pairing") ? undefined : "missing scope: operator.pairing";
  }
  if (READ.includes(method) || V4_READ.includes(method)) return has("operator.read") || has("operator.write") ? undefined : "missing scope: operator.read";
  if (WRITE.includes(method) || V4_WRITE.includes(method)) return has("operator.write") ? undefined : "missing scope: operator.write";
  return "missing scope: operator.admin";
}

async function connectAs(gw: TestGateway, caller: Caller): Promise<TestSocket> {
  const { sock } = await connectClient(gw.url, gw.token, { role: caller.role, scopes: caller.scopes });
  return sock;
}

/**
 * Probes `method` with empty params. Authorization runs before params validation, so an allowed call
 * answers ok, a params error or a handler error, never an authorization message.
 */
async function probe(sock: TestSocket, method: string): Promise<any> {
  return sock.request(method, {});
}

function isAuthzError(res: any): boolean {
  return !res.ok && /^(missing scope: |unauthorized role: )/.test(res.error.message);
}

describe("implemented methods × callers", () => {
  for (const caller of CALLERS) {
    test(`${caller.name}`, async () => {
      const gw = await env.gateway();
      const sock = await connectAs(gw, caller);
      for (const method of Object.keys(METHOD_HANDLERS)) {
        const res = await probe(sock, method);
        const denial = expectedDenial(method, caller);
        if (denial) expect({ method, error: res.error }).toEqual({ method, error: { code: "INVALID_REQUEST", message: denial } });
        else expect({ method, authz: isAuthzError(res) }).toEqual({ method, authz: false });
      }
    });
  }
});

describe("every spec method × callers (unimplemented ones answer 'unknown method' once authorized)", () => {
  for (const caller of CALLERS) {
    test(`${caller.name}`, async () => {
      const gw = await env.gateway();
      const sock = await connectAs(gw, caller);
      for (const method of METHODS) {
        if (method in METHOD_HANDLERS) continue;
        const res = await probe(sock, method);
        const message = expectedDenial(method, caller) ?? `unknown method: ${method}`;
        expect({ method, error: res.error }).toEqual({ method, error: { code: "INVALID_REQUEST", message } });
      }
    });
  }
});

describe("node-only methods", () => {
  test("operators, admin included, get 'unauthorized role: operator'; nodes pass authorization", async () => {
    const gw = await env.gateway();
    const admin = await connectAs(gw, CALLERS[2]!);
    const node = await connectAs(gw, CALLERS[5]!);
    for (const method of NODE) {
      expect((await admin.request(method, {})).error).toEqual({ code: "INVALID_REQUEST", message: "unauthorized role: operator" });
      const res = await node.request(method, {});
      // Two take no params: they answer. Other implemented ones get past authorization to params validation; the rest are unknown.
      if (method === "node.canvas.capability.refresh" || method === "skills.bins") {
        expect(res.ok).toBe(true);
        continue;
      }
      const message = method in METHOD_HANDLERS ? expect.stringMatching(new RegExp(`^invalid ${method.replace(/\./g, "\\.")} params: `)) : `unknown method: ${method}`;
      expect(res.error).toEqual({ code: "INVALID_REQUEST", message });
    }
  });
});

describe("granted scopes", () => {
  test("a node asking for operator scopes gets none; an operator gets exactly what it asked", async () => {
    const gw = await env.gateway();
    const { sock: admin } = await connectClient(gw.url, gw.token, { client: { id: "test", version: "1", platform: "linux", mode: "test", instanceId: "admin" } });
    await connectClient(gw.url, gw.token, { role: "node", scopes: ["operator.admin"], client: { id: "node-host", version: "1", platform: "linux", mode: "node", instanceId: "node-1" } });
    await connectClient(gw.url, gw.token, { scopes: ["operator.read"], client: { id: "test", version: "1", platform: "linux", mode: "test", instanceId: "reader" } });
    const list = (await admin.request("system-presence")).payload as any[];
    expect(list.find((p) => p.instanceId === "node-1")).toMatchObject({ roles: ["node"], scopes: [] });
    expect(list.find((p) => p.instanceId === "reader")).toMatchObject({ roles: ["operator"], scopes: ["operator.read"] });
    expect(list.find((p) => p.instanceId === "admin")).toMatchObject({ roles: ["operator"], scopes: ["operator.admin"] });
  });

  test("operator with no scopes defaults to operator.admin", async () => {
    const gw = await env.gateway();
    const sock = await connectAs(gw, { name: "none", role: "operator", scopes: [] });
    expect((await sock.request("config.get")).ok).toBe(true);
  });

  test("device tokens carry the granted scopes: [] for a node that asked for admin", async () => {
    const gw = await env.gateway();
    const node = await deviceConnect(gw.url, newIdentity(), { token: gw.token, role: "node", scopes: ["operator.admin"], client: { id: "node-host", version: "1", platform: "linux", mode: "node" } });
    expect(node.res.payload.auth).toMatchObject({ role: "node", scopes: [] });
    expect((await node.sock.request("health")).error.message).toBe("unauthorized role: node");
    const reader = await deviceConnect(gw.url, newIdentity(), { token: gw.token, scopes: ["operator.read"] });
    expect(reader.res.payload.auth).toMatchObject({ role: "operator", scopes: ["operator.read"] });
    expect((await reader.sock.request("system-event", { text: "x" })).error.message).toBe("missing scope: operator.admin");
  });
});
