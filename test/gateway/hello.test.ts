/**
 * Conformance: the `connect.challenge` event and every `hello-ok` field (protocol.md §3, §3.6), and the
 * health event that follows a successful connect.
 */
import { describe, expect, test } from "bun:test";
import { hostname } from "node:os";
import { METHOD_HANDLERS } from "../../src/gateway/methods/index.ts";
import { EVENTS, METHODS } from "../../src/protocol/index.ts";
import { validateHelloOk } from "../../src/protocol/generated/validators.js";
import { connectClient, openSocket } from "../helpers/ws.ts";
import { expectEvent, UUID, useCleanup } from "../helpers/protocol.ts";

const env = useCleanup();

/** The advertised order of spec §6, copied here so the test does not trust src/protocol for it. */
const SPEC_ORDER =
  "health, logs.tail, channels.status, channels.logout, status, usage.status, usage.cost, tts.status, tts.providers, tts.enable, tts.disable, tts.convert, tts.setProvider, config.get, config.set, config.apply, config.patch, config.schema, exec.approvals.get, exec.approvals.set, exec.approvals.node.get, exec.approvals.node.set, exec.approval.request, exec.approval.resolve, wizard.start, wizard.next, wizard.cancel, wizard.status, talk.mode, models.list, agents.list, agents.files.list, agents.files.get, agents.files.set, skills.status, skills.bins, skills.install, skills.update, update.run, voicewake.get, voicewake.set, sessions.list, sessions.preview, sessions.patch, sessions.reset, sessions.delete, sessions.compact, last-heartbeat, set-heartbeats, wake, node.pair.request, node.pair.list, node.pair.approve, node.pair.reject, node.pair.verify, device.pair.list, device.pair.approve, device.pair.reject, device.token.rotate, device.token.revoke, node.rename, node.list, node.describe, node.invoke, node.invoke.result, node.event, cron.list, cron.status, cron.add, cron.update, cron.remove, cron.run, cron.runs, system-presence, system-event, send, agent, agent.identity.get, agent.wait, browser.request, chat.history, chat.abort, chat.send".split(
    ", ",
  );

describe("connect.challenge", () => {
  test("is the first frame: {nonce: uuid, ts}, no seq, a new nonce per socket", async () => {
    const gw = await env.gateway();
    const before = Date.now();
    const a = await openSocket(gw.url);
    const b = await openSocket(gw.url);
    const ca = await a.next();
    const cb = await b.next();
    for (const c of [ca, cb]) {
      expectEvent(c, "connect.challenge");
      expect(Object.keys(c).sort()).toEqual(["event", "payload", "type"]);
      expect(Object.keys(c.payload).sort()).toEqual(["nonce", "ts"]);
      expect(c.payload.nonce).toMatch(UUID);
      expect(c.payload.ts).toBeGreaterThanOrEqual(before);
      expect(c.payload.ts).toBeLessThanOrEqual(Date.now());
    }
    expect(ca.payload.nonce).not.toBe(cb.payload.nonce);
  });
});

