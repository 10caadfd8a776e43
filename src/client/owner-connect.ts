/**
 * How the owner's CLI connects to a gateway on this machine: signed with its device identity
 * (`<stateDir>/identity/device.json`) and, once the gateway has handed it a device token, with that token
 * instead of the shared secret. A gateway under a brute-force attack locks out guesses at its shared secret;
 * a paired device proving itself is not such a guess, so the owner keeps working meanwhile.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { connectGateway, type ClientOptions, type GatewayClient, GatewayRequestError } from "./gateway-client.ts";
import { type DeviceIdentity, loadOrCreateDeviceIdentity } from "./device-identity.ts";

/** Where the identity and the device tokens live. */
export interface OwnerConnectPaths {
  /** `<stateDir>/identity/device.json`. */
  identityPath: string;
}

/** One stored device token, per gateway URL. */
interface StoredDeviceToken {
  token: string;
  role: string;
  scopes: string[];
  updatedAtMs: number;
}

/** The token file: `<identity dir>/device-auth.json`, mode 0600. */
interface DeviceAuthFile {
  version: 1;
  deviceId: string;
  gateways: Record<string, StoredDeviceToken>;
}

/**
 * Connects like {@link connectGateway}; for a loopback gateway URL also signs with the device identity and
 * prefers the stored device token. A refused device token (revoked, rotated, another gateway) is dropped and
 * the connect retried once with the shared secret. A device token handed back in `hello-ok.auth` is stored.
 * Remote URLs connect as before (shared secret only), so no pairing request is left on a remote gateway.
 * Identity or token files that cannot be read or written never stop the connect; it falls back to the secret.
 * @throws what {@link connectGateway} throws.
 */
export async function connectAsOwner(opts: ClientOptions, paths: OwnerConnectPaths): Promise<GatewayClient> {
  if (!isLoopbackUrl(opts.url)) return connectGateway(opts);
  let identity: DeviceIdentity;
  try {
    identity = loadOrCreateDeviceIdentity(paths.identityPath);
  } catch {
    return connectGateway(opts);
  }
  const tokenPath = join(dirname(paths.identityPath), "device-auth.json");
  const stored = readStoredToken(tokenPath, identity.deviceId, opts.url);
  let client: GatewayClient;
  if (stored && (opts.role ?? "operator") === stored.role) {
    try {
      client = await connectGateway({ ...opts, device: { identity, token: stored.token } });
    } catch (err) {
      // Only a refused token falls back; an unreachable gateway or a lockout would fail the same way again.
      if (!(err instanceof GatewayRequestError) || !/^unauthorized: (device token|gateway token|gateway password)/.test(err.message)) throw err;
      forgetStoredToken(tokenPath, identity.deviceId, opts.url);
      client = await connectGateway({ ...opts, device: { identity } });
    }
  } else {
    client = await connectGateway({ ...opts, device: { identity } });
  }
  const auth = client.hello.auth;
  if (auth?.deviceToken && auth.deviceToken !== stored?.token) {
    storeToken(tokenPath, identity.deviceId, opts.url, { token: auth.deviceToken, role: auth.role ?? "operator", scopes: auth.scopes ?? [], updatedAtMs: Date.now() });
  }
  return client;
}

/** True for ws(s) URLs whose host is 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === "localhost" || host === "[::1]" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

// --- internal ---

function readFile(path: string, deviceId: string): DeviceAuthFile {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<DeviceAuthFile>;
    // Tokens belong to one identity: a new identity starts from nothing.
    if (parsed.version === 1 && parsed.deviceId === deviceId && parsed.gateways && typeof parsed.gateways === "object") return parsed as DeviceAuthFile;
  } catch {
    // missing or unreadable: start empty
  }
  return { version: 1, deviceId, gateways: {} };
}

function readStoredToken(path: string, deviceId: string, url: string): StoredDeviceToken | undefined {
  const entry = readFile(path, deviceId).gateways[url];
  return entry && typeof entry.token === "string" && entry.token !== "" ? entry : undefined;
}

function storeToken(path: string, deviceId: string, url: string, entry: StoredDeviceToken): void {
  const file = readFile(path, deviceId);
  file.gateways[url] = entry;
  writeBestEffort(path, file);
}

function forgetStoredToken(path: string, deviceId: string, url: string): void {
  const file = readFile(path, deviceId);
  if (!(url in file.gateways)) return;
  delete file.gateways[url];
  writeBestEffort(path, file);
}

/** Atomic write, mode 0600; a failure only means the next connect uses the secret again. */
function writeBestEffort(path: string, value: DeviceAuthFile): void {
  try {
    writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600, dirMode: 0o700 });
  } catch {
    // best effort, see above
  }
}
