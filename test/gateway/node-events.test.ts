/**
 * Node events that start agent runs, over real sockets: a simulated node sends `agent.request` and
 * `voice.transcript`, the run goes to the fake provider, its transcript lands in the node's session and
 * operators see the agent/chat events. Bad payloads are dropped (logged without their bodies) while
 * `node.event` still answers ok and the gateway keeps serving.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type AgentGateway, collectUntil, startAgentFixture } from "../helpers/agent-gateway.ts";
import type { FakeProvider } from "../helpers/fake-provider.ts";
import { TEST_TOKEN } from "../helpers/gateway.ts";
import { SimulatedNode } from "../helpers/node.ts";
import type { TestSocket } from "../helpers/ws.ts";

let fake: FakeProvider;
let gw: AgentGateway;
let op: TestSocket;
let node: SimulatedNode;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ fake, gw, sock: op, stop } = await startAgentFixture());
  // A local node with the shared token is paired silently.
  node = await SimulatedNode.connect(gw.url, { token: TEST_TOKEN, displayName: "Kitchen tablet", commands: ["canvas.present"] });
  expect(node.hello).toBeDefined();
});
afterAll(async () => {
  node.close();
  await stop();
});

/** Reads operator frames until the run on `sessionKey` ends; returns its agent and chat events. */
async function runOn(sessionKey: string) {
  const frames = await collectUntil(op, (f) => f.event === "agent" && f.payload.sessionKey === sessionKey && f.payload.data?.phase === "end");
  const agent = frames.filter((f) => f.event === "agent" && f.payload.sessionKey === sessionKey).map((f) => f.payload);
  const runId = agent[0]?.runId;
  const chat = [...frames, ...(await collectUntil(op, (f) => f.event === "chat" && f.payload.runId === runId && f.payload.state === "final"))]
    .filter((f) => f.event === "chat" && f.payload.runId === runId)
    .map((f) => f.payload);
  return { runId, agent, chat, frames };
}

function transcript(sessionKey: string): { role: string; text: string }[] {
  const store = gw.handle.ctx.store;
  const entry = store.getSession(sessionKey);
  if (!entry) return [];
  return store.readMessages(entry.sessionId).map((m) => ({ role: m.role, text: m.content.map((b) => (b.type === "text" ? b.text : "")).join("") }));
}

