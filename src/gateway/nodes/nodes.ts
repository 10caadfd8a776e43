/**
 * The node registry: which nodes exist (paired in the device store for role `node`, remembered in the node
 * pairing store, or connected right now), what they can do, and the calls in flight to them. `node.invoke`
 * sends a targeted `node.invoke.request` event to the node's socket and waits for its `node.invoke.result`,
 * a timeout, or the node going away, whichever comes first.
 */
import { randomUUID } from "node:crypto";
import type { OpenClawConfig } from "../../config/schema.ts";
import { GatewayError } from "../../errors.ts";
import type { Logger } from "../../logging/logger.ts";
import type { NodeInvokeParams } from "../../protocol/generated/types.ts";
import { checkA2uiInvoke } from "../canvas/a2ui-check.ts";
import type { NodePairingStore, NodeRecord } from "../../store/node-pairing.ts";
import type { ConnectedClient, Connections, GatewaySocket } from "../connections.ts";
import type { DeviceStore, PairedDeviceSummary } from "../devices/devices.ts";
import { resolveNodeCommandPolicy, type NodeCommandPolicy } from "./node-commands.ts";
import { TtlCache } from "../../util/ttl-cache.ts";
import { grantsScope } from "../scope-check.ts";

/** `node.invoke` waits this long when the caller gives no timeoutMs. */
export const DEFAULT_NODE_INVOKE_TIMEOUT_MS = 30_000;
/** Upper bound of `node.invoke` timeoutMs (10 minutes). */
export const MAX_NODE_INVOKE_TIMEOUT_MS = 600_000;
/** Completed invokes are replayed for the same idempotencyKey this long (protocol.md §1). */
const IDEMPOTENCY_TTL_MS = 5 * 60_000;
const IDEMPOTENCY_MAX = 1000;

/** One node as `node.list` / `node.describe` return it: the stored record plus live state. */
export type NodeInfo = Omit<NodeRecord, "renamed" | "createdAtMs"> & {
  paired: boolean;
  connected: boolean;
  connectedAtMs?: number;
};

/** The `node.invoke` ok payload. */
export interface NodeInvokeResult {
  ok: true;
  nodeId: string;
  command: string;
  payload?: unknown;
  payloadJSON?: string;
}

/** A `node.event` as delivered to listeners. */
export interface NodeEvent {
  nodeId: string;
  event: string;
  payload?: unknown;
  ts: number;
}

/** Constructor options of {@link NodeRegistry}. */
export interface NodeRegistryOptions {
  connections: Connections;
  devices: DeviceStore;
  pairing: NodePairingStore;
  /** The live config (the command allowlist is read on every use). */
  config: () => OpenClawConfig;
  logger: Logger;
}

interface PendingInvoke {
  nodeId: string;
  connId: string;
  command: string;
  resolve: (result: NodeInvokeResult) => void;
  reject: (err: GatewayError) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Connected nodes (read from the connection table, so nothing to keep in sync), paired nodes, and invokes in
 * flight. Safe for concurrent use: all state changes are synchronous; `invoke` only awaits the node's answer.
 */
export class NodeRegistry {
  readonly #opts: NodeRegistryOptions;
  readonly #pending = new Map<string, PendingInvoke>();
  readonly #idempotent = new TtlCache<string, Promise<NodeInvokeResult>>({ ttlMs: IDEMPOTENCY_TTL_MS, maxEntries: IDEMPOTENCY_MAX });
  readonly #listeners = new Set<(event: NodeEvent) => void>();

  constructor(opts: NodeRegistryOptions) {
    this.#opts = opts;
  }

