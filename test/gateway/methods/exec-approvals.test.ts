/**
 * exec.approvals.get / .set over real sockets (`<stateDir>/exec-approvals.json`: defaults when missing,
 * optimistic writes with baseHash, shape checks naming the bad path, the socket token kept and never shown,
 * mode 0600) and exec.approvals.node.get / .set forwarded to a simulated node.
 */
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkResult } from "../../../src/protocol/index.ts";
import { TEST_TOKEN } from "../../helpers/gateway.ts";
import { type CommandHandler, HOLD, SimulatedNode } from "../../helpers/node.ts";
import { useCleanup } from "../../helpers/protocol.ts";
import { connectClient } from "../../helpers/ws.ts";

const env = useCleanup();
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

async function setup() {
  const gw = await env.gateway({ config: { gateway: { mode: "local", auth: { token: TEST_TOKEN } }, browser: { enabled: false } } });
  const { sock } = await connectClient(gw.url, gw.token);
  env.defer(() => sock.close());
  return { gw, sock, path: join(gw.stateDir, "exec-approvals.json") };
}

const FILE = {
  version: 1,
  defaults: { security: "allowlist", ask: "on-miss", askFallback: "deny", autoAllowSkills: false },
  agents: { main: { security: "allowlist", allowlist: [{ pattern: "/usr/bin/uptime", lastUsedAt: 1_700_000_000_000 }] }, "*": { ask: "always" } },
};

describe("exec.approvals.get", () => {
  test("fresh state: exists false, an empty version-1 file, the hash of empty text; nothing is created", async () => {
    const { sock, path } = await setup();
    const res = await sock.request("exec.approvals.get");
    expect(res.payload).toEqual({ path, exists: false, hash: sha256(""), file: { version: 1, defaults: {}, agents: {} } });
    expect(checkResult("exec.approvals.get", res.payload)).toEqual({ ok: true });
    expect(existsSync(path)).toBe(false);
  });

  test("reads a file written by hand; the socket token is never returned", async () => {
    const { sock, path } = await setup();
    const text = JSON.stringify({ version: 1, socket: { path: "/tmp/x.sock", token: "s3cret-token" }, agents: { default: { allowlist: [{ id: "a1", pattern: "/bin/ls" }] } } });
    writeFileSync(path, text);
    const res = await sock.request("exec.approvals.get");
    // The legacy "default" agent reads as "main", as upstream.
    expect(res.payload).toEqual({ path, exists: true, hash: sha256(text), file: { version: 1, socket: { path: "/tmp/x.sock" }, defaults: {}, agents: { main: { allowlist: [{ id: "a1", pattern: "/bin/ls" }] } } } });
    expect(JSON.stringify(res.payload)).not.toContain("s3cret");
  });

  test("text that does not parse reads as an empty file with the text's hash", async () => {
    const { sock, path } = await setup();
    writeFileSync(path, "{ not json");
    const res = await sock.request("exec.approvals.get");
    expect(res.payload).toMatchObject({ exists: true, hash: sha256("{ not json"), file: { version: 1, agents: {} } });
  });
});

