/**
 * The pre-authentication phase of a WebSocket (between the upgrade and hello-ok) and device-less v4 operators:
 * - a frame over 64 KiB before hello-ok is not parsed; the socket closes 1009 "preauth payload too large"
 *   (v3 and v4 alike: the version is not known yet); after hello-ok the policy maxPayload applies;
 * - nothing pre-auth is amplified: one frame decides, frames pipelined behind it are not answered, and a
 *   second connect on an open connection neither re-authenticates nor changes its scopes;
 * - a socket that never sends connect is closed after the handshake timeout (15 s by default,
 *   OPENCLAW_HANDSHAKE_TIMEOUT_MS within bounds can change it; a bad value warns and keeps the default);
 * - a v4 operator without a device identity keeps no self-declared scopes, except the local CLI and the
 *   local backend helper (direct loopback only); v3 connections keep theirs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  HANDSHAKE_TIMEOUT_ENV,
  MAX_PREAUTH_PAYLOAD_BYTES,
  resolveHandshakeTimeoutMs,
} from "../../src/gateway/preauth.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { openRawWs, type RawWs, rawConnect, rawConnectParams, responseTo } from "./_helpers.ts";

const REMOTE = { "x-forwarded-for": "203.0.113.7" };
const client = (id: string, mode: string) => ({ id, version: "1.0.0", platform: "linux", mode });

let gw: TestGateway;
const sockets: RawWs[] = [];
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.stop());
afterEach(() => {
  for (const ws of sockets.splice(0)) ws.destroy();
});

async function open(headers?: Record<string, string>): Promise<RawWs> {
  const ws = await openRawWs({ port: gw.handle.port, ...(headers && { headers }) });
  sockets.push(ws);
  expect((await ws.nextJson(5000))?.event).toBe("connect.challenge");
  return ws;
}

/** A connect request frame of exactly `bytes` UTF-8 bytes (padded with JSON whitespace, still valid). */
function connectFrameOf(bytes: number, params: Record<string, unknown>): string {
  const text = JSON.stringify({ type: "req", id: "c1", method: "connect", params });
  const pad = bytes - Buffer.byteLength(text);
  if (pad < 0) throw new Error(`frame already ${Buffer.byteLength(text)} bytes`);
  return `${text}${" ".repeat(pad)}`;
}

describe("pre-auth frame cap (64 KiB)", () => {
  for (const protocol of [3, 4]) {
    const params = () => rawConnectParams({ minProtocol: protocol, maxProtocol: protocol, client: client("cli", "cli"), auth: { token: gw.token }, scopes: ["operator.read"] });

    test(`v${protocol}: a valid connect of ${MAX_PREAUTH_PAYLOAD_BYTES} bytes is served`, async () => {
      const ws = await open();
      ws.sendText(connectFrameOf(MAX_PREAUTH_PAYLOAD_BYTES, params()));
      const res = await responseTo(ws, "c1");
      expect({ ok: res?.ok, protocol: res?.payload?.protocol }).toEqual({ ok: true, protocol });
    });

    test(`v${protocol}: a valid connect one byte over is not parsed: closed 1009 with no answer`, async () => {
      const ws = await open();
      ws.sendText(connectFrameOf(MAX_PREAUTH_PAYLOAD_BYTES + 1, params()));
      const first = await ws.next(5000);
      expect(first).toEqual({ opcode: 8, code: 1009, text: "preauth payload too large" });
    });
  }

  test("the cap counts UTF-8 bytes, not characters (24 000 three-byte characters = 72 000 bytes)", async () => {
    const ws = await open();
    ws.sendText(JSON.stringify({ type: "req", id: "c1", method: "connect", params: { pad: "€".repeat(24_000) } }));
    expect(await ws.next(5000)).toEqual({ opcode: 8, code: 1009, text: "preauth payload too large" });
  });

  test("a non-JSON oversized frame closes the same way (nothing is parsed first)", async () => {
    const ws = await open();
    ws.sendText("x".repeat(200_000));
    expect(await ws.next(5000)).toEqual({ opcode: 8, code: 1009, text: "preauth payload too large" });
  });

  test("after hello-ok the policy maxPayload applies: a 200 KB request is parsed and answered", async () => {
    const { ws, res } = await rawConnect({ port: gw.handle.port }, rawConnectParams({ auth: { token: gw.token }, scopes: ["operator.admin"] }));
    sockets.push(ws);
    expect(res.ok).toBe(true);
    const text = JSON.stringify({ type: "req", id: "big", method: "system-event", params: { text: "y".repeat(200_000) } });
    expect(Buffer.byteLength(text)).toBeGreaterThan(3 * MAX_PREAUTH_PAYLOAD_BYTES);
    ws.sendText(text);
    const answer = await responseTo(ws, "big");
    expect(answer?.type).toBe("res");
    expect(ws.ended).toBe(false);
  });
});

