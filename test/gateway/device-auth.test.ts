import { describe, expect, test } from "bun:test";
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadOrCreateDeviceIdentity, signDeviceAuth } from "../../src/client/device-identity.ts";
import {
  buildDeviceAuthPayload,
  buildDeviceAuthPayloadV3,
  deriveDeviceId,
  type VerifyDeviceSignatureInput,
  verifyDeviceSignature,
} from "../../src/gateway/device-auth.ts";

const NOW = 1_700_000_000_000;
const FAILURE_CODES: Record<string, string> = {
  "device identity mismatch": "DEVICE_AUTH_DEVICE_ID_MISMATCH",
  "device signature expired": "DEVICE_AUTH_SIGNATURE_EXPIRED",
  "device nonce required": "DEVICE_AUTH_NONCE_REQUIRED",
  "device nonce mismatch": "DEVICE_AUTH_NONCE_MISMATCH",
  "device signature invalid": "DEVICE_AUTH_SIGNATURE_INVALID",
};
const fail = (message: string) => ({ ok: false, message, code: FAILURE_CODES[message] }) as never;
const NONCE = "5b0c6f7e-1111-4222-8333-944445555666";

function makeKey() {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const der = publicKey.export({ type: "spki", format: "der" });
  const raw = new Uint8Array(der.subarray(der.length - 32));
  return { publicKey, privateKey, raw, b64: Buffer.from(raw).toString("base64url"), id: deriveDeviceId(raw) };
}

function signPayload(privateKey: KeyObject, payload: string): string {
  return sign(null, Buffer.from(payload, "utf8"), privateKey).toString("base64url");
}

/** A valid, signed v2 connect input (or v1 when `nonce: undefined`); tests tamper with copies of it. */
function makeInput(
  key = makeKey(),
  opts: { nonce?: string; signedAt?: number; token?: string; scopes?: string[] } = {},
): VerifyDeviceSignatureInput {
  const nonce = "nonce" in opts ? opts.nonce : NONCE;
  const signedAt = opts.signedAt ?? NOW;
  const scopes = opts.scopes ?? ["operator.read", "operator.write"];
  const payload = buildDeviceAuthPayload({
    deviceId: key.id,
    clientId: "cli",
    clientMode: "cli",
    role: "operator",
    scopes,
    signedAtMs: signedAt,
    token: opts.token,
    nonce,
  });
  return {
    device: { id: key.id, publicKey: key.b64, signature: signPayload(key.privateKey, payload), signedAt, nonce },
    clientId: "cli",
    clientMode: "cli",
    role: "operator",
    scopes,
    token: opts.token,
    challengeNonce: NONCE,
    isLocal: false,
    nowMs: NOW,
  };
}

/** A copy of `input` with some device fields replaced after signing. */
function withDevice(input: VerifyDeviceSignatureInput, patch: Partial<VerifyDeviceSignatureInput["device"]>) {
  return { ...input, device: { ...input.device, ...patch } };
}

describe("buildDeviceAuthPayload", () => {
  test("v2 with nonce, v1 without, empty token slot", () => {
    const base = { deviceId: "d", clientId: "cli", clientMode: "cli", role: "operator", signedAtMs: 5 };
    expect(buildDeviceAuthPayload({ ...base, scopes: ["a", "b"], token: "t", nonce: "n" })).toBe(
      "v2|d|cli|cli|operator|a,b|5|t|n",
    );
    expect(buildDeviceAuthPayload({ ...base, scopes: [], token: undefined })).toBe("v1|d|cli|cli|operator||5|");
  });

  test("deriveDeviceId is lowercase hex sha256", () => {
    expect(deriveDeviceId(new Uint8Array(32))).toBe("66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925");
  });
});

