/**
 * Conformance: the connect handshake over real sockets (protocol.md §3.3–§3.5). One test per row of the
 * "Handshake failures" table, plus device tokens, the failed-auth limiter and Origin checks.
 */
import { describe, expect, test } from "bun:test";
import { TEST_TOKEN, type TestGateway } from "../helpers/gateway.ts";
import { connectClient, connectParams, openSocket } from "../helpers/ws.ts";
import {
  CLI,
  clientInfo,
  CONTROL_UI,
  deviceConnect,
  expectNoFrame,
  expectRejected,
  handshake,
  newIdentity,
  useCleanup,
  WEBCHAT,
} from "../helpers/protocol.ts";

const env = useCleanup();
const REMOTE = { "x-forwarded-for": "203.0.113.7" };
/** Browser clients must send an allowed Origin; the gateway's own origin is one. */
const sameOrigin = (gw: TestGateway, client: Record<string, unknown>): Record<string, string> =>
  client === CONTROL_UI || client === WEBCHAT ? { origin: `http://127.0.0.1:${gw.handle.port}` } : {};
const ORIGIN_MSG = "origin not allowed (open the Control UI from the gateway host or add it to gateway.controlUi.allowedOrigins)";

describe("handshake failures (§3.5)", () => {
  test("first frame not JSON: no frame, close 1000 with empty reason", async () => {
    const gw = await env.gateway();
    const sock = await openSocket(gw.url);
    await sock.next();
    sock.send("this is not json");
    expect(await sock.closed).toEqual({ code: 1000, reason: "" });
    await expectNoFrame(sock);
  });

  test("first frame JSON but not a req frame: no frame, close 1008 'invalid request frame'", async () => {
    const gw = await env.gateway();
    const sock = await openSocket(gw.url);
    await sock.next();
    sock.send({ type: "event", event: "hello" });
    expect(await sock.closed).toEqual({ code: 1008, reason: "invalid request frame" });
    await expectNoFrame(sock);
  });

  test("first req not connect", async () => {
    const gw = await env.gateway();
    const sock = await openSocket(gw.url);
    await sock.next();
    const res = await sock.request("health", {}, "h1");
    expect(res.id).toBe("h1");
    await expectRejected({ sock, challenge: null, res }, { code: "INVALID_REQUEST", message: "invalid handshake: first request must be connect" });
  });

  test("connect params invalid: unknown client.id gives the exact message", async () => {
    const gw = await env.gateway();
    const h = await handshake(gw.url, () => connectParams({ auth: { token: gw.token }, client: clientInfo("not-a-client", "cli") }));
    await expectRejected(h, {
      code: "INVALID_REQUEST",
      message: "invalid connect params: at /client/id: must be equal to constant; at /client/id: must match a schema in anyOf",
    });
  });

  test("connect params invalid: a long message is cut to ≤120 bytes in the close reason only", async () => {
    const gw = await env.gateway();
    const h = await handshake(gw.url, () => ({ minProtocol: "x", maxProtocol: "y", client: { id: "cli" }, extraOne: 1, extraTwo: 2 }));
    expect(h.res.error.code).toBe("INVALID_REQUEST");
    const message: string = h.res.error.message;
    expect(message.startsWith("invalid connect params: ")).toBe(true);
    expect(Buffer.byteLength(message)).toBeGreaterThan(120);
    const closed = await h.sock.closed;
    expect(closed.code).toBe(1008);
    expect(Buffer.byteLength(closed.reason)).toBeLessThanOrEqual(120);
    expect(closed.reason.length).toBeGreaterThan(100);
    expect(message.startsWith(closed.reason)).toBe(true);
  });

  // Protocol v4 is negotiated beside v3 (issue 22): only a range holding neither is refused, with the v4 details.
  for (const [min, max] of [[5, 6], [1, 2]]) {
    test(`protocol range ${min}..${max} holds neither 3 nor 4: close 1002, v4 mismatch details`, async () => {
      const gw = await env.gateway();
      const h = await handshake(gw.url, () => connectParams({ auth: { token: gw.token }, minProtocol: min, maxProtocol: max }));
      await expectRejected(h, {
        code: "INVALID_REQUEST",
        message: "protocol mismatch",
        details: { code: "PROTOCOL_MISMATCH", clientMinProtocol: min, clientMaxProtocol: max, expectedProtocol: 4, minimumProbeProtocol: 3 },
        closeCode: 1002,
      });
    });
  }

  test("bad role", async () => {
    const gw = await env.gateway();
    const h = await handshake(gw.url, () => connectParams({ auth: { token: gw.token }, role: "superuser" }));
    await expectRejected(h, { code: "INVALID_REQUEST", message: "invalid role" });
  });

  const TOKEN_HINTS: [string, Record<string, unknown>, string][] = [
    ["cli", CLI, "set gateway.remote.token to match gateway.auth.token"],
    ["control ui", CONTROL_UI, "open a tokenized dashboard URL or paste token in Control UI settings"],
    ["webchat", WEBCHAT, "open a tokenized dashboard URL or paste token in Control UI settings"],
    ["other", clientInfo("gateway-client", "backend"), "provide gateway auth token"],
  ];
  for (const [kind, client, hint] of TOKEN_HINTS) {
    test(`token mismatch (${kind})`, async () => {
      const gw = await env.gateway();
      const h = await handshake(gw.url, () => connectParams({ client, auth: { token: "wrong" } }), { headers: sameOrigin(gw, client) });
      await expectRejected(h, { code: "INVALID_REQUEST", message: `unauthorized: gateway token mismatch (${hint})` });
    });

    test(`token missing (${kind}): a device but no token`, async () => {
      const gw = await env.gateway();
      const h = await deviceConnect(gw.url, newIdentity(), { client, headers: sameOrigin(gw, client) });
      await expectRejected(h, { code: "INVALID_REQUEST", message: `unauthorized: gateway token missing (${hint})` });
    });
  }

  test("token not configured on the gateway", async () => {
    const gw = await env.gateway({ settings: { auth: { mode: "token" } } });
    const h = await handshake(gw.url, () => connectParams({ auth: { token: "anything" } }));
    await expectRejected(h, { code: "INVALID_REQUEST", message: "unauthorized: gateway token not configured on gateway (set gateway.auth.token)" });
  });

  const PASSWORD_HINTS: [string, Record<string, unknown>, string][] = [
    ["cli", CLI, "set gateway.remote.password to match gateway.auth.password"],
    ["control ui", CONTROL_UI, "enter the password in Control UI settings"],
    ["other", clientInfo("test", "test"), "provide gateway auth password"],
  ];
  for (const [kind, client, hint] of PASSWORD_HINTS) {
    test(`password mismatch and missing (${kind})`, async () => {
      const gw = await env.gateway({ settings: { auth: { mode: "password", password: "hunter2" } } });
      const headers = sameOrigin(gw, client);
      const bad = await handshake(gw.url, () => connectParams({ client, auth: { password: "nope" } }), { headers });
      await expectRejected(bad, { code: "INVALID_REQUEST", message: `unauthorized: gateway password mismatch (${hint})` });
      const missing = await deviceConnect(gw.url, newIdentity(), { client, headers });
      await expectRejected(missing, { code: "INVALID_REQUEST", message: `unauthorized: gateway password missing (${hint})` });
      const good = await handshake(gw.url, () => connectParams({ client, auth: { password: "hunter2" } }), { headers });
      expect(good.res.ok).toBe(true);
    });
  }

  test("no device and no auth: NOT_PAIRED 'device identity required'", async () => {
    const gw = await env.gateway();
    const h = await handshake(gw.url, () => connectParams());
    await expectRejected(h, { code: "NOT_PAIRED", message: "device identity required" });
  });

  describe("device checks fail (with a valid shared token)", () => {
    const cases: [string, (now: number) => Parameters<typeof deviceConnect>[2], string][] = [
      ["id not the key's hash", () => ({ tamper: { id: "0".repeat(64) } }), "device identity mismatch"],
      ["signedAt 11 minutes old", (now) => ({ signedAt: now - 11 * 60_000 }), "device signature expired"],
      ["nonce not the challenge's", () => ({ nonce: "11111111-2222-4333-8444-555555555555" }), "device nonce mismatch"],
      ["signature over other scopes", () => ({ scopes: ["operator.read"], signScopes: ["operator.admin"] }), "device signature invalid"],
      ["signature by another key", () => ({ signer: newIdentity() }), "device signature invalid"],
      ["signature of zero bytes", () => ({ tamper: { signature: "A".repeat(86) } }), "device signature invalid"],
      ["remote client without nonce", () => ({ nonce: null, headers: REMOTE }), "device nonce required"],
    ];
    for (const [what, opts, message] of cases) {
      test(`${what} → ${message}`, async () => {
        const gw = await env.gateway();
        const h = await deviceConnect(gw.url, newIdentity(), { token: gw.token, ...opts(Date.now()) });
        await expectRejected(h, { code: "INVALID_REQUEST", message });
      });
    }
  });

  test("remote unknown device: NOT_PAIRED 'pairing required' + requestId; admins get device.pair.requested", async () => {
    const gw = await env.gateway();
    const { sock: admin } = await connectClient(gw.url, gw.token);
    const identity = newIdentity();
    const h = await deviceConnect(gw.url, identity, { token: gw.token, scopes: ["operator.read"], headers: REMOTE });
    expect(h.res.error.details.requestId).toEqual(expect.any(String));
    await expectRejected(h, { code: "NOT_PAIRED", message: "pairing required", details: { requestId: h.res.error.details.requestId } });
    const event = await admin.nextMatching((f) => f.event === "device.pair.requested");
    expect(event.payload).toMatchObject({ requestId: h.res.error.details.requestId, deviceId: identity.deviceId, role: "operator", scopes: ["operator.read"] });
    expect(event.seq).toEqual(expect.any(Number));
  });

  test("handshake timeout: only the challenge, then close 1000", async () => {
    const gw = await env.gateway({ handshakeTimeoutMs: 200 });
    const sock = await openSocket(gw.url);
    expect((await sock.next()).event).toBe("connect.challenge");
    expect(await sock.closed).toEqual({ code: 1000, reason: "" });
    await expectNoFrame(sock);
  });

  test("the handshake timer stops once connected", async () => {
    const gw = await env.gateway({ handshakeTimeoutMs: 200 });
    const { sock } = await connectClient(gw.url, gw.token);
    await Bun.sleep(400);
    expect(sock.ws.readyState).toBe(WebSocket.OPEN);
    expect((await sock.request("health")).ok).toBe(true);
  });

  test("connect sent twice: an error, the socket stays open", async () => {
    const gw = await env.gateway();
    const { sock } = await connectClient(gw.url, gw.token);
    const again = await sock.request("connect", connectParams({ auth: { token: gw.token } }), "again");
    expect(again).toMatchObject({ type: "res", id: "again", ok: false, error: { code: "INVALID_REQUEST", message: "connect is only valid as the first request" } });
    expect((await sock.request("status")).ok).toBe(true);
    expect(sock.ws.readyState).toBe(WebSocket.OPEN);
  });
});

