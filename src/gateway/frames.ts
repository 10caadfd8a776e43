/**
 * Frame handling on an open socket: the first frame goes to the handshake, later ones are validated,
 * authorized and dispatched to their method handler. One catch per frame turns any throw into an error
 * frame; nothing a client sends can take the gateway down.
 */
import { isGatewayError, toErrorMessage, type GatewayError } from "../errors.ts";
import { checkRequestFrame, checkRequestFrameV4, METHOD_SCOPES, METHOD_SCOPES_V4_CHANGES, NODE_METHODS } from "../protocol/index.ts";
import type { ConnectedClient, GatewaySocket } from "./connections.ts";
import { DEFERRED, type GatewayContext, type MethodContext } from "./context.ts";
import { toGatewayError } from "./error-map.ts";
import { mayReceive } from "./event-audience.ts";
import { HandshakeError, runHandshake, truncateReason } from "./handshake.ts";
import { METHOD_TABLE } from "./methods/index.ts";
import { servesMethod } from "./protocol-version.ts";
import { exceedsPreauthLimit, MAX_PREAUTH_PAYLOAD_BYTES, PREAUTH_TOO_LARGE_CLOSE } from "./preauth.ts";
import { missingScope } from "./scope-check.ts";
import { sendVoiceWakeSnapshot } from "./talk/voicewake.ts";

const NODE_ONLY = new Set(NODE_METHODS);

/** Handles one text frame from a socket. Never throws. */
export async function handleFrame(gw: GatewayContext, ws: GatewaySocket, text: string): Promise<void> {
  if (!ws.data.client && exceedsPreauthLimit(text)) return rejectOversizedPreauth(gw, ws, text);
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    if (!ws.data.client) {
      ws.close(1000, "");
      return;
    }
    gw.logger.child("ws").debug("ignored non-JSON frame", { connId: ws.data.connId, bytes: text.length });
    return;
  }
  if (!ws.data.client) return handleFirstFrame(gw, ws, frame);

  const client = ws.data.client;
  const checked = client.protocol >= 4 ? checkRequestFrameV4(frame) : checkRequestFrame(frame);
  if (!checked.ok) {
    const id = typeof (frame as { id?: unknown })?.id === "string" && (frame as { id: string }).id ? (frame as { id: string }).id : "invalid";
    sendError(gw, ws, id, { code: "INVALID_REQUEST", message: `invalid request frame: ${checked.message}` });
    return;
  }
  const { id, method } = checked.frame;

  if (method === "connect") {
    sendError(gw, ws, id, { code: "INVALID_REQUEST", message: "connect is only valid as the first request" });
    return;
  }
  // v4 clients hide a feature on "unknown method" (whatever scope they hold), so v4 answers it before the
  // scope check; v3 keeps its order (admin-only for unknown names).
  const known = servesMethod(client.protocol, method);
  if (!known && client.protocol >= 4) {
    sendError(gw, ws, id, { code: "INVALID_REQUEST", message: `unknown method: ${method}` });
    return;
  }
  const denied = authorize(client, method, checked.frame.params);
  if (denied) {
    sendError(gw, ws, id, toDeniedError(client, method, denied));
    return;
  }
  const definition = known ? METHOD_TABLE.get(method) : undefined;
  if (!definition) {
    sendError(gw, ws, id, { code: "INVALID_REQUEST", message: `unknown method: ${method}` });
    return;
  }
  const call = definition.prepare(checked.frame.params ?? {});
  if (!call.ok) {
    sendError(gw, ws, id, { code: "INVALID_REQUEST", message: call.message });
    return;
  }
  const started = performance.now();
  // Later responses (two-phase methods) wait until the handler's own answer is on the wire.
  let answered = false;
  const later: Parameters<MethodContext["respondLater"]>[0][] = [];
  const respondLater: MethodContext["respondLater"] = (f) => {
    if (answered) send(gw, ws, { type: "res", id, ...f });
    else later.push(f);
  };
  try {
    const payload = await call.run({ client, connId: ws.data.connId, requestId: id, respondLater }, gw);
    if (payload !== DEFERRED) send(gw, ws, { type: "res", id, ok: true, payload });
  } catch (thrown) {
    const err = toGatewayError(thrown);
    if (!isGatewayError(err)) gw.logger.child("rpc").error(`${method} failed`, { connId: ws.data.connId, error: toErrorMessage(err), stack: (err as Error)?.stack });
    sendError(gw, ws, id, toErrorShape(err));
  } finally {
    answered = true;
    for (const f of later.splice(0)) send(gw, ws, { type: "res", id, ...f });
    gw.metrics.observeRpc(method, (performance.now() - started) / 1000);
  }
}

