/**
 * sessions.list rows carry the token figures the upstream clients show as "total / context" (Control UI
 * sessions table): compared with a recorded upstream response (test/fixtures/upstream/sessions.list.json).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { checkResult } from "../../../src/protocol/index.ts";
import { type AgentGateway, startAgentFixture } from "../../helpers/agent-gateway.ts";
import type { FakeProvider } from "../../helpers/fake-provider.ts";
import type { TestSocket } from "../../helpers/ws.ts";

const UPSTREAM = resolve(import.meta.dir, "../../fixtures/upstream/sessions.list.json");
let fake: FakeProvider;
let gw: AgentGateway;
let op: TestSocket;
let stop: () => Promise<void>;

beforeAll(async () => {
  // m2 has no contextWindow in the config: the context figure falls back to the 200k default, as upstream.
  ({ fake, gw, sock: op, stop } = await startAgentFixture({ extra: (workspace) => ({ agents: { defaults: { workspace, model: "local/m2" } } }) }));
});
afterAll(() => stop());

async function call(method: string, params: Record<string, unknown> = {}) {
  const res = await op.request(method, params);
  if (!res.ok) throw new Error(`${method}: ${res.error.message}`);
  return res.payload;
}

/** How the upstream Control UI's sessions table prints a row's tokens (fact from its presenter). */
function tokensCell(row: { totalTokens?: number | null; contextTokens?: number | null }): string {
  if (row.totalTokens == null) return "n/a";
  return row.contextTokens ? `${row.totalTokens} / ${row.contextTokens}` : String(row.totalTokens);
}

describe("sessions.list token figures", () => {
  test("after a run: totalTokens, contextTokens (default window), model; the upstream row's keys and types", async () => {
    fake.push({ text: "hi", usage: { input: 3, output: 2 } });
    const runId = crypto.randomUUID();
    const res = await op.request("agent", { message: "hello", sessionKey: "main", idempotencyKey: runId });
    await op.nextMatching((f) => f.type === "res" && f.id === res.id && f.payload?.status !== "accepted");

    const list = await call("sessions.list");
    expect(checkResult("sessions.list", list)).toEqual({ ok: true });
    const row = list.sessions.find((r: any) => r.key === "agent:main:main");
    expect(row).toMatchObject({ inputTokens: 3, outputTokens: 2, totalTokens: 5, contextTokens: 200_000, modelProvider: "local", model: "m2" });
    expect(tokensCell(row)).toBe("5 / 200000");

    const upstream = await Bun.file(UPSTREAM).json();
    const upRow = upstream.sessions[0];
    for (const [key, value] of Object.entries(upRow)) {
      expect({ key, type: typeof row[key] }).toEqual({ key, type: typeof value });
    }
    expect(Object.keys(list.defaults).sort()).toEqual(Object.keys(upstream.defaults).sort());
    expect(list.defaults.contextTokens).toBe(upstream.defaults.contextTokens);
  });

  test("a session that never ran: totalTokens 0 and the model it would use, no context figure yet", async () => {
    gw.handle.ctx.store.setSession("agent:main:idle", { sessionId: "idle-1", createdAt: Date.now(), updatedAt: Date.now() });
    const row = (await call("sessions.list")).sessions.find((r: any) => r.key === "agent:main:idle");
    expect(row).toMatchObject({ totalTokens: 0, modelProvider: "local", model: "m2" });
    expect(row.contextTokens).toBeUndefined();
    expect(tokensCell(row)).toBe("0");
  });

  test("a configured context window wins over the default; a stored figure wins over both", async () => {
    gw.handle.ctx.store.setSession("agent:main:old", { sessionId: "old-1", createdAt: 1, updatedAt: 2, modelProvider: "local", model: "m1", inputTokens: 7, outputTokens: 1, totalTokens: 8 });
    gw.handle.ctx.store.setSession("agent:main:kept", { sessionId: "kept-1", createdAt: 1, updatedAt: 2, modelProvider: "local", model: "m2", totalTokens: 9, contextTokens: 1234 });
    const rows = (await call("sessions.list")).sessions;
    expect(tokensCell(rows.find((r: any) => r.key === "agent:main:old"))).toBe("8 / 32000");
    expect(tokensCell(rows.find((r: any) => r.key === "agent:main:kept"))).toBe("9 / 1234");
  });
});
