/**
 * Conformance: transport limits (protocol.md §1, §7 "Slow consumers"): frames over maxPayload close only
 * the sender with 1009; a client that stops reading is skipped for droppable events, closed with 1008
 * "slow consumer" on the next other event (after what was buffered for it), and the server's buffer for it
 * stays bounded meanwhile.
 */
import { describe, expect, test } from "bun:test";
import type { GatewaySocket } from "../../src/gateway/connections.ts";
import { CLIENT_LIMITS, POLICY } from "../../src/protocol/index.ts";
import { connectClient, connectParams, openSocket } from "../helpers/ws.ts";
import { useCleanup } from "../helpers/protocol.ts";
import { openRawWs } from "../helpers/raw-ws.ts";
import { waitFor } from "../helpers/wait.ts";

const env = useCleanup();

describe("maxPayload", () => {
  test("a frame over 524288 bytes closes that client with 1009; another client keeps working", async () => {
    const gw = await env.gateway();
    const { sock: big } = await connectClient(gw.url, gw.token);
    const { sock: other } = await connectClient(gw.url, gw.token);
    big.send({ type: "req", id: "big", method: "system-event", params: { text: "x".repeat(POLICY.maxPayload) } });
    expect((await big.closed).code).toBe(1009);
    const res = await other.request("system-event", { text: "still here" });
    expect(res.ok).toBe(true);
  });

  test("a frame just under the limit is accepted", async () => {
    const gw = await env.gateway();
    const { sock } = await connectClient(gw.url, gw.token);
    // `status` ignores its params (open object), so only the frame size is under test here.
    const overhead = JSON.stringify({ type: "req", id: "near", method: "status", params: { pad: "" } }).length;
    const res = await sock.request("status", { pad: "y".repeat(POLICY.maxPayload - overhead) }, "near");
    expect(res.ok).toBe(true);
  });

  test("an oversized first frame closes the socket with 1009 before any connect", async () => {
    const gw = await env.gateway();
    const sock = await openSocket(gw.url);
    await sock.next();
    sock.send(JSON.stringify(connectParams({ pad: "z".repeat(POLICY.maxPayload + 1) })));
    expect((await sock.closed).code).toBe(1009);
  });
});

describe("slow consumer", () => {
  test("droppable events are skipped, the next other event closes it with 1008; memory stays bounded", { timeout: 60_000 }, async () => {
    const gw = await env.gateway();
    const raw = await openRawWs({ port: gw.handle.port });
    env.defer(() => raw.destroy());
    expect((await raw.nextJson(5000))?.event).toBe("connect.challenge");
    raw.request("connect", connectParams({ auth: { token: gw.token }, client: { id: "test", version: "1", platform: "linux", mode: "test", instanceId: "slow" } }), "c");
    expect(await raw.nextJson(5000)).toMatchObject({ id: "c", ok: true });
    const { sock: admin } = await connectClient(gw.url, gw.token);
    await admin.nextMatching((f) => f.event === "health");
    raw.pause();

    const slowSocket = () => [...gw.handle.ctx.connections.all()].find((ws: GatewaySocket) => ws.data.client?.instanceId === "slow");
    // A bound on what the server may hold for one client: the threshold plus one frame in flight.
    const bound = POLICY.maxBufferedBytes + 2 * POLICY.maxPayload;
    let maxBuffered = 0;
    const sample = () => {
      for (const ws of gw.handle.ctx.connections.all()) maxBuffered = Math.max(maxBuffered, ws.getBufferedAmount());
    };

    // Phase 1: presence events (dropIfSlow) until the server is holding more than the threshold for it.
    // Beacon fields are bounded (CLIENT_LIMITS); at their limits, in the widest JSON encoding, one presence
    // event is still ~180 KB.
    const wide = "\u0001".repeat(250);
    const list = (tag: string) => Array.from({ length: CLIENT_LIMITS.tagItems }, (_, k) => `${tag}${k}${wide}`);
    const beacon = (n: string) => ({ text: `${n}${"\u0001".repeat(4000)}`, instanceId: "flood", host: wide, platform: wide, reason: wide, tags: list("t"), roles: list("r"), scopes: list("s") });
    let i = 0;
    for (; i < 400 && (slowSocket()?.getBufferedAmount() ?? 0) <= POLICY.maxBufferedBytes; i++) {
      expect((await admin.request("system-event", beacon(`${i}`))).ok).toBe(true);
      sample();
    }
    expect(slowSocket()).toBeDefined();
    expect(slowSocket()!.getBufferedAmount()).toBeGreaterThan(POLICY.maxBufferedBytes);
    // More droppable events: skipped (nothing more is buffered) and the client stays connected.
    const held = slowSocket()!.getBufferedAmount();
    for (let j = 0; j < 10; j++) {
      expect((await admin.request("system-event", beacon(`more${j}`))).ok).toBe(true);
      sample();
    }
    expect(slowSocket()).toBeDefined();
    expect(slowSocket()!.getBufferedAmount()).toBeLessThanOrEqual(held);
    expect(maxBuffered).toBeLessThanOrEqual(bound);

    // Phase 2: a health event is not droppable: the slow client is closed, the others keep going.
    expect((await admin.request("health")).ok).toBe(true);
    await waitFor(() => slowSocket() === undefined, "slow consumer closed", 5000);
    expect(gw.logs.some((l) => l.includes("closed slow consumer"))).toBe(true);
    expect((await admin.request("status")).ok).toBe(true);
    const { sock: late } = await connectClient(gw.url, gw.token);
    expect((await late.request("system-presence")).ok).toBe(true);

    // Reading again after a while (longer than the runtime's close handshake timeout), the client finds what
    // was buffered, then the close frame: the gateway sent the close only once the buffer had drained.
    await Bun.sleep(6000);
    raw.resume();
    expect(await raw.closed(30_000)).toEqual({ opcode: 8, code: 1008, text: "slow consumer" });
  });
});
