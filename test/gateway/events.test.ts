/**
 * Conformance: broadcast events (protocol.md §5, §7): the per-connection seq (issue 22), stateVersion, tick, presence on
 * connect/disconnect and from system-event, scope-filtered events, and the shutdown sequence.
 */
import { describe, expect, test } from "bun:test";
import { checkEventPayload } from "../../src/protocol/index.ts";
import { validateStateVersion } from "../../src/protocol/generated/validators.js";
import { connectClient, openSocket, type TestSocket } from "../helpers/ws.ts";
import { clientInfo, deviceConnect, drain, expectEvent, newIdentity, useCleanup } from "../helpers/protocol.ts";
import { waitFor } from "../helpers/wait.ts";

const env = useCleanup();

/** Connects as a presence-tracked test client; resolves once its post-connect health event arrived. */
async function join(url: string, token: string, client: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<TestSocket> {
  const { sock } = await connectClient(url, token, { client: clientInfo("test", "test", client), ...extra });
  // `health` goes to readers only (event-audience.ts); a pairing-only client gets no first health event.
  const scopes = extra.scopes as string[] | undefined;
  if (!scopes || scopes.some((s) => ["operator.admin", "operator.read", "operator.write"].includes(s))) await sock.nextMatching((f) => f.event === "health");
  await drain(sock);
  return sock;
}

const nextEvent = (sock: TestSocket, event: string) => sock.nextMatching((f) => f.type === "event" && f.event === event);
const entryOf = (frame: any, pred: (p: any) => boolean) => (frame.payload.presence as any[]).find(pred);

describe("seq and stateVersion (§5.1)", () => {
  // Issue 22: seq is counted per connection (v4 clients reconnect on any gap; v3 clients accept it too).
  test("seq per connection: contiguous from 1 on every socket, whenever it joined", async () => {
    const gw = await env.gateway();
    const { sock: a } = await connectClient(gw.url, gw.token, { client: clientInfo("test", "test", { instanceId: "a" }) });
    // v4 without a device: the local backend helper path keeps the scopes it declares.
    const { sock: b } = await connectClient(gw.url, gw.token, { client: clientInfo("gateway-client", "backend", { instanceId: "b" }), minProtocol: 4, maxProtocol: 4, scopes: ["operator.admin"] });
    for (let i = 0; i < 3; i++) expect((await a.request("system-event", { text: `beacon ${i}`, instanceId: `n${i}` })).ok).toBe(true);
    for (const sock of [a, b]) {
      const events: any[] = [];
      const isLast = (f: any) => f.event === "presence" && entryOf(f, (p) => p.text === "beacon 2") !== undefined;
      while (!events.some(isLast)) events.push(await sock.nextMatching((f) => f.type === "event"));
      const seqs = events.map((f) => f.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }
  });

  test("presence and health events carry stateVersion; each change bumps its counter by one", async () => {
    const gw = await env.gateway();
    const a = await join(gw.url, gw.token);
    a.send({ type: "req", id: "s1", method: "system-event", params: { text: "one" } });
    const p1 = await nextEvent(a, "presence");
    a.send({ type: "req", id: "s2", method: "system-event", params: { text: "two" } });
    const p2 = await nextEvent(a, "presence");
    a.send({ type: "req", id: "h1", method: "health", params: {} });
    const h1 = await nextEvent(a, "health");
    a.send({ type: "req", id: "h2", method: "health", params: {} });
    const h2 = await nextEvent(a, "health");
    for (const f of [p1, p2, h1, h2]) expect(validateStateVersion(f.stateVersion)).toBe(true);
    expect(p2.stateVersion).toEqual({ presence: p1.stateVersion.presence + 1, health: p1.stateVersion.health });
    expect(h1.stateVersion.presence).toBe(p2.stateVersion.presence);
    expect(h1.stateVersion.health).toBe(p2.stateVersion.health + 1);
    expect(h2.stateVersion).toEqual({ presence: h1.stateVersion.presence, health: h1.stateVersion.health + 1 });
    expect(checkEventPayload("presence", p1.payload)).toEqual({ ok: true });
    expect(checkEventPayload("health", h1.payload)).toEqual({ ok: true });
  });

  test("tick every tickIntervalMs: {ts}, a seq, no stateVersion", async () => {
    const gw = await env.gateway({ tickIntervalMs: 100 });
    const a = await join(gw.url, gw.token);
    const t1 = expectEvent(await nextEvent(a, "tick"), "tick");
    const t2 = expectEvent(await nextEvent(a, "tick"), "tick");
    for (const t of [t1, t2]) {
      expect(Object.keys(t.payload)).toEqual(["ts"]);
      expect(t.stateVersion).toBeUndefined();
    }
    expect(t2.seq).toBeGreaterThan(t1.seq);
    expect(t2.payload.ts).toBeGreaterThanOrEqual(t1.payload.ts);
  });

  test("scope-filtered events skip clients without the scope, who see no seq gap", async () => {
    const gw = await env.gateway();
    const admin = await join(gw.url, gw.token, { instanceId: "admin" });
    const pairing = await join(gw.url, gw.token, { instanceId: "pairing" }, { scopes: ["operator.pairing"] });
    const reader = await join(gw.url, gw.token, { instanceId: "reader" }, { scopes: ["operator.read"] });
    const marker = (name: string) => (f: any) => f.event === "presence" && entryOf(f, (p) => p.text === name) !== undefined;

    expect((await admin.request("system-event", { text: "m1", instanceId: "m1" })).ok).toBe(true);
    const pending = await deviceConnect(gw.url, newIdentity(), { token: gw.token, headers: { "x-forwarded-for": "198.51.100.4" } });
    expect(pending.res.error.message).toBe("pairing required");
    expect((await admin.request("system-event", { text: "m2", instanceId: "m2" })).ok).toBe(true);

    const r1 = await reader.nextMatching(marker("m1"));
    const r2 = await reader.nextMatching(marker("m2"));
    expect(r2.seq).toBe(r1.seq + 1);
    await expect(reader.nextMatching((f) => f.event === "device.pair.requested", 50)).rejects.toThrow();
    for (const sock of [admin, pairing]) {
      const requested = expectEvent(await sock.nextMatching((f) => f.event === "device.pair.requested"), "device.pair.requested");
      // The admin saw m1 just before; the pairing-only client gets no presence, so only its own count moves.
      if (sock === admin) expect(requested.seq).toBe((await sock.nextMatching(marker("m1"))).seq + 1);
      expect(checkEventPayload("device.pair.requested", requested.payload)).toEqual({ ok: true });
    }
  });
});

describe("presence (§5.2)", () => {
  test("connect and disconnect upsert one entry with reason connect / disconnect", async () => {
    const gw = await env.gateway();
    const a = await join(gw.url, gw.token, { instanceId: "watcher" });
    const { sock: b } = await connectClient(gw.url, gw.token, {
      scopes: ["operator.read"],
      client: clientInfo("openclaw-macos", "ui", { displayName: "Bee", instanceId: "Bee-1", version: "2.0.0", platform: "macos", deviceFamily: "Mac", modelIdentifier: "Mac15,3" }),
    });
    const connected = expectEvent(await nextEvent(a, "presence"), "presence");
    const row = entryOf(connected, (p) => p.instanceId === "Bee-1");
    expect(row).toMatchObject({ host: "Bee", version: "2.0.0", platform: "macos", deviceFamily: "Mac", modelIdentifier: "Mac15,3", mode: "ui", roles: ["operator"], scopes: ["operator.read"], reason: "connect", ts: expect.any(Number) });
    expect(row.ip).toBeUndefined(); // loopback
    expect(connected.payload.presence[0].reason).toBe("self");

    b.close();
    const gone = await a.nextMatching((f) => f.event === "presence" && entryOf(f, (p) => p.instanceId === "Bee-1")?.reason === "disconnect");
    expect(gone.stateVersion.presence).toBe(connected.stateVersion.presence + 1);
    expect((gone.payload.presence as any[]).filter((p) => p.instanceId === "Bee-1")).toHaveLength(1);
  });

  test("a late disconnect of an old socket does not mark the key's live reconnect 'disconnect'", async () => {
    const gw = await env.gateway();
    const a = await join(gw.url, gw.token, { instanceId: "watcher" });
    const tab = clientInfo("test", "test", { instanceId: "Tab-7" });
    const { sock: before } = await connectClient(gw.url, gw.token, { client: tab });
    await a.nextMatching((f) => f.event === "presence" && entryOf(f, (p) => p.instanceId === "Tab-7")?.reason === "connect");
    // The same client reconnects; its old socket's close reaches the gateway only afterwards.
    const { sock: after } = await connectClient(gw.url, gw.token, { client: tab });
    const clients = gw.handle.ctx.connections.size;
    before.close();
    await waitFor(() => gw.handle.ctx.connections.size === clients - 1, "the old socket's close", 5000);
    const rows = ((await a.request("system-presence")).payload as any[]).filter((p) => p.instanceId === "Tab-7");
    expect(rows).toEqual([expect.objectContaining({ reason: "connect" })]);

    // Once the last socket with that key closes, the row says so.
    after.close();
    await a.nextMatching((f) => f.event === "presence" && entryOf(f, (p) => p.instanceId === "Tab-7")?.reason === "disconnect");
  });

  test("a non-local client's entry carries its ip; the host falls back to client.id", async () => {
    const gw = await env.gateway();
    const a = await join(gw.url, gw.token);
    const sock = await openSocket(gw.url, { headers: { "x-forwarded-for": "203.0.113.50" } });
    await sock.next();
    const res = await sock.request("connect", { minProtocol: 3, maxProtocol: 3, client: clientInfo("gateway-client", "backend", { instanceId: "remote-1" }), auth: { token: gw.token } });
    expect(res.ok).toBe(true);
    const ev = await a.nextMatching((f) => f.event === "presence" && entryOf(f, (p) => p.instanceId === "remote-1") !== undefined);
    const row = entryOf(ev, (p) => p.instanceId === "remote-1");
    expect(row.host).toBe("gateway-client");
    expect(row.ip).toEqual(expect.any(String));
  });

  test("cli clients are not tracked: no presence event, no entry, no presence version change", async () => {
    const gw = await env.gateway();
    const a = await join(gw.url, gw.token);
    const { sock: cli, hello } = await connectClient(gw.url, gw.token, { client: clientInfo("cli", "cli", { instanceId: "the-cli" }) });
    const first = await a.next();
    expect(first.event).toBe("health"); // only the post-connect refresh, no presence before it
    expect(first.stateVersion.presence).toBe(hello.snapshot.stateVersion.presence);
    cli.close();
    await cli.closed;
    a.send({ type: "req", id: "probe", method: "health", params: {} });
    const frames = [await a.next(), await a.next()];
    expect(frames.map((f) => f.event ?? f.type).sort()).toEqual(["health", "res"]);
    expect(frames.find((f) => f.event === "health").stateVersion.presence).toBe(hello.snapshot.stateVersion.presence);
    const list = (await a.request("system-presence")).payload as any[];
    expect(list.some((p) => p.instanceId === "the-cli" || p.host === "cli")).toBe(false);
  });

  test("one entry per key: reconnects with the same instanceId or device id replace the row", async () => {
    const gw = await env.gateway();
    const a = await join(gw.url, gw.token);
    const one = await connectClient(gw.url, gw.token, { client: clientInfo("test", "test", { instanceId: "same", displayName: "first" }) });
    one.sock.close();
    await one.sock.closed;
    await connectClient(gw.url, gw.token, { client: clientInfo("test", "test", { instanceId: "same", displayName: "second" }) });
    const identity = newIdentity();
    await deviceConnect(gw.url, identity, { token: gw.token, client: clientInfo("test", "test", { instanceId: "dev-a" }) });
    await deviceConnect(gw.url, identity, { token: gw.token, client: clientInfo("test", "test", { instanceId: "dev-b" }) });
    const list = (await a.request("system-presence")).payload as any[];
    expect(list.filter((p) => p.instanceId === "same")).toEqual([expect.objectContaining({ host: "second", reason: "connect" })]);
    expect(list.filter((p) => p.deviceId === identity.deviceId)).toEqual([expect.objectContaining({ instanceId: identity.deviceId })]);
    expect(list[0].reason).toBe("self");
    const rest = list.slice(1).map((p) => p.ts);
    expect(rest).toEqual([...rest].sort((x, y) => y - x));
  });

  test("system-event parses 'Node: host (ip) · app v · last input Ns ago · mode m · reason r'", async () => {
    const gw = await env.gateway();
    const a = await join(gw.url, gw.token);
    const text = "Node: studio (192.168.1.20) · app 2026.2.3 · last input 42s ago · mode ui · reason periodic";
    expect((await a.request("system-event", { text })).payload).toEqual({ ok: true });
    const ev = expectEvent(await nextEvent(a, "presence"), "presence");
    expect(entryOf(ev, (p) => p.text === text)).toMatchObject({ host: "studio", ip: "192.168.1.20", version: "2026.2.3", lastInputSeconds: 42, mode: "ui", reason: "periodic" });

    // Same host again: the row is replaced (key = host when no deviceId/instanceId).
    const again = text.replace("42s", "7s");
    await a.request("system-event", { text: again });
    const ev2 = await nextEvent(a, "presence");
    expect((ev2.payload.presence as any[]).filter((p) => p.host === "studio")).toEqual([expect.objectContaining({ lastInputSeconds: 7, text: again })]);

    // Explicit fields win over the text and instanceId keys the row; free text is kept as is.
    await a.request("system-event", { text, instanceId: "mac-1", mode: "backend", tags: ["a"] });
    const ev3 = await nextEvent(a, "presence");
    expect(entryOf(ev3, (p) => p.instanceId === "mac-1")).toMatchObject({ host: "studio", mode: "backend", tags: ["a"] });
    await a.request("system-event", { text: "just some words" });
    const ev4 = await nextEvent(a, "presence");
    const free = entryOf(ev4, (p) => p.text === "just some words");
    expect(free).toBeDefined();
    expect(free.host).toBeUndefined();
    expect(ev4.stateVersion.presence).toBe(ev.stateVersion.presence + 3);
  });
});

describe("shutdown (§7, §10)", () => {
  test("stop(): every client gets shutdown {reason: 'gateway stopping', restartExpectedMs: null}, then close 1012 'service restart'", async () => {
    const gw = await env.gateway();
    const a = await join(gw.url, gw.token, { instanceId: "a" });
    const b = await join(gw.url, gw.token, { instanceId: "b" });
    await drain(a, 20);
    const pending = await openSocket(gw.url);
    await pending.next();
    await gw.handle.stop();
    for (const sock of [a, b]) {
      const ev = expectEvent(await nextEvent(sock, "shutdown"), "shutdown");
      expect(ev.payload).toEqual({ reason: "gateway stopping", restartExpectedMs: null });
      expect(checkEventPayload("shutdown", ev.payload)).toEqual({ ok: true });
      expect(ev.seq).toEqual(expect.any(Number));
      expect(await sock.closed).toEqual({ code: 1012, reason: "service restart" });
    }
    expect(await pending.closed).toEqual({ code: 1012, reason: "service restart" });
    await expect(pending.next(10)).rejects.toThrow();
  });

  test("a restart announces restartExpectedMs", async () => {
    const gw = await env.gateway();
    const a = await join(gw.url, gw.token);
    await gw.handle.stop("gateway restarting", 1500);
    const ev = await nextEvent(a, "shutdown");
    expect(ev.payload).toEqual({ reason: "gateway restarting", restartExpectedMs: 1500 });
    expect(checkEventPayload("shutdown", ev.payload)).toEqual({ ok: true });
    expect(await a.closed).toEqual({ code: 1012, reason: "service restart" });
  });
});