  /** The command allowlist in effect now. */
  commandPolicy(): NodeCommandPolicy {
    return resolveNodeCommandPolicy(this.#opts.config());
  }

  /** Every node that is paired or connected: connected first, then by name. */
  list(): NodeInfo[] {
    const live = this.#connected();
    const devices = this.#pairedDevices();
    const records = new Map(this.#opts.pairing.listNodes().map((r) => [r.nodeId, r]));
    const ids = new Set([...live.keys(), ...devices.keys()]);
    const policy = this.commandPolicy();
    return [...ids]
      .map((id) => toNodeInfo(id, live.get(id), records.get(id), devices.get(id), policy))
      .sort((a, b) => Number(b.connected) - Number(a.connected) || (a.displayName ?? a.nodeId).localeCompare(b.displayName ?? b.nodeId));
  }

  /** One node, or undefined when it is neither paired nor connected. */
  describe(nodeId: string): NodeInfo | undefined {
    const live = this.#connected().get(nodeId);
    const device = this.#pairedDevices().get(nodeId);
    if (!live && !device) return undefined;
    return toNodeInfo(nodeId, live, this.#opts.pairing.getNode(nodeId), device, this.commandPolicy());
  }

  /**
   * Invokes `command` on a connected node and waits for its answer.
   * @throws GatewayError UNAVAILABLE when the node is not connected, times out, disconnects mid-call or
   *   answers with an error; INVALID_REQUEST when the command is not allowed, the node does not declare it, or
   *   a `canvas.a2ui.push`/`pushJSONL` carries invalid A2UI (then nothing is sent).
   *   Concurrent calls with the same idempotencyKey share one invoke; a successful one is replayed for 5 min.
   */
  invoke(input: NodeInvokeParams): Promise<NodeInvokeResult> {
    const key = `${input.nodeId}\u0000${input.command}\u0000${input.idempotencyKey}`;
    const cached = this.#idempotent.get(key);
    if (cached) return cached;
    // A failed invoke is forgotten, so a retry runs again.
    return this.#idempotent.set(key, this.#invoke(input));
  }

  /**
   * Takes a node's `node.invoke.result`. Answers for calls that already ended (timeout, disconnect) or that
   * were never sent to this node are ignored: `{ok: true, ignored: true}`.
   * @throws GatewayError INVALID_REQUEST when `nodeId` is not the caller's.
   */
  acceptResult(client: ConnectedClient, params: { id: string; nodeId: string; ok: boolean; payload?: unknown; payloadJSON?: string; error?: { code?: string; message?: string } }): { ok: true; ignored?: true } {
    if (params.nodeId !== client.nodeId) throw new GatewayError("INVALID_REQUEST", "nodeId mismatch");
    const pending = this.#pending.get(params.id);
    if (!pending || pending.nodeId !== client.nodeId) return { ok: true, ignored: true };
    this.#settle(params.id);
    if (params.ok) {
      const payload = params.payload !== undefined ? params.payload : parseJson(params.payloadJSON);
      pending.resolve(dropUndefined({ ok: true as const, nodeId: pending.nodeId, command: pending.command, payload, payloadJSON: params.payloadJSON }));
    } else {
      const message = params.error?.message || "node invoke failed";
      pending.reject(new GatewayError("UNAVAILABLE", message, { details: { nodeId: pending.nodeId, command: pending.command, nodeError: params.error ?? {} } }));
    }
    return { ok: true };
  }

  /** Takes a node's `node.event` and hands it to the listeners. */
  acceptEvent(client: ConnectedClient, params: { event: string; payload?: unknown; payloadJSON?: string }): { ok: true } {
    const event: NodeEvent = dropUndefined({
      nodeId: client.nodeId ?? "",
      event: params.event,
      payload: params.payload !== undefined ? params.payload : parseJson(params.payloadJSON),
      ts: Date.now(),
    });
    this.#opts.logger.child("nodes").debug("node event", { nodeId: event.nodeId, event: event.event });
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        this.#opts.logger.child("nodes").error("node event listener failed", { event: event.event, error: String(err) });
      }
    }
    return { ok: true };
  }

  /** Subscribes to `node.event`s. @returns the unsubscribe function. */
  onEvent(listener: (event: NodeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Records what a paired node reported on connect, so `node.list` can show it while it is offline. */
  noteConnected(ws: GatewaySocket): void {
    const client = ws.data.client;
    if (client?.role !== "node" || !client.nodeId || !this.#opts.devices.isApprovedFor(client.nodeId, "node", [])) return;
    try {
      this.#record(ws, client);
    } catch (err) {
      // A state DB hiccup must not fail the connect; the live entry still lists the node.
      this.#opts.logger.child("nodes").warn("could not record node connect", { nodeId: client.nodeId, error: String(err) });
    }
  }

  /** Ends every invoke sent over this connection: the node went away mid-call. */
  noteDisconnected(connId: string): void {
    for (const [id, p] of this.#pending) {
      if (p.connId !== connId) continue;
      this.#settle(id);
      p.reject(new GatewayError("UNAVAILABLE", `node disconnected during invoke (${p.command})`, { retryable: true, details: { nodeId: p.nodeId, command: p.command } }));
    }
  }

  /** Fails every invoke in flight (gateway stopping). */
  close(): void {
    for (const [id, p] of this.#pending) {
      this.#settle(id);
      p.reject(new GatewayError("UNAVAILABLE", "gateway stopping", { retryable: true }));
    }
    this.#idempotent.clear();
  }

  // --- internal ---

  #record(ws: GatewaySocket, client: ConnectedClient): void {
    this.#opts.pairing.noteConnected(client.nodeId as string, {
      displayName: client.displayName,
      platform: client.platform,
      version: client.version,
      deviceFamily: client.deviceFamily,
      modelIdentifier: client.modelIdentifier,
      remoteIp: ws.data.isLocal ? undefined : ws.data.remoteAddress,
      caps: client.caps,
      commands: client.commands ?? [],
      permissions: client.permissions,
      pathEnv: client.pathEnv,
    });
  }

  #invoke(input: NodeInvokeParams): Promise<NodeInvokeResult> {
    try {
      checkA2uiInvoke(input.command, input.params);
    } catch (err) {
      return Promise.reject(err);
    }
    const conn = this.#connected().get(input.nodeId);
    if (!conn) {
      return Promise.reject(new GatewayError("UNAVAILABLE", `node not connected: ${input.nodeId}`, { details: { nodeId: input.nodeId } }));
    }
    const policy = this.commandPolicy();
    if (!policy.allows(input.command)) {
      return Promise.reject(new GatewayError("INVALID_REQUEST", `node command not allowed: ${input.command}`, { details: { reason: "command not in gateway.nodes allowlist" } }));
    }
    if (!(conn.client.commands ?? []).includes(input.command)) {
      return Promise.reject(new GatewayError("INVALID_REQUEST", `node command not allowed: ${input.command}`, { details: { reason: "node did not declare this command" } }));
    }
    const timeoutMs = Math.min(Math.max(input.timeoutMs ?? DEFAULT_NODE_INVOKE_TIMEOUT_MS, 1), MAX_NODE_INVOKE_TIMEOUT_MS);
    const id = randomUUID();
    return new Promise<NodeInvokeResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.#settle(id)) return;
        reject(new GatewayError("UNAVAILABLE", `node invoke timed out after ${timeoutMs} ms (${input.command})`, { retryable: true, details: { nodeId: input.nodeId, command: input.command, timeoutMs } }));
      }, timeoutMs);
      this.#pending.set(id, { nodeId: input.nodeId, connId: conn.ws.data.connId, command: input.command, resolve, reject, timer });
      const payload = dropUndefined({
        id,
        nodeId: input.nodeId,
        command: input.command,
        paramsJSON: input.params === undefined ? undefined : JSON.stringify(input.params),
        timeoutMs,
        idempotencyKey: input.idempotencyKey,
      });
      // Targeted event: only this node, no seq (protocol.md §5.1).
      const sent = this.#opts.connections.sendText(conn.ws, JSON.stringify({ type: "event", event: "node.invoke.request", payload }));
      if (!sent && this.#settle(id)) {
        reject(new GatewayError("UNAVAILABLE", `node unreachable: ${input.nodeId}`, { retryable: true, details: { nodeId: input.nodeId } }));
      }
    });
  }

  /** Forgets a pending invoke. @returns false when it had already ended. */
  #settle(id: string): boolean {
    const p = this.#pending.get(id);
    if (!p) return false;
    clearTimeout(p.timer);
    this.#pending.delete(id);
    return true;
  }

  /** Connected nodes by nodeId; with several sockets for one node, the newest wins. */
  #connected(): Map<string, { ws: GatewaySocket; client: ConnectedClient }> {
    const out = new Map<string, { ws: GatewaySocket; client: ConnectedClient }>();
    for (const ws of this.#opts.connections.clients()) {
      const client = ws.data.client as ConnectedClient;
      if (client.role !== "node" || !client.nodeId) continue;
      const prev = out.get(client.nodeId);
      if (!prev || (prev.client.connectedAtMs ?? 0) <= (client.connectedAtMs ?? 0)) out.set(client.nodeId, { ws, client });
    }
    return out;
  }

  #pairedDevices(): Map<string, PairedDeviceSummary> {
    return new Map(
      this.#opts.devices
        .listPairing()
        .paired.filter((d) => d.roles.includes("node"))
        .map((d) => [d.deviceId, d]),
    );
  }
}

