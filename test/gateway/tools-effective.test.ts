/**
 * tools.effective over a real socket: every registered tool with its verdict and the reason, for the agent
 * and session asked (the same ports a run gets: the gateway's nodes and exec engine, the agent's workspace);
 * unknown agents and mismatched session keys are refused naming the field; operator.read is enough; and
 * the tools it reports on are exactly the ones a real run of that agent offers the model.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkResult } from "../../src/protocol/index.ts";
import { collectUntil } from "../helpers/agent-gateway.ts";
import { startFakeProvider } from "../helpers/fake-provider.ts";
import { TEST_TOKEN } from "../helpers/gateway.ts";
import { useCleanup } from "../helpers/protocol.ts";
import { connectClient, type TestSocket } from "../helpers/ws.ts";

const env = useCleanup();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ALL = ["sessions_list", "sessions_history", "web_search", "web_fetch", "canvas", "browser", "image", "nodes", "read", "write", "edit", "apply_patch", "exec", "process", "message", "cron", "sessions_send", "sessions_spawn", "session_status", "agents_list"];

async function setup(scopes?: string[]) {
  const root = mkdtempSync(join(tmpdir(), "openclaw-tools-"));
  dirs.push(root);
  const gw = await env.gateway({
    config: {
      gateway: { mode: "local", auth: { token: TEST_TOKEN } },
      browser: { enabled: false },
      tools: { deny: ["web_fetch"] },
      agents: {
        list: [
          { id: "main", default: true, workspace: join(root, "main") },
          { id: "Coder", workspace: join(root, "coder"), tools: { profile: "coding", deny: ["edit"] } },
        ],
      },
    },
  });
  const { sock } = await connectClient(gw.url, gw.token, scopes ? { role: "operator", scopes } : {});
  env.defer(() => sock.close());
  return { gw, sock };
}

async function effective(sock: TestSocket, params: Record<string, unknown>): Promise<any> {
  const res = await sock.request("tools.effective", params);
  expect(res.error).toBeUndefined();
  expect(checkResult("tools.effective", res.payload)).toEqual({ ok: true });
  return res.payload;
}

function byName(payload: any): Record<string, any> {
  return Object.fromEntries(payload.tools.map((t: any) => [t.name, t]));
}

describe("tools.effective", () => {
  test("no params: the default agent's main session; read-only tools on, writers off with the reason", async () => {
    const { sock } = await setup();
    const res = await effective(sock, {});
    expect(res.agentId).toBe("main");
    expect(res.sessionKey).toBe("agent:main:main");
    expect(res.profile).toBeUndefined();
    expect(res.tools.map((t: any) => t.name)).toEqual(ALL);
    const t = byName(res);
    expect(t.read).toEqual({ name: "read", group: "fs", included: true, reason: "allowed by default tool set (no tools.profile)", http: false, needs: ["workspace"] });
    // The gateway lends its nodes, so canvas is offered (no node needs to be connected to be offered).
    expect(t.canvas).toMatchObject({ included: true, group: "ui", http: true });
    expect(t.web_fetch).toMatchObject({ included: false, reason: 'denied by tools.deny ("web_fetch")' });
    expect(t.write.included).toBe(false);
    expect(t.write.reason).toContain("not in the default tool set");
    expect(t.exec).toMatchObject({ included: false, group: "runtime", http: false, needs: ["exec", "workspace"] });
    expect(t.exec.reason).toContain("not in the default tool set");
  });

  test("agentId: that agent's profile and deny entries decide; the gateway's exec port makes exec available", async () => {
    const { sock } = await setup();
    const res = await effective(sock, { agentId: "coder" });
    expect(res.agentId).toBe("Coder");
    expect(res.sessionKey).toBe("agent:Coder:main");
    expect(res.profile).toBe("coding");
    const t = byName(res);
    const coding = 'allowed by profile "coding" (agents.list[1].tools.profile)';
    for (const name of ["read", "write", "apply_patch", "exec", "process", "sessions_list"]) expect({ name, ...t[name] }).toMatchObject({ name, included: true, reason: coding });
    expect(t.edit).toMatchObject({ included: false, reason: 'denied by agents.list[1].tools.deny ("edit")' });
    expect(t.canvas).toMatchObject({ included: false, reason: 'not in profile "coding" (agents.list[1].tools.profile)' });
  });

  test("sessionKey: the agent comes from the key; a bare key is the default agent's", async () => {
    const { sock } = await setup();
    const coder = await effective(sock, { sessionKey: "agent:Coder:telegram:dm:42" });
    expect([coder.agentId, coder.sessionKey, coder.profile]).toEqual(["Coder", "agent:Coder:telegram:dm:42", "coding"]);
    const bare = await effective(sock, { sessionKey: "side" });
    expect([bare.agentId, bare.sessionKey]).toEqual(["main", "agent:main:side"]);
    const both = await effective(sock, { agentId: "Coder", sessionKey: "agent:Coder:x" });
    expect(both.agentId).toBe("Coder");
  });

  test("an unknown agent or a session of another agent is refused, naming the field", async () => {
    const { sock } = await setup();
    const ghost = await sock.request("tools.effective", { agentId: "ghost" });
    expect(ghost.error.code).toBe("INVALID_REQUEST");
    expect(ghost.error.message).toStartWith('agentId: unknown agent "ghost"');
    const keyGhost = await sock.request("tools.effective", { sessionKey: "agent:ghost:main" });
    expect(keyGhost.error.code).toBe("INVALID_REQUEST");
    expect(keyGhost.error.message).toStartWith("sessionKey:");
    const mismatch = await sock.request("tools.effective", { agentId: "main", sessionKey: "agent:Coder:main" });
    expect(mismatch.error.code).toBe("INVALID_REQUEST");
    expect(mismatch.error.message).toContain('belongs to agent "Coder", not agentId "main"');
    const extra = await sock.request("tools.effective", { agent: "main" });
    expect(extra.error.code).toBe("INVALID_REQUEST");
    const empty = await sock.request("tools.effective", { agentId: "" });
    expect(empty.error.code).toBe("INVALID_REQUEST");
  });

  test("operator.read is enough; a connection without read or write is refused", async () => {
    const reader = await setup(["operator.read"]);
    expect((await effective(reader.sock, {})).tools.length).toBe(ALL.length);
    const { sock: approver } = await connectClient(reader.gw.url, reader.gw.token, { role: "operator", scopes: ["operator.approvals"] });
    env.defer(() => approver.close());
    const res = await approver.request("tools.effective", {});
    expect(res.error).toEqual({ code: "INVALID_REQUEST", message: "missing scope: operator.read" });
  });

  test("the tools reported on are the ones a real run of that agent offers the model", async () => {
    const fake = startFakeProvider({ fallback: { text: "ok" } });
    env.defer(() => fake.stop());
    const root = mkdtempSync(join(tmpdir(), "openclaw-tools-"));
    dirs.push(root);
    const gw = await env.gateway({
      config: {
        gateway: { mode: "local", auth: { token: TEST_TOKEN } },
        browser: { enabled: false },
        models: { providers: { local: { baseUrl: fake.openaiBaseUrl, apiKey: "sk-local", api: "openai-completions", models: [{ id: "m1" }] } } },
        agents: {
          defaults: { model: "local/m1" },
          list: [
            { id: "main", default: true, workspace: join(root, "main") },
            { id: "coder", workspace: join(root, "coder"), tools: { profile: "coding", deny: ["edit"], alsoAllow: ["web_fetch"] } },
          ],
        },
      },
    });
    const { sock } = await connectClient(gw.url, gw.token);
    env.defer(() => sock.close());
    for (const agentId of ["main", "coder"]) {
      const reported = (await effective(sock, { agentId })).tools.filter((t: any) => t.included).map((t: any) => t.name);
      sock.send({ type: "req", id: `run-${agentId}`, method: "agent", params: { message: "hi", agentId, idempotencyKey: `run-${agentId}` } });
      const frames = await collectUntil(sock, (f) => f.type === "res" && f.id === `run-${agentId}` && f.payload?.status !== "accepted", 30_000);
      expect(frames.at(-1).ok).toBe(true);
      const offered = (fake.requests.at(-1)?.body.tools ?? []).map((t: any) => t.function.name);
      expect({ agentId, offered: [...offered].sort() }).toEqual({ agentId, offered: [...reported].sort() });
    }
  });
});