describe("verifyDeviceSignature", () => {
  test("accepts a valid v2 signature", () => {
    const key = makeKey();
    const result = verifyDeviceSignature(makeInput(key));
    expect(result).toEqual({ ok: true, deviceId: key.id, publicKeyRaw: key.raw, payloadVersion: "v2" });
  });

  test("covers auth.token in the payload", () => {
    expect(verifyDeviceSignature(makeInput(makeKey(), { token: "shared-secret" })).ok).toBe(true);
    const input = makeInput(makeKey(), { token: "shared-secret" });
    expect(verifyDeviceSignature({ ...input, token: undefined })).toEqual(fail("device signature invalid"));
  });

  test("accepts a PEM public key", () => {
    const key = makeKey();
    const input = makeInput(key);
    const pem = key.publicKey.export({ type: "spki", format: "pem" }).toString();
    expect(verifyDeviceSignature(withDevice(input, { publicKey: pem })).ok).toBe(true);
  });

  test("device identity mismatch: id not the key hash, garbage key, non-ed25519 PEM", () => {
    const input = makeInput();
    const other = makeKey();
    const mismatch = fail("device identity mismatch");
    expect(verifyDeviceSignature(withDevice(input, { id: other.id }))).toEqual(mismatch);
    expect(verifyDeviceSignature(withDevice(input, { id: input.device.id.toUpperCase() }))).toEqual(mismatch);
    expect(verifyDeviceSignature(withDevice(input, { publicKey: "not*base64" }))).toEqual(mismatch);
    const rsaPem = generateKeyPairSync("rsa", { modulusLength: 1024 })
      .publicKey.export({ type: "spki", format: "pem" })
      .toString();
    expect(verifyDeviceSignature(withDevice(input, { publicKey: rsaPem }))).toEqual(mismatch);
  });

  test("device signature expired beyond ±10 minutes, not at the edge", () => {
    const expired = fail("device signature expired");
    expect(verifyDeviceSignature(makeInput(makeKey(), { signedAt: NOW - 600_001 }))).toEqual(expired);
    expect(verifyDeviceSignature(makeInput(makeKey(), { signedAt: NOW + 600_001 }))).toEqual(expired);
    expect(verifyDeviceSignature(makeInput(makeKey(), { signedAt: NOW - 600_000 })).ok).toBe(true);
    const input = makeInput();
    expect(verifyDeviceSignature(withDevice(input, { signedAt: Number.NaN }))).toEqual(expired);
  });

  test("device nonce required for a remote client without nonce", () => {
    expect(verifyDeviceSignature(makeInput(makeKey(), { nonce: undefined }))).toEqual(fail("device nonce required"));
  });

  test("device nonce mismatch when the nonce is not the challenge, local or not", () => {
    const input = makeInput(makeKey(), { nonce: "other-nonce" });
    const mismatch = fail("device nonce mismatch");
    expect(verifyDeviceSignature(input)).toEqual(mismatch);
    expect(verifyDeviceSignature({ ...input, isLocal: true })).toEqual(mismatch);
  });

  test("v1 payload (no nonce) is accepted for local clients only", () => {
    const input = makeInput(makeKey(), { nonce: undefined });
    expect(verifyDeviceSignature({ ...input, isLocal: true }).ok).toBe(true);
    expect(verifyDeviceSignature({ ...input, isLocal: false })).toEqual(fail("device nonce required"));
  });

  test("a v1 signature presented with a nonce (v2) is invalid", () => {
    const key = makeKey();
    const v1 = makeInput(key, { nonce: undefined });
    expect(verifyDeviceSignature(withDevice(v1, { nonce: NONCE }))).toEqual(fail("device signature invalid"));
  });

  test("device signature invalid: tampered fields, foreign key, malformed signature", () => {
    const invalid = fail("device signature invalid");
    const input = makeInput();
    expect(verifyDeviceSignature({ ...input, role: "node" })).toEqual(invalid);
    expect(verifyDeviceSignature({ ...input, clientId: "webchat" })).toEqual(invalid);
    expect(verifyDeviceSignature({ ...input, clientMode: "ui" })).toEqual(invalid);
    expect(verifyDeviceSignature({ ...input, scopes: ["operator.admin"] })).toEqual(invalid);
    expect(verifyDeviceSignature({ ...input, scopes: ["operator.write", "operator.read"] })).toEqual(invalid);
    expect(verifyDeviceSignature(withDevice(input, { signedAt: NOW + 1 }))).toEqual(invalid);
    const foreign = makeInput();
    expect(verifyDeviceSignature(withDevice(input, { signature: foreign.device.signature }))).toEqual(invalid);
    expect(verifyDeviceSignature(withDevice(input, { signature: "" }))).toEqual(invalid);
    expect(verifyDeviceSignature(withDevice(input, { signature: "%%%" }))).toEqual(invalid);
  });

  test("checks run in order: identity before expiry before nonce", () => {
    const input = makeInput(makeKey(), { signedAt: 0, nonce: "wrong" });
    expect(verifyDeviceSignature(withDevice(input, { id: "x" }))).toEqual(fail("device identity mismatch"));
    expect(verifyDeviceSignature(input)).toEqual(fail("device signature expired"));
  });
});

