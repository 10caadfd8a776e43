/**
 * Class: client-supplied strings that the gateway stores and echoes to everyone (presence, hello-ok). Any
 * authenticated client, read-only included, must not be able to grow what the next client receives: every
 * field is refused beyond its limit (INVALID_REQUEST naming the field and the limit), and the presence list
 * and the hello-ok snapshot stay under a fixed size whatever earlier clients sent.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { CLIENT_LIMITS, POLICY } from "../../src/protocol/index.ts";
import { MAX_PRESENCE_BYTES } from "../../src/gateway/presence/presence.ts";
import { startTestGateway, TEST_TOKEN } from "../helpers/gateway.ts";
import { openRawWs, rawConnect, rawConnectParams, responseTo, runBounded } from "./_helpers.ts";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

const TOKEN = TEST_TOKEN;
const CLIENT = { id: "test", version: "1.0.0", platform: "linux", mode: "test" };

async function gateway() {
  const gw = await startTestGateway();
  cleanup.push(() => gw.stop());
  return gw;
}

/** One character that JSON.stringify writes as six bytes (`\u0001`): the worst case per counted character. */
const WIDE = "\u0001";
const over = (n: number) => "x".repeat(n + 1);
const SHORT = CLIENT_LIMITS.shortChars;

/** [what is overlong, connect params override, instance path in the error]. */
const OVERLONG_CONNECT: [string, Record<string, unknown>, string][] = [
  ["displayName", { client: { ...CLIENT, displayName: over(SHORT) } }, "/client/displayName"],
  ["version", { client: { ...CLIENT, version: over(SHORT) } }, "/client/version"],
  ["platform", { client: { ...CLIENT, platform: over(SHORT) } }, "/client/platform"],
  ["deviceFamily", { client: { ...CLIENT, deviceFamily: over(SHORT) } }, "/client/deviceFamily"],
  ["modelIdentifier", { client: { ...CLIENT, modelIdentifier: over(SHORT) } }, "/client/modelIdentifier"],
  ["instanceId", { client: { ...CLIENT, instanceId: over(SHORT) } }, "/client/instanceId"],
  ["a caps item", { caps: ["ok", over(SHORT)] }, "/caps/1"],
  ["the caps list", { caps: Array.from({ length: CLIENT_LIMITS.listItems + 1 }, (_, i) => `c${i}`) }, "/caps"],
  ["a commands item", { commands: [over(SHORT)] }, "/commands/0"],
  ["the commands list", { commands: Array.from({ length: CLIENT_LIMITS.listItems + 1 }, (_, i) => `c${i}`) }, "/commands"],
  ["a permissions key", { permissions: { [over(SHORT)]: true } }, "/permissions"],
  ["the permissions map", { permissions: Object.fromEntries(Array.from({ length: CLIENT_LIMITS.listItems + 1 }, (_, i) => [`p${i}`, true])) }, "/permissions"],
  ["pathEnv", { pathEnv: over(CLIENT_LIMITS.pathEnvChars) }, "/pathEnv"],
  ["a scopes item", { scopes: [over(SHORT)] }, "/scopes/0"],
  ["the scopes list", { scopes: Array.from({ length: CLIENT_LIMITS.tagItems + 1 }, () => "operator.read") }, "/scopes"],
  ["role", { role: over(SHORT) }, "/role"],
  ["locale", { locale: over(SHORT) }, "/locale"],
  ["userAgent", { userAgent: over(CLIENT_LIMITS.userAgentChars) }, "/userAgent"],
];

