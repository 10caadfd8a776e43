/**
 * Reply delivery over real sockets: `agent` with `deliver:true` sends the final reply through the fake
 * Telegram Bot API (explicit channel + to, chunked when long; `"last"` after an inbound Telegram message),
 * reports where it went (or why not) in the final response, refuses an unconfigured channel at accept time,
 * and WebChat's chat.send never delivers. A node's agent.request delivers the same way.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type AgentGateway, collectUntil, connectWebchat, startAgentFixture } from "../helpers/agent-gateway.ts";
import type { FakeProvider } from "../helpers/fake-provider.ts";
import type { FakeTelegram } from "../helpers/fake-telegram.ts";
import { TEST_TOKEN } from "../helpers/gateway.ts";
import { SimulatedNode } from "../helpers/node.ts";
import type { TestSocket } from "../helpers/ws.ts";

const ANN = { id: 4242, first_name: "Ann" };

let fake: FakeProvider;
let telegram: FakeTelegram;
let gw: AgentGateway;
let sock: TestSocket;
let stop: () => Promise<void>;

// Heartbeats are off: they have their own tests.
beforeAll(async () => {
  ({ fake, telegram, gw, sock, stop } = await startAgentFixture({ telegram: true, heartbeats: false }));
});
afterAll(() => stop());

let id = 0;
/** Sends `agent` and returns its responses on that id (ack, then final; or a single error). */
async function runAgent(params: Record<string, unknown>): Promise<any[]> {
  const reqId = `d${++id}`;
  sock.send({ type: "req", id: reqId, method: "agent", params });
  const frames = await collectUntil(sock, (f) => f.type === "res" && f.id === reqId && (!f.ok || f.payload?.status !== "accepted"));
  return frames.filter((f) => f.type === "res" && f.id === reqId);
}

const sentTo = (chatId: number | string) => telegram.callsOf("sendMessage").filter((c) => String(c.params.chat_id) === String(chatId));