describe("device tokens (§3.3, §3.4)", () => {
  test("a loopback device is auto-paired, gets hello-ok.auth, and can reconnect with the device token alone", async () => {
    const gw = await env.gateway();
    const identity = newIdentity();
    const first = await deviceConnect(gw.url, identity, { token: gw.token, scopes: ["operator.read"] });
    expect(first.res.ok).toBe(true);
    const auth = first.res.payload.auth;
    expect(auth).toEqual({ deviceToken: expect.any(String), role: "operator", scopes: ["operator.read"], issuedAtMs: expect.any(Number) });
    expect(auth.deviceToken).not.toBe(gw.token);
    first.sock.close();

    const again = await deviceConnect(gw.url, identity, { token: auth.deviceToken, scopes: ["operator.read"] });
    expect(again.res.ok).toBe(true);
    expect(again.res.payload.auth).toMatchObject({ deviceToken: auth.deviceToken, role: "operator", scopes: ["operator.read"] });
    expect((await again.sock.request("health")).ok).toBe(true);
    expect((await again.sock.request("config.get")).error).toEqual({ code: "INVALID_REQUEST", message: "missing scope: operator.admin" });
  });

  test("a device token cannot widen scopes or serve another device", async () => {
    const gw = await env.gateway();
    const identity = newIdentity();
    const first = await deviceConnect(gw.url, identity, { token: gw.token, scopes: ["operator.read"] });
    const deviceToken = first.res.payload.auth.deviceToken;
    const mismatch = "unauthorized: gateway token mismatch (provide gateway auth token)";
    for (const scopes of [["operator.admin"], ["operator.read", "operator.write"], []]) {
      const wider = await deviceConnect(gw.url, identity, { token: deviceToken, scopes });
      await expectRejected(wider, { code: "INVALID_REQUEST", message: mismatch });
    }
    const stranger = await deviceConnect(gw.url, newIdentity(), { token: deviceToken, scopes: ["operator.read"] });
    await expectRejected(stranger, { code: "INVALID_REQUEST", message: mismatch });
    const asNode = await deviceConnect(gw.url, identity, { token: deviceToken, role: "node" });
    await expectRejected(asNode, { code: "INVALID_REQUEST", message: mismatch });
  });
});

