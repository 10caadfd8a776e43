/**
 * voicewake.get / voicewake.set and talk.mode over real sockets: defaults, normalization, persistence in
 * `<stateDir>/settings/voicewake.json`, the `voicewake.changed` broadcast (operators and nodes) and the
 * snapshot a node gets on connect; `talk.mode` broadcast and the WebChat rule.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkEventPayload, checkResult } from "../../../src/protocol/index.ts";
import { TEST_TOKEN } from "../../helpers/gateway.ts";
import { SimulatedNode } from "../../helpers/node.ts";
import { useCleanup, WEBCHAT } from "../../helpers/protocol.ts";
import { connectClient } from "../../helpers/ws.ts";

const env = useCleanup();

async function setup() {
  const gw = await env.gateway({ config: { gateway: { mode: "local", auth: { token: TEST_TOKEN } }, browser: { enabled: false } } });
  const { sock } = await connectClient(gw.url, gw.token);
  env.defer(() => sock.close());
  return { gw, sock };
}

async function node(url: string, platform = "linux") {
  const n = await SimulatedNode.connect(url, { token: TEST_TOKEN, platform, displayName: `node-${platform}` });
  expect(n.hello).toBeDefined();
  env.defer(() => n.close());
  return n;
}

describe("voicewake", () => {
  test("get: the upstream defaults until set", async () => {
    const { sock } = await setup();
    const res = await sock.request("voicewake.get");
    expect(res.payload).toEqual({ triggers: ["openclaw", "claude", "computer"] });
    expect(checkResult("voicewake.get", res.payload)).toEqual({ ok: true });
  });

  test("set: normalized, saved, broadcast to every client, nodes included", async () => {
    const { gw, sock } = await setup();
    const other = (await connectClient(gw.url, gw.token, { scopes: ["operator.read"] })).sock;
    env.defer(() => other.close());
    const n = await node(gw.url);
    await n.nextEvent("voicewake.changed"); // the connect snapshot

    const long = "x".repeat(80);
    const res = await sock.request("voicewake.set", { triggers: ["  Jarvis ", "", "jarvis", "computer", "   ", long] });
    expect(res.ok).toBe(true);
    const saved = ["Jarvis", "computer", "x".repeat(64)];
    expect(res.payload).toEqual({ triggers: saved });

    const ev = await other.nextMatching((f) => f.event === "voicewake.changed");
    expect(ev.payload).toEqual({ triggers: saved });
    expect(typeof ev.seq).toBe("number");
    expect(checkEventPayload("voicewake.changed", ev.payload)).toEqual({ ok: true });
    expect((await n.nextEvent("voicewake.changed")).payload).toEqual({ triggers: saved });

    const file = join(gw.stateDir, "settings", "voicewake.json");
    const stored = JSON.parse(readFileSync(file, "utf8"));
    expect(stored.triggers).toEqual(saved);
    expect(stored.updatedAtMs).toBeGreaterThan(Date.now() - 10_000);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await other.request("voicewake.get")).payload).toEqual({ triggers: saved });
  });

  test("at most 32 triggers; an empty list means the defaults", async () => {
    const { sock } = await setup();
    const many = Array.from({ length: 40 }, (_, i) => `word${i}`);
    expect((await sock.request("voicewake.set", { triggers: many })).payload.triggers).toEqual(many.slice(0, 32));
    expect((await sock.request("voicewake.set", { triggers: [" ", ""] })).payload.triggers).toEqual(["openclaw", "claude", "computer"]);
  });

  test("set needs operator.write and a string list", async () => {
    const { gw, sock } = await setup();
    const reader = (await connectClient(gw.url, gw.token, { scopes: ["operator.read"] })).sock;
    env.defer(() => reader.close());
    expect((await reader.request("voicewake.set", { triggers: ["a"] })).error).toEqual({ code: "INVALID_REQUEST", message: "missing scope: operator.write" });
    expect((await sock.request("voicewake.set", { triggers: "a" })).error.code).toBe("INVALID_REQUEST");
    expect((await sock.request("voicewake.set", { triggers: [1] })).error.code).toBe("INVALID_REQUEST");
  });

  test("the triggers live in the state dir: another gateway on the same files reads them", async () => {
    const a = await setup();
    await a.sock.request("voicewake.set", { triggers: ["persisted"] });
    const b = await setup();
    mkdirSync(join(b.gw.stateDir, "settings"), { recursive: true });
    writeFileSync(join(b.gw.stateDir, "settings", "voicewake.json"), readFileSync(join(a.gw.stateDir, "settings", "voicewake.json")));
    expect((await b.sock.request("voicewake.get")).payload).toEqual({ triggers: ["persisted"] });
  });

  test("a node gets the stored triggers right after connecting, as a targeted event; operators do not", async () => {
    const { gw, sock } = await setup();
    await sock.request("voicewake.set", { triggers: ["hey node"] });
    const n = await node(gw.url);
    const snap = await n.nextEvent("voicewake.changed");
    expect(snap.payload).toEqual({ triggers: ["hey node"] });
    expect(snap.seq).toBeUndefined();
    const op = (await connectClient(gw.url, gw.token)).sock;
    env.defer(() => op.close());
    await op.request("health");
    await expect(op.nextMatching((f) => f.event === "voicewake.changed", 200)).rejects.toThrow();
  });

  test("the hello advertises both events", async () => {
    const { gw } = await setup();
    const { hello, sock } = await connectClient(gw.url, gw.token);
    sock.close();
    expect(hello.features.events).toEqual(expect.arrayContaining(["talk.mode", "voicewake.changed"]));
  });
});

describe("talk.mode", () => {
  test("broadcasts {enabled, phase, ts} to everyone and answers the same", async () => {
    const { gw, sock } = await setup();
    const other = (await connectClient(gw.url, gw.token, { scopes: ["operator.read"] })).sock;
    env.defer(() => other.close());
    const res = await sock.request("talk.mode", { enabled: true, phase: "listening" });
    expect(res.ok).toBe(true);
    expect(res.payload).toEqual({ enabled: true, phase: "listening", ts: expect.any(Number) });
    expect(checkResult("talk.mode", res.payload)).toEqual({ ok: true });
    const ev = await other.nextMatching((f) => f.event === "talk.mode");
    expect(ev.payload).toEqual(res.payload);
    expect(checkEventPayload("talk.mode", ev.payload)).toEqual({ ok: true });

    const off = await sock.request("talk.mode", { enabled: false });
    expect(off.payload).toMatchObject({ enabled: false, phase: null });
    expect((await other.nextMatching((f) => f.event === "talk.mode")).payload.enabled).toBe(false);
    // Write scope: a read-only client may not switch it.
    expect((await other.request("talk.mode", { enabled: true })).error).toEqual({ code: "INVALID_REQUEST", message: "missing scope: operator.write" });
    expect((await sock.request("talk.mode", { phase: "x" })).error.code).toBe("INVALID_REQUEST");
  });

  test("WebChat may switch talk mode only while an iOS/Android node is connected", async () => {
    const { gw } = await setup();
    // A WebChat-mode client without the browser origin rules (those are the handshake's business).
    const web = (await connectClient(gw.url, gw.token, { client: { ...WEBCHAT, id: "test" } })).sock;
    env.defer(() => web.close());
    await node(gw.url, "linux");
    expect((await web.request("talk.mode", { enabled: true })).error).toEqual({ code: "UNAVAILABLE", message: "talk disabled: no connected iOS/Android nodes" });
    await node(gw.url, "iOS 18.1");
    expect((await web.request("talk.mode", { enabled: true })).ok).toBe(true);
  });
});