describe("nothing pre-auth is amplified", () => {
  test("a refused connect with 50 more connects pipelined behind it: one answer, one recorded failure, then close", async () => {
    const before = gw.handle.ctx.rateLimiter.retryAfter("127.0.0.1", "shared-secret");
    expect(before).toBe(0);
    const ws = await open();
    for (let i = 0; i < 51; i++) ws.request("connect", rawConnectParams({ auth: { token: `wrong-${i}` } }), `c${i}`);
    const answers: any[] = [];
    let close: any;
    for (;;) {
      const f = await ws.next(5000);
      if (!f) break;
      if (f.opcode === 8) {
        close = f;
        break;
      }
      answers.push(JSON.parse(f.text));
    }
    expect(answers.map((a) => a.id)).toEqual(["c0"]);
    expect(close?.code).toBe(1008);
    // One guess counted, not 51: the limiter allows 10 failures per minute before a lockout.
    for (let i = 0; i < 8; i++) {
      const { ws: w, res } = await rawConnect({ port: gw.handle.port }, rawConnectParams({ auth: { token: `again-${i}` } }));
      sockets.push(w);
      expect(res?.error?.details?.code ?? res?.error?.message).not.toBe("AUTH_RATE_LIMITED");
      expect(res?.error?.message ?? "").not.toMatch(/too many/i);
    }
    gw.handle.ctx.rateLimiter.recordSuccess("127.0.0.1", "shared-secret");
  });

  test("frames behind an oversized pre-auth frame are not answered", async () => {
    const ws = await open();
    ws.sendText("z".repeat(MAX_PREAUTH_PAYLOAD_BYTES + 10));
    ws.request("connect", rawConnectParams({ auth: { token: gw.token } }), "after");
    expect(await ws.next(5000)).toEqual({ opcode: 8, code: 1009, text: "preauth payload too large" });
  });

  test("a second connect on an open v4 connection is refused and grants nothing", async () => {
    const ws = await open();
    ws.request("connect", rawConnectParams({ minProtocol: 4, maxProtocol: 4, client: client("cli", "cli"), auth: { token: gw.token }, scopes: ["operator.read"] }), "c1");
    expect((await responseTo(ws, "c1"))?.payload?.auth?.scopes).toEqual(["operator.read"]);
    ws.request("connect", rawConnectParams({ minProtocol: 4, maxProtocol: 4, client: client("cli", "cli"), auth: { token: gw.token }, scopes: ["operator.admin"] }), "c2");
    expect((await responseTo(ws, "c2"))?.error).toEqual({ code: "INVALID_REQUEST", message: "connect is only valid as the first request" });
    ws.request("config.apply", { raw: "{}" }, "admin");
    expect((await responseTo(ws, "admin"))?.error?.details?.code).toBe("MISSING_SCOPE");
  });
});

describe("handshake timeout", () => {
  test("a socket that never sends connect is closed (1000, as upstream)", async () => {
    const short = await startTestGateway({ handshakeTimeoutMs: 200 });
    try {
      const ws = await openRawWs({ port: short.handle.port });
      sockets.push(ws);
      expect((await ws.nextJson(5000))?.event).toBe("connect.challenge");
      expect(await ws.closed(10_000)).toEqual({ opcode: 8, code: 1000, text: "" });
    } finally {
      await short.stop();
    }
  });

  test(`${HANDSHAKE_TIMEOUT_ENV}: default ${DEFAULT_HANDSHAKE_TIMEOUT_MS}, a valid value is used, a bad one warns and keeps the default`, () => {
    const warnings: string[] = [];
    const resolve = (value: string | undefined) => resolveHandshakeTimeoutMs({ [HANDSHAKE_TIMEOUT_ENV]: value }, (m) => warnings.push(m));
    expect(resolve(undefined)).toBe(15_000);
    expect(resolve("")).toBe(15_000);
    expect(resolve("30000")).toBe(30_000);
    expect(resolve(" 1000 ")).toBe(1000);
    expect(warnings).toEqual([]);
    for (const bad of ["soon", "0", "-5", "1e4", "15000.5", "999", "600001", "99999999999999999999"]) {
      expect(resolve(bad)).toBe(15_000);
      expect(warnings.pop()).toContain(`${HANDSHAKE_TIMEOUT_ENV}=${JSON.stringify(bad)} ignored: expected a whole number of milliseconds from 1000 to 600000`);
    }
  });

  test(`the gateway reads ${HANDSHAKE_TIMEOUT_ENV} at start: a bad value is a startup warning, a good one is honoured`, async () => {
    const saved = process.env[HANDSHAKE_TIMEOUT_ENV];
    try {
      process.env[HANDSHAKE_TIMEOUT_ENV] = "soon";
      const bad = await startTestGateway();
      await bad.stop();
      expect(bad.logs.join("\n")).toContain(`${HANDSHAKE_TIMEOUT_ENV}="soon" ignored`);
      // The shortest allowed value: the silent socket is closed long before the 15 s default would do it.
      process.env[HANDSHAKE_TIMEOUT_ENV] = "1000";
      const good = await startTestGateway();
      try {
        const ws = await openRawWs({ port: good.handle.port });
        sockets.push(ws);
        expect((await ws.nextJson(5000))?.event).toBe("connect.challenge");
        expect((await ws.closed(10_000))?.code).toBe(1000);
      } finally {
        await good.stop();
      }
      expect(good.logs.join("\n")).not.toContain("ignored");
    } finally {
      if (saved === undefined) delete process.env[HANDSHAKE_TIMEOUT_ENV];
      else process.env[HANDSHAKE_TIMEOUT_ENV] = saved;
    }
  });
});