/** True when `client` holds every scope (admin holds all operator scopes). */
export function holdsScopes(client: Pick<ConnectedClient, "scopes">, scopes: readonly string[]): boolean {
  return scopes.every((s) => grantsScope(client.scopes, s));
}

// --- helpers ---

function toNodeInfo(
  nodeId: string,
  live: { ws: GatewaySocket; client: ConnectedClient } | undefined,
  record: NodeRecord | undefined,
  device: PairedDeviceSummary | undefined,
  policy: NodeCommandPolicy,
): NodeInfo {
  const c = live?.client;
  return dropUndefined({
    nodeId,
    displayName: record?.renamed ? record.displayName : (c?.displayName ?? record?.displayName ?? device?.displayName),
    platform: c?.platform ?? record?.platform ?? device?.platform,
    version: c?.version ?? record?.version,
    coreVersion: record?.coreVersion,
    uiVersion: record?.uiVersion,
    deviceFamily: c?.deviceFamily ?? record?.deviceFamily,
    modelIdentifier: c?.modelIdentifier ?? record?.modelIdentifier,
    remoteIp: live ? (live.ws.data.isLocal ? undefined : live.ws.data.remoteAddress) : record?.remoteIp,
    caps: [...(c?.caps ?? record?.caps ?? [])],
    commands: policy.filter(c?.commands ?? record?.commands ?? []),
    permissions: c?.permissions ?? record?.permissions,
    pathEnv: c?.pathEnv ?? record?.pathEnv,
    paired: device !== undefined,
    connected: live !== undefined,
    connectedAtMs: c?.connectedAtMs,
    approvedAtMs: record?.approvedAtMs ?? device?.approvedAtMs,
    lastConnectedAtMs: record?.lastConnectedAtMs,
  });
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
