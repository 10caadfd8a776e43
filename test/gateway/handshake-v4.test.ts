/**
 * Protocol v4 beside v3 on one port (issue 22, protocol-v4.md §1.1, §4 step 1): the version is negotiated per
 * connection, the hello says honestly which one was chosen, v4 client ids parse, worker claims are closed.
 */
import { describe, expect, test } from "bun:test";
import { createPrivateKey, sign } from "node:crypto";
import type { DeviceIdentity } from "../../src/client/device-identity.ts";
import { buildDeviceAuthPayload, buildDeviceAuthPayloadV3 } from "../../src/gateway/device-auth.ts";
import { parseDevicePublicKey } from "../../src/protocol-shared/device-payload.ts";
import { validateHelloOk, validateHelloOkV4 } from "../../src/protocol/generated/validators.js";
import { connectParams, openSocket } from "../helpers/ws.ts";
import { CLI, clientInfo, deviceConnect, expectNoFrame, expectRejected, handshake, newIdentity, useCleanup } from "../helpers/protocol.ts";

const env = useCleanup();

describe("protocol negotiation per connection", () => {
  const CASES: [min: number, max: number, want: number][] = [
    [3, 3, 3],
    [4, 4, 4],
    [3, 4, 4],
    [2, 3, 3],
    [1, 9, 4],
  ];
  for (const [min, max, want] of CASES) {
    test(`range ${min}..${max} lands on v${want} and hello-ok.protocol says so`, async () => {
      const gw = await env.gateway();
      const h = await handshake(gw.url, () => connectParams({ auth: { token: gw.token }, minProtocol: min, maxProtocol: max }));
      expect(h.res.ok).toBe(true);
      expect(h.res.payload.protocol).toBe(want);
      // Each version's hello matches that version's schema (v3's is closed: no v4 keys leak into it).
      expect(want === 4 ? validateHelloOkV4(h.res.payload) : validateHelloOk(h.res.payload)).toBe(true);
    });
  }

  test("a v3 and a v4 client share the port; each keeps its own version", async () => {
    const gw = await env.gateway();
    const v3 = await handshake(gw.url, () => connectParams({ auth: { token: gw.token } }));
    const v4 = await handshake(gw.url, () => connectParams({ auth: { token: gw.token }, minProtocol: 4, maxProtocol: 4, client: CLI, scopes: ["operator.read"] }));
    expect([v3.res.payload.protocol, v4.res.payload.protocol]).toEqual([3, 4]);
    const [r3, r4] = await Promise.all([v3.sock.request("health", {}), v4.sock.request("health", {})]);
    expect([r3.ok, r4.ok]).toEqual([true, true]);
  });

  test("v4 client ids and fields parse (openclaw-tui, buildId, timeZone, modelCatalog, auth.deviceToken key)", async () => {
    const gw = await env.gateway();
    const h = await handshake(gw.url, () =>
      connectParams({
        minProtocol: 4,
        maxProtocol: 4,
        client: clientInfo("openclaw-tui", "ui", { buildId: "b-1", timeZone: "Europe/Berlin" }),
        modelCatalog: { sessionKey: "main" },
        computerUse: { enabled: false },
        auth: { token: gw.token, password: gw.token },
      }),
    );
    expect(h.res.ok).toBe(true);
    expect(h.res.payload.protocol).toBe(4);
  });

  test("a v4 client id with a v3-only range still parses (the schema is the v4 superset)", async () => {
    const gw = await env.gateway();
    const h = await handshake(gw.url, () => connectParams({ auth: { token: gw.token }, client: clientInfo("openclaw-linux", "ui") }));
    expect(h.res.ok).toBe(true);
    expect(h.res.payload.protocol).toBe(3);
  });

  test("unknown client.id keeps the exact upstream message", async () => {
    const gw = await env.gateway();
    const h = await handshake(gw.url, () => connectParams({ auth: { token: gw.token }, minProtocol: 4, maxProtocol: 4, client: clientInfo("nope", "cli") }));
    expect(h.res.error).toEqual({
      code: "INVALID_REQUEST",
      message: "invalid connect params: at /client/id: must be equal to constant; at /client/id: must match a schema in anyOf",
    });
  });

  const WORKER_CLAIMS: [string, Record<string, unknown>][] = [
    ["role worker", { role: "worker" }],
    ["client.id openclaw-worker", { client: clientInfo("openclaw-worker", "backend") }],
    ["mode worker", { client: clientInfo("gateway-client", "worker") }],
    ["mode worker with otherwise invalid params", { client: { id: "gateway-client", mode: "worker" }, bogus: 1 }],
  ];
  for (const [label, overrides] of WORKER_CLAIMS) {
    test(`a worker claim on the main socket (${label}) is closed 1008 invalid-handshake with no answer`, async () => {
      const gw = await env.gateway();
      const sock = await openSocket(gw.url);
      await sock.next();
      sock.send({ type: "req", id: "c1", method: "connect", params: connectParams({ auth: { token: gw.token }, minProtocol: 4, maxProtocol: 4, ...overrides }) });
      expect(await sock.closed).toEqual({ code: 1008, reason: "invalid-handshake" });
      await expectNoFrame(sock);
    });
  }
});

