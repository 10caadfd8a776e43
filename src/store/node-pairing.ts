/**
 * Node pairing state (protocol.md §6 `node.pair.*`): pending node pairing requests, which expire after five
 * minutes, and what the gateway remembers about each node it approved (metadata, operator-given name, last
 * connect). Lives in the state DB (`<stateDir>/state.db`), one table each ({@link NODE_PAIRING_SCHEMA}).
 *
 * Node tokens are not kept here: a node's token is its device token for role `node` (the gateway's device
 * store), so rotating or revoking it goes through one place.
 *
 * All methods are synchronous; bun:sqlite serializes them, so concurrent callers are safe.
 */
import type { Database } from "bun:sqlite";
import { randomUUID } from "node:crypto";
import type { SchemaPart } from "./migrate.ts";
import { openStateDb, type StateDb, stateDbPath } from "./state-db.ts";

/** Pending node pairing requests older than this are dropped (5 minutes). */
export const NODE_PAIRING_TTL_MS = 5 * 60_000;

/** What a node (or an operator on its behalf) says about itself when asking to pair. */
export interface NodePairingInput {
  nodeId: string;
  /** base64url Ed25519 key, when the request came from a signed WebSocket connect. */
  publicKey?: string;
  displayName?: string;
  platform?: string;
  version?: string;
  coreVersion?: string;
  uiVersion?: string;
  deviceFamily?: string;
  modelIdentifier?: string;
  caps?: string[];
  /** Commands the node declares (before the gateway's allowlist). */
  commands?: string[];
  permissions?: Record<string, boolean>;
  remoteIp?: string;
  silent?: boolean;
}

/** A pending request; also the payload of `node.pair.requested`. */
export interface PendingNodeRequest extends NodePairingInput {
  requestId: string;
  caps: string[];
  commands: string[];
  /** The node is already paired and asks again (new key, new commands). */
  isRepair: boolean;
  ts: number;
}

/** What the gateway keeps about a paired node between connects. */
export interface NodeRecord {
  nodeId: string;
  displayName?: string;
  /** True once an operator renamed the node: later connects keep that name. */
  renamed?: boolean;
  platform?: string;
  version?: string;
  coreVersion?: string;
  uiVersion?: string;
  deviceFamily?: string;
  modelIdentifier?: string;
  remoteIp?: string;
  caps: string[];
  /** Declared commands as last seen (the allowlist is applied when read). */
  commands: string[];
  permissions?: Record<string, boolean>;
  pathEnv?: string;
  createdAtMs: number;
  approvedAtMs?: number;
  lastConnectedAtMs?: number;
}

/** The node pairing part of the state DB schema. Version 1 adopts the tables of files from before `schema_version`. */
export const NODE_PAIRING_SCHEMA: SchemaPart = {
  name: "node-pairing",
  migrations: [
    {
      version: 1,
      up: `CREATE TABLE IF NOT EXISTS node_pairing_pending (request_id TEXT PRIMARY KEY, node_id TEXT NOT NULL, ts INTEGER NOT NULL, body TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS node_pairing_pending_node ON node_pairing_pending(node_id);
        CREATE TABLE IF NOT EXISTS node_records (node_id TEXT PRIMARY KEY, updated_at INTEGER NOT NULL, body TEXT NOT NULL);`,
    },
  ],
};

/** Options of {@link openNodePairingStore}. */
export interface NodePairingStoreOptions {
  /** Clock, injectable for tests. Default `Date.now`. */
  now?: () => number;
  /** The store closes the state DB in {@link NodePairingStore.close} (default: its owner does). */
  owned?: boolean;
}

/**
 * Opens `<stateDir>/state.db` (`":memory:"` for tests) for a node pairing store that is its only user;
 * closing the store closes the file. The gateway builds its store on the shared state DB instead.
 * @throws when the database cannot be opened.
 */
export function openNodePairingStore(stateDir: string, opts: NodePairingStoreOptions = {}): NodePairingStore {
  return new NodePairingStore(openStateDb(stateDir === ":memory:" ? ":memory:" : stateDbPath(stateDir)), { ...opts, owned: true });
}

/** Pending node pairing requests and paired-node records. */
export class NodePairingStore {
  readonly #stateDb: StateDb;
  readonly #db: Database;
  readonly #now: () => number;
  readonly #owned: boolean;
  #closed = false;

  constructor(stateDb: StateDb, opts: NodePairingStoreOptions = {}) {
    this.#stateDb = stateDb;
    this.#db = stateDb.db;
    this.#now = opts.now ?? Date.now;
    this.#owned = opts.owned ?? false;
  }

