/**
 * The `agent` method over WS: two-phase answer on one request id, the agent/chat event stream, error
 * finals (missing key, provider errors, timeout), idempotency, agent.wait and agent.identity.get.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { checkEventPayload, checkResult } from "../../../src/protocol/index.ts";
import { type AgentGateway, collectUntil, startAgentFixture } from "../../helpers/agent-gateway.ts";
import type { FakeProvider } from "../../helpers/fake-provider.ts";
import { TEST_TOKEN } from "../../helpers/gateway.ts";
import { connectParams, openSocket, type TestSocket } from "../../helpers/ws.ts";

let fake: FakeProvider;
let gw: AgentGateway;
let sock: TestSocket;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ fake, gw, sock, stop } = await startAgentFixture({
    extra: (workspace) => ({
      agents: {
        defaults: { workspace, model: "local/m1" },
        list: [{ id: "main", default: true, identity: { name: "Clawd", emoji: "🦞" } }, { id: "nokey", model: "anthropic/claude-x" }],
      },
    }),
  }));
});
afterAll(() => stop());

let id = 0;
function send(method: string, params: Record<string, unknown>): string {
  const reqId = `a${++id}`;
  sock.send({ type: "req", id: reqId, method, params });
  return reqId;
}

/** Sends `agent` and reads frames until the second response on the same id. */
async function runAgent(params: Record<string, unknown>) {
  const reqId = send("agent", params);
  const frames = await collectUntil(sock, (f) => f.type === "res" && f.id === reqId && f.payload?.status !== "accepted");
  const responses = frames.filter((f) => f.type === "res" && f.id === reqId);
  const runId = params.idempotencyKey;
  const agent = frames.filter((f) => f.event === "agent" && f.payload.runId === runId).map((f) => f.payload);
  const chat = frames.filter((f) => f.event === "chat" && f.payload.runId === runId).map((f) => f.payload);
  return { responses, agent, chat, frames };
}

