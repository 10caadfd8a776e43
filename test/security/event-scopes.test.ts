/**
 * Class: events that carry what a client may not read through methods. An event goes only to clients holding
 * the scope of the method that returns the same content (reply text in `agent`/`chat` ↔ `chat.history`,
 * presence ↔ `system-presence`, …): a client holding only `operator.pairing` or `operator.approvals` gets its
 * own events and the content-free ones, and nodes get only what they act on. Every advertised event is
 * checked, plus the reported case end to end (a real chat run).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { EVENT_AUDIENCE } from "../../src/gateway/event-audience.ts";
import { EVENTS, METHOD_SCOPES } from "../../src/protocol/index.ts";
import { collectUntil, connectOperator, startAgentFixture, type AgentFixture } from "../helpers/agent-gateway.ts";
import { TEST_TOKEN } from "../helpers/gateway.ts";
import { connectClient, type TestSocket } from "../helpers/ws.ts";

type Who = "pairing" | "approvals" | "read" | "write" | "admin" | "node";
const ALL: Who[] = ["pairing", "approvals", "read", "write", "admin", "node"];
const READERS: Who[] = ["read", "write", "admin"];

/** Who receives each broadcast event: the property under test, written out independently of the code's table. */
const EXPECTED: Record<string, Who[]> = {
  tick: ALL,
  shutdown: ALL,
  agent: READERS,
  chat: READERS,
  presence: READERS,
  health: READERS,
  heartbeat: READERS,
  cron: READERS,
  "talk.mode": [...READERS, "node"],
  "voicewake.changed": [...READERS, "node"],
  "exec.approval.requested": ["approvals", "admin"],
  "exec.approval.resolved": ["approvals", "admin"],
  "device.pair.requested": ["pairing", "admin"],
  "device.pair.resolved": ["pairing", "admin"],
  "node.pair.requested": ["pairing", "admin"],
  "node.pair.resolved": ["pairing", "admin"],
  "node.invoke.request": ["admin", "node"],
};

let fx: AgentFixture;
const socks = {} as Record<Who, TestSocket>;

beforeAll(async () => {
  fx = await startAgentFixture();
  const scopes: Record<Exclude<Who, "node">, string[]> = {
    pairing: ["operator.pairing"],
    approvals: ["operator.approvals"],
    read: ["operator.read"],
    write: ["operator.write"],
    admin: ["operator.admin"],
  };
  for (const [who, s] of Object.entries(scopes)) socks[who as Who] = await connectOperator(fx.gw.url, { scopes: s });
  socks.node = (
    await connectClient(fx.gw.url, TEST_TOKEN, { role: "node", client: { id: "node-host", version: "1.0.0", platform: "linux", mode: "node", instanceId: "scopes-node" } })
  ).sock;
});
afterAll(async () => {
  for (const s of Object.values(socks)) s.close();
  await fx.stop();
});

/** Broadcasts a marker and returns what `who` received before it (the marker excluded). */
async function receivedUntilMarker(marker: string): Promise<Record<Who, any[]>> {
  fx.gw.handle.ctx.connections.broadcast("tick", { ts: 0, marker });
  const out = {} as Record<Who, any[]>;
  for (const who of ALL) out[who] = (await collectUntil(socks[who], (f) => f.event === "tick" && f.payload.marker === marker)).slice(0, -1);
  return out;
}

describe("the audience table", () => {
  test("every advertised event is listed, and its operator scope is that of the method returning the same content", () => {
    for (const event of EVENTS) expect(EVENT_AUDIENCE[event]).toBeDefined();
    const asAudience: Record<string, string> = { read: "read", write: "read", approvals: "approvals", pairing: "pairing" };
    for (const [event, audience] of Object.entries(EVENT_AUDIENCE)) {
      if (audience.sameAs === "-") continue;
      expect({ event, need: asAudience[METHOD_SCOPES[audience.sameAs]] }).toEqual({ event, need: audience.operators });
    }
  });
});

describe("every event class reaches exactly its audience", () => {
  test.each(Object.keys(EXPECTED))("%s", async (event) => {
    fx.gw.handle.ctx.connections.broadcast(event, { probe: event });
    const got = await receivedUntilMarker(`after-${event}`);
    const receivers = ALL.filter((who) => got[who].some((f) => f.event === event && f.payload?.probe === event));
    expect(receivers).toEqual(EXPECTED[event]);
  });

  test("an event missing from the table goes to admins only", async () => {
    fx.gw.handle.ctx.connections.broadcast("plugin.something", { probe: "x" });
    const got = await receivedUntilMarker("after-unknown");
    expect(ALL.filter((who) => got[who].some((f) => f.event === "plugin.something"))).toEqual(["admin"]);
  });
});

describe("the hello-ok snapshot", () => {
  test("presence and health in hello-ok follow the same audience as their events", async () => {
    const cases: [string, Record<string, unknown>, boolean][] = [
      ["pairing", { scopes: ["operator.pairing"] }, false],
      ["approvals", { scopes: ["operator.approvals"] }, false],
      ["node", { role: "node", client: { id: "node-host", version: "1.0.0", platform: "linux", mode: "node", instanceId: "hello-node" } }, false],
      ["read", { scopes: ["operator.read"] }, true],
    ];
    for (const [who, params, full] of cases) {
      const { sock, hello } = await connectClient(fx.gw.url, TEST_TOKEN, params);
      sock.close();
      const presence = hello.snapshot.presence as { reason?: string; instanceId?: string }[];
      expect({ who, others: presence.some((p) => p.instanceId === "scopes-node") }).toEqual({ who, others: full });
      expect(presence[0].reason).toBe("self");
      expect({ who, health: Object.keys(hello.snapshot.health).length > 0 }).toEqual({ who, health: full });
    }
  });
});

describe("a real chat run", () => {
  test("pairing-only, approvals-only clients and nodes get no agent or chat events; readers get the reply", async () => {
    fx.fake.push({ text: ["secret ", "reply ", "text"] });
    const res = await socks.write.request("chat.send", { sessionKey: "main", message: "hello", idempotencyKey: "scoped-run" });
    expect(res.ok).toBe(true);
    const final = (f: any) => f.event === "chat" && f.payload.runId === "scoped-run" && f.payload.state === "final";
    for (const who of READERS) {
      const frames = await collectUntil(socks[who], final);
      expect(frames.at(-1).payload.message.content[0].text).toBe("secret reply text");
    }
    const got = await receivedUntilMarker("after-run");
    for (const who of ["pairing", "approvals", "node"] as Who[]) {
      expect(got[who].filter((f) => f.event === "agent" || f.event === "chat" || f.event === "presence" || f.event === "health")).toEqual([]);
    }
  });
});
