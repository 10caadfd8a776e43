import { describe, expect, test } from "bun:test";
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadOrCreateDeviceIdentity, signDeviceAuth } from "../../src/client/device-identity.ts";
import {
  buildDeviceAuthPayload,
  deriveDeviceId,
  type VerifyDeviceSignatureInput,
  verifyDeviceSignature,
} from "../../src/gateway/device-auth.ts";

const NOW = 1_700_000_000_000;
const fail = (message: string) => ({ ok: false, message }) as const;
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
    expect(result).toEqual({ ok: true, deviceId: key.id, publicKeyRaw: key.raw });
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
