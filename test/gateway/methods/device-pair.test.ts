/**
 * Pairing end to end over real sockets: a remote device asks, an operator approves, the device connects
 * and later uses its device token; rotate and revoke take effect.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { loadOrCreateDeviceIdentity, signDeviceAuth } from "../../../src/client/device-identity.ts";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.ts";
import { connectClient, connectParams, openSocket } from "../../helpers/ws.ts";

let gw: TestGateway;
beforeEach(async () => {
  gw = await startTestGateway();
});
afterEach(async () => {
  await gw.stop();
});

/** Connects as a device, through a proxy header so the gateway sees a remote client. */
async function deviceConnect(identityPath: string, auth: { token: string }, scopes = ["operator.read"]) {
  const identity = loadOrCreateDeviceIdentity(identityPath);
  const sock = await openSocket(gw.url, { headers: { "x-forwarded-for": "203.0.113.9" } });
  const challenge = await sock.next();
  const device = signDeviceAuth(identity, { clientId: "test", clientMode: "test", role: "operator", scopes, token: auth.token, nonce: challenge.payload.nonce });
  const res = await sock.request("connect", connectParams({ auth, scopes, device }), "connect");
  return { sock, res, identity };
}

test("remote device: pairing required → approve → connect → device token works alone", async () => {
  const { sock: admin } = await connectClient(gw.url, gw.token);
  const idPath = join(gw.stateDir, "client-identity.json");

  const first = await deviceConnect(idPath, { token: gw.token });
  expect(first.res.ok).toBe(false);
  expect(first.res.error).toMatchObject({ code: "NOT_PAIRED", message: "pairing required" });
  const requestId = first.res.error.details.requestId;
  expect((await first.sock.closed).code).toBe(1008);

  const requested = await admin.nextMatching((f) => f.event === "device.pair.requested");
  expect(requested.payload).toMatchObject({ requestId, deviceId: first.identity.deviceId, scopes: ["operator.read"] });
  const list = await admin.request("device.pair.list");
  expect(list.payload.pending.map((p: any) => p.requestId)).toEqual([requestId]);

  const approved = await admin.request("device.pair.approve", { requestId });
  expect(approved.payload).toMatchObject({ requestId, device: { deviceId: first.identity.deviceId, role: "operator", scopes: ["operator.read"], tokens: [{ role: "operator", scopes: ["operator.read"] }] } });
  expect((await admin.nextMatching((f) => f.event === "device.pair.resolved")).payload.decision).toBe("approved");

  const second = await deviceConnect(idPath, { token: gw.token });
  expect(second.res.ok).toBe(true);
  const deviceToken = second.res.payload.auth.deviceToken;
  expect(second.res.payload.auth).toMatchObject({ role: "operator", scopes: ["operator.read"] });
  second.sock.close();

  // The device token alone (no shared secret) is accepted for the approved scopes…
  const third = await deviceConnect(idPath, { token: deviceToken });
  expect(third.res.ok).toBe(true);
  expect((await third.sock.request("health")).ok).toBe(true);
  third.sock.close();
  // …and not for wider ones.
  const wider = await deviceConnect(idPath, { token: deviceToken }, ["operator.admin"]);
  expect(wider.res.ok).toBe(false);

  // Rotation invalidates the old token; revoke removes the new one.
  const rotated = await admin.request("device.token.rotate", { deviceId: first.identity.deviceId, role: "operator" });
  expect(rotated.ok).toBe(true);
  expect((await deviceConnect(idPath, { token: deviceToken })).res.ok).toBe(false);
  const withNew = await deviceConnect(idPath, { token: rotated.payload.token });
  expect(withNew.res.ok).toBe(true);
  withNew.sock.close();
  expect((await admin.request("device.token.revoke", { deviceId: first.identity.deviceId, role: "operator" })).ok).toBe(true);
  expect((await deviceConnect(idPath, { token: rotated.payload.token })).res.ok).toBe(false);
  admin.close();
});

test("reject and unknown request ids", async () => {
  const { sock: admin } = await connectClient(gw.url, gw.token);
  const first = await deviceConnect(join(gw.stateDir, "id2.json"), { token: gw.token });
  const requestId = first.res.error.details.requestId;
  const rejected = await admin.request("device.pair.reject", { requestId });
  expect(rejected.payload.decision).toBe("rejected");
  const again = await admin.request("device.pair.approve", { requestId });
  expect(again.error).toEqual({ code: "INVALID_REQUEST", message: `unknown requestId: ${requestId}` });
  const missing = await admin.request("device.pair.approve", {});
  expect(missing.error.message).toContain("invalid device.pair.approve params");
  admin.close();
});

test("pairing methods need operator.pairing", async () => {
  const { sock } = await connectClient(gw.url, gw.token, { scopes: ["operator.read"] });
  expect((await sock.request("device.pair.list")).error.message).toBe("missing scope: operator.pairing");
  sock.close();
});
