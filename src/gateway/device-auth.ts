/**
 * Verification of the `device` block of a connect request (spec §3.4): key → id binding, clock skew,
 * challenge nonce, Ed25519 signature. Pure: no I/O, no store lookups; pairing is decided by the caller.
 */
import { createPublicKey, verify } from "node:crypto";
import type { ConnectDevice } from "../protocol/index.ts";
import {
  buildDeviceAuthPayload,
  decodeBase64Url,
  deriveDeviceId,
  parseDevicePublicKey,
  toEd25519Spki,
} from "../protocol-shared/device-payload.ts";

/** Re-exported from `protocol-shared/device-payload` so gateway code and tests have one import site. */
export { buildDeviceAuthPayload, deriveDeviceId };

/** Maximum allowed |now − signedAt| in milliseconds (spec §3.4). */
export const DEVICE_SIGNATURE_MAX_SKEW_MS = 600_000;

/** Everything `verifyDeviceSignature` needs; `scopes` and `token` are the values as sent, not defaulted. */
export interface VerifyDeviceSignatureInput {
  device: ConnectDevice;
  clientId: string;
  clientMode: string;
  role: string;
  scopes: readonly string[];
  /** `connect.params.auth.token` as sent. */
  token: string | undefined;
  /** Nonce of the `connect.challenge` event sent on this socket. */
  challengeNonce: string;
  /** Loopback connection without proxy headers: may sign payload v1 without a nonce. */
  isLocal: boolean;
  nowMs: number;
}

/** Outcome of `verifyDeviceSignature`; `message` is the exact protocol text for the error frame and close reason. */
export type VerifyDeviceSignatureResult =
  | { ok: true; deviceId: string; publicKeyRaw: Uint8Array }
  | { ok: false; message: string };

/**
 * Checks a connect request's device block, in the upstream order: identity, expiry, nonce, signature.
 * Returns `{ ok: false, message }` with one of "device identity mismatch", "device signature expired",
 * "device nonce required", "device nonce mismatch", "device signature invalid". Never throws; pure,
 * so safe to call concurrently.
 */
export function verifyDeviceSignature(input: VerifyDeviceSignatureInput): VerifyDeviceSignatureResult {
  const { device } = input;
  // An unparseable key cannot hash to the claimed id either, so it reports as an identity mismatch.
  const publicKeyRaw = typeof device.publicKey === "string" ? parseDevicePublicKey(device.publicKey) : undefined;
  if (!publicKeyRaw || deriveDeviceId(publicKeyRaw) !== device.id) {
    return { ok: false, message: "device identity mismatch" };
  }
  // NaN compares false with everything, so a non-finite signedAt must be rejected explicitly.
  if (!Number.isFinite(device.signedAt) || Math.abs(input.nowMs - device.signedAt) > DEVICE_SIGNATURE_MAX_SKEW_MS) {
    return { ok: false, message: "device signature expired" };
  }
  const nonce = device.nonce || undefined;
  if (!nonce && !input.isLocal) return { ok: false, message: "device nonce required" };
  if (nonce && nonce !== input.challengeNonce) return { ok: false, message: "device nonce mismatch" };

  const payload = buildDeviceAuthPayload({
    deviceId: device.id,
    clientId: input.clientId,
    clientMode: input.clientMode,
    role: input.role,
    scopes: input.scopes,
    signedAtMs: device.signedAt,
    token: input.token,
    nonce,
  });
  if (!checkEd25519Signature(publicKeyRaw, payload, device.signature)) {
    return { ok: false, message: "device signature invalid" };
  }
  return { ok: true, deviceId: device.id, publicKeyRaw };
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
