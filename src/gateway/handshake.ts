/**
 * The `connect` handshake (protocol.md §3): params, protocol range, role, origin, rate limit, shared secret
 * or device token, device signature and pairing, then `hello-ok`. Every rejection answers with an error
 * frame and closes the socket with the code the spec lists.
 */
import { randomUUID } from "node:crypto";
import { GatewayError } from "../errors.ts";
import { type ConnectParamsV4, checkConnectParams, POLICY } from "../protocol/index.ts";
import { sessionDefaults } from "./agents/agents-view.ts";
import { type AuthFailure, checkSharedSecret, describeAuthFailure, describeLockout } from "./auth.ts";
import { canvasHostUrl } from "./canvas/canvas.ts";
import type { ConnectedClient, GatewaySocket } from "./connections.ts";
import type { GatewayContext } from "./context.ts";
import { verifyDeviceSignature } from "./device-auth.ts";
import { requestNodeDevicePairing } from "./nodes/node-pair.ts";
import { devicelessV4Scopes } from "./preauth.ts";
import {
  ADVERTISED_EVENTS_V3,
  ADVERTISED_EVENTS_V4,
  ADVERTISED_METHODS_V3,
  ADVERTISED_METHODS_V4,
  claimsWorkerIdentity,
  negotiateProtocol,
  protocolMismatchDetails,
  type ProtocolVersion,
  SERVER_CAPABILITIES_V4,
} from "./protocol-version.ts";

type ConnectParams = ConnectParamsV4;

/** A handshake rejection: the error frame plus how to close. */
export class HandshakeError extends GatewayError {
  readonly closeCode: number;
  readonly closeReason: string;
  /** Close without answering the connect request (worker claims on the main socket). */
  readonly silent: boolean;
  constructor(
    code: GatewayError["code"],
    message: string,
    opts: { closeCode?: number; closeReason?: string; details?: unknown; retryable?: boolean; retryAfterMs?: number; silent?: boolean } = {},
  ) {
    super(code, message, opts);
    this.name = "HandshakeError";
    this.closeCode = opts.closeCode ?? 1008;
    this.closeReason = truncateReason(opts.closeReason ?? message);
    this.silent = opts.silent === true;
  }
}

const BROWSER_CLIENTS = new Set(["openclaw-control-ui", "webchat-ui", "webchat"]);

/** v3 methods and events this gateway implements, in the upstream's advertised order. */
export const ADVERTISED_METHODS = ADVERTISED_METHODS_V3;
/** v3 events this gateway emits. */
export const ADVERTISED_EVENTS = ADVERTISED_EVENTS_V3;

const EVENTS_V4: ReadonlySet<string> = new Set(ADVERTISED_EVENTS_V4);

/**
 * Runs the handshake for a socket's first `connect` request.
 * @returns the hello-ok payload and the authenticated client.
 * @throws HandshakeError for every rejection.
 */