describe("exec.approvals.set", () => {
  test("first write needs no baseHash; later writes need the current one; the file is 0600", async () => {
    const { sock, path } = await setup();
    const first = await sock.request("exec.approvals.set", { file: FILE });
    expect(first.error).toBeUndefined();
    expect(checkResult("exec.approvals.set", first.payload)).toEqual({ ok: true });
    const text = readFileSync(path, "utf8");
    expect(first.payload).toMatchObject({ path, exists: true, hash: sha256(text) });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(text);
    expect(saved.defaults).toEqual(FILE.defaults);
    // Entries get a stable id when saved.
    const id = saved.agents.main.allowlist[0].id;
    expect(id).toEqual(expect.any(String));
    expect(first.payload.file.agents.main.allowlist[0]).toEqual({ id, pattern: "/usr/bin/uptime", lastUsedAt: 1_700_000_000_000 });
    expect((await sock.request("exec.approvals.get")).payload).toEqual(first.payload);

    const noHash = await sock.request("exec.approvals.set", { file: { version: 1 } });
    expect(noHash.error).toEqual({ code: "INVALID_REQUEST", message: "exec approvals base hash required; re-run exec.approvals.get and retry" });
    const stale = await sock.request("exec.approvals.set", { file: { version: 1 }, baseHash: sha256("something else") });
    expect(stale.error).toEqual({ code: "INVALID_REQUEST", message: "exec approvals changed since last load; re-run exec.approvals.get and retry" });
    expect(readFileSync(path, "utf8")).toBe(text);

    const next = await sock.request("exec.approvals.set", { file: { version: 1, defaults: { security: "deny" } }, baseHash: first.payload.hash });
    expect(next.payload).toMatchObject({ exists: true, file: { version: 1, defaults: { security: "deny" }, agents: {} } });
    expect(next.payload.hash).not.toBe(first.payload.hash);
  });

  test("a hand-edited file changes the hash: the old baseHash is refused", async () => {
    const { sock, path } = await setup();
    const first = await sock.request("exec.approvals.set", { file: FILE });
    writeFileSync(path, `${readFileSync(path, "utf8")}\n`);
    const res = await sock.request("exec.approvals.set", { file: FILE, baseHash: first.payload.hash });
    expect(res.error?.message).toBe("exec approvals changed since last load; re-run exec.approvals.get and retry");
  });

  test("the socket token survives a write that leaves it out (snapshots never carry it)", async () => {
    const { sock, path } = await setup();
    const text = JSON.stringify({ version: 1, socket: { path: "/tmp/a.sock", token: "tok-123" } });
    writeFileSync(path, text);
    const got = (await sock.request("exec.approvals.get")).payload;
    const res = await sock.request("exec.approvals.set", { file: { ...got.file, defaults: { ask: "always" } }, baseHash: got.hash });
    expect(res.payload.file.socket).toEqual({ path: "/tmp/a.sock" });
    expect(JSON.parse(readFileSync(path, "utf8")).socket).toEqual({ path: "/tmp/a.sock", token: "tok-123" });
  });

  test("bad shapes are refused with every bad path named; the file is untouched", async () => {
    const { sock, path } = await setup();
    const res = await sock.request("exec.approvals.set", {
      file: {
        version: 2,
        defaults: { security: "sometimes", autoAllowSkills: "yes" },
        agents: { main: { ask: "never", allowlist: [{ pattern: 42 }, "x", { pattern: "/bin/ls", lastUsedAt: -1, extra: true }] }, ops: { allowlist: "rg" } },
        extra: 1,
      },
    });
    expect(res.error.code).toBe("INVALID_REQUEST");
    expect(res.error.details.issues).toEqual([
      { path: "extra", message: "unknown key" },
      { path: "version", message: "must be 1" },
      { path: "defaults.security", message: "must be one of deny, allowlist, full" },
      { path: "defaults.autoAllowSkills", message: "must be a boolean" },
      { path: "agents.main.ask", message: "must be one of off, on-miss, always" },
      { path: "agents.main.allowlist[0].pattern", message: "must be a string" },
      { path: "agents.main.allowlist[1]", message: "must be an object with a pattern" },
      { path: "agents.main.allowlist[2].extra", message: "unknown key" },
      { path: "agents.main.allowlist[2].lastUsedAt", message: "must be a non-negative integer (ms)" },
      { path: "agents.ops.allowlist", message: "must be an array" },
    ]);
    expect(res.error.message).toStartWith("invalid exec approvals file: extra: unknown key; version: must be 1; ");
    expect(existsSync(path)).toBe(false);
    // Wrong types at the top are caught by the params schema.
    expect((await sock.request("exec.approvals.set", { file: { agents: { main: "x" } } })).error.code).toBe("INVALID_REQUEST");
    expect((await sock.request("exec.approvals.set", { file: "x" })).error.code).toBe("INVALID_REQUEST");
  });

  test("an empty pattern is accepted (the control UI adds a blank row first)", async () => {
    const { sock } = await setup();
    const res = await sock.request("exec.approvals.set", { file: { version: 1, agents: { main: { allowlist: [{ pattern: "" }] } } } });
    expect(res.error).toBeUndefined();
    expect(res.payload.file.agents.main.allowlist[0].pattern).toBe("");
  });

  test("admin only", async () => {
    const { gw } = await setup();
    const { sock } = await connectClient(gw.url, gw.token, { scopes: ["operator.read", "operator.write", "operator.approvals"] });
    env.defer(() => sock.close());
    for (const m of ["exec.approvals.get", "exec.approvals.set"]) {
      expect((await sock.request(m, m.endsWith("set") ? { file: FILE } : {})).error).toEqual({ code: "INVALID_REQUEST", message: "missing scope: operator.admin" });
    }
  });
});