describe("v4 connections: hello and refusals", () => {
  const v4 = (gw: { url: string; token: string }, extra: Record<string, unknown> = {}) =>
    // Device-less v4 operators keep declared scopes only on the local CLI path (the upstream CLI's own).
    handshake(gw.url, () => connectParams({ auth: { token: gw.token }, minProtocol: 4, maxProtocol: 4, client: CLI, ...extra }));

  test("hello-ok v4 carries auth always, server.bootId, and only implemented methods", async () => {
    const gw = await env.gateway();
    const h = await v4(gw, { scopes: ["operator.read"] });
    const hello = h.res.payload;
    expect(hello.auth).toEqual({ method: "token", role: "operator", scopes: ["operator.read"] });
    expect(hello.server.connId).toBeString();
    expect(hello.server.bootId).toBeString();
    expect(hello.canvasHostUrl).toBeUndefined();
    const { METHOD_TABLE } = await import("../../src/gateway/methods/index.ts");
    for (const m of hello.features.methods) expect(METHOD_TABLE.has(m)).toBe(true);
    // Gone in v4 (upstream answers unknown method): not advertised to v4 clients.
    expect(hello.features.methods).not.toContain("node.pair.request");
    expect(hello.features.methods).toContain("health");
    // Upstream v4's list of waiting exec approvals (unadvertised on v3, which does not have it); ours stay unadvertised.
    expect(hello.features.methods).toContain("exec.approval.list");
    expect(hello.features.methods).not.toContain("tools.effective");
    // A second connection to the same gateway sees the same bootId.
    const again = await v4(gw);
    expect(again.res.payload.server.bootId).toBe(hello.server.bootId);
  });

  test("missing scope: FORBIDDEN + MISSING_SCOPE details on v4, INVALID_REQUEST on v3", async () => {
    const gw = await env.gateway();
    const h4 = await v4(gw, { scopes: ["operator.read"] });
    const r4 = await h4.sock.request("device.pair.list", {});
    expect(r4.error).toEqual({
      code: "FORBIDDEN",
      message: "missing scope: operator.pairing",
      details: { code: "MISSING_SCOPE", missingScope: "operator.pairing", requiredScopes: ["operator.pairing", "operator.admin"] },
    });
    const h3 = await handshake(gw.url, () => connectParams({ auth: { token: gw.token }, scopes: ["operator.read"] }));
    const r3 = await h3.sock.request("device.pair.list", {});
    expect(r3.error).toEqual({ code: "INVALID_REQUEST", message: "missing scope: operator.pairing" });
  });

  test("an unimplemented v4 method is 'unknown method: <name>' whatever the caller's scopes", async () => {
    const gw = await env.gateway();
    const h = await v4(gw, { scopes: ["operator.read"] });
    for (const method of ["tasks.frobnicate", "node.pair.request"]) {
      const res = await h.sock.request(method, {});
      expect(res.error).toEqual({ code: "INVALID_REQUEST", message: `unknown method: ${method}` });
    }
  });

  test("v4 request frames may carry traceparent and expectedProfileId; other extra keys are refused", async () => {
    const gw = await env.gateway();
    const h = await v4(gw, { scopes: ["operator.read"] });
    h.sock.send({ type: "req", id: "tp", method: "health", params: {}, traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", expectedProfileId: "p1" });
    const ok = await h.sock.nextMatching((f) => f.type === "res" && f.id === "tp");
    expect(ok.ok).toBe(true);
    h.sock.send({ type: "req", id: "x", method: "health", params: {}, extra: 1 });
    const bad = await h.sock.nextMatching((f) => f.type === "res" && f.id === "x");
    expect(bad.error).toEqual({ code: "INVALID_REQUEST", message: "invalid request frame: at root: unexpected property 'extra'" });
    // v3 frames stay closed: traceparent is refused there.
    const h3 = await handshake(gw.url, () => connectParams({ auth: { token: gw.token } }));
    h3.sock.send({ type: "req", id: "tp3", method: "health", params: {}, traceparent: "00-x" });
    const bad3 = await h3.sock.nextMatching((f) => f.type === "res" && f.id === "tp3");
    expect(bad3.error.code).toBe("INVALID_REQUEST");
  });
});

// --- device auth on v4 (protocol-v4.md §1.9, §4 step 2) ---

/** Connect params of a v4 device client signing payload v3 (or v2), the way the 2026.9 TUI / node host do. */
function signedV4(
  identity: DeviceIdentity,
  nonce: string | undefined,
  opts: {
    auth?: Record<string, string>;
    platform?: string;
    signPlatform?: string;
    payload?: "v3" | "v2";
    role?: string;
    scopes?: string[];
    client?: string;
    mode?: string;
    /** min = max protocol sent (default 4). */
    protocol?: number;
  } = {},
): Record<string, unknown> {
  const role = opts.role ?? "operator";
  const scopes = opts.scopes ?? (role === "node" ? [] : ["operator.read", "operator.write"]);
  const client = clientInfo(opts.client ?? "openclaw-tui", opts.mode ?? "ui", { platform: opts.platform ?? "Linux", deviceFamily: "Linux" });
  const token = opts.auth?.token ?? opts.auth?.deviceToken;
  const signedAtMs = Date.now();
  const base = { deviceId: identity.deviceId, clientId: client.id as string, clientMode: client.mode as string, role, scopes, signedAtMs, token };
  const payload =
    opts.payload === "v2"
      ? buildDeviceAuthPayload({ ...base, nonce })
      : buildDeviceAuthPayloadV3({ ...base, nonce: nonce ?? "", platform: opts.signPlatform ?? opts.platform ?? "Linux", deviceFamily: "Linux" });
  const signature = sign(null, Buffer.from(payload), createPrivateKey(identity.privateKeyPem)).toString("base64url");
  const publicKey = Buffer.from(parseDevicePublicKey(identity.publicKeyPem)!).toString("base64url");
  return connectParams({
    minProtocol: opts.protocol ?? 4,
    maxProtocol: opts.protocol ?? 4,
    client,
    role,
    scopes,
    ...(opts.auth && { auth: opts.auth }),
    device: { id: identity.deviceId, publicKey, signature, signedAt: signedAtMs, ...(nonce !== undefined && { nonce }) },
  });
}

describe("v4 device auth", () => {
  test("payload v3 connects, the hello issues a device token, and auth.deviceToken alone reconnects", async () => {
    const gw = await env.gateway();
    const id = newIdentity();
    const first = await handshake(gw.url, (c) => signedV4(id, c.payload.nonce, { auth: { token: gw.token } }));
    expect(first.res.ok).toBe(true);
    const auth = first.res.payload.auth;
    expect(auth).toMatchObject({ method: "token", role: "operator", scopes: ["operator.read", "operator.write"] });
    expect(auth.deviceToken).toBeString();
    const again = await handshake(gw.url, (c) => signedV4(id, c.payload.nonce, { auth: { deviceToken: auth.deviceToken } }));
    expect(again.res.ok).toBe(true);
    expect(again.res.payload.auth.method).toBe("device-token");
  });

  test("payload v2 (the Control UI's) is accepted on v4", async () => {
    const gw = await env.gateway();
    const h = await handshake(gw.url, (c) => signedV4(newIdentity(), c.payload.nonce, { auth: { token: gw.token }, payload: "v2" }));
    expect(h.res.ok).toBe(true);
  });

  test("a signature made for another platform is refused (DEVICE_AUTH_SIGNATURE_INVALID)", async () => {
    const gw = await env.gateway();
    const h = await handshake(gw.url, (c) => signedV4(newIdentity(), c.payload.nonce, { auth: { token: gw.token }, platform: "darwin", signPlatform: "linux" }));
    await expectRejected(h, {
      code: "INVALID_REQUEST",
      message: "device signature invalid",
      details: { code: "DEVICE_AUTH_SIGNATURE_INVALID", reason: "device signature invalid" },
    });
  });

  test("a nonce replayed from another socket's challenge is refused (DEVICE_AUTH_NONCE_MISMATCH)", async () => {
    const gw = await env.gateway();
    const id = newIdentity();
    const other = await openSocket(gw.url);
    const stolen = (await other.next()).payload.nonce;
    env.defer(() => other.close());
    const h = await handshake(gw.url, () => signedV4(id, stolen, { auth: { token: gw.token } }));
    await expectRejected(h, { code: "INVALID_REQUEST", message: "device nonce mismatch", details: { code: "DEVICE_AUTH_NONCE_MISMATCH", reason: "device nonce mismatch" } });
  });

  test("a v4 device without a nonce is refused even on loopback (DEVICE_AUTH_NONCE_REQUIRED); v3 local v1 still works", async () => {
    const gw = await env.gateway();
    const h = await handshake(gw.url, () => signedV4(newIdentity(), undefined, { auth: { token: gw.token }, payload: "v2" }));
    await expectRejected(h, { code: "INVALID_REQUEST", message: "device nonce required", details: { code: "DEVICE_AUTH_NONCE_REQUIRED", reason: "device nonce required" } });
    const v3 = await deviceConnect(gw.url, newIdentity(), { token: gw.token, nonce: null });
    expect(v3.res.ok).toBe(true);
  });

  test("a wrong device token alone is refused (AUTH_DEVICE_TOKEN_MISMATCH) and cannot pose as another device's", async () => {
    const gw = await env.gateway();
    const a = newIdentity();
    const first = await handshake(gw.url, (c) => signedV4(a, c.payload.nonce, { auth: { token: gw.token } }));
    const tokenOfA = first.res.payload.auth.deviceToken;
    const h = await handshake(gw.url, (c) => signedV4(newIdentity(), c.payload.nonce, { auth: { deviceToken: tokenOfA } }));
    await expectRejected(h, {
      code: "INVALID_REQUEST",
      message: "unauthorized: device token mismatch (rotate/reissue device token)",
      details: { code: "AUTH_DEVICE_TOKEN_MISMATCH", authReason: "device_token_mismatch", canRetryWithDeviceToken: false, recommendedNextStep: "update_auth_credentials" },
    });
  });

  test("token mismatch: v4 gets details.code and recommendedNextStep, v3 keeps the bare error", async () => {
    const gw = await env.gateway();
    const h4 = await handshake(gw.url, () => connectParams({ auth: { token: "wrong" }, minProtocol: 4, maxProtocol: 4 }));
    expect(h4.res.error.details).toEqual({ code: "AUTH_TOKEN_MISMATCH", authReason: "token_mismatch", canRetryWithDeviceToken: false, recommendedNextStep: "update_auth_credentials" });
    const h3 = await handshake(gw.url, () => connectParams({ auth: { token: "wrong" } }));
    expect(h3.res.error.details).toBeUndefined();
  });

  test("a paired device with a stale shared token is told it may retry with its device token", async () => {
    const gw = await env.gateway();
    const h = await handshake(gw.url, (c) => signedV4(newIdentity(), c.payload.nonce, { auth: { token: "stale" } }));
    expect(h.res.error.details).toMatchObject({ code: "AUTH_TOKEN_MISMATCH", canRetryWithDeviceToken: true, recommendedNextStep: "retry_with_device_token" });
  });

  test("no credentials at all on v4: DEVICE_IDENTITY_REQUIRED", async () => {
    const gw = await env.gateway();
    const h = await handshake(gw.url, () => connectParams({ minProtocol: 4, maxProtocol: 4 }));
    await expectRejected(h, { code: "NOT_PAIRED", message: "device identity required", details: { code: "DEVICE_IDENTITY_REQUIRED" } });
  });

  test("a remote v4 device gets PAIRING_REQUIRED with the requestId", async () => {
    const gw = await env.gateway();
    const h = await handshake(gw.url, (c) => signedV4(newIdentity(), c.payload.nonce, { auth: { token: gw.token } }), { headers: { "x-forwarded-for": "203.0.113.9" } });
    expect(h.res.error.code).toBe("NOT_PAIRED");
    expect(h.res.error.details).toMatchObject({ code: "PAIRING_REQUIRED", reason: "not-paired" });
    expect(h.res.error.details.requestId).toBeString();
  });

  test("a remote v4 node is told to wait and retry (it keeps reconnecting until approved)", async () => {
    const gw = await env.gateway();
    const h = await handshake(gw.url, (c) => signedV4(newIdentity(), c.payload.nonce, { auth: { token: gw.token }, role: "node", client: "node-host", mode: "node" }), {
      headers: { "x-forwarded-for": "203.0.113.9" },
    });
    expect(h.res.error.details).toMatchObject({ code: "PAIRING_REQUIRED", recommendedNextStep: "wait_then_retry", retryable: true, pauseReconnect: false });
  });

  test("a node host in the legacy v3 envelope signing payload v3 is accepted, and its hello says protocol 3", async () => {
    const gw = await env.gateway();
    const h = await handshake(gw.url, (c) =>
      signedV4(newIdentity(), c.payload.nonce, { auth: { token: gw.token }, role: "node", client: "node-host", mode: "node", protocol: 3 }),
    );
    expect(h.res.ok).toBe(true);
    // A v4 node host that sees more than 3 here closes and reconnects at v4 in a loop.
    expect(h.res.payload.protocol).toBe(3);
  });
});