export function runHandshake(gw: GatewayContext, ws: GatewaySocket, rawParams: unknown): { hello: Record<string, unknown>; client: ConnectedClient } {
  if (claimsWorkerIdentity(rawParams)) throw new HandshakeError("INVALID_REQUEST", "invalid-handshake", { silent: true });
  const checked = checkConnectParams(rawParams);
  if (!checked.ok) throw new HandshakeError("INVALID_REQUEST", checked.message);
  const p = checked.params;

  const protocol = negotiateProtocol(p.minProtocol, p.maxProtocol);
  if (protocol === undefined) {
    throw new HandshakeError("INVALID_REQUEST", "protocol mismatch", { closeCode: 1002, details: protocolMismatchDetails(p.minProtocol, p.maxProtocol) });
  }
  const role = p.role ?? "operator";
  if (role !== "operator" && role !== "node") throw new HandshakeError("INVALID_REQUEST", "invalid role");

  checkOrigin(gw, ws, p.client.id, protocol);

  const requestedScopes = p.scopes ?? [];
  // A v4 operator without a device identity keeps no self-declared scopes outside the local trust paths.
  const deviceless = role === "operator" && protocol >= 4 && !p.device;
  const scopes = role === "node" ? [] : deviceless ? devicelessV4Scopes(ws, p.client, requestedScopes) : requestedScopes.length > 0 ? [...new Set(requestedScopes)] : ["operator.admin"];
  const authMethod = authenticate(gw, ws, p, role, requestedScopes, scopes, protocol);

  let deviceId: string | undefined;
  let deviceAuth: Record<string, unknown> | undefined;
  if (p.device) {
    deviceId = checkDevice(gw, ws, p, role, requestedScopes, scopes, protocol);
    deviceAuth = { ...gw.devices.issueToken(deviceId, role, scopes) };
  } else if (p.client.id === "openclaw-control-ui" && !ws.data.isLocal && !gw.config.gateway?.controlUi?.allowInsecureAuth && !gw.config.gateway?.controlUi?.dangerouslyDisableDeviceAuth) {
    throw new HandshakeError("INVALID_REQUEST", "control ui requires HTTPS or localhost (secure context)", {
      details: withV4Details(protocol, undefined, { code: "CONTROL_UI_DEVICE_IDENTITY_REQUIRED" }),
    });
  }

  const client: ConnectedClient = {
    id: p.client.id,
    mode: p.client.mode,
    version: p.client.version,
    platform: p.client.platform,
    displayName: p.client.displayName,
    deviceFamily: p.client.deviceFamily,
    modelIdentifier: p.client.modelIdentifier,
    instanceId: p.client.instanceId,
    role,
    scopes,
    caps: p.caps ?? [],
    ...(role === "node" && {
      // Unsigned nodes (shared secret only) are named by instanceId, else by their connection.
      nodeId: deviceId ?? p.client.instanceId ?? ws.data.connId,
      commands: p.commands ?? [],
      permissions: p.permissions,
      pathEnv: p.pathEnv,
    }),
    connectedAtMs: Date.now(),
    deviceId,
    authMethod,
    protocol,
    ...(protocol >= 4 && { events: EVENTS_V4 }),
  };

  if (protocol >= 4) return { hello: buildHelloV4(gw, ws, client, deviceAuth), client };
  const hello: Record<string, unknown> = {
    type: "hello-ok",
    protocol,
    server: { version: gw.version, ...(process.env.GIT_COMMIT && { commit: process.env.GIT_COMMIT }), host: gw.presence.selfHost, connId: ws.data.connId },
    features: { methods: ADVERTISED_METHODS, events: ADVERTISED_EVENTS },
    snapshot: {
      presence: gw.presence.list(),
      health: gw.health.snapshot ?? {},
      stateVersion: gw.stateVersion(),
      uptimeMs: Date.now() - gw.startedAt,
      configPath: gw.loaded.path,
      stateDir: gw.stateDir,
      sessionDefaults: sessionDefaults(gw.config),
    },
    ...(gw.canvas && { canvasHostUrl: canvasHostUrl(gw, ws, role) }),
    ...(deviceAuth && { auth: deviceAuth }),
    policy: { ...POLICY },
  };
  return { hello, client };
}

/**
 * The v4 hello (protocol-v4.md §1.4, §4 step 3): `auth` always (clients gate their actions on its scopes),
 * only implemented methods, events and capabilities, no canvas or plugin surface promises.
 */
function buildHelloV4(gw: GatewayContext, ws: GatewaySocket, client: ConnectedClient, deviceAuth: Record<string, unknown> | undefined): Record<string, unknown> {
  return {
    type: "hello-ok",
    protocol: 4,
    server: { version: gw.version, bootId: bootIdOf(gw), connId: ws.data.connId },
    features: { methods: ADVERTISED_METHODS_V4, events: ADVERTISED_EVENTS_V4, capabilities: SERVER_CAPABILITIES_V4 },
    snapshot: {
      presence: gw.presence.list(),
      health: gw.health.snapshot ?? {},
      stateVersion: gw.stateVersion(),
      uptimeMs: Date.now() - gw.startedAt,
      ...(client.scopes.includes("operator.admin") && { configPath: gw.loaded.path, stateDir: gw.stateDir }),
      sessionDefaults: sessionDefaults(gw.config),
    },
    auth: {
      method: client.authMethod,
      role: client.role,
      scopes: [...client.scopes],
      ...(deviceAuth && { deviceToken: deviceAuth.deviceToken, issuedAtMs: deviceAuth.issuedAtMs }),
    },
    policy: { ...POLICY, attachments: ATTACHMENT_POLICY },
  };
}

/**
 * Per-attachment ceilings (decoded bytes) that fit in one request frame: base64 grows data by 4/3 and the
 * rest of the frame is given 256 KiB, the rule upstream uses for its own limit.
 */
const ATTACHMENT_MAX_BYTES = Math.max(1, Math.floor(((POLICY.maxPayload - 262_144) * 3) / 4));
const ATTACHMENT_POLICY = { maxBytes: ATTACHMENT_MAX_BYTES, maxImageBytes: Math.min(ATTACHMENT_MAX_BYTES, 6_291_456) };

const BOOT_IDS = new WeakMap<GatewayContext, string>();
/** A random id per gateway run: v4 clients compare it across reconnects to notice a restart. */
function bootIdOf(gw: GatewayContext): string {
  let id = BOOT_IDS.get(gw);
  if (!id) BOOT_IDS.set(gw, (id = randomUUID()));
  return id;
}