describe("hello-ok (§3.6)", () => {
  test("matches the schema and carries protocol 3, server info and a per-connection uuid", async () => {
    const gw = await env.gateway();
    const { hello } = await connectClient(gw.url, gw.token);
    const { hello: other } = await connectClient(gw.url, gw.token);
    expect(validateHelloOk(hello)).toBe(true);
    expect(hello.type).toBe("hello-ok");
    expect(hello.protocol).toBe(3);
    expect(hello.server.version).toBe("test");
    expect(hello.server.host).toBe(hostname());
    expect(hello.server.connId).toMatch(UUID);
    expect(other.server.connId).toMatch(UUID);
    expect(other.server.connId).not.toBe(hello.server.connId);
    expect(hello.canvasHostUrl).toBe(`http://127.0.0.1:${gw.handle.port}`);
    expect(hello.auth).toBeUndefined();
  });

  test("features.methods: exactly the implemented methods, in the spec's advertised order", async () => {
    const gw = await env.gateway();
    const { hello } = await connectClient(gw.url, gw.token);
    const methods: string[] = hello.features.methods;
    // Unadvertised methods (web.login.*, channels.pairing.*) are answered but never listed.
    const advertisable = Object.keys(METHOD_HANDLERS).filter((m) => (METHODS as readonly string[]).includes(m));
    expect([...methods].sort()).toEqual(advertisable.sort());
    expect(new Set(methods).size).toBe(methods.length);
    const positions = methods.map((m) => SPEC_ORDER.indexOf(m));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(METHODS as readonly string[]).toEqual(SPEC_ORDER);
  });

  test("features.events: events this gateway emits, in the spec's order", async () => {
    const gw = await env.gateway();
    const { hello } = await connectClient(gw.url, gw.token);
    const events: string[] = hello.features.events;
    for (const e of ["connect.challenge", "tick", "presence", "health", "shutdown"]) expect(events).toContain(e);
    const positions = events.map((e) => (EVENTS as readonly string[]).indexOf(e));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  test("snapshot: presence with the self entry first, health, stateVersion from 1, uptime, paths", async () => {
    const gw = await env.gateway();
    const { hello } = await connectClient(gw.url, gw.token);
    const s = hello.snapshot;
    const self = s.presence[0];
    expect(self).toMatchObject({ host: hostname(), version: "test", mode: "gateway", reason: "self", ts: expect.any(Number) });
    expect(self.text.startsWith(`Gateway: ${hostname()}`)).toBe(true);
    expect(self.text.endsWith(" · app test · mode gateway · reason self")).toBe(true);
    expect(["Mac", "Windows", "Linux"]).toContain(self.deviceFamily);
    expect(s.presence.filter((p: any) => p.reason === "self")).toHaveLength(1);
    expect(s.health).toMatchObject({ ok: true, defaultAgentId: "main", channels: {}, channelOrder: [] });
    // The snapshot already lists the connecting client (as upstream's does), so presence moved once.
    expect(s.presence.find((p: any) => p.reason === "connect" && p.mode === "test")).toBeDefined();
    expect(s.stateVersion).toEqual({ presence: 2, health: 1 });
    expect(Number.isInteger(s.uptimeMs) && s.uptimeMs >= 0).toBe(true);
    expect(s.stateDir).toBe(gw.stateDir);
    expect(s.configPath).toBe(`${gw.stateDir}/openclaw.json`);
  });

  test("snapshot.sessionDefaults: defaults, and derived from config", async () => {
    const gw = await env.gateway();
    const { hello } = await connectClient(gw.url, gw.token);
    expect(hello.snapshot.sessionDefaults).toEqual({ defaultAgentId: "main", mainKey: "main", mainSessionKey: "agent:main:main", scope: "per-sender" });

    const custom = await env.gateway({
      config: {
        gateway: { mode: "local" },
        session: { mainKey: "home", scope: "global" },
        agents: { list: [{ id: "ops" }, { id: "work", default: true }] },
      },
    });
    const { hello: h2 } = await connectClient(custom.url, custom.token);
    expect(h2.snapshot.sessionDefaults).toEqual({ defaultAgentId: "work", mainKey: "home", mainSessionKey: "agent:work:home", scope: "global" });
  });

  test("policy: maxPayload 524288, maxBufferedBytes 1572864, tickIntervalMs 30000", async () => {
    const gw = await env.gateway();
    const { hello } = await connectClient(gw.url, gw.token);
    expect(hello.policy).toEqual({ maxPayload: 524288, maxBufferedBytes: 1572864, tickIntervalMs: 30000 });
  });

  test("stateVersion in a later hello reflects earlier presence and health changes", async () => {
    const gw = await env.gateway();
    const { sock } = await connectClient(gw.url, gw.token);
    await sock.nextMatching((f) => f.event === "health");
    const { hello } = await connectClient(gw.url, gw.token);
    expect(hello.snapshot.stateVersion.presence).toBeGreaterThanOrEqual(2);
    expect(hello.snapshot.stateVersion.health).toBeGreaterThanOrEqual(2);
    expect(hello.snapshot.presence.length).toBeGreaterThanOrEqual(2);
  });
});

describe("after connect", () => {
  test("a health event with seq and stateVersion arrives", async () => {
    const gw = await env.gateway();
    const { sock, hello } = await connectClient(gw.url, gw.token);
    const health = expectEvent(await sock.nextMatching((f) => f.event === "health"), "health");
    expect(health.seq).toBeGreaterThanOrEqual(1);
    expect(health.stateVersion.health).toBeGreaterThan(hello.snapshot.stateVersion.health);
    expect(health.payload).toMatchObject({ ok: true, ts: expect.any(Number), defaultAgentId: "main" });
  });
});