describe("device-less v4 operators get no self-declared scopes", () => {
  async function connectV4(c: { id: string; mode: string }, scopes: string[] | undefined, headers?: Record<string, string>, protocol = 4) {
    const ws = await open(headers);
    ws.request("connect", rawConnectParams({ minProtocol: protocol, maxProtocol: protocol, client: client(c.id, c.mode), auth: { token: gw.token }, ...(scopes && { scopes }) }), "c1");
    const res = await responseTo(ws, "c1");
    return { ws, res };
  }
  async function call(ws: RawWs, method: string, params: unknown = {}): Promise<any> {
    const id = `m-${crypto.randomUUID()}`;
    ws.request(method, params, id);
    return responseTo(ws, id);
  }

  test("a token-only v4 operator is let in with scopes [] and scope-gated calls answer MISSING_SCOPE", async () => {
    const { ws, res } = await connectV4({ id: "test", mode: "test" }, ["operator.admin"]);
    expect(res.ok).toBe(true);
    expect(res.payload.auth).toEqual({ method: "token", role: "operator", scopes: [] });
    // No admin-only fields in the snapshot either.
    expect(res.payload.snapshot.configPath).toBeUndefined();
    const presence = await call(ws, "system-presence");
    expect(presence.error).toMatchObject({ code: "FORBIDDEN", message: "missing scope: operator.read", details: { code: "MISSING_SCOPE", missingScope: "operator.read" } });
    expect((await call(ws, "config.get")).error?.details?.code).toBe("MISSING_SCOPE");
    expect((await call(ws, "chat.send", { sessionKey: "main", message: "hi", idempotencyKey: "x" })).error?.details?.code).toBe("MISSING_SCOPE");
  });

  const CLEARED: [label: string, client: { id: string; mode: string }, headers?: Record<string, string>][] = [
    ["another client id (control-plane id, cli mode)", { id: "gateway-client", mode: "cli" }],
    ["the cli id in another mode (probe)", { id: "cli", mode: "probe" }],
    ["the local CLI pair through a proxy (not direct loopback)", { id: "cli", mode: "cli" }, REMOTE],
    ["the backend helper pair through a proxy", { id: "gateway-client", mode: "backend" }, REMOTE],
  ];
  for (const [label, c, headers] of CLEARED) {
    test(`cleared: ${label}`, async () => {
      const { res } = await connectV4(c, ["operator.read", "operator.write"], headers);
      expect(res.ok).toBe(true);
      expect(res.payload.auth.scopes).toEqual([]);
    });
  }

  test("kept on direct loopback: the local CLI (cli/cli) and the backend helper (gateway-client/backend)", async () => {
    for (const c of [
      { id: "cli", mode: "cli" },
      { id: "gateway-client", mode: "backend" },
    ]) {
      const { ws, res } = await connectV4(c, ["operator.read", "operator.read"]);
      expect(res.payload.auth.scopes).toEqual(["operator.read"]);
      expect((await call(ws, "system-presence")).ok).toBe(true);
      expect((await call(ws, "config.apply", { raw: "{}" })).error?.details?.code).toBe("MISSING_SCOPE");
    }
  });

  test("a trusted path that declares nothing gets nothing (no implicit admin on v4)", async () => {
    const { res } = await connectV4({ id: "cli", mode: "cli" }, undefined);
    expect(res.payload.auth.scopes).toEqual([]);
  });

  test("v3 keeps today's behaviour: declared scopes kept, none declared means admin", async () => {
    const declared = await connectV4({ id: "test", mode: "test" }, ["operator.read"], undefined, 3);
    expect((await call(declared.ws, "system-presence")).ok).toBe(true);
    expect((await call(declared.ws, "config.apply", { raw: "{}" })).error?.message).toBe("missing scope: operator.admin");
    const implicit = await connectV4({ id: "test", mode: "test" }, undefined, undefined, 3);
    expect((await call(implicit.ws, "system-presence")).ok).toBe(true);
    expect((await call(implicit.ws, "config.get")).ok).toBe(true);
  });
});