/** Cuts a close reason to the 123 bytes a close frame allows (the spec keeps ≤120). */
export function truncateReason(text: string): string {
  const buf = Buffer.from(text);
  if (buf.length <= 120) return text;
  return buf.subarray(0, 120).toString("utf8").replace(/\uFFFD+$/, "");
}

// --- internal ---

function checkOrigin(gw: GatewayContext, ws: GatewaySocket, clientId: string, protocol: ProtocolVersion): void {
  const origin = ws.data.origin;
  const browserClient = BROWSER_CLIENTS.has(clientId);
  // Any socket that carries an Origin comes from a web page; it is held to the same rule whatever
  // client.id it claims, so a foreign page cannot pose as the CLI.
  if (!origin && !browserClient) return;
  const allowed = gw.config.gateway?.controlUi?.allowedOrigins ?? [];
  if (origin && (allowed.includes(origin) || allowed.includes("*") || isSameOrigin(origin, ws.data.host))) return;
  throw new HandshakeError("INVALID_REQUEST", `origin not allowed (open the Control UI from the gateway host or add it to gateway.controlUi.allowedOrigins)`, {
    details: withV4Details(protocol, undefined, { code: "CONTROL_UI_ORIGIN_NOT_ALLOWED", reason: origin ? "origin-not-allowed" : "origin-missing" }),
  });
}

/**
 * Handshake error details: v3 keeps what it always carried (`base`, e.g. a pairing requestId); v4 clients also
 * get `code` (and, for auth failures, `recommendedNextStep`) to decide whether to retry (protocol-v4.md §1.6).
 */
function withV4Details(protocol: ProtocolVersion, base: Record<string, unknown> | undefined, v4: Record<string, unknown>): Record<string, unknown> | undefined {
  return protocol >= 4 ? { ...base, ...v4 } : base;
}

/** Upstream's advice for each shared-secret / device-token failure. */
const AUTH_FAILURE_CODES: Record<AuthFailure | "device_token_mismatch", [code: string, next: string]> = {
  token_missing: ["AUTH_TOKEN_MISSING", "update_auth_configuration"],
  token_missing_config: ["AUTH_TOKEN_NOT_CONFIGURED", "update_auth_configuration"],
  password_missing: ["AUTH_PASSWORD_MISSING", "update_auth_configuration"],
  password_missing_config: ["AUTH_PASSWORD_NOT_CONFIGURED", "update_auth_configuration"],
  token_mismatch: ["AUTH_TOKEN_MISMATCH", "update_auth_credentials"],
  password_mismatch: ["AUTH_PASSWORD_MISMATCH", "update_auth_credentials"],
  device_token_mismatch: ["AUTH_DEVICE_TOKEN_MISMATCH", "update_auth_credentials"],
};

/** The token a device signs: `auth.token`, else `auth.deviceToken`, else `auth.bootstrapToken` (upstream's order). */
function signedTokenOf(p: ConnectParams): string | undefined {
  return p.auth?.token ?? p.auth?.deviceToken ?? p.auth?.bootstrapToken;
}

function verifyDevice(ws: GatewaySocket, p: ConnectParams, role: string, requestedScopes: string[], protocol: ProtocolVersion) {
  return verifyDeviceSignature({
    device: p.device as NonNullable<ConnectParams["device"]>,
    clientId: p.client.id,
    clientMode: p.client.mode,
    role,
    scopes: requestedScopes,
    token: signedTokenOf(p),
    platform: p.client.platform,
    deviceFamily: p.client.deviceFamily,
    challengeNonce: ws.data.nonce,
    isLocal: ws.data.isLocal,
    protocol,
    nowMs: Date.now(),
  });
}

function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