describe("agent.request", () => {
  test("starts a run on node-<nodeId>: transcript stored, operators see agent and chat events", async () => {
    fake.push({ text: ["Lights ", "are on."] });
    const res = await node.request("node.event", { event: "agent.request", payload: { message: "Turn on the lights" } });
    expect(res).toMatchObject({ ok: true, payload: { ok: true } });
    const key = `agent:main:node-${node.nodeId}`;
    const { runId, agent, chat } = await runOn(key);
    expect(runId).toEqual(expect.any(String));
    expect(agent.map((a) => a.stream)).toEqual(["lifecycle", "assistant", "assistant", "lifecycle"]);
    expect(chat.at(-1)).toMatchObject({ state: "final", message: { content: [{ type: "text", text: "Lights are on." }] } });
    expect(transcript(key)).toEqual([
      { role: "user", text: "Turn on the lights" },
      { role: "assistant", text: "Lights are on." },
    ]);
    // The model is told which node spoke, and the run is marked as coming from a node.
    const system = fake.requests.at(-1)?.body.messages[0].content as string;
    expect(system).toContain(`This message was sent from the node "Kitchen tablet" (${node.nodeId}).`);
    expect(system).toContain("channel: node");
    expect(gw.handle.ctx.store.getSession(key)?.lastChannel).toBe("node");
  });

  test("payloadJSON, an explicit sessionKey and key (the run id), thinking and timeoutSeconds", async () => {
    fake.push({ text: "Done." });
    const payloadJSON = JSON.stringify({ message: "Summarise my day", sessionKey: "agent:main:shortcuts", key: "node-run-7", thinking: "low", timeoutSeconds: 30 });
    expect((await node.request("node.event", { event: "agent.request", payloadJSON })).ok).toBe(true);
    const { runId } = await runOn("agent:main:shortcuts");
    expect(runId).toBe("node-run-7");
    expect(transcript("agent:main:shortcuts")).toEqual([
      { role: "user", text: "Summarise my day" },
      { role: "assistant", text: "Done." },
    ]);
    const wait = await op.request("agent.wait", { runId: "node-run-7", timeoutMs: 5000 });
    expect(wait.payload).toMatchObject({ runId: "node-run-7", status: "ok" });
  });

  test("bad payloads are dropped and logged without their bodies; node.event still answers ok", async () => {
    const requestsBefore = fake.requests.length;
    const bad: Record<string, unknown>[] = [
      { event: "agent.request" },
      { event: "agent.request", payloadJSON: "{not json" },
      { event: "agent.request", payload: { message: "" } },
      { event: "agent.request", payload: { message: 42 } },
      { event: "agent.request", payload: { message: "SECRET-BODY-1", deliver: "yes", timeoutSeconds: -1 } },
      { event: "agent.request", payload: { message: "SECRET-BODY-2", thinking: "extreme" } },
      { event: "agent.request", payload: ["not", "an", "object"] },
      { event: "voice.transcript", payload: { text: "   " } },
      { event: "voice.transcript", payload: { text: "SECRET-BODY-3", sessionKey: 7 } },
      { event: "some.unknown.event", payload: { message: "ignored" } },
    ];
    for (const params of bad) expect(await node.request("node.event", params)).toMatchObject({ ok: true, payload: { ok: true } });

    // The gateway still serves, and the next good request is the only run that happened.
    expect((await op.request("health")).ok).toBe(true);
    fake.push({ text: "Still here." });
    await node.request("node.event", { event: "agent.request", payload: { message: "Are you there?", sessionKey: "agent:main:after-bad" } });
    const { frames } = await runOn("agent:main:after-bad");
    expect(frames.filter((f) => f.event === "agent" && f.payload.data?.phase === "start").map((f) => f.payload.sessionKey)).toEqual(["agent:main:after-bad"]);
    expect(fake.requests.length).toBe(requestsBefore + 1);

    const logs = gw.logs.join("\n");
    expect(logs).toContain("dropped node agent.request: payload is missing, not an object, or not valid JSON");
    expect(logs).toContain("dropped node agent.request: message must be a non-empty string");
    expect(logs).toContain("dropped node agent.request: deliver must be a boolean; timeoutSeconds must be a number >= 0");
    expect(logs).toContain('dropped node agent.request: invalid thinking level "extreme"');
    expect(logs).toContain("dropped node voice.transcript: text must be a non-empty string");
    expect(logs).toContain("dropped node voice.transcript: sessionKey must be a string");
    expect(logs).not.toContain("SECRET-BODY");
  });
});

describe("voice.transcript", () => {
  test("starts a run with the text as the message, on node-<nodeId> by default or the given session", async () => {
    fake.push({ text: "Timer set." }, { text: "Noted." });
    expect((await node.request("node.event", { event: "voice.transcript", payload: { text: "set a timer for ten minutes" } })).ok).toBe(true);
    const key = `agent:main:node-${node.nodeId}`;
    await runOn(key);
    expect(transcript(key).slice(-2)).toEqual([
      { role: "user", text: "set a timer for ten minutes" },
      { role: "assistant", text: "Timer set." },
    ]);
    expect(fake.requests.at(-1)?.body.messages[0].content).toContain("This message is a voice transcript from the node");

    await node.request("node.event", { event: "voice.transcript", payload: { text: "remember milk", sessionKey: "voice" } });
    await runOn("agent:main:voice");
    expect(transcript("agent:main:voice")).toEqual([
      { role: "user", text: "remember milk" },
      { role: "assistant", text: "Noted." },
    ]);
  });
});