describe("client signature verifies on the server", () => {
  test("signDeviceAuth v2 and v1 round-trip through verifyDeviceSignature", () => {
    const dir = mkdtempSync(join(tmpdir(), "device-auth-"));
    try {
      const identity = loadOrCreateDeviceIdentity(join(dir, "identity", "device.json"));
      const common = { clientId: "cli", clientMode: "cli", role: "operator", scopes: ["operator.admin"] };
      const v2 = signDeviceAuth(identity, { ...common, token: "tok", nonce: NONCE, signedAtMs: NOW });
      const server = { ...common, token: "tok", challengeNonce: NONCE, isLocal: false, nowMs: NOW + 1000 };
      const result = verifyDeviceSignature({ ...server, device: v2 });
      expect(result.ok && result.deviceId).toBe(identity.deviceId);

      const v1 = signDeviceAuth(identity, { ...common, token: undefined, signedAtMs: NOW });
      expect(v1.nonce).toBeUndefined();
      expect(verifyDeviceSignature({ ...server, token: undefined, isLocal: true, device: v1 }).ok).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A valid input signed over payload v3, as today's TUI and node host sign it. */
function makeInputV3(key = makeKey(), opts: { platform?: string; deviceFamily?: string; token?: string; protocol?: number } = {}): VerifyDeviceSignatureInput {
  const payload = buildDeviceAuthPayloadV3({
    deviceId: key.id,
    clientId: "node-host",
    clientMode: "node",
    role: "node",
    scopes: [],
    signedAtMs: NOW,
    token: opts.token,
    nonce: NONCE,
    platform: opts.platform ?? "Linux",
    deviceFamily: opts.deviceFamily,
  });
  return {
    device: { id: key.id, publicKey: key.b64, signature: signPayload(key.privateKey, payload), signedAt: NOW, nonce: NONCE },
    clientId: "node-host",
    clientMode: "node",
    role: "node",
    scopes: [],
    token: opts.token,
    platform: opts.platform ?? "Linux",
    deviceFamily: opts.deviceFamily,
    challengeNonce: NONCE,
    isLocal: false,
    protocol: opts.protocol ?? 4,
    nowMs: NOW,
  };
}

describe("signature payload v3 (protocol-v4.md §1.9)", () => {
  test("format: platform and deviceFamily trimmed and ASCII-lowercased, empty when absent", () => {
    const base = { deviceId: "d", clientId: "openclaw-tui", clientMode: "ui", role: "operator", signedAtMs: 5, nonce: "n" };
    expect(buildDeviceAuthPayloadV3({ ...base, scopes: ["a", "b"], token: "t", platform: " Linux ", deviceFamily: "MacBookPro" })).toBe(
      "v3|d|openclaw-tui|ui|operator|a,b|5|t|n|linux|macbookpro",
    );
    expect(buildDeviceAuthPayloadV3({ ...base, scopes: [], token: undefined, platform: "Ünix" })).toBe("v3|d|openclaw-tui|ui|operator||5||n|Ünix|");
  });

  test("accepted on v4 and on v3 connections (today's node host signs v3 in its legacy envelope)", () => {
    const key = makeKey();
    expect(verifyDeviceSignature(makeInputV3(key))).toMatchObject({ ok: true, payloadVersion: "v3" });
    expect(verifyDeviceSignature(makeInputV3(key, { protocol: 3 }))).toMatchObject({ ok: true, payloadVersion: "v3" });
  });

  test("the platform is bound: a signature for linux is refused when the connect claims darwin", () => {
    const input = makeInputV3(makeKey(), { platform: "linux" });
    expect(verifyDeviceSignature({ ...input, platform: "darwin" })).toEqual(fail("device signature invalid"));
    expect(verifyDeviceSignature({ ...input, deviceFamily: "iPhone" })).toEqual(fail("device signature invalid"));
    // Case and surrounding spaces do not matter, as upstream normalizes both sides.
    expect(verifyDeviceSignature({ ...input, platform: " LINUX" }).ok).toBe(true);
  });

  test("the signed token is covered: a v3 signature over another token is refused", () => {
    const input = makeInputV3(makeKey(), { token: "device-token-1" });
    expect(verifyDeviceSignature(input).ok).toBe(true);
    expect(verifyDeviceSignature({ ...input, token: "device-token-2" })).toEqual(fail("device signature invalid"));
  });
});

describe("v4 connections", () => {
  test("the nonce is required even on loopback, and payload v1 is gone", () => {
    const input = makeInput(makeKey(), { nonce: undefined });
    expect(verifyDeviceSignature({ ...input, isLocal: true, protocol: 3 }).ok).toBe(true);
    expect(verifyDeviceSignature({ ...input, isLocal: true, protocol: 4 })).toEqual(fail("device nonce required"));
  });

  test("a replayed nonce (not this socket's challenge) is refused", () => {
    const input = makeInputV3(makeKey());
    expect(verifyDeviceSignature({ ...input, challengeNonce: "a-later-challenge" })).toEqual(fail("device nonce mismatch"));
  });

  test("clock skew is ±120 s on v4 (±10 min on v3)", () => {
    const input = makeInput(makeKey(), { signedAt: NOW - 120_001 });
    expect(verifyDeviceSignature({ ...input, protocol: 4 })).toEqual(fail("device signature expired"));
    expect(verifyDeviceSignature({ ...input, protocol: 3 }).ok).toBe(true);
    expect(verifyDeviceSignature({ ...makeInput(makeKey(), { signedAt: NOW - 120_000 }), protocol: 4 }).ok).toBe(true);
  });

  test("payload v2 is still accepted (the Control UI signs v2)", () => {
    expect(verifyDeviceSignature({ ...makeInput(makeKey()), protocol: 4 })).toMatchObject({ ok: true, payloadVersion: "v2" });
  });
});