/**
 * Checks a method against the caller's role and scopes (protocol.md §4).
 * @returns undefined when allowed, else the error message.
 */
export function authorize(client: Pick<ConnectedClient, "role" | "scopes"> & { protocol?: number }, method: string, params?: unknown): string | undefined {
  if (NODE_ONLY.has(method)) return client.role === "node" ? undefined : `unauthorized role: ${client.role}`;
  if (client.role === "node") return "unauthorized role: node";
  // v4 moved some methods to another scope (config reads to read); v3 keeps its table.
  const v4 = (client.protocol ?? 3) >= 4;
  const scope = (v4 && paramsScopeV4(method, params)) || (v4 && METHOD_SCOPES_V4_CHANGES[method]) || METHOD_SCOPES[method];
  // Unknown methods and anything not listed need admin.
  const need = scope === "read" || scope === "write" || scope === "approvals" || scope === "pairing" || scope === "questions" ? scope : "admin";
  const missing = missingScope(client.scopes, need);
  return missing === undefined ? undefined : `missing scope: ${missing}`;
}

/**
 * v4 `sessions.patch` fields that only organize a session (name, sidebar state, the per-session model):
 * `operator.write` may change them; any other field keeps the method admin-only.
 */
const SESSION_ORGANIZE_FIELDS = new Set(["key", "agentId", "expectedSessionId", "expectedMarkedUnreadAt", "label", "autoLabel", "icon", "color", "category", "pinned", "archived", "unread", "model"]);

/** A v4 scope that depends on what a call changes, or undefined for the method's own scope. Pure. */
function paramsScopeV4(method: string, params: unknown): string | undefined {
  if (method !== "sessions.patch" || typeof params !== "object" || params === null || Array.isArray(params)) return undefined;
  return Object.keys(params).every((field) => SESSION_ORGANIZE_FIELDS.has(field)) ? "write" : undefined;
}

/**
 * The refusal of a call `authorize` denied: v3 keeps INVALID_REQUEST; on v4 a missing scope is FORBIDDEN with
 * `details {code: "MISSING_SCOPE", missingScope, requiredScopes}` (protocol-v4.md §1.6).
 */
export function toDeniedError(client: Pick<ConnectedClient, "protocol">, method: string, message: string): ReturnType<typeof toErrorShape> {
  const missing = message.startsWith(MISSING_SCOPE_PREFIX) ? message.slice(MISSING_SCOPE_PREFIX.length) : undefined;
  if (client.protocol < 4 || missing === undefined) return { code: "INVALID_REQUEST", message };
  return { code: "FORBIDDEN", message, details: { code: "MISSING_SCOPE", missingScope: missing, requiredScopes: requiredScopesOf(method, missing) } };
}

const MISSING_SCOPE_PREFIX = "missing scope: ";

/** Scopes any one of which satisfies the method (`operator.admin` always does). */
function requiredScopesOf(method: string, missing: string): string[] {
  const scope = METHOD_SCOPES[method];
  if (scope === "read") return ["operator.read", "operator.write", "operator.admin"];
  return missing === "operator.admin" ? ["operator.admin"] : [missing, "operator.admin"];
}

/** The error shape for anything a handler threw (unknown errors become UNAVAILABLE). */
export function toErrorShape(err: unknown): { code: string; message: string; details?: unknown; retryable?: boolean; retryAfterMs?: number } {
  if (isGatewayError(err)) {
    const e = err as GatewayError;
    return {
      code: e.code,
      message: e.message,
      ...(e.details !== undefined && { details: e.details }),
      ...(e.retryable !== undefined && { retryable: e.retryable }),
      ...(e.retryAfterMs !== undefined && { retryAfterMs: e.retryAfterMs }),
    };
  }
  return { code: "UNAVAILABLE", message: toErrorMessage(err) };
}

// --- internal ---