describe("agent deliver:true", () => {
  test("channel telegram + to: the reply goes out as sendMessage and the final says where", async () => {
    fake.push({ text: "The build is green." });
    const [ack, final] = await runAgent({ message: "status?", idempotencyKey: "dl-1", deliver: true, channel: "telegram", to: "1001" });
    expect(ack.payload.status).toBe("accepted");
    expect(final).toMatchObject({ ok: true, payload: { status: "ok", summary: "completed", result: { payloads: [{ text: "The build is green." }] } } });
    expect(final.payload.delivery).toEqual({ ok: true, channel: "telegram", to: "1001", messageId: expect.any(String) });
    const calls = sentTo(1001);
    expect(calls).toHaveLength(1);
    expect(calls[0].params.text).toBe("The build is green.");
  });

  test("a long reply is chunked like any send", async () => {
    const para = (word: string) => `${`${word} `.repeat(600).trim()}.`;
    fake.push({ text: [para("alpha"), "\n\n", para("beta")] });
    const [, final] = await runAgent({ message: "long please", idempotencyKey: "dl-2", deliver: true, channel: "telegram", to: "1002" });
    expect(final.payload.delivery).toMatchObject({ ok: true, channel: "telegram", to: "1002" });
    const calls = sentTo(1002);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const c of calls) expect(String(c.params.text).length).toBeLessThanOrEqual(4000);
    const joined = calls.map((c) => c.params.text).join(" ");
    expect(joined).toContain("alpha");
    expect(joined).toContain("beta");
  });

  test('channel "last" after an inbound Telegram message goes to that chat', async () => {
    fake.push({ text: "Hi Ann." });
    telegram.pushText(ANN, "hello bot");
    await telegram.waitForCall("sendMessage", (c) => String(c.params.chat_id) === String(ANN.id));
    const entry = gw.handle.ctx.store.getSession("agent:main:main");
    expect(entry).toMatchObject({ lastChannel: "telegram", lastTo: String(ANN.id), deliveryContext: { channel: "telegram", to: String(ANN.id), accountId: "default" } });

    const before = sentTo(ANN.id).length;
    fake.push({ text: "Your reminder: water the plants." });
    const [, final] = await runAgent({ message: "remind Ann", idempotencyKey: "dl-3", deliver: true, channel: "last" });
    expect(final.payload.delivery).toMatchObject({ ok: true, channel: "telegram", to: String(ANN.id) });
    const calls = sentTo(ANN.id);
    expect(calls).toHaveLength(before + 1);
    expect(calls.at(-1)?.params.text).toBe("Your reminder: water the plants.");
    // A run from the CLI does not take the route away: the next "last" still finds Ann.
    expect(gw.handle.ctx.store.getSession("agent:main:main")?.deliveryContext).toMatchObject({ channel: "telegram", to: String(ANN.id) });
  });

  test("no target: the run is ok, delivery is reported failed, nothing is sent", async () => {
    const before = telegram.callsOf("sendMessage").length;
    fake.push({ text: "Nobody to tell." });
    const [, final] = await runAgent({ message: "hi", idempotencyKey: "dl-4", deliver: true, sessionKey: "agent:main:lonely" });
    expect(final.ok).toBe(true);
    expect(final.payload).toMatchObject({ status: "ok", summary: "completed", result: { payloads: [{ text: "Nobody to tell." }] } });
    expect(final.payload.delivery).toEqual({ ok: false, error: expect.stringContaining("no delivery target") });
    expect(telegram.callsOf("sendMessage")).toHaveLength(before);
    expect(gw.logs.some((l) => l.includes("reply not delivered") && !l.includes("Nobody to tell"))).toBe(true);
  });

  test("a send the Bot API refuses leaves the run ok and reports the error", async () => {
    fake.push({ text: "Blocked reply." });
    telegram.failNext("sendMessage", { status: 403, description: "Forbidden: bot was blocked by the user" });
    const [, final] = await runAgent({ message: "x", idempotencyKey: "dl-5", deliver: true, channel: "telegram", to: "1005" });
    expect(final.ok).toBe(true);
    expect(final.payload.delivery).toMatchObject({ ok: false, code: "UNAVAILABLE", channel: "telegram", error: expect.stringContaining("403") });
  });

  test("a channel that is not configured is refused at accept time, before any run", async () => {
    const requests = fake.requests.length;
    const [res] = await runAgent({ message: "x", idempotencyKey: "dl-6", deliver: true, channel: "whatsapp", to: "+15551234567" });
    expect(res.ok).toBe(false);
    expect(res.error).toMatchObject({ code: "NOT_LINKED", message: "whatsapp is not configured" });
    const [bad] = await runAgent({ message: "x", idempotencyKey: "dl-7", deliver: true, replyChannel: "signal" });
    expect(bad.error).toEqual({ code: "INVALID_REQUEST", message: "unsupported channel: signal" });
    expect(fake.requests.length).toBe(requests);
    // Without deliver the channel is only where the message came from.
    fake.push({ text: "fine" });
    const [, final] = await runAgent({ message: "x", idempotencyKey: "dl-8", channel: "whatsapp" });
    expect(final.ok).toBe(true);
    expect(final.payload.delivery).toBeUndefined();
  });

  test("a repeated idempotencyKey answers the cached final (with its delivery) and sends nothing again", async () => {
    const before = telegram.callsOf("sendMessage").length;
    const [again] = await runAgent({ message: "status?", idempotencyKey: "dl-1", deliver: true, channel: "telegram", to: "1001" });
    expect(again.payload.delivery).toMatchObject({ ok: true, channel: "telegram", to: "1001" });
    expect(telegram.callsOf("sendMessage")).toHaveLength(before);
  });
});

describe("never delivered", () => {
  test("chat.send ignores deliver:true even on a session with a route", async () => {
    const webchat = await connectWebchat(gw.url);
    try {
      const before = telegram.callsOf("sendMessage").length;
      fake.push({ text: "Only in the chat window." });
      const res = await webchat.request("chat.send", { sessionKey: "main", message: "hi", deliver: true, idempotencyKey: "wc-1" });
      expect(res.payload).toEqual({ runId: "wc-1", status: "started" });
      // agent.wait answers once the run settled, i.e. after anything a run does on its way out.
      expect((await webchat.request("agent.wait", { runId: "wc-1", timeoutMs: 10_000 })).payload).toMatchObject({ status: "ok" });
      expect(telegram.callsOf("sendMessage")).toHaveLength(before);
    } finally {
      webchat.close();
    }
  });
});

describe("node agent.request", () => {
  test("deliver:true with channel and to delivers the reply", async () => {
    const node = await SimulatedNode.connect(gw.url, { token: TEST_TOKEN, displayName: "Phone" });
    try {
      fake.push({ text: "Sent from the node's run." });
      const res = await node.request("node.event", { event: "agent.request", payload: { message: "tell them", deliver: true, channel: "telegram", to: "1009", key: "node-dl-1" } });
      expect(res).toMatchObject({ ok: true });
      const call = await telegram.waitForCall("sendMessage", (c) => String(c.params.chat_id) === "1009");
      expect(call.params.text).toBe("Sent from the node's run.");
      const run = await sock.request("agent.wait", { runId: "node-dl-1", timeoutMs: 10_000 });
      expect(run.payload.status).toBe("ok");
    } finally {
      node.close();
    }
  });
});