describe("failed-auth rate limiter", () => {
  test("repeated wrong tokens lock the address out; a good token is refused during the lockout", async () => {
    const gw = await env.gateway({ settings: { hosts: ["127.0.0.1", "::1"] } });
    let locked: any;
    for (let i = 0; i < 30 && !locked; i++) {
      const h = await handshake(gw.url, () => connectParams({ auth: { token: `wrong-${i}` } }));
      expect(h.res.ok).toBe(false);
      if (h.res.error.retryAfterMs !== undefined) locked = h;
      else expect(h.res.error.message).toBe("unauthorized: gateway token mismatch (provide gateway auth token)");
      expect((await h.sock.closed).code).toBe(1008);
    }
    expect(locked).toBeDefined();
    expect(locked.res.error.code).toBe("INVALID_REQUEST");
    expect(locked.res.error.message.startsWith("unauthorized")).toBe(true);
    expect(locked.res.error.retryAfterMs).toBeGreaterThan(0);

    const good = await handshake(gw.url, () => connectParams({ auth: { token: gw.token } }));
    expect(good.res.ok).toBe(false);
    expect(good.res.error.retryAfterMs).toBeGreaterThan(0);
    expect((await good.sock.closed).code).toBe(1008);

    // The lockout is per address: the IPv6 loopback (when this host has one) is still served.
    if (gw.handle.hosts.includes("::1")) {
      const { hello } = await connectClient(`ws://[::1]:${gw.handle.port}`, gw.token);
      expect(hello.type).toBe("hello-ok");
    }
  });
});