function handleFirstFrame(gw: GatewayContext, ws: GatewaySocket, frame: unknown): void {
  const checked = checkRequestFrame(frame);
  if (!checked.ok) {
    ws.close(1008, "invalid request frame");
    return;
  }
  const { id, method, params } = checked.frame;
  if (method !== "connect") {
    reject(gw, ws, id, new HandshakeError("INVALID_REQUEST", "invalid handshake: first request must be connect"));
    return;
  }
  try {
    const { hello, client } = runHandshake(gw, ws, params);
    if (ws.data.closed) return;
    clearTimeout(ws.data.handshakeTimer);
    ws.data.client = client;
    gw.metrics.handshakesOk += 1;
    // The snapshot already lists the new client, as the upstream's does.
    const tracked = trackPresence(gw, ws, client);
    // The snapshot's list is read again (now with the new row) where it is serialized, in sendHello.
    if (tracked) (hello.snapshot as { stateVersion: unknown }).stateVersion = gw.stateVersion();
    limitSnapshot(hello.snapshot as { presence: unknown[]; health: unknown }, client);
    sendHello(gw, ws, id, hello, client);
    onConnected(gw, ws, client, tracked);
  } catch (err) {
    if (err instanceof HandshakeError) return reject(gw, ws, id, err);
    gw.logger.child("ws").error("handshake failed", { connId: ws.data.connId, error: toErrorMessage(err), stack: (err as Error)?.stack });
    reject(gw, ws, id, new HandshakeError("UNAVAILABLE", "handshake failed", { closeCode: 1011 }));
  }
}

/** Stand-ins serialized in place of the snapshot's presence and health, then replaced by their cached JSON. */
const PRESENCE_MARK = "\u0000presence\u0000";
const HEALTH_MARK = "\u0000health\u0000";
const METHODS_MARK = "\u0000methods\u0000";
/**
 * Where each stand-in is looked for: with its key and the character before it, which no string value can
 * contain unescaped (a client-chosen id or Host header cannot place a stand-in ahead of the real one).
 */
const METHODS_KEY = '{"methods":';
const PRESENCE_KEY = '{"presence":';
const HEALTH_KEY = ',"health":';
const METHODS_AT = METHODS_KEY + JSON.stringify(METHODS_MARK);
const PRESENCE_AT = PRESENCE_KEY + JSON.stringify(PRESENCE_MARK);
const HEALTH_AT = HEALTH_KEY + JSON.stringify(HEALTH_MARK);
/** The last health snapshot serialized (a snapshot object is replaced, never changed, when health is rebuilt). */
let healthJson: { of: unknown; json: string } | undefined;
/** The advertised method lists serialized (constant arrays, one per protocol version). */
const methodListJson = new WeakMap<object, string>();

/**
 * Sends hello-ok. Its large parts are spliced in as JSON text: the presence list (serialized once per change
 * by Presence), the health snapshot (once per snapshot) and the advertised methods (once per version),
 * instead of serializing them on every connect (~90 % of the frame with a few dozen clients). The rest is
 * serialized with stand-ins, cut at them, and joined with the cached parts (no search through the large ones).
 */
function sendHello(gw: GatewayContext, ws: GatewaySocket, id: string, hello: Record<string, unknown>, client: ConnectedClient): void {
  const snapshot = hello.snapshot as { presence: unknown; health: unknown };
  const { presence, health } = snapshot;
  const presenceJson = mayReceive(client, "presence") ? gw.presence.json() : JSON.stringify(presence);
  let cached = healthJson;
  if (!cached || cached.of !== health) {
    cached = { of: health, json: JSON.stringify(health) };
    healthJson = cached;
  }
  const features = hello.features as { methods: readonly string[] };
  const methods = features.methods;
  let methodsJson = methodListJson.get(methods);
  if (methodsJson === undefined) {
    methodsJson = JSON.stringify(methods);
    methodListJson.set(methods, methodsJson);
  }
  snapshot.presence = PRESENCE_MARK;
  snapshot.health = HEALTH_MARK;
  (features as { methods: unknown }).methods = METHODS_MARK;
  const skeleton = JSON.stringify({ type: "res", id, ok: true, payload: hello });
  snapshot.presence = presence;
  snapshot.health = health;
  features.methods = methods;
  // Key order puts features.methods before snapshot.presence, and presence right before health.
  const m = skeleton.indexOf(METHODS_AT);
  const p = skeleton.indexOf(PRESENCE_AT, m);
  const h = skeleton.indexOf(HEALTH_AT, p);
  if (m < 0 || p < 0 || h < 0) {
    // Not the shape this expects (a field was renamed): serialize the whole frame instead.
    const full = { ...hello, snapshot: { ...snapshot, presence: JSON.parse(presenceJson) as unknown } };
    gw.connections.sendText(ws, JSON.stringify({ type: "res", id, ok: true, payload: full }));
    return;
  }
  const text =
    skeleton.slice(0, m + METHODS_KEY.length) +
    methodsJson +
    skeleton.slice(m + METHODS_AT.length, p + PRESENCE_KEY.length) +
    presenceJson +
    skeleton.slice(p + PRESENCE_AT.length, h + HEALTH_KEY.length) +
    cached.json +
    skeleton.slice(h + HEALTH_AT.length);
  gw.connections.sendText(ws, text);
}

