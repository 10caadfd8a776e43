/**
 * Limits of the pre-authentication phase of a WebSocket (between the upgrade and hello-ok), and the
 * least-privilege rule for v4 operators that connect without a device identity (protocol-v4.md §1.3, §1.8).
 *
 * - A frame over 64 KiB before the handshake completed is not parsed: the socket closes 1009.
 * - A socket that sends no `connect` within the handshake timeout (15 s, `OPENCLAW_HANDSHAKE_TIMEOUT_MS`
 *   can change it) is closed.
 * - A device-less v4 operator keeps no self-declared scopes unless it is one of the local trust paths.
 */
import type { GatewaySocket } from "./connections.ts";

/** The largest frame accepted before hello-ok, in bytes (upstream `MAX_PREAUTH_PAYLOAD_BYTES`). */
export const MAX_PREAUTH_PAYLOAD_BYTES = 65_536;
/** Close code and reason for an oversized pre-auth frame (1009: message too big). */
export const PREAUTH_TOO_LARGE_CLOSE = { code: 1009, reason: "preauth payload too large" } as const;

/** @returns true when `text` is more than {@link MAX_PREAUTH_PAYLOAD_BYTES} UTF-8 bytes. Pure. */
export function exceedsPreauthLimit(text: string): boolean {
  // UTF-8 takes 1 to 3 bytes per UTF-16 unit: only the middle range needs counting.
  if (text.length > MAX_PREAUTH_PAYLOAD_BYTES) return true;
  if (text.length * 3 <= MAX_PREAUTH_PAYLOAD_BYTES) return false;
  return Buffer.byteLength(text, "utf8") > MAX_PREAUTH_PAYLOAD_BYTES;
}

/** The handshake timeout when nothing overrides it (upstream's pre-auth timeout since protocol v4). */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 15_000;
/** The range `OPENCLAW_HANDSHAKE_TIMEOUT_MS` may take, in ms. */
export const HANDSHAKE_TIMEOUT_BOUNDS = { min: 1_000, max: 600_000 } as const;
/** The environment variable that overrides the handshake timeout. */
export const HANDSHAKE_TIMEOUT_ENV = "OPENCLAW_HANDSHAKE_TIMEOUT_MS";

/**
 * The handshake timeout from the environment: `OPENCLAW_HANDSHAKE_TIMEOUT_MS` when it is a whole number of
 * ms within {@link HANDSHAKE_TIMEOUT_BOUNDS}, else the default (and `warn` says which value was ignored and why).
 */
export function resolveHandshakeTimeoutMs(env: Record<string, string | undefined>, warn: (message: string) => void): number {
  const raw = env[HANDSHAKE_TIMEOUT_ENV];
  if (raw === undefined || raw.trim() === "") return DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const text = raw.trim();
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  const { min, max } = HANDSHAKE_TIMEOUT_BOUNDS;
  if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  warn(`${HANDSHAKE_TIMEOUT_ENV}=${JSON.stringify(shown)} ignored: expected a whole number of milliseconds from ${min} to ${max}; using the default ${DEFAULT_HANDSHAKE_TIMEOUT_MS} ms`);
  return DEFAULT_HANDSHAKE_TIMEOUT_MS;
}

/**
 * The client id / mode pairs that keep the scopes they ask for without a device identity, and only on a
 * direct loopback connection: the local CLI and the gateway's own backend helper (internal control-plane
 * calls). Anything else, including these ids from another host or through a proxy, gets no scopes.
 */
const LOCAL_TRUSTED_CLIENTS: readonly (readonly [id: string, mode: string])[] = [
  ["cli", "cli"],
  ["gateway-client", "backend"],
];

/**
 * The scopes a v4 operator without a device identity gets (after shared-secret auth succeeded): what it
 * asked for on a local trust path (nothing asked, nothing granted), else none, so scope-gated methods
 * answer `missing scope`. v3 connections and signed devices never come here.
 */
export function devicelessV4Scopes(ws: Pick<GatewaySocket, "data">, client: { id: string; mode: string }, requested: readonly string[]): string[] {
  const trusted = ws.data.isLocal && LOCAL_TRUSTED_CLIENTS.some(([id, mode]) => client.id === id && client.mode === mode);
  return trusted ? [...new Set(requested)] : [];
}
