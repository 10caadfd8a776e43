/**
 * Verification of the `device` block of a connect request (spec §3.4, protocol-v4.md §1.9): key → id binding,
 * clock skew, challenge nonce, Ed25519 signature over payload v3, v2 or (local v3 connections only) v1.
 * Pure: no I/O, no store lookups; pairing is decided by the caller.
 */
import { createPublicKey, verify } from "node:crypto";
import {
  buildDeviceAuthPayload,
  buildDeviceAuthPayloadV3,
  decodeBase64Url,
  deriveDeviceId,
  parseDevicePublicKey,
  toEd25519Spki,
} from "../protocol-shared/device-payload.ts";

/** Re-exported from `protocol-shared/device-payload` so gateway code and tests have one import site. */
export { buildDeviceAuthPayload, buildDeviceAuthPayloadV3, deriveDeviceId };

/** Maximum allowed |now − signedAt| in milliseconds on a v3 connection (spec §3.4). */
export const DEVICE_SIGNATURE_MAX_SKEW_MS = 600_000;
/** Maximum allowed |now − signedAt| on a v4 connection (upstream's DEVICE_SIGNATURE_SKEW_MS). */
export const DEVICE_SIGNATURE_MAX_SKEW_MS_V4 = 120_000;

/** The signed device block (v3 and v4 connect share its shape). */
export interface DeviceBlock {
  id: string;
  publicKey: string;
  signature: string;
  signedAt: number;
  nonce?: string;
}

/** Everything `verifyDeviceSignature` needs; `scopes` and `token` are the values as sent, not defaulted. */
export interface VerifyDeviceSignatureInput {
  device: DeviceBlock;
  clientId: string;
  clientMode: string;
  role: string;
  scopes: readonly string[];
  /** The signed token: `auth.token ?? auth.deviceToken ?? auth.bootstrapToken` as sent. */
  token: string | undefined;
  /** `client.platform` and `client.deviceFamily` as sent (covered by payload v3). */
  platform?: string;
  deviceFamily?: string;
  /** Nonce of the `connect.challenge` event sent on this socket. */
  challengeNonce: string;
  /** Loopback connection without proxy headers: may sign payload v1 without a nonce (v3 connections only). */
  isLocal: boolean;
  /** The negotiated protocol version; v4 requires the nonce, drops payload v1 and narrows the skew. Default 3. */
  protocol?: number;
  nowMs: number;
}

/** Which payload a valid signature covered. */
export type DevicePayloadVersion = "v3" | "v2" | "v1";

/** `details.code` of a device failure (v4 clients read it to decide whether to retry). */
export type DeviceAuthFailureCode =
  | "DEVICE_AUTH_DEVICE_ID_MISMATCH"
  | "DEVICE_AUTH_SIGNATURE_EXPIRED"
  | "DEVICE_AUTH_NONCE_REQUIRED"
  | "DEVICE_AUTH_NONCE_MISMATCH"
  | "DEVICE_AUTH_SIGNATURE_INVALID";

/** Outcome of `verifyDeviceSignature`; `message` is the exact protocol text for the error frame and close reason. */
export type VerifyDeviceSignatureResult =
  | { ok: true; deviceId: string; publicKeyRaw: Uint8Array; payloadVersion: DevicePayloadVersion }
  | { ok: false; message: string; code: DeviceAuthFailureCode };

/**
 * Checks a connect request's device block, in the upstream order: identity, expiry, nonce, signature.
 * Returns `{ ok: false, message, code }` with one of "device identity mismatch", "device signature expired",
 * "device nonce required", "device nonce mismatch", "device signature invalid". Never throws; pure,
 * so safe to call concurrently.
 */
export function verifyDeviceSignature(input: VerifyDeviceSignatureInput): VerifyDeviceSignatureResult {
  const { device } = input;
  const v4 = (input.protocol ?? 3) >= 4;
  // An unparseable key cannot hash to the claimed id either, so it reports as an identity mismatch.
  const publicKeyRaw = typeof device.publicKey === "string" ? parseDevicePublicKey(device.publicKey) : undefined;
  if (!publicKeyRaw || deriveDeviceId(publicKeyRaw) !== device.id) {
    return { ok: false, message: "device identity mismatch", code: "DEVICE_AUTH_DEVICE_ID_MISMATCH" };
  }
  const skew = v4 ? DEVICE_SIGNATURE_MAX_SKEW_MS_V4 : DEVICE_SIGNATURE_MAX_SKEW_MS;
  // NaN compares false with everything, so a non-finite signedAt must be rejected explicitly.
  if (!Number.isFinite(device.signedAt) || Math.abs(input.nowMs - device.signedAt) > skew) {
    return { ok: false, message: "device signature expired", code: "DEVICE_AUTH_SIGNATURE_EXPIRED" };
  }
  const nonce = device.nonce || undefined;
  // v4 requires the challenge nonce on every device connect: without it a captured signature could be replayed.
  if (!nonce && (v4 || !input.isLocal)) return { ok: false, message: "device nonce required", code: "DEVICE_AUTH_NONCE_REQUIRED" };
  if (nonce && nonce !== input.challengeNonce) return { ok: false, message: "device nonce mismatch", code: "DEVICE_AUTH_NONCE_MISMATCH" };

  const base = {
    deviceId: device.id,
    clientId: input.clientId,
    clientMode: input.clientMode,
    role: input.role,
    scopes: input.scopes,
    signedAtMs: device.signedAt,
    token: input.token,
  };
  const candidates: [DevicePayloadVersion, string][] = nonce
    ? [
        ["v3", buildDeviceAuthPayloadV3({ ...base, nonce, platform: input.platform, deviceFamily: input.deviceFamily })],
        ["v2", buildDeviceAuthPayload({ ...base, nonce })],
      ]
    : [["v1", buildDeviceAuthPayload(base)]];
  for (const [version, payload] of candidates) {
    if (checkEd25519Signature(publicKeyRaw, payload, device.signature)) return { ok: true, deviceId: device.id, publicKeyRaw, payloadVersion: version };
  }
  return { ok: false, message: "device signature invalid", code: "DEVICE_AUTH_SIGNATURE_INVALID" };
}

// --- internal ---

function checkEd25519Signature(publicKeyRaw: Uint8Array, payload: string, signature: unknown): boolean {
  if (typeof signature !== "string") return false;
  const sig = decodeBase64Url(signature);
  if (!sig || sig.length !== 64) return false;
  try {
    const key = createPublicKey({ key: toEd25519Spki(publicKeyRaw), format: "der", type: "spki" });
    return verify(null, Buffer.from(payload, "utf8"), key, sig);
  } catch {
    return false;
  }
}
