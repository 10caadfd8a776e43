/**
 * The registry of open sockets and the broadcaster: a `seq` per connection, per-client scope filters
 * (every event by the table in event-audience.ts), and slow-consumer handling (drop droppable events,
 * close the client on anything else).
 */
import type { ServerWebSocket } from "bun";
import { POLICY } from "../protocol/index.ts";
import { mayReceive } from "./event-audience.ts";
import { grantsScope } from "./scope-check.ts";

/** What the gateway knows about one socket. */
export interface ConnectionData {
  connId: string;
  remoteAddress: string;
  /** True for loopback peers with no proxy headers. */
  isLocal: boolean;
  origin?: string;
  host?: string;
  nonce: string;
  openedAt: number;
  /** Set once `connect` succeeded. */
  client?: ConnectedClient;
  handshakeTimer?: ReturnType<typeof setTimeout>;
  /** A canvas live-reload socket, not a protocol client. */
  canvas?: boolean;
  closed: boolean;
  /** Work pending for this socket's requests (e.g. `agent.wait`), aborted when the socket leaves the registry. */
  abortOnClose?: Set<AbortController>;
  /** The `seq` of the last broadcast event sent to this socket: per connection, contiguous from 1. */
  eventSeq?: number;
  /** Set when the socket is to be closed once what is buffered for it has gone out (slow consumers). */
  closeWhenDrained?: { code: number; reason: string; timer: ReturnType<typeof setTimeout> };
}

/** An authenticated client. */
export interface ConnectedClient {
  id: string;
  mode: string;
  version: string;
  platform: string;
  displayName?: string;
  deviceFamily?: string;
  modelIdentifier?: string;
  instanceId?: string;
  role: "operator" | "node";
  scopes: string[];
  caps: string[];
  deviceId?: string;
  presenceKey?: string;
  authMethod: "token" | "password" | "device-token";
  /** Role node: the node's id (device id, else instanceId, else connId). */
  nodeId?: string;
  /** Role node: commands the node declared (the allowlist is applied where they are used). */
  commands?: string[];
  /** Role node: permission claims. */
  permissions?: Record<string, boolean>;
  /** Role node: the node's PATH. */
  pathEnv?: string;
  /** When the handshake completed (ms epoch). */
  connectedAtMs?: number;
  /** The protocol version negotiated for this connection. */
  protocol: 3 | 4;
  /**
   * v4: the events this connection is sent (its `features.events`); other broadcasts skip it. Unset on v3,
   * whose clients keep receiving every broadcast their scopes allow.
   */
  events?: ReadonlySet<string>;
}

/** A gateway socket. */
export type GatewaySocket = ServerWebSocket<ConnectionData>;

/** A payload already serialized as JSON: broadcast splices it into the frame as is. */
export class RawJson {
  constructor(readonly json: string) {}
}

/** Options of one broadcast. */
export interface BroadcastOptions {
  /** Skip clients that are behind instead of closing them (tick, presence, heartbeat). */
  dropIfSlow?: boolean;
  stateVersion?: { presence: number; health: number };
  /** Only clients holding this scope (admin always passes). */
  scope?: string;
  /** Only clients with this role (agent and chat events go to operators, never to nodes). */
  role?: "operator" | "node";
  /** Only these connections (subscribers of a v4 subscription event). */
  connIds?: ReadonlySet<string>;
  /** The payload v4 connections get instead, when the versions differ (e.g. chat deltas with `deltaText`). */
  v4Payload?: unknown;
}

/** Sockets by connId, plus broadcast. */
export class Connections {
  private readonly sockets = new Map<string, GatewaySocket>();
  private seq = 0;
  /** Frames handed to sockets so far (for metrics). */
  framesSent = 0;
  /** Called when a client is closed for being too slow (metrics, logs). */
  onSlowConsumer?: (ws: GatewaySocket) => void;

  add(ws: GatewaySocket): void {
    this.sockets.set(ws.data.connId, ws);
  }

  /** The open socket with this connId, if any. */
  byId(connId: string): GatewaySocket | undefined {
    return this.sockets.get(connId);
  }

  /** Forgets a socket (closed, or being closed as a slow consumer) and aborts its pending work. */
  remove(ws: GatewaySocket): void {
    this.sockets.delete(ws.data.connId);
    const pending = ws.data.abortOnClose;
    ws.data.abortOnClose = undefined;
    for (const controller of pending ?? []) controller.abort();
  }

  /** Number of open sockets (authenticated or not). */
  get size(): number {
    return this.sockets.size;
  }

  /** Authenticated sockets. */
  *clients(): Iterable<GatewaySocket> {
    for (const ws of this.sockets.values()) if (ws.data.client && !ws.data.closed) yield ws;
  }

  /** True when an open authenticated socket carries presence key `key` (keys compare case-insensitively). */
  holdsPresenceKey(key: string): boolean {
    const k = key.toLowerCase();
    for (const ws of this.clients()) if (ws.data.client?.presenceKey?.toLowerCase() === k) return true;
    return false;
  }

  /** Every open socket, authenticated or not. */
  all(): Iterable<GatewaySocket> {
    return this.sockets.values();
  }

  /** How many broadcasts have been made (each connection numbers the ones it receives itself). */
  get lastSeq(): number {
    return this.seq;
  }