describe("Origin checks", () => {
  const ok = async (url: string, client: Record<string, unknown>, origin: string) => {
    const h = await handshake(url, () => connectParams({ client, auth: { token: TEST_TOKEN } }), { headers: { origin } });
    expect(h.res.error).toBeUndefined();
    expect(h.res.payload.type).toBe("hello-ok");
    h.sock.close();
  };
  const refused = async (url: string, client: Record<string, unknown>, headers: Record<string, string>) => {
    const h = await handshake(url, () => connectParams({ client, auth: { token: TEST_TOKEN } }), { headers });
    await expectRejected(h, { code: "INVALID_REQUEST", message: ORIGIN_MSG });
  };

  test("browser clients without an Origin are refused", async () => {
    const gw = await env.gateway();
    for (const client of [CONTROL_UI, WEBCHAT, clientInfo("webchat", "webchat")]) await refused(gw.url, client, {});
  });

  test("same-origin and gateway.controlUi.allowedOrigins pass; a foreign Origin is refused", async () => {
    const gw = await env.gateway({ config: { gateway: { mode: "local", controlUi: { allowedOrigins: ["https://ui.example.com"] } } } });
    await ok(gw.url, CONTROL_UI, `http://127.0.0.1:${gw.handle.port}`);
    await ok(gw.url, WEBCHAT, "https://ui.example.com");
    await refused(gw.url, CONTROL_UI, { origin: "https://evil.example.com" });
    await refused(gw.url, WEBCHAT, { origin: `http://127.0.0.1:${gw.handle.port + 1}` });
  });

  test("a cli client sending a foreign Origin is refused; without Origin it passes", async () => {
    const gw = await env.gateway();
    await refused(gw.url, CLI, { origin: "https://evil.example.com" });
    const { hello } = await connectClient(gw.url, gw.token, { client: CLI });
    expect(hello.type).toBe("hello-ok");
  });

  test("control ui without a device from a non-local peer needs a secure context unless allowInsecureAuth", async () => {
    const strict = await env.gateway();
    const headers = { ...REMOTE, origin: `http://127.0.0.1:${strict.handle.port}` };
    const h = await handshake(strict.url, () => connectParams({ client: CONTROL_UI, auth: { token: strict.token } }), { headers });
    await expectRejected(h, { code: "INVALID_REQUEST", message: "control ui requires HTTPS or localhost (secure context)" });

    const lax = await env.gateway({ config: { gateway: { mode: "local", controlUi: { allowInsecureAuth: true } } } });
    const laxHeaders = { ...REMOTE, origin: `http://127.0.0.1:${lax.handle.port}` };
    const passed = await handshake(lax.url, () => connectParams({ client: CONTROL_UI, auth: { token: lax.token } }), { headers: laxHeaders });
    expect(passed.res.ok).toBe(true);
  });
});
