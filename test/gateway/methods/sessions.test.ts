/**
 * sessions.* over WS after real runs: list (fields, filters), preview, patch (label, model, thinking),
 * reset, delete; and the session counts in status and health.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { checkResult } from "../../../src/protocol/index.ts";
import { type AgentGateway, connectOperator, startAgentFixture } from "../../helpers/agent-gateway.ts";
import type { FakeProvider } from "../../helpers/fake-provider.ts";
import type { TestSocket } from "../../helpers/ws.ts";

let fake: FakeProvider;
let gw: AgentGateway;
let op: TestSocket;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ fake, gw, sock: op, stop } = await startAgentFixture());
});
afterAll(() => stop());

async function run(sessionKey: string, message: string, reply = "ok") {
  fake.push({ text: reply });
  const runId = crypto.randomUUID();
  const res = await op.request("agent", { message, sessionKey, idempotencyKey: runId });
  expect(res.payload.status).toBe("accepted");
  const final = await op.nextMatching((f) => f.type === "res" && f.id === res.id && f.payload?.status !== "accepted");
  expect(final.ok).toBe(true);
  return final.payload;
}

async function call(method: string, params: Record<string, unknown> = {}) {
  const res = await op.request(method, params);
  if (!res.ok) throw new Error(`${method}: ${res.error.message}`);
  return res.payload;
}

describe("sessions", () => {
  test("list: entries with upstream fields, newest first, filters", async () => {
    await run("main", "first question", "first answer");
    await run("agent:main:work", "work question", "work answer");
    const list = await call("sessions.list", { includeLastMessage: true, includeDerivedTitles: true });
    expect(checkResult("sessions.list", list)).toEqual({ ok: true });
    expect(list.path).toBe(join(gw.stateDir, "state.db"));
    expect(list.count).toBe(2);
    expect(list.sessions.map((s: any) => s.key)).toEqual(["agent:main:work", "agent:main:main"]);
    const main = list.sessions[1];
    expect(main).toMatchObject({ key: "agent:main:main", kind: "direct", chatType: "direct", systemSent: true, abortedLastRun: false, modelProvider: "local", model: "m1", contextTokens: 32000, inputTokens: 12, outputTokens: 5, totalTokens: 17, lastMessagePreview: "first answer", derivedTitle: "first question" });
    expect(typeof main.sessionId).toBe("string");
    expect((await call("sessions.list", { search: "WORK" })).sessions.map((s: any) => s.key)).toEqual(["agent:main:work"]);
    expect((await call("sessions.list", { limit: 1 })).count).toBe(1);
    expect((await call("sessions.list", { agentId: "other" })).count).toBe(0);
  });

  test("status and health count sessions from the store", async () => {
    const status = await call("status");
    expect(status.sessions.count).toBe(2);
    expect(status.sessions.recent.map((r: any) => r.key)).toEqual(["agent:main:work", "agent:main:main"]);
    expect(status.sessions.byAgent[0]).toMatchObject({ agentId: "main", count: 2 });
    const health = await call("health");
    expect(health.sessions.count).toBe(2);
    expect(health.sessions.recent[0]).toMatchObject({ key: "agent:main:work" });
    expect(typeof health.sessions.recent[0].age).toBe("number");
  });

  test("preview: last messages per key, missing keys marked", async () => {
    const p = await call("sessions.preview", { keys: ["main", "agent:main:work", "agent:main:nope"], limit: 2, maxChars: 20 });
    expect(p.previews).toEqual([
      { key: "main", status: "ok", items: [{ role: "user", text: "first question" }, { role: "assistant", text: "first answer" }] },
      { key: "agent:main:work", status: "ok", items: [{ role: "user", text: "work question" }, { role: "assistant", text: "work answer" }] },
      { key: "agent:main:nope", status: "missing", items: [] },
    ]);
  });

  test("patch: label (unique), thinkingLevel, model override used by the next run; null clears", async () => {
    const patched = await call("sessions.patch", { key: "agent:main:work", label: "Work", thinkingLevel: "low", model: "local/m2" });
    expect(patched).toMatchObject({ ok: true, key: "agent:main:work", entry: { label: "Work", thinkingLevel: "low", modelOverride: "local/m2" } });
    expect((await op.request("sessions.patch", { key: "main", label: "Work" })).error.message).toBe("label already in use: Work");
    expect((await op.request("sessions.patch", { key: "main", model: "nonsense" })).error.message).toContain("expected provider/model");
    expect((await op.request("sessions.patch", { key: "main", model: "ghost/x" })).error.message).toContain('unknown model provider "ghost"');
    expect((await op.request("sessions.patch", { key: "main", thinkingLevel: "extreme" })).error.message).toContain("invalid thinking level");
    await run("agent:main:work", "which model?");
    expect(fake.requests.at(-1)?.body.model).toBe("m2");
    expect((await call("sessions.list", { label: "Work" })).sessions[0]).toMatchObject({ key: "agent:main:work", model: "m2" });
    const cleared = await call("sessions.patch", { key: "agent:main:work", model: null, label: null });
    expect(cleared.entry.modelOverride).toBeUndefined();
    expect(cleared.entry.label).toBeUndefined();
    expect(cleared.entry.thinkingLevel).toBe("low");
    expect((await call("chat.history", { sessionKey: "agent:main:work" })).thinkingLevel).toBe("low");
  });

  test("reset: new sessionId, empty history, the old transcript is not shown", async () => {
    const before = (await call("chat.history", { sessionKey: "main" })).sessionId;
    const reset = await call("sessions.reset", { key: "main" });
    expect(reset).toMatchObject({ ok: true, key: "agent:main:main" });
    expect(reset.entry.sessionId).not.toBe(before);
    const history = await call("chat.history", { sessionKey: "main" });
    expect(history.sessionId).toBe(reset.entry.sessionId);
    expect(history.messages).toEqual([]);
    await run("main", "fresh start");
    expect((await call("chat.history", { sessionKey: "main" })).messages).toHaveLength(2);
  });

  test("delete: removes entry and transcript; the main session is refused", async () => {
    const sessionId = (await call("chat.history", { sessionKey: "agent:main:work" })).sessionId;
    expect(await call("sessions.delete", { key: "agent:main:work" })).toEqual({ ok: true, key: "agent:main:work", deleted: true });
    expect(gw.handle.ctx.store.countMessages(sessionId)).toBe(0);
    expect((await call("sessions.list")).sessions.map((s: any) => s.key)).toEqual(["agent:main:main"]);
    expect(await call("sessions.delete", { key: "agent:main:work" })).toEqual({ ok: true, key: "agent:main:work", deleted: false });
    expect((await op.request("sessions.delete", { key: "main" })).error.message).toContain("Cannot delete the main session");
  });

  test("scopes: read lists and reads history, write sends, admin patches/resets/deletes", async () => {
    const client = { id: "test", version: "1.0.0", platform: "linux", mode: "test" };
    const reader = await connectOperator(gw.url, { client, scopes: ["operator.read"] });
    expect((await reader.request("sessions.list")).ok).toBe(true);
    expect((await reader.request("chat.history", { sessionKey: "main" })).ok).toBe(true);
    expect((await reader.request("chat.send", { sessionKey: "main", message: "x", idempotencyKey: "r1" })).error.message).toBe("missing scope: operator.write");
    const writer = await connectOperator(gw.url, { client, scopes: ["operator.write"] });
    expect((await writer.request("chat.abort", { sessionKey: "main" })).ok).toBe(true);
    for (const [method, params] of [["sessions.patch", { key: "main", label: "x" }], ["sessions.reset", { key: "main" }], ["sessions.delete", { key: "agent:main:x" }]] as const) {
      expect((await writer.request(method, params)).error.message).toBe("missing scope: operator.admin");
    }
    reader.close();
    writer.close();
  });
});