/**
 * The hello-ok snapshot holds what the `presence` and `health` events carry; a client outside their
 * audience (pairing- or approvals-only operators, nodes) gets the gateway's own row and an empty health.
 */
function limitSnapshot(snapshot: { presence: unknown[]; health: unknown }, client: ConnectedClient): void {
  if (!mayReceive(client, "presence")) snapshot.presence = snapshot.presence.slice(0, 1);
  if (!mayReceive(client, "health")) snapshot.health = {};
}

/** Adds a non-CLI client to presence (CLI connects are short-lived calls, not tracked upstream either). */
function trackPresence(gw: GatewayContext, ws: GatewaySocket, client: ConnectedClient): boolean {
  if (client.id === "cli") return false;
  const key = client.deviceId ?? client.instanceId ?? ws.data.connId;
  const host = client.displayName ?? client.id;
  const ip = ws.data.isLocal ? undefined : ws.data.remoteAddress;
  client.presenceKey = key;
  gw.presence.upsert(key, {
    host,
    ip,
    version: client.version,
    platform: client.platform,
    deviceFamily: client.deviceFamily,
    modelIdentifier: client.modelIdentifier,
    mode: client.mode,
    deviceId: client.deviceId,
    roles: [client.role],
    scopes: client.scopes,
    instanceId: client.deviceId ?? client.instanceId,
    reason: "connect",
    text: `Node: ${host}${ip ? ` (${ip})` : ""} · mode ${client.mode}`,
  });
  return true;
}

function onConnected(gw: GatewayContext, ws: GatewaySocket, client: ConnectedClient, tracked: boolean): void {
  // CLI commands connect once per command (`logs --follow` with upstream clients: once per poll); at info they drown the log.
  gw.logger.child("ws").log(client.mode === "cli" ? "debug" : "info", "client connected", { connId: ws.data.connId, client: client.id, mode: client.mode, role: client.role, auth: client.authMethod, protocol: client.protocol });
  if (tracked) gw.schedulePresenceBroadcast();
  if (client.role === "node") gw.nodes.noteConnected(ws);
  if (client.role === "node") sendVoiceWakeSnapshot(gw, ws);
  gw.scheduleHealthRefresh();
}

/** A frame over the pre-auth cap before hello-ok: closed 1009 unparsed, no error frame (upstream sends none either). */
function rejectOversizedPreauth(gw: GatewayContext, ws: GatewaySocket, text: string): void {
  gw.metrics.countHandshakeFailure("PAYLOAD_TOO_LARGE");
  gw.logger.child("ws").debug("pre-auth frame too large", { connId: ws.data.connId, chars: text.length, limitBytes: MAX_PREAUTH_PAYLOAD_BYTES });
  clearTimeout(ws.data.handshakeTimer);
  ws.close(PREAUTH_TOO_LARGE_CLOSE.code, PREAUTH_TOO_LARGE_CLOSE.reason);
}

function reject(gw: GatewayContext, ws: GatewaySocket, id: string, err: HandshakeError): void {
  gw.metrics.countHandshakeFailure(err.code);
  if (!err.silent) sendError(gw, ws, id, toErrorShape(err));
  gw.logger.child("ws").debug("handshake rejected", { connId: ws.data.connId, code: err.code, reason: err.closeReason });
  clearTimeout(ws.data.handshakeTimer);
  ws.close(err.closeCode, truncateReason(err.closeReason));
}

function sendError(gw: GatewayContext, ws: GatewaySocket, id: string, error: ReturnType<typeof toErrorShape>): void {
  gw.metrics.countError(error.code);
  send(gw, ws, { type: "res", id, ok: false, error });
}

function send(gw: GatewayContext, ws: GatewaySocket, frame: unknown): void {
  gw.connections.sendText(ws, JSON.stringify(frame));
}
