/**
 * WebChat over WS: chat.send → `chat` delta/final events, chat.history (incl. after a gateway restart),
 * chat.abort, failed runs as `chat` error events, idempotency, and the history limits.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { checkEventPayload, checkResult } from "../../../src/protocol/index.ts";
import type { TranscriptMessage } from "../../../src/store/index.ts";
import { type AgentGateway, collectUntil, connectOperator, connectWebchat, startAgentFixture } from "../../helpers/agent-gateway.ts";
import type { FakeProvider } from "../../helpers/fake-provider.ts";

let fake: FakeProvider;
let gw: AgentGateway;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ fake, gw, stop } = await startAgentFixture());
});
afterAll(() => stop());

const isChat = (runId: string, ...states: string[]) => (f: any) => f.event === "chat" && f.payload.runId === runId && states.includes(f.payload.state);

describe("webchat", () => {
  test("send → deltas → final; history has both turns, also after a restart", async () => {
    const web = await connectWebchat(gw.url);
    fake.push({ text: ["The ", "answer ", "is ", "42."], delayMs: 60 });
    const res = await web.request("chat.send", { sessionKey: "main", message: "What is the answer?", idempotencyKey: "chat-1" });
    expect(res.payload).toEqual({ runId: "chat-1", status: "started" });
    expect(checkResult("chat.send", res.payload)).toEqual({ ok: true });
    const frames = await collectUntil(web, isChat("chat-1", "final", "error"));
    const chat = frames.filter((f) => f.event === "chat").map((f) => f.payload);
    const deltas = chat.filter((c) => c.state === "delta");
    expect(deltas.length).toBeGreaterThanOrEqual(1);
    for (const d of deltas) {
      expect(d.sessionKey).toBe("main");
      expect(d.message).toMatchObject({ role: "assistant", content: [{ type: "text" }] });
      expect("The answer is 42.".startsWith(d.message.content[0].text)).toBe(true);
    }
    const final = chat.at(-1);
    expect(final).toMatchObject({ state: "final", runId: "chat-1", sessionKey: "main", message: { role: "assistant", content: [{ type: "text", text: "The answer is 42." }] } });
    for (const c of chat) expect(checkEventPayload("chat", c)).toEqual({ ok: true });
    // chat seq mirrors the agent seq of the run
    const agentSeqs = frames.filter((f) => f.event === "agent" && f.payload.runId === "chat-1").map((f) => f.payload.seq);
    expect(agentSeqs).toContain(final.seq);

    const history = (await web.request("chat.history", { sessionKey: "main" })).payload;
    expect(checkResult("chat.history", history)).toEqual({ ok: true });
    expect(history.messages.map((m: TranscriptMessage) => m.role)).toEqual(["user", "assistant"]);
    expect(history.messages[0]).toEqual({ role: "user", content: [{ type: "text", text: "What is the answer?" }], timestamp: expect.any(Number) });
    expect(history.messages[1]).toMatchObject({ role: "assistant", content: [{ type: "text", text: "The answer is 42." }], provider: "local", model: "m1", api: "openai-completions", stopReason: "stop", usage: { input: 12, output: 5, cacheRead: 0, cacheWrite: 0, totalTokens: 17 } });
    web.close();

    await gw.restart();
    const again = await connectWebchat(gw.url);
    const after = (await again.request("chat.history", { sessionKey: "agent:main:main" })).payload;
    expect(after.sessionId).toBe(history.sessionId);
    expect(after.messages).toEqual(history.messages);
    again.close();
  });

  test("a failed run reaches WebChat as a chat error event; the session stays usable", async () => {
    const web = await connectWebchat(gw.url);
    fake.push({ status: 401, message: "invalid api key" });
    await web.request("chat.send", { sessionKey: "main", message: "hello?", idempotencyKey: "chat-err" });
    const err = (await collectUntil(web, isChat("chat-err", "final", "error"))).at(-1);
    // (schema first: toMatchObject with asymmetric matchers rewrites the received object in bun 1.4)
    expect(checkEventPayload("chat", err.payload)).toEqual({ ok: true });
    expect(err.payload).toMatchObject({ state: "error", runId: "chat-err", sessionKey: "main" });
    expect(err.payload.errorMessage).toContain("HTTP 401");
    const history = (await web.request("chat.history", { sessionKey: "main" })).payload.messages;
    expect(history.at(-1)).toMatchObject({ role: "assistant", content: [], stopReason: "error", errorMessage: expect.stringContaining("HTTP 401") });
    fake.push({ text: "fine now" });
    await web.request("chat.send", { sessionKey: "main", message: "and now?", idempotencyKey: "chat-after-err" });
    expect((await collectUntil(web, isChat("chat-after-err", "final", "error"))).at(-1).payload.state).toBe("final");
    web.close();
  });

  test("duplicate idempotencyKey while running → in_flight; abort keeps the partial text", async () => {
    const web = await connectWebchat(gw.url);
    fake.push({ hang: true, first: "Once upon a time" });
    await web.request("chat.send", { sessionKey: "main", message: "tell me a story", idempotencyKey: "chat-long" });
    expect((await web.request("chat.send", { sessionKey: "main", message: "tell me a story", idempotencyKey: "chat-long" })).payload).toEqual({ runId: "chat-long", status: "in_flight" });
    await web.nextMatching((f) => f.event === "agent" && f.payload.runId === "chat-long" && f.payload.stream === "assistant");
    const abort = await web.request("chat.abort", { sessionKey: "main" });
    expect(abort.payload).toEqual({ ok: true, aborted: true, runIds: ["chat-long"] });
    expect(checkResult("chat.abort", abort.payload)).toEqual({ ok: true });
    const aborted = (await collectUntil(web, isChat("chat-long", "final", "error", "aborted"))).at(-1);
    expect(aborted.payload).toMatchObject({ state: "aborted", stopReason: "rpc", runId: "chat-long" });
    const history = (await web.request("chat.history", { sessionKey: "main" })).payload.messages;
    expect(history.at(-2)).toMatchObject({ role: "user", content: [{ text: "tell me a story" }] });
    expect(history.at(-1)).toMatchObject({ role: "assistant", stopReason: "aborted", content: [{ type: "text", text: "Once upon a time" }] });
    expect((await web.request("chat.abort", { sessionKey: "main" })).payload).toEqual({ ok: true, aborted: false, runIds: [] });
    expect((await web.request("chat.send", { sessionKey: "main", message: "tell me a story", idempotencyKey: "chat-long" })).payload).toEqual({ runId: "chat-long", status: "ok" });
    web.close();
  });

  test("abort by runId only stops that run; a queued run on the session is kept", async () => {
    const web = await connectWebchat(gw.url);
    fake.push({ hang: true, first: "first" }, { text: "second done" });
    await web.request("chat.send", { sessionKey: "queue", message: "one", idempotencyKey: "q-1" });
    await web.request("chat.send", { sessionKey: "queue", message: "two", idempotencyKey: "q-2" });
    await web.nextMatching((f) => f.event === "agent" && f.payload.runId === "q-1" && f.payload.stream === "assistant");
    expect((await web.request("chat.abort", { sessionKey: "queue", runId: "q-1" })).payload).toEqual({ ok: true, aborted: true, runIds: ["q-1"] });
    expect((await web.nextMatching(isChat("q-2", "final", "error"))).payload.message.content[0].text).toBe("second done");
    const roles = (await web.request("chat.history", { sessionKey: "queue" })).payload.messages.map((m: TranscriptMessage) => m.role);
    expect(roles).toEqual(["user", "assistant", "user", "assistant"]);
    web.close();
  });

  test("a gateway stop mid-run: aborted (shutdown) before the shutdown event; partial kept across the restart", async () => {
    const web = await connectWebchat(gw.url);
    fake.push({ hang: true, first: "half a thought" });
    await web.request("chat.send", { sessionKey: "stop", message: "think", idempotencyKey: "stop-1" });
    await web.nextMatching((f) => f.event === "agent" && f.payload.runId === "stop-1" && f.payload.stream === "assistant");
    const restarting = gw.restart();
    const frames = await collectUntil(web, (f) => f.event === "shutdown");
    const aborted = frames.find(isChat("stop-1", "aborted"));
    expect(aborted.payload).toMatchObject({ stopReason: "shutdown", message: { content: [{ text: "half a thought" }] } });
    await restarting;
    const again = await connectWebchat(gw.url);
    const history = (await again.request("chat.history", { sessionKey: "stop" })).payload.messages;
    expect(history.map((m: TranscriptMessage) => m.role)).toEqual(["user", "assistant"]);
    expect(history[1]).toMatchObject({ stopReason: "aborted", content: [{ text: "half a thought" }] });
    again.close();
  });

  test("chat.history: limit, unknown session, 6 MiB cap", async () => {
    const op = await connectOperator(gw.url);
    expect((await op.request("chat.history", { sessionKey: "never-used" })).payload).toEqual({ sessionKey: "never-used", messages: [], thinkingLevel: "off" });
    const store = gw.handle.ctx.store;
    const sessionId = "big-session";
    store.setSession("agent:main:big", { sessionId, updatedAt: Date.now() });
    const big = "x".repeat(512 * 1024);
    store.appendMessages(sessionId, Array.from({ length: 20 }, (_, i): TranscriptMessage => ({ role: "user", content: [{ type: "text", text: `${i}:${big}` }], timestamp: i })));
    expect((await op.request("chat.history", { sessionKey: "big", limit: 3 })).payload.messages.map((m: any) => m.timestamp)).toEqual([17, 18, 19]);
    // the websocket max payload is the client's concern; the gateway sends at most 6 MiB of messages
    const all = (await op.request("chat.history", { sessionKey: "big" })).payload.messages;
    expect(all.length).toBeLessThan(20);
    expect(all.at(-1).timestamp).toBe(19);
    expect(Buffer.byteLength(JSON.stringify(all))).toBeLessThanOrEqual(6 * 1024 * 1024);
    op.close();
  });
});