  /**
   * Records a pairing request. A live request of the same node is updated in place (same requestId, fresh
   * metadata, expiry restarted), so callers may broadcast `node.pair.requested` every time.
   * @returns the request and whether it is new.
   */
  request(input: NodePairingInput, opts: { isRepair?: boolean } = {}): { request: PendingNodeRequest; created: boolean } {
    return this.#db.transaction(() => {
      this.#prune();
      const existing = this.#pendingOfNode(input.nodeId);
      const request: PendingNodeRequest = dropUndefined({
        ...existing,
        ...dropUndefined(input),
        requestId: existing?.requestId ?? randomUUID(),
        caps: input.caps ?? existing?.caps ?? [],
        commands: input.commands ?? existing?.commands ?? [],
        isRepair: opts.isRepair ?? existing?.isRepair ?? false,
        ts: this.#now(),
      });
      this.#db
        .query("INSERT OR REPLACE INTO node_pairing_pending (request_id, node_id, ts, body) VALUES (?, ?, ?, ?)")
        .run(request.requestId, request.nodeId, request.ts, JSON.stringify(request));
      return { request, created: existing === undefined };
    })();
  }

  /** Live pending requests, newest first. */
  listPending(): PendingNodeRequest[] {
    const rows = this.#db.query("SELECT body FROM node_pairing_pending WHERE ts > ? ORDER BY ts DESC, request_id").all(this.#cutoff()) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as PendingNodeRequest);
  }

  /** The live request with `requestId`, or undefined (unknown or expired). */
  getPending(requestId: string): PendingNodeRequest | undefined {
    const row = this.#db.query("SELECT body FROM node_pairing_pending WHERE request_id = ? AND ts > ?").get(requestId, this.#cutoff()) as { body: string } | null;
    return row ? (JSON.parse(row.body) as PendingNodeRequest) : undefined;
  }

  /**
   * Approves a live request: drops it and merges its metadata into the node's record (creating it).
   * @returns the request and the record, or undefined when the id is unknown or expired.
   */
  approve(requestId: string): { request: PendingNodeRequest; node: NodeRecord } | undefined {
    return this.#db.transaction(() => {
      const request = this.#take(requestId);
      if (!request) return undefined;
      const { requestId: _r, isRepair: _i, silent: _s, publicKey: _p, ts: _t, ...meta } = request;
      const node = this.#merge(request.nodeId, { ...meta, approvedAtMs: this.#now() });
      return { request, node };
    })();
  }

  /** Drops a live request. @returns it, or undefined when the id is unknown or expired. */
  reject(requestId: string): PendingNodeRequest | undefined {
    return this.#db.transaction(() => this.#take(requestId))();
  }

  /** The record of a node, or undefined. */
  getNode(nodeId: string): NodeRecord | undefined {
    const row = this.#db.query("SELECT body FROM node_records WHERE node_id = ?").get(nodeId) as { body: string } | null;
    return row ? (JSON.parse(row.body) as NodeRecord) : undefined;
  }

  /** Every node record, oldest first. */
  listNodes(): NodeRecord[] {
    const rows = this.#db.query("SELECT body FROM node_records ORDER BY updated_at, node_id").all() as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as NodeRecord);
  }

  /**
   * Merges what a node reported on connect into its record (creating it) and stamps `lastConnectedAtMs`.
   * A name an operator gave (`rename`) is kept. @returns the record.
   */
  noteConnected(nodeId: string, meta: Omit<Partial<NodeRecord>, "nodeId" | "renamed" | "createdAtMs">): NodeRecord {
    return this.#db.transaction(() => {
      const old = this.getNode(nodeId);
      const patch = { ...meta, lastConnectedAtMs: this.#now() };
      if (old?.renamed) delete patch.displayName;
      return this.#merge(nodeId, patch);
    })();
  }

  /** Sets an operator-chosen name, kept across reconnects. @returns the record. */
  rename(nodeId: string, displayName: string): NodeRecord {
    return this.#db.transaction(() => this.#merge(nodeId, { displayName, renamed: true }))();
  }

  /** Forgets a node: its record and pending requests. @returns whether anything was removed. */
  removeNode(nodeId: string): boolean {
    return this.#db.transaction(() => {
      const a = this.#db.query("DELETE FROM node_records WHERE node_id = ?").run(nodeId).changes;
      const b = this.#db.query("DELETE FROM node_pairing_pending WHERE node_id = ?").run(nodeId).changes;
      return a + b > 0;
    })();
  }

  /** Closes the state DB when the store owns it. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned) this.#stateDb.close();
  }

  // --- internal ---

  #cutoff(): number {
    return this.#now() - NODE_PAIRING_TTL_MS;
  }

  #prune(): void {
    this.#db.query("DELETE FROM node_pairing_pending WHERE ts <= ?").run(this.#cutoff());
  }

  #pendingOfNode(nodeId: string): PendingNodeRequest | undefined {
    const row = this.#db.query("SELECT body FROM node_pairing_pending WHERE node_id = ? AND ts > ? ORDER BY ts DESC LIMIT 1").get(nodeId, this.#cutoff()) as { body: string } | null;
    return row ? (JSON.parse(row.body) as PendingNodeRequest) : undefined;
  }

  #take(requestId: string): PendingNodeRequest | undefined {
    this.#prune();
    const request = this.getPending(requestId);
    if (request) this.#db.query("DELETE FROM node_pairing_pending WHERE request_id = ?").run(requestId);
    return request;
  }

  #merge(nodeId: string, patch: Partial<NodeRecord>): NodeRecord {
    const now = this.#now();
    const old = this.getNode(nodeId);
    const node: NodeRecord = dropUndefined({
      ...old,
      ...dropUndefined(patch),
      nodeId,
      caps: patch.caps ?? old?.caps ?? [],
      commands: patch.commands ?? old?.commands ?? [],
      createdAtMs: old?.createdAtMs ?? now,
    });
    this.#db
      .query("INSERT OR REPLACE INTO node_records (node_id, updated_at, body) VALUES (?, ?, ?)")
      .run(nodeId, now, JSON.stringify(node));
    return node;
  }
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
