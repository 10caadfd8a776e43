/**
 * Run events on protocol v4 connections (issue 22, protocol-v4.md §4 step 7): chat deltas carry `deltaText`
 * (what was added since the previous delta) and `agentId`; v3 connections on the same gateway get the
 * payloads unchanged. Both count their events from 1 without gaps.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { checkEventPayload } from "../../src/protocol/index.ts";
import { type AgentGateway, collectUntil, startAgentFixture } from "../helpers/agent-gateway.ts";
import type { FakeProvider } from "../helpers/fake-provider.ts";
import { TEST_TOKEN } from "../helpers/gateway.ts";
import { connectParams, openSocket, type TestSocket } from "../helpers/ws.ts";

let fake: FakeProvider;
let gw: AgentGateway;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ fake, gw, stop } = await startAgentFixture());
});
afterAll(() => stop());

async function connect(protocol: 3 | 4): Promise<TestSocket> {
  const sock = await openSocket(gw.url);
  await sock.next();
  // v4 without a device identity: the local CLI path, which keeps the scopes it declares.
  const v4 = protocol === 4 && { client: { id: "cli", version: "1.0.0", platform: "linux", mode: "cli" }, scopes: ["operator.admin"] };
  const res = await sock.request("connect", connectParams({ auth: { token: TEST_TOKEN }, minProtocol: protocol, maxProtocol: protocol, ...v4 }), "connect");
  if (!res.ok) throw new Error(JSON.stringify(res.error));
  expect(res.payload.protocol).toBe(protocol);
  return sock;
}

const isFinal = (runId: string) => (f: any) => f.event === "chat" && f.payload.runId === runId && f.payload.state === "final";

describe("chat and agent events by protocol version", () => {
  test("v4 deltas carry deltaText and agentId; v3 deltas stay as they were", async () => {
    const v3 = await connect(3);
    const v4 = await connect(4);
    fake.push({ text: ["The ", "answer ", "is ", "42."], delayMs: 60 });
    const res = await v4.request("chat.send", { sessionKey: "main", message: "What is the answer?", idempotencyKey: "v4-chat-1" });
    expect(res.ok).toBe(true);
    const [f3, f4] = await Promise.all([collectUntil(v3, isFinal("v4-chat-1")), collectUntil(v4, isFinal("v4-chat-1"))]);

    const deltas4 = f4.filter((f) => f.event === "chat" && f.payload.state === "delta").map((f) => f.payload);
    expect(deltas4.length).toBeGreaterThanOrEqual(1);
    for (const d of deltas4) expect(d.agentId).toBe("main");
    // The deltaTexts add up to the last delta's text, in order.
    expect(deltas4.map((d) => d.deltaText).join("")).toBe(deltas4.at(-1).message.content[0].text);
    const final4 = f4.at(-1).payload;
    expect(final4.agentId).toBe("main");
    for (const f of f4.filter((x) => x.event === "agent")) expect(f.payload.agentId).toBe("main");

    const chat3 = f3.filter((f) => f.event === "chat").map((f) => f.payload);
    for (const c of chat3) {
      expect(c.deltaText).toBeUndefined();
      expect(c.agentId).toBeUndefined();
      // v3's chat event schema is checked as before.
      expect(checkEventPayload("chat", c)).toEqual({ ok: true });
    }
    for (const frames of [f3, f4]) {
      const seqs = frames.filter((f) => f.type === "event").map((f) => f.seq);
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1] + 1);
    }
    v3.close();
    v4.close();
  });
});
