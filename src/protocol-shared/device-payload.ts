/**
 * Device identity wire format shared by the gateway (verifier) and the client (signer), spec §3.4:
 * the signed payload string, base64url helpers, Ed25519 public key parsing and the device id derivation.
 * Pure functions, no I/O; safe to call concurrently. Imports nothing from `gateway` or `client`.
 */
import { createHash, createPublicKey } from "node:crypto";

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it (RFC 8410). */
const ED25519_SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

/** Length in bytes of a raw Ed25519 public key. */
export const ED25519_PUBLIC_KEY_LENGTH = 32;

/** Fields covered by the device signature (spec §3.4). `scopes` are the requested scopes as sent. */
export interface DeviceAuthPayloadInput {
  deviceId: string;
  clientId: string;
  clientMode: string;
  role: string;
  scopes: readonly string[];
  signedAtMs: number;
  /** `connect.params.auth.token` as sent; `undefined` signs as the empty string. */
  token?: string | undefined;
  /** The `connect.challenge` nonce; present → payload v2, absent or empty → payload v1 (local only). */
  nonce?: string | undefined;
}

/**
 * Builds the UTF-8 string a device signs: v2 when a nonce is given, else v1.
 *
 * @example
 * buildDeviceAuthPayload({ deviceId, clientId: "cli", clientMode: "cli", role: "operator",
 *   scopes: ["operator.admin"], signedAtMs: 1700000000000, token: undefined, nonce: "n-1" });
 * // "v2|<deviceId>|cli|cli|operator|operator.admin|1700000000000||n-1"
 */
export function buildDeviceAuthPayload(input: DeviceAuthPayloadInput): string {
  const base = signedFields(input);
  return input.nonce ? ["v2", ...base, input.nonce].join("|") : ["v1", ...base].join("|");
}

/** The fields every payload version signs, in order, after its version tag. */
function signedFields(input: DeviceAuthPayloadInput): string[] {
  return [input.deviceId, input.clientId, input.clientMode, input.role, input.scopes.join(","), String(input.signedAtMs), input.token ?? ""];
}

/** Fields of signature payload v3: the v2 fields plus the client's platform and device family. */
export interface DeviceAuthPayloadV3Input extends DeviceAuthPayloadInput {
  nonce: string;
  platform?: string | undefined;
  deviceFamily?: string | undefined;
}

/**
 * Builds signature payload v3 (protocol-v4.md §1.9), signed by today's TUI and node host:
 * `v3|deviceId|clientId|clientMode|role|scopes|signedAtMs|token|nonce|platform|deviceFamily`, where platform
 * and deviceFamily are trimmed and ASCII-lowercased ("" when absent). Binding them means a signature made
 * for one platform cannot be replayed under another.
 * @example
 * buildDeviceAuthPayloadV3({ deviceId, clientId: "node-host", clientMode: "node", role: "node", scopes: [],
 *   signedAtMs: 1700000000000, token: "tok", nonce: "n-1", platform: "Linux", deviceFamily: undefined });
 * // "v3|<deviceId>|node-host|node|node||1700000000000|tok|n-1|linux|"
 */
export function buildDeviceAuthPayloadV3(input: DeviceAuthPayloadV3Input): string {
  return [
    "v3",
    ...signedFields(input),
    input.nonce,
    normalizeDeviceMetadata(input.platform),
    normalizeDeviceMetadata(input.deviceFamily),
  ].join("|");
}

/** Trims and lowercases ASCII A–Z only (other characters are kept as they are), as payload v3 wants. */
export function normalizeDeviceMetadata(value: string | undefined): string {
  return (value ?? "").trim().replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/** Encodes bytes as unpadded base64url. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
}

/**
 * Decodes base64url (standard base64 alphabet and `=` padding tolerated). Returns `undefined` for
 * any character outside the alphabet, instead of silently skipping it like `Buffer.from` does.
 */
export function decodeBase64Url(text: string): Uint8Array | undefined {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9_\-+/]*={0,2}$/.test(trimmed) || trimmed.replace(/=+$/, "").length % 4 === 1) return undefined;
  return new Uint8Array(Buffer.from(trimmed.replace(/=+$/, ""), "base64url"));
}

/** Returns the lowercase hex SHA-256 of a raw public key: the device id (spec §3.4). */
export function deriveDeviceId(publicKeyRaw: Uint8Array): string {
  return createHash("sha256").update(publicKeyRaw).digest("hex");
}

/**
 * Parses a device public key given as base64url of the raw 32 bytes or as a PEM SPKI block.
 * Returns the raw 32-byte key, or `undefined` when the text is not an Ed25519 public key. Never throws.
 */
export function parseDevicePublicKey(publicKey: string): Uint8Array | undefined {
  if (publicKey.includes("-----BEGIN")) {
    try {
      const key = createPublicKey(publicKey);
      if (key.asymmetricKeyType !== "ed25519") return undefined;
      const der = new Uint8Array(key.export({ format: "der", type: "spki" }));
      return der.subarray(der.length - ED25519_PUBLIC_KEY_LENGTH);
    } catch {
      return undefined;
    }
  }
  const raw = decodeBase64Url(publicKey);
  return raw?.length === ED25519_PUBLIC_KEY_LENGTH ? raw : undefined;
}

/** Wraps a raw 32-byte Ed25519 public key in SPKI DER, the form `node:crypto` imports with `format: "der"`. */
export function toEd25519Spki(publicKeyRaw: Uint8Array): Buffer {
  return Buffer.concat([ED25519_SPKI_PREFIX, publicKeyRaw]);
}