describe("agent", () => {
  test("ack then final on the same id, with the streamed events in between", async () => {
    // Chunks spaced beyond the assistant-event coalescing window (80 ms) arrive as one event each.
    fake.push({ text: ["Hi", " there", "!"], delayMs: 100, usage: { input: 20, output: 4, cacheRead: 3 } });
    const { responses, agent, chat, frames } = await runAgent({ message: "hello", idempotencyKey: "run-ok" });
    expect(responses).toHaveLength(2);
    expect(responses[0]).toMatchObject({ ok: true, payload: { runId: "run-ok", status: "accepted", acceptedAt: expect.any(Number) } });
    expect(responses[1]).toMatchObject({
      ok: true,
      payload: {
        runId: "run-ok",
        status: "ok",
        summary: "completed",
        result: { payloads: [{ text: "Hi there!" }], meta: { durationMs: expect.any(Number), agentMeta: { sessionId: expect.any(String), provider: "local", model: "m1", usage: { input: 20, output: 4, cacheRead: 3, cacheWrite: 0, total: 27 } } } },
      },
    });
    // the ack comes before any event of the run, the final after all of them
    const ackAt = frames.indexOf(responses[0]);
    const firstEvent = frames.findIndex((f) => f.event === "agent" && f.payload.runId === "run-ok");
    expect(ackAt).toBeLessThan(firstEvent);
    expect(agent.map((a) => a.seq)).toEqual(agent.map((_, i) => i + 1));
    expect(agent.map((a) => a.stream)).toEqual(["lifecycle", "assistant", "assistant", "assistant", "lifecycle"]);
    expect(agent[0].data).toEqual({ phase: "start", startedAt: expect.any(Number) });
    expect(agent[2].data).toEqual({ text: "Hi there", delta: " there" });
    expect(agent[4].data).toMatchObject({ phase: "end", endedAt: expect.any(Number) });
    for (const a of agent) {
      expect(a.sessionKey).toBe("agent:main:main");
      expect(checkEventPayload("agent", a)).toEqual({ ok: true });
    }
    expect(chat.at(-1)).toMatchObject({ state: "final", sessionKey: "agent:main:main", message: { role: "assistant", content: [{ type: "text", text: "Hi there!" }] } });
    for (const c of chat) expect(checkEventPayload("chat", c)).toEqual({ ok: true });
    // frame seq is the global broadcast counter: strictly increasing
    const seqs = frames.filter((f) => f.type === "event").map((f) => f.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    const wait = await sock.request("agent.wait", { runId: "run-ok", timeoutMs: 1000 });
    expect(checkResult("agent.wait", wait.payload)).toEqual({ ok: true });
    expect(wait.payload).toMatchObject({ runId: "run-ok", status: "ok" });
    expect(wait.payload.endedAt).toBeGreaterThanOrEqual(wait.payload.startedAt);
  });

  test("a repeated idempotencyKey: in_flight while running, then the cached final as a single answer", async () => {
    fake.push({ text: ["slow ", "answer"], delayMs: 100 });
    const first = send("agent", { message: "one", idempotencyKey: "run-dup" });
    const dup = await sock.request("agent", { message: "one", idempotencyKey: "run-dup" });
    expect(dup.payload).toEqual({ runId: "run-dup", status: "in_flight" });
    const final = await sock.nextMatching((f) => f.type === "res" && f.id === first && f.payload?.status === "ok");
    const requestsBefore = fake.requests.length;
    const again = await sock.request("agent", { message: "one", idempotencyKey: "run-dup" });
    expect(again).toMatchObject({ ok: true, payload: final.payload });
    expect(fake.requests.length).toBe(requestsBefore);
    // no second answer follows for the cached request
    const extra = await sock.nextMatching((f) => f.type === "res" && f.id === again.id, 200).catch(() => undefined);
    expect(extra).toBeUndefined();
  });

  test("missing API key: error final with payload and UNAVAILABLE, events end in error", async () => {
    const { responses, agent, chat } = await runAgent({ message: "hi", agentId: "nokey", idempotencyKey: "run-nokey" });
    expect(responses[0].payload.status).toBe("accepted");
    expect(responses[1]).toMatchObject({
      ok: false,
      payload: { runId: "run-nokey", status: "error", summary: expect.stringContaining('No API key found for provider "anthropic"') },
      error: { code: "UNAVAILABLE", message: expect.stringContaining('No API key found for provider "anthropic"') },
    });
    expect(agent.at(-1).data).toMatchObject({ phase: "error", error: expect.stringContaining("No API key") });
    expect(agent.at(-1).sessionKey).toBe("agent:nokey:main");
    expect(chat.at(-1)).toMatchObject({ state: "error", errorMessage: expect.stringContaining("No API key") });
    expect((await sock.request("agent.wait", { runId: "run-nokey", timeoutMs: 100 })).payload).toMatchObject({ status: "error", error: expect.stringContaining("No API key") });
  });

  test("provider down, then the session still works", async () => {
    fake.push({ status: 503, message: "upstream overloaded", headers: { "retry-after": "0" } }, { status: 503, headers: { "retry-after": "0" } });
    const down = await runAgent({ message: "are you there?", sessionKey: "agent:main:flaky", idempotencyKey: "run-down" });
    expect(down.responses[1]).toMatchObject({ ok: false, error: { code: "UNAVAILABLE", retryable: true } });
    expect(down.responses[1].error.message).toContain("HTTP 503");
    fake.push({ text: "back" });
    const up = await runAgent({ message: "again", sessionKey: "agent:main:flaky", idempotencyKey: "run-up" });
    expect(up.responses[1]).toMatchObject({ ok: true, payload: { result: { payloads: [{ text: "back" }] } } });
  });

  test("timeout param (seconds) → AGENT_TIMEOUT", async () => {
    fake.push({ hang: true, first: "partial " });
    const { responses, chat } = await runAgent({ message: "take your time", sessionKey: "agent:main:slow", timeout: 1, idempotencyKey: "run-timeout" });
    expect(responses[1]).toMatchObject({ ok: false, payload: { runId: "run-timeout", status: "error" }, error: { code: "AGENT_TIMEOUT" } });
    expect(chat.at(-1)).toMatchObject({ state: "aborted", stopReason: "timeout" });
  });

  test("bad params: empty message, unknown agent, bad thinking level", async () => {
    expect((await sock.request("agent", { message: " ", idempotencyKey: "x1" })).error).toMatchObject({ code: "INVALID_REQUEST", message: "message is required" });
    expect((await sock.request("agent", { message: "hi", agentId: "ghost", idempotencyKey: "x2" })).error.message).toContain('unknown agent id "ghost"');
    expect((await sock.request("agent", { message: "hi", thinking: "max", idempotencyKey: "x3" })).error.message).toContain("invalid thinking level");
    expect((await sock.request("agent", { message: "hi" })).error.message).toContain("idempotencyKey");
  });

  test("agent.wait on an unknown run times out; agent.identity.get", async () => {
    expect((await sock.request("agent.wait", { runId: "nope", timeoutMs: 50 })).payload).toEqual({ runId: "nope", status: "timeout" });
    expect((await sock.request("agent.identity.get", {})).payload).toEqual({ agentId: "main", name: "Clawd", emoji: "🦞" });
    expect((await sock.request("agent.identity.get", { sessionKey: "agent:nokey:main" })).payload).toEqual({ agentId: "nokey" });
    expect((await sock.request("agent.identity.get", { agentId: "ghost" })).error.message).toContain("unknown agent id");
  });

  test("agent and chat are advertised events and methods", async () => {
    const other = await openSocket(gw.url);
    await other.next();
    const hello = await other.request("connect", connectParams({ auth: { token: TEST_TOKEN } }), "connect");
    expect(hello.payload.features.events).toEqual(expect.arrayContaining(["agent", "chat"]));
    expect(hello.payload.features.methods).toEqual(expect.arrayContaining(["agent", "agent.wait", "agent.identity.get", "chat.history", "chat.send", "chat.abort", "sessions.list", "sessions.preview", "sessions.patch", "sessions.reset", "sessions.delete"]));
    other.close();
  });
});