function authenticate(
  gw: GatewayContext,
  ws: GatewaySocket,
  p: ConnectParams,
  role: string,
  requestedScopes: string[],
  scopes: string[],
  protocol: ProtocolVersion,
): ConnectedClient["authMethod"] {
  const sent = p.auth;
  const address = ws.data.remoteAddress;
  // A device token travels in auth.deviceToken (v4 clients) or auth.token (v3 clients); it only counts
  // together with a signed device identity. A paired device proving itself this way is not a guess at the
  // shared secret, so it is checked before (and is not refused by) the shared-secret lockout: the owner's
  // CLI keeps working while someone guesses.
  const deviceTokens = [sent?.deviceToken, sent?.token].filter((t): t is string => typeof t === "string" && t !== "");
  if (p.device && deviceTokens.length > 0) {
    const device = verifyDevice(ws, p, role, requestedScopes, protocol);
    if (device.ok && deviceTokens.some((t) => gw.devices.verifyToken(device.deviceId, role, scopes, t))) return "device-token";
  }

  const wait = gw.rateLimiter.retryAfter(address, "shared-secret");
  if (wait > 0) {
    throw new HandshakeError("INVALID_REQUEST", describeLockout(wait), {
      retryable: true,
      retryAfterMs: wait,
      details: withV4Details(protocol, undefined, { code: "AUTH_RATE_LIMITED", authReason: "rate_limited", canRetryWithDeviceToken: false, recommendedNextStep: "wait_then_retry" }),
    });
  }
  const shared = checkSharedSecret(gw.settings.auth, sent);
  if (shared.ok) {
    gw.rateLimiter.recordSuccess(address, "shared-secret");
    return gw.settings.auth.mode;
  }

  if (!sent?.token && !sent?.password && !sent?.deviceToken && !p.device) {
    throw new HandshakeError("NOT_PAIRED", "device identity required", { details: withV4Details(protocol, undefined, { code: "DEVICE_IDENTITY_REQUIRED" }) });
  }
  // Only a device token was offered, and it did not prove anything: say so rather than "token missing".
  const reason = sent?.deviceToken && !sent.token && !sent.password ? "device_token_mismatch" : shared.reason;
  const lockout = gw.rateLimiter.recordFailure(address, "shared-secret");
  gw.logger.child("ws").warn("auth failed", { connId: ws.data.connId, reason, client: p.client.id, remote: ws.data.remoteAddress, ...(lockout > 0 && { lockedOutMs: lockout }) });
  const message = reason === "device_token_mismatch" ? "unauthorized: device token mismatch (rotate/reissue device token)" : describeAuthFailure(reason, p.client.id);
  const [code, next] = AUTH_FAILURE_CODES[reason];
  // A paired device that sent a stale shared token may retry with its device token (upstream's hint).
  const canRetryWithDeviceToken = reason === "token_mismatch" && p.device !== undefined && !sent?.password && !sent?.deviceToken;
  throw new HandshakeError("INVALID_REQUEST", message, {
    details: withV4Details(protocol, undefined, {
      code,
      authReason: reason,
      canRetryWithDeviceToken,
      recommendedNextStep: canRetryWithDeviceToken ? "retry_with_device_token" : next,
    }),
  });
}

function checkDevice(
  gw: GatewayContext,
  ws: GatewaySocket,
  p: ConnectParams,
  role: string,
  requestedScopes: string[],
  scopes: string[],
  protocol: ProtocolVersion,
): string {
  const device = p.device as NonNullable<ConnectParams["device"]>;
  const verified = verifyDevice(ws, p, role, requestedScopes, protocol);
  if (!verified.ok) {
    throw new HandshakeError("INVALID_REQUEST", verified.message, { details: withV4Details(protocol, undefined, { code: verified.code, reason: verified.message }) });
  }
  const deviceId = verified.deviceId;
  // A node is approved for the commands it declares now, not for what a request once said.
  const declared = role === "node" ? [...new Set(p.commands ?? [])] : undefined;
  if (gw.devices.isApprovedFor(deviceId, role, scopes, declared)) return deviceId;
  const request = {
    deviceId,
    publicKey: device.publicKey,
    displayName: p.client.displayName,
    platform: p.client.platform,
    clientId: p.client.id,
    clientMode: p.client.mode,
    role,
    scopes,
    ...(declared && { commands: declared, caps: p.caps ?? [] }),
    remoteIp: ws.data.isLocal ? undefined : ws.data.remoteAddress,
  };
  if (ws.data.isLocal) {
    gw.devices.approveLocal(request);
    return deviceId;
  }
  if (role === "node") {
    // One request in the device store, approvable by device.pair.approve or node.pair.approve.
    const pendingNode = requestNodeDevicePairing(gw, request);
    // A node keeps retrying while the request waits (v4 node hosts otherwise pause until restarted by hand).
    throw new HandshakeError("NOT_PAIRED", "pairing required", {
      details: withV4Details(protocol, { requestId: pendingNode.requestId }, { code: "PAIRING_REQUIRED", reason: "not-paired", recommendedNextStep: "wait_then_retry", retryable: true, pauseReconnect: false }),
    });
  }
  const pending = gw.devices.requestPairing(request);
  gw.connections.broadcast("device.pair.requested", pending, { scope: "operator.pairing" });
  throw new HandshakeError("NOT_PAIRED", "pairing required", { details: pairingDetails(protocol, pending.requestId) });
}

function pairingDetails(protocol: ProtocolVersion, requestId: string): Record<string, unknown> | undefined {
  return withV4Details(protocol, { requestId }, { code: "PAIRING_REQUIRED", reason: "not-paired" });
}
