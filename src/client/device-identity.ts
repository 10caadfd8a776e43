/**
 * The client's Ed25519 device identity (spec §3.4): kept in a JSON file
 * (`~/.openclaw/identity/device.json` upstream) and used to sign the connect request's `device` block.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import { chmodSync, existsSync, readFileSync, renameSync, statSync } from "node:fs";
import {
  buildDeviceAuthPayload,
  deriveDeviceId,
  encodeBase64Url,
  parseDevicePublicKey,
} from "../protocol-shared/device-payload.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";

/** The identity file's content, upstream-compatible. */
export interface DeviceIdentity {
  version: 1;
  /** Lowercase hex SHA-256 of the raw public key. */
  deviceId: string;
  publicKeyPem: string;
  privateKeyPem: string;
  createdAtMs: number;
}

/** Options of `loadOrCreateDeviceIdentity`. */
export interface LoadDeviceIdentityOptions {
  /** Clock for `createdAtMs` and corrupt-file names. Default `Date.now`. */
  now?: () => number;
  /** Told when an unreadable identity file is moved aside and replaced. */
  onWarn?: (message: string) => void;
}

/** What the signature covers besides the identity (spec §3.4); values as they go into ConnectParams. */
export interface SignDeviceAuthInput {
  clientId: string;
  clientMode: string;
  role: string;
  /** The requested scopes exactly as sent (not the server's defaulted list). */
  scopes: readonly string[];
  /** `auth.token` as sent, if any. */
  token: string | undefined;
  /** The `connect.challenge` nonce; omit only for a local v1 signature. */
  nonce?: string;
  /** Signing time; default `Date.now()`. */
  signedAtMs?: number;
}

/** The `device` object of ConnectParams. */
export interface SignedDeviceBlock {
  id: string;
  /** base64url of the raw 32-byte public key. */
  publicKey: string;
  /** base64url Ed25519 signature of the payload. */
  signature: string;
  signedAt: number;
  nonce?: string;
}

/**
 * Loads the identity at `path`, creating it (Ed25519, file mode 0600, parent folders 0700) when missing.
 * A file that does not parse as an identity is renamed to `<path>.corrupt-<ts>` and replaced, which
 * means the device has to pair again. A stale `deviceId` is recomputed from the key and rewritten.
 * Throws when the file cannot be read or written. Not safe against two processes creating it at once.
 */
export function loadOrCreateDeviceIdentity(path: string, options: LoadDeviceIdentityOptions = {}): DeviceIdentity {
  const now = options.now ?? Date.now;
  if (existsSync(path)) {
    const identity = parseIdentity(readFileSync(path, "utf8"));
    if (identity) {
      tightenMode(path);
      const deviceId = deriveIdFromPem(identity.publicKeyPem)!;
      if (deviceId === identity.deviceId) return identity;
      const fixed = { ...identity, deviceId };
      writeIdentity(path, fixed);
      return fixed;
    }
    const aside = `${path}.corrupt-${now()}`;
    renameSync(path, aside);
    options.onWarn?.(`device identity ${path} is unreadable; moved aside to ${aside} and created a new one`);
  }
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const identity: DeviceIdentity = {
    version: 1,
    deviceId: deriveIdFromPem(publicKeyPem)!,
    publicKeyPem,
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    createdAtMs: now(),
  };
  writeIdentity(path, identity);
  return identity;
}

/**
 * Signs the connect request's device block: payload v2 when `nonce` is given, v1 otherwise.
 * Throws if the identity's private key is not a valid Ed25519 PEM. Pure; safe to call concurrently.
 *
 * @example
 * const device = signDeviceAuth(identity, { clientId: "cli", clientMode: "cli", role: "operator",
 *   scopes: ["operator.admin"], token: undefined, nonce: challenge.nonce });
 */
export function signDeviceAuth(identity: DeviceIdentity, input: SignDeviceAuthInput): SignedDeviceBlock {
  const signedAtMs = input.signedAtMs ?? Date.now();
  const publicKeyRaw = parseDevicePublicKey(identity.publicKeyPem);
  if (!publicKeyRaw) throw new Error("device identity has no valid Ed25519 public key");
  const payload = buildDeviceAuthPayload({
    deviceId: identity.deviceId,
    clientId: input.clientId,
    clientMode: input.clientMode,
    role: input.role,
    scopes: input.scopes,
    signedAtMs,
    token: input.token,
    nonce: input.nonce,
  });
  const signature = sign(null, Buffer.from(payload, "utf8"), createPrivateKey(identity.privateKeyPem));
  const block: SignedDeviceBlock = {
    id: identity.deviceId,
    publicKey: encodeBase64Url(publicKeyRaw),
    signature: encodeBase64Url(signature),
    signedAt: signedAtMs,
  };
  if (input.nonce) block.nonce = input.nonce;
  return block;
}

// --- internal ---

function deriveIdFromPem(publicKeyPem: string): string | undefined {
  const raw = parseDevicePublicKey(publicKeyPem);
  return raw ? deriveDeviceId(raw) : undefined;
}

/** Returns the identity when the text holds a version-1 identity whose keys are a usable Ed25519 pair. */
function parseIdentity(text: string): DeviceIdentity | undefined {
  let value: Partial<DeviceIdentity> | undefined;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!value || value.version !== 1 || typeof value.publicKeyPem !== "string") return undefined;
  if (typeof value.privateKeyPem !== "string" || !deriveIdFromPem(value.publicKeyPem)) return undefined;
  try {
    // The private key must belong to the public key, or every signature would be rejected as invalid.
    const derived = createPublicKey(createPrivateKey(value.privateKeyPem)).export({ type: "spki", format: "pem" });
    if (deriveIdFromPem(derived.toString()) !== deriveIdFromPem(value.publicKeyPem)) return undefined;
  } catch {
    return undefined;
  }
  return {
    version: 1,
    deviceId: typeof value.deviceId === "string" ? value.deviceId : "",
    publicKeyPem: value.publicKeyPem,
    privateKeyPem: value.privateKeyPem,
    createdAtMs: typeof value.createdAtMs === "number" ? value.createdAtMs : 0,
  };
}

/** Atomic, durable write so a crash never leaves a half-written private key. */
function writeIdentity(path: string, identity: DeviceIdentity): void {
  try {
    writeFileAtomic(path, `${JSON.stringify(identity, null, 2)}\n`, { mode: 0o600, dirMode: 0o700 });
  } catch (err) {
    throw new Error(`writing device identity ${path}`, { cause: err });
  }
}

/** Best effort: an identity copied in with a loose mode is narrowed to 0600 (no-op on Windows). */
function tightenMode(path: string): void {
  try {
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  } catch {
    // Leave it; reading worked, and a failing chmod must not lock the user out.
  }
}