describe("connect refuses over-long client strings", () => {
  test.each(OVERLONG_CONNECT)("%s", async (_what, override, path) => {
    const gw = await gateway();
    const { ws, res } = await rawConnect({ port: gw.handle.port }, rawConnectParams({ auth: { token: TOKEN }, scopes: ["operator.read"], ...override }));
    cleanup.push(() => ws.destroy());
    expect(res.ok).toBe(false);
    expect(res.error.code).toBe("INVALID_REQUEST");
    expect(res.error.message).toContain(`at ${path}: must NOT have more than`);
    expect(gw.handle.ctx.presence.list().length).toBe(1);
  });

  // Before the schema sees it, a connect this large is over the 64 KiB pre-auth frame cap: closed unparsed.
  test("displayName (the reported 450 000 chars): over the pre-auth frame cap, closed 1009, nothing stored", async () => {
    const gw = await gateway();
    const ws = await openRawWs({ port: gw.handle.port });
    cleanup.push(() => ws.destroy());
    expect((await ws.nextJson(5000))?.event).toBe("connect.challenge");
    ws.request("connect", rawConnectParams({ auth: { token: TOKEN }, scopes: ["operator.read"], client: { ...CLIENT, displayName: "d".repeat(450_000) } }));
    expect(await ws.next(5000)).toMatchObject({ opcode: 8, code: 1009 });
    expect(gw.handle.ctx.presence.list().length).toBe(1);
  });

  test("values at the limits are accepted", async () => {
    const gw = await gateway();
    const { ws, res } = await rawConnect(
      { port: gw.handle.port },
      rawConnectParams({
        auth: { token: TOKEN },
        scopes: ["operator.read"],
        client: { ...CLIENT, displayName: "d".repeat(SHORT), instanceId: "i".repeat(SHORT) },
        caps: Array.from({ length: CLIENT_LIMITS.listItems }, (_, i) => `c${i}`),
        userAgent: "u".repeat(CLIENT_LIMITS.userAgentChars),
      }),
    );
    cleanup.push(() => ws.destroy());
    expect(res.ok).toBe(true);
  });
});

describe("system-event beacons are bounded", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["text", { text: over(CLIENT_LIMITS.textChars) }, "/text"],
    ["host", { text: "hi", host: over(SHORT) }, "/host"],
    ["instanceId", { text: "hi", instanceId: over(SHORT) }, "/instanceId"],
    ["reason", { text: "hi", reason: over(SHORT) }, "/reason"],
    ["a tags item", { text: "hi", tags: [over(SHORT)] }, "/tags/0"],
    ["the tags list", { text: "hi", tags: Array.from({ length: CLIENT_LIMITS.tagItems + 1 }, (_, i) => `t${i}`) }, "/tags"],
    ["the scopes list", { text: "hi", scopes: Array.from({ length: CLIENT_LIMITS.tagItems + 1 }, (_, i) => `s${i}`) }, "/scopes"],
  ];
  test.each(cases)("%s over the limit is refused", async (_what, params, path) => {
    const gw = await gateway();
    const { ws, res } = await rawConnect({ port: gw.handle.port }, rawConnectParams({ auth: { token: TOKEN } }));
    cleanup.push(() => ws.destroy());
    expect(res.ok).toBe(true);
    ws.request("system-event", params, "ev");
    const answer = await responseTo(ws, "ev");
    expect(answer.ok).toBe(false);
    expect(answer.error.code).toBe("INVALID_REQUEST");
    expect(answer.error.message).toContain(`at ${path}: must NOT have more than`);
  });
});

describe("other methods that store or echo client strings are bounded", () => {
  const cases: [string, string, Record<string, unknown>, string][] = [
    ["node.pair.request displayName", "node.pair.request", { nodeId: "n1", displayName: over(SHORT) }, "/displayName"],
    ["node.pair.request nodeId", "node.pair.request", { nodeId: over(SHORT) }, "/nodeId"],
    ["node.pair.request commands", "node.pair.request", { nodeId: "n1", commands: Array.from({ length: CLIENT_LIMITS.listItems + 1 }, (_, i) => `c${i}`) }, "/commands"],
    ["node.pair.request a caps item", "node.pair.request", { nodeId: "n1", caps: [over(SHORT)] }, "/caps/0"],
    ["node.rename displayName", "node.rename", { nodeId: "n1", displayName: over(SHORT) }, "/displayName"],
    ["talk.mode phase (broadcast)", "talk.mode", { enabled: true, phase: over(SHORT) }, "/phase"],
    // Session keys are listed in the health snapshot of every hello-ok; run ids ride on every agent event.
    ["chat.send sessionKey", "chat.send", { sessionKey: over(CLIENT_LIMITS.keyChars), message: "hi", idempotencyKey: "k1" }, "/sessionKey"],
    ["chat.send idempotencyKey", "chat.send", { sessionKey: "main", message: "hi", idempotencyKey: over(CLIENT_LIMITS.keyChars) }, "/idempotencyKey"],
    ["agent sessionKey", "agent", { message: "hi", sessionKey: over(CLIENT_LIMITS.keyChars), idempotencyKey: "k2" }, "/sessionKey"],
    ["send idempotencyKey", "send", { to: "x", message: "hi", idempotencyKey: over(CLIENT_LIMITS.keyChars) }, "/idempotencyKey"],
  ];
  test.each(cases)("%s", async (_what, method, params, path) => {
    const gw = await gateway();
    const { ws, res } = await rawConnect({ port: gw.handle.port }, rawConnectParams({ auth: { token: TOKEN } }));
    cleanup.push(() => ws.destroy());
    expect(res.ok).toBe(true);
    ws.request(method, params, "m");
    const answer = await responseTo(ws, "m");
    expect(answer.ok).toBe(false);
    expect(answer.error.code).toBe("INVALID_REQUEST");
    expect(answer.error.message).toContain(`at ${path}: must NOT have more than`);
  });
});