describe("exec.approvals.node.get / .node.set", () => {
  const NODE_SNAPSHOT = { path: "/home/n/.openclaw/exec-approvals.json", exists: true, hash: "h1", file: { version: 1, agents: {} } };

  async function node(handlers: Record<string, CommandHandler>, commands = ["system.execApprovals.get", "system.execApprovals.set"]) {
    const { gw, sock } = await setup();
    const n = await SimulatedNode.connect(gw.url, { token: gw.token, commands, handlers });
    env.defer(() => n.close());
    expect(n.hello).toBeDefined();
    return { gw, sock, n };
  }

  test("forwarded as system.execApprovals.get / .set; the node's answer comes back as is", async () => {
    let received: unknown;
    const { sock, n } = await node({
      "system.execApprovals.get": () => NODE_SNAPSHOT,
      "system.execApprovals.set": (params) => ((received = params), { ...NODE_SNAPSHOT, hash: "h2" }),
    });
    const got = await sock.request("exec.approvals.node.get", { nodeId: n.nodeId });
    expect(got.payload).toEqual(NODE_SNAPSHOT);
    expect(checkResult("exec.approvals.node.get", got.payload)).toEqual({ ok: true });
    expect(n.invokes[0]).toMatchObject({ command: "system.execApprovals.get", paramsJSON: "{}" });

    const set = await sock.request("exec.approvals.node.set", { nodeId: n.nodeId, file: FILE, baseHash: "h1" });
    expect(set.payload).toEqual({ ...NODE_SNAPSHOT, hash: "h2" });
    expect(received).toEqual({ file: FILE, baseHash: "h1" });
  });

  test("the node refusing (stale hash) comes back as UNAVAILABLE with its message", async () => {
    const { sock, n } = await node({
      "system.execApprovals.set": () => {
        throw new Error("INVALID_REQUEST: exec approvals changed since last load; re-run exec.approvals.get and retry");
      },
    });
    const res = await sock.request("exec.approvals.node.set", { nodeId: n.nodeId, file: FILE, baseHash: "old" });
    expect(res.error).toMatchObject({ code: "UNAVAILABLE", message: "INVALID_REQUEST: exec approvals changed since last load; re-run exec.approvals.get and retry" });
  });

  test("a node that is not connected: UNAVAILABLE; one without the command: INVALID_REQUEST", async () => {
    const { sock, n } = await node({ "device.info": () => HOLD }, ["device.info"]);
    const absent = await sock.request("exec.approvals.node.get", { nodeId: "no-such-node" });
    expect(absent.error).toMatchObject({ code: "UNAVAILABLE", message: "node not connected: no-such-node" });
    const lacking = await sock.request("exec.approvals.node.set", { nodeId: n.nodeId, file: FILE });
    expect(lacking.error).toMatchObject({ code: "INVALID_REQUEST", message: "node command not allowed: system.execApprovals.set" });
    expect(n.invokes).toHaveLength(0);
  });
});