  /**
   * Sends an event to every authenticated client allowed to see it ({@link mayReceive}, the connection's
   * version's event list, then `opts`). Each connection gets its own `seq`, contiguous from 1: a client
   * filtered out of an event, or skipped as slow for a droppable one, sees no gap (v4 clients reconnect on
   * any gap). The frame is serialized once; per client only the seq is spliced in. Never throws.
   * @returns how many broadcasts have been made, this one included.
   */
  broadcast(event: string, payload: unknown, opts: BroadcastOptions = {}): number {
    this.seq += 1;
    let head: string | undefined;
    let headV4: string | undefined;
    let tail = "}";
    for (const ws of this.sockets.values()) {
      const client = ws.data.client;
      if (!client || ws.data.closed) continue;
      if ((client.events && !client.events.has(event)) || !mayReceive(client, event)) continue;
      if (opts.scope && !hasScope(client, opts.scope)) continue;
      if (opts.role && client.role !== opts.role) continue;
      if (opts.connIds && !opts.connIds.has(ws.data.connId)) continue;
      if (head === undefined) {
        // `{"type":"event","event":…,"payload":…` + `,"seq":N` + `[,"stateVersion":…]}`: the key order of before.
        head = payload instanceof RawJson ? `{"type":"event","event":${JSON.stringify(event)},"payload":${payload.json}` : JSON.stringify({ type: "event", event, payload }).slice(0, -1);
        if (opts.stateVersion) tail = `,"stateVersion":${JSON.stringify(opts.stateVersion)}}`;
      }
      let h = head;
      if (opts.v4Payload !== undefined && client.protocol >= 4) {
        headV4 ??= JSON.stringify({ type: "event", event, payload: opts.v4Payload }).slice(0, -1);
        h = headV4;
      }
      const seq = (ws.data.eventSeq ?? 0) + 1;
      if (this.sendText(ws, `${h},"seq":${seq}${tail}`, opts.dropIfSlow === true)) ws.data.eventSeq = seq;
    }
    return this.seq;
  }

  /**
   * Sends a frame to one socket, enforcing the buffered-bytes policy.
   * @returns false when the frame was not sent (dropped or the client was closed).
   */
  sendText(ws: GatewaySocket, text: string, dropIfSlow = false): boolean {
    if (ws.data.closed) return false;
    if (ws.getBufferedAmount() > POLICY.maxBufferedBytes) {
      if (dropIfSlow) return false;
      this.closeSlow(ws);
      return false;
    }
    const sent = ws.send(text);
    this.framesSent += 1;
    if (sent === 0) {
      // 0 = dropped by the runtime (connection closing or backpressure limit hit)
      this.closeSlow(ws);
      return false;
    }
    return true;
  }

  /**
   * Closes every authenticated client for which `pred` is true (e.g. sessions that authenticated with a
   * token that was just revoked). Further frames to them are dropped at once. @returns how many were closed.
   */
  closeWhere(pred: (client: ConnectedClient) => boolean, code: number, reason: string): number {
    let n = 0;
    for (const ws of [...this.clients()]) {
      if (!pred(ws.data.client as ConnectedClient)) continue;
      ws.data.closed = true;
      n += 1;
      closeNow(ws, code, reason);
    }
    return n;
  }

  /**
   * Closes a slow consumer the way clients expect: nothing new is sent, what is already buffered goes out
   * first, then the 1008 close frame. Closing at once would put the close frame behind a buffer the peer
   * is not reading, and the runtime drops both when the close handshake times out (the peer sees EOF).
   * A peer that has not read it all within {@link SLOW_CONSUMER_DRAIN_MS} is cut off.
   */
  private closeSlow(ws: GatewaySocket): void {
    if (ws.data.closed) return;
    ws.data.closed = true;
    this.remove(ws);
    this.onSlowConsumer?.(ws);
    if (ws.getBufferedAmount() === 0) return closeNow(ws, 1008, "slow consumer");
    const timer = setTimeout(() => {
      ws.data.closeWhenDrained = undefined;
      try {
        ws.terminate();
      } catch {
        // already gone
      }
    }, SLOW_CONSUMER_DRAIN_MS);
    ws.data.closeWhenDrained = { code: 1008, reason: "slow consumer", timer };
  }
}

/** How long a slow consumer has to read what was buffered for it before it is cut off without a close frame. */
export const SLOW_CONSUMER_DRAIN_MS = 30_000;

/**
 * The `drain` handler's part: once a socket marked {@link ConnectionData.closeWhenDrained} has nothing
 * buffered, it gets its close frame.
 */
export function onDrain(ws: GatewaySocket): void {
  const pending = ws.data.closeWhenDrained;
  if (!pending || ws.getBufferedAmount() > 0) return;
  clearTimeout(pending.timer);
  ws.data.closeWhenDrained = undefined;
  closeNow(ws, pending.code, pending.reason);
}

/** Forgets a pending close (the socket closed some other way). */
export function forgetPendingClose(ws: GatewaySocket): void {
  if (ws.data.closeWhenDrained) clearTimeout(ws.data.closeWhenDrained.timer);
  ws.data.closeWhenDrained = undefined;
}

function closeNow(ws: GatewaySocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // already gone
  }
}

/** True when the client holds `scope` (operator.admin holds every operator scope). */
export function hasScope(client: ConnectedClient, scope: string): boolean {
  return grantsScope(client.scopes, scope);
}