describe("hello-ok stays under a fixed size whatever earlier clients sent", () => {
  test("maximal connects from read-only clients and maximal beacons leave hello-ok under policy.maxPayload", async () => {
    const gw = await gateway();
    const big = WIDE.repeat(SHORT);
    // 80 read-only connects, every stored field at its limit, in the widest JSON encoding; each instance distinct.
    await runBounded(80, 6, async (i) => {
      const instanceId = `${i}-${big}`.slice(0, SHORT);
      const { ws, res } = await rawConnect(
        { port: gw.handle.port },
        rawConnectParams({
          auth: { token: TOKEN },
          scopes: ["operator.read"],
          client: { ...CLIENT, displayName: big, version: big, platform: big, deviceFamily: big, modelIdentifier: big, instanceId },
        }),
      );
      expect(res.ok).toBe(true);
      ws.destroy();
    });
    // 30 beacons with every field and list at its limit, roles/scopes accumulating on one key too.
    const { ws: admin, res: adminRes } = await rawConnect({ port: gw.handle.port }, rawConnectParams({ auth: { token: TOKEN } }));
    cleanup.push(() => admin.destroy());
    expect(adminRes.ok).toBe(true);
    const list = (tag: string) => Array.from({ length: CLIENT_LIMITS.tagItems }, (_, i) => `${tag}${i}-${big}`.slice(0, SHORT));
    for (let i = 0; i < 30; i++) {
      const key = i % 2 === 0 ? `beacon-${i}` : "same-key";
      const params = { text: WIDE.repeat(CLIENT_LIMITS.textChars), instanceId: key, host: big, ip: big, mode: big, version: big, platform: big, deviceFamily: big, modelIdentifier: big, reason: big, roles: list(`r${i}-`), scopes: list(`s${i}-`), tags: list(`t${i}-`) };
      admin.request("system-event", params, `ev${i}`);
      expect((await responseTo(admin, `ev${i}`)).ok).toBe(true);
    }

    expect(gw.handle.ctx.presence.bytes).toBeLessThanOrEqual(MAX_PRESENCE_BYTES);
    const { ws, res } = await rawConnect({ port: gw.handle.port }, rawConnectParams({ auth: { token: TOKEN }, scopes: ["operator.read"], client: CLIENT }));
    cleanup.push(() => ws.destroy());
    expect(res.ok).toBe(true);
    const helloBytes = Buffer.byteLength(JSON.stringify(res));
    expect(helloBytes).toBeLessThan(POLICY.maxPayload);
    // The newest row is kept (older ones went to stay within the byte budget); the roles/scopes one key
    // accumulated over 15 beacons stay within the list limit.
    const rows = res.payload.snapshot.presence as { instanceId?: string; roles?: string[]; scopes?: string[] }[];
    for (const row of rows) {
      expect((row.roles ?? []).length).toBeLessThanOrEqual(CLIENT_LIMITS.tagItems);
      expect((row.scopes ?? []).length).toBeLessThanOrEqual(CLIENT_LIMITS.tagItems);
    }
    expect(rows.some((r) => r.instanceId === "same-key")).toBe(true);
  });
});
