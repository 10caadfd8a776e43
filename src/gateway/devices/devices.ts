/**
 * Device pairing store and device tokens (spec §3.4, §7 `device.pair.*`), persisted through a
 * {@link DevicePairingStorage} (the state DB's device tables; before, `<stateDir>/devices/*.json`).
 * Only SHA-256 hashes of device tokens reach the disk; clear tokens live in this process's memory.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { DevicePairResolvedEvent, DeviceTokenSummary } from "../../protocol/generated/types.ts";
import type { DevicePairingStorage, StoredRecord } from "../../store/device-pairing.ts";

/** Pending pairing requests older than this are dropped (5 minutes). */
export const PAIRING_REQUEST_TTL_MS = 5 * 60_000;

/** One role's device token as stored: the hash, never the token. */
export interface DeviceTokenRecord {
  /** Lowercase hex SHA-256 of the UTF-8 token. */
  hash: string;
  scopes: string[];
  issuedAtMs: number;
  lastUsedAtMs?: number;
}

/** A paired device as stored. `roles`/`scopes` are the union of everything approved. */
export interface PairedDevice {
  deviceId: string;
  publicKey: string;
  displayName?: string;
  platform?: string;
  clientId?: string;
  clientMode?: string;
  /** The role of the latest approval (upstream lists it beside `roles`). */
  role?: string;
  roles: string[];
  scopes: string[];
  /**
   * Role `node`: the node commands an operator approved (union of every approval). A node that declares a
   * command outside this set on connect needs a new approval; absent means none were approved.
   */
  commands?: string[];
  remoteIp?: string;
  createdAtMs: number;
  approvedAtMs: number;
  tokens: Record<string, DeviceTokenRecord>;
}

/** A paired device as listed to operators (`device.pair.list`, `device.pair.approve`): tokens as an array. */
export type PairedDeviceSummary = Omit<PairedDevice, "tokens" | "role"> & {
  role: string;
  tokens: DeviceTokenSummary[];
};

/** What the gateway knows about a device asking to pair (from a verified connect request). */
export interface PairingRequestInput {
  deviceId: string;
  publicKey: string;
  displayName?: string;
  platform?: string;
  clientId?: string;
  clientMode?: string;
  role: string;
  scopes: readonly string[];
  /** Role `node`: the commands and caps the node declared on this connect. */
  commands?: readonly string[];
  caps?: readonly string[];
  remoteIp?: string;
  silent?: boolean;
}

/** A pending pairing request; also the payload of the `device.pair.requested` event. */
export interface PendingPairingRequest {
  requestId: string;
  deviceId: string;
  publicKey: string;
  displayName?: string;
  platform?: string;
  clientId?: string;
  clientMode?: string;
  role: string;
  roles: string[];
  scopes: string[];
  /** Role `node`: the commands the node declared (what an approval grants) and its caps. */
  commands?: string[];
  caps?: string[];
  remoteIp?: string;
  silent?: boolean;
  /** The device is already paired and asks for more roles, scopes or node commands. */
  isRepair: boolean;
  ts: number;
}

/** Outcome of approve/reject; also the payload of the `device.pair.resolved` event. */
export type PairingResolution = DevicePairResolvedEvent;

/** What `approve` returns: the resolution, the request it approved and the paired entry as listed. */
export interface PairingApproval extends PairingResolution {
  request: PendingPairingRequest;
  device: PairedDeviceSummary;
}

/** A device token in clear, as returned once to the device (`hello-ok.auth`, `device.token.rotate`). */
export interface IssuedDeviceToken {
  deviceToken: string;
  role: string;
  scopes: string[];
  issuedAtMs: number;
}

/** Constructor options of `DeviceStore`. */
export interface DeviceStoreOptions {
  /** Where paired devices and pending requests are kept (`createDevicePairingStorage` on the state DB). */
  storage: DevicePairingStorage;
  /** Clock, injectable for tests. Default `Date.now`. */
  now?: () => number;
  /** Receives non-fatal problems (malformed stored entries, dropped). */
  onWarn?: (message: string) => void;
}

/**
 * Pairing and device-token store. Loads every record in the constructor; a malformed one is dropped (from
 * the storage too) and reported through `onWarn`.
 *
 * Safe to call concurrently: every method is synchronous and runs to completion, so callers never see
 * half-applied state, and each change is written (one transaction) before the method returns.
 * Mutating methods throw when the storage cannot be written; the in-memory state keeps the change.
 */
export class DeviceStore {
  readonly #storage: DevicePairingStorage;
  readonly #now: () => number;
  readonly #warn: (message: string) => void;
  #paired: Record<string, PairedDevice>;
  #pending: Record<string, PendingPairingRequest>;
  /** Clear tokens issued or verified by this process, by `deviceId\nrole`. */
  readonly #clearTokens = new Map<string, string>();

  constructor(options: DeviceStoreOptions) {
    this.#storage = options.storage;
    this.#now = options.now ?? Date.now;
    this.#warn = options.onWarn ?? (() => {});
    const stored = this.#storage.load();
    this.#paired = this.#load("paired device", stored.paired, toPairedDevice, "deviceId", (id) => this.#storage.deletePaired(id));
    this.#pending = this.#load("pending request", stored.pending, toPendingRequest, "requestId", (id) => this.#storage.deletePending(id));
  }

  /** Returns a copy of the paired device (with token hashes), or `undefined` when not paired. */
  getPaired(deviceId: string): PairedDevice | undefined {
    const device = this.#paired[deviceId];
    return device ? structuredClone(device) : undefined;
  }

  /**
   * True when the device is paired for `role` and every scope is approved (`operator.admin` covers
   * `operator.*`); when `commands` is given (role `node`), every one of them must have been approved too.
   */
  isApprovedFor(deviceId: string, role: string, scopes: readonly string[], commands?: readonly string[]): boolean {
    const device = this.#paired[deviceId];
    if (!device || !device.roles.includes(role) || !coversScopes(device.scopes, scopes)) return false;
    if (commands === undefined) return true;
    const approved = new Set(device.commands ?? []);
    return commands.every((c) => approved.has(c));
  }

  /** The live pending request with `requestId`, or `undefined` (unknown or expired). */
  getPending(requestId: string): PendingPairingRequest | undefined {
    this.#prunePending();
    const pending = this.#pending[requestId];
    return pending ? structuredClone(pending) : undefined;
  }

  /**
   * Pairs a device without a `device.pair` request (loopback auto-approval; `node.pair.approve`, which has
   * its own request), merging roles and scopes into an existing entry. Pending requests of the device that are now covered are dropped. Returns the entry.
   */
  approveLocal(req: PairingRequestInput): PairedDeviceSummary {
    const device = this.#mergePaired({ ...req, role: req.role, roles: [req.role], scopes: normalizeScopes(req.scopes), commands: req.commands ? unionOf(req.commands) : undefined });
    const covered: string[] = [];
    for (const pending of Object.values(this.#pending)) {
      if (pending.deviceId === device.deviceId && pending.roles.every((r) => device.roles.includes(r))) {
        if (coversScopes(device.scopes, pending.scopes) && (pending.commands ?? []).every((c) => device.commands?.includes(c))) {
          delete this.#pending[pending.requestId];
          covered.push(pending.requestId);
        }
      }
    }
    this.#storage.transaction(() => {
      this.#savePaired(device.deviceId);
      this.#savePending(...covered);
    });
    return toSummary(device);
  }

  /**
   * Records a pairing request. A live request of the same device is updated in place (same requestId,
   * roles and scopes merged, expiry restarted) rather than duplicated, so callers may broadcast
   * `device.pair.requested` every time and UIs update the existing row.
   */
  requestPairing(req: PairingRequestInput): PendingPairingRequest {
    this.#prunePending();
    const now = this.#now();
    const existing = Object.values(this.#pending).find((p) => p.deviceId === req.deviceId);
    const request: PendingPairingRequest = dropUndefined({
      requestId: existing?.requestId ?? randomUUID(),
      deviceId: req.deviceId,
      publicKey: req.publicKey,
      displayName: req.displayName ?? existing?.displayName,
      platform: req.platform ?? existing?.platform,
      clientId: req.clientId ?? existing?.clientId,
      clientMode: req.clientMode ?? existing?.clientMode,
      role: req.role,
      roles: unionOf(existing?.roles, [req.role]),
      scopes: unionOf(existing?.scopes, normalizeScopes(req.scopes)),
      // The latest declaration is what an approval grants: a node asks with the commands it has now.
      commands: req.commands ? unionOf(req.commands) : existing?.commands,
      caps: req.caps ? unionOf(req.caps) : existing?.caps,
      remoteIp: req.remoteIp ?? existing?.remoteIp,
      silent: req.silent === true,
      isRepair: req.deviceId in this.#paired,
      ts: now,
    });
    this.#pending[request.requestId] = request;
    this.#savePending(request.requestId);
    return structuredClone(request);
  }

  /** Lists live pending requests (newest first) and paired devices (latest approval first, no token hashes). */
  listPairing(): { pending: PendingPairingRequest[]; paired: PairedDeviceSummary[] } {
    this.#prunePending();
    return {
      pending: Object.values(this.#pending)
        .sort((a, b) => b.ts - a.ts)
        .map((p) => structuredClone(p)),
      paired: Object.values(this.#paired)
        .sort((a, b) => b.approvedAtMs - a.approvedAtMs)
        .map(toSummary),
    };
  }

  /**
   * Approves a pending request, merging it (roles, scopes, node commands) into the paired entry. A role that
   * has no token yet gets one now (handed to the device on its next connect), as upstream lists it at once.
   * Returns `undefined` for an unknown or expired id. Scope checks are the caller's.
   */
  approve(requestId: string): PairingApproval | undefined {
    this.#prunePending();
    const pending = this.#pending[requestId];
    if (!pending) return undefined;
    const device = this.#mergePaired({ ...pending, role: pending.role });
    delete this.#pending[requestId];
    this.#storage.transaction(() => {
      for (const role of pending.roles) {
        if (!device.tokens[role]) this.#rotate(device.deviceId, role, role === "operator" ? pending.scopes.filter((s) => s.startsWith("operator.")) : []);
      }
      this.#savePaired(device.deviceId);
      this.#savePending(requestId);
    });
    return { requestId, deviceId: pending.deviceId, decision: "approved", ts: this.#now(), request: structuredClone(pending), device: toSummary(device) };
  }

  /** Rejects a pending request. Returns `undefined` for an unknown or expired id. */
  reject(requestId: string): PairingResolution | undefined {
    this.#prunePending();
    const pending = this.#pending[requestId];
    if (!pending) return undefined;
    delete this.#pending[requestId];
    this.#savePending(requestId);
    return { requestId, deviceId: pending.deviceId, decision: "rejected", ts: this.#now() };
  }

  /**
   * Ensures a token for (device, role) after a successful device connect. Reuses the current token when
   * this process knows it in clear and it covers `scopes`; otherwise rotates (after a restart only the
   * hash is known), widening the token to the union of its old scopes and `scopes`.
   * Returns `undefined` when the device is not approved for `role` + `scopes`.
   */
  issueToken(deviceId: string, role: string, scopes: readonly string[]): IssuedDeviceToken | undefined {
    if (!this.isApprovedFor(deviceId, role, scopes)) return undefined;
    const record = this.#paired[deviceId]!.tokens[role];
    const clear = this.#clearTokens.get(tokenKey(deviceId, role));
    if (record && clear !== undefined && matchesHash(clear, record.hash) && coversScopes(record.scopes, scopes)) {
      return { deviceToken: clear, role, scopes: [...record.scopes], issuedAtMs: record.issuedAtMs };
    }
    return this.#rotate(deviceId, role, unionOf(record?.scopes, normalizeScopes(scopes)));
  }

  /**
   * Checks a device token for (device, role): constant-time hash compare, and every requested scope must
   * be within the token's scopes. On success records `lastUsedAtMs` and remembers the clear token so the
   * following `issueToken` hands the same one back. Returns false for unknown devices/roles.
   */
  verifyToken(deviceId: string, role: string, scopes: readonly string[], token: string): boolean {
    const device = this.#paired[deviceId];
    const record = device?.tokens[role];
    if (!device || !record || typeof token !== "string" || token === "") return false;
    if (!matchesHash(token, record.hash)) return false;
    if (!device.roles.includes(role) || !coversScopes(record.scopes, scopes)) return false;
    record.lastUsedAtMs = this.#now();
    this.#clearTokens.set(tokenKey(deviceId, role), token);
    this.#savePaired(deviceId);
    return true;
  }

  /**
   * Replaces the token of (device, role) with a fresh one (`device.token.rotate`). `scopes` defaults to
   * the current token's scopes, else the device's approved scopes of that role. Returns `undefined` when
   * the device is not approved for the role or the scopes.
   */
  rotateToken(deviceId: string, role: string, scopes?: readonly string[]): IssuedDeviceToken | undefined {
    const device = this.#paired[deviceId];
    if (!device) return undefined;
    const next = normalizeScopes(
      scopes ?? device.tokens[role]?.scopes ?? device.scopes.filter((s) => s.startsWith(`${role}.`)),
    );
    if (!this.isApprovedFor(deviceId, role, next)) return undefined;
    return this.#rotate(deviceId, role, next);
  }

  /** Deletes the token of (device, role) (`device.token.revoke`). Returns `undefined` when there was none. */
  revokeToken(deviceId: string, role: string): { deviceId: string; role: string; revokedAtMs: number } | undefined {
    const device = this.#paired[deviceId];
    if (!device?.tokens[role]) return undefined;
    delete device.tokens[role];
    this.#clearTokens.delete(tokenKey(deviceId, role));
    this.#savePaired(deviceId);
    return { deviceId, role, revokedAtMs: this.#now() };
  }

  /** Unpairs a device: drops its entry, tokens and pending requests. Returns false when it was unknown. */
  removeDevice(deviceId: string): boolean {
    const pendingIds = Object.values(this.#pending)
      .filter((p) => p.deviceId === deviceId)
      .map((p) => p.requestId);
    for (const id of pendingIds) delete this.#pending[id];
    for (const key of [...this.#clearTokens.keys()]) {
      if (key.startsWith(`${deviceId}\n`)) this.#clearTokens.delete(key);
    }
    const known = deviceId in this.#paired;
    delete this.#paired[deviceId];
    this.#storage.transaction(() => {
      this.#savePending(...pendingIds);
      if (known) this.#savePaired(deviceId);
    });
    return known;
  }

  // --- internal ---

  #rotate(deviceId: string, role: string, scopes: string[]): IssuedDeviceToken {
    const device = this.#paired[deviceId]!;
    const deviceToken = randomBytes(32).toString("base64url");
    const issuedAtMs = this.#now();
    device.tokens[role] = { hash: hashToken(deviceToken), scopes, issuedAtMs };
    this.#clearTokens.set(tokenKey(deviceId, role), deviceToken);
    this.#savePaired(deviceId);
    return { deviceToken, role, scopes: [...scopes], issuedAtMs };
  }

  /** Merges approved roles/scopes and fresh metadata into the paired entry (creating it); does not save. */
  #mergePaired(req: MergeInput): PairedDevice {
    const now = this.#now();
    const existing = this.#paired[req.deviceId];
    const device: PairedDevice = dropUndefined({
      deviceId: req.deviceId,
      publicKey: req.publicKey,
      displayName: req.displayName ?? existing?.displayName,
      platform: req.platform ?? existing?.platform,
      clientId: req.clientId ?? existing?.clientId,
      clientMode: req.clientMode ?? existing?.clientMode,
      role: req.role ?? existing?.role ?? req.roles[0],
      roles: unionOf(existing?.roles, req.roles),
      scopes: unionOf(existing?.scopes, req.scopes),
      commands: req.commands || existing?.commands ? unionOf(existing?.commands, req.commands) : undefined,
      remoteIp: req.remoteIp ?? existing?.remoteIp,
      createdAtMs: existing?.createdAtMs ?? now,
      approvedAtMs: now,
      tokens: existing?.tokens ?? {},
    });
    this.#paired[req.deviceId] = device;
    return device;
  }

  #prunePending(): void {
    const cutoff = this.#now() - PAIRING_REQUEST_TTL_MS;
    const expired: string[] = [];
    for (const [id, request] of Object.entries(this.#pending)) {
      if (request.ts <= cutoff) {
        delete this.#pending[id];
        expired.push(id);
      }
    }
    if (expired.length > 0) this.#storage.transaction(() => this.#savePending(...expired));
  }

  /** Writes a device's entry as it is in memory now (deletes it when it is gone). */
  #savePaired(deviceId: string): void {
    const device = this.#paired[deviceId];
    if (device) this.#storage.putPaired(deviceId, device);
    else this.#storage.deletePaired(deviceId);
  }

  /** Writes pending requests as they are in memory now (deletes those that are gone). */
  #savePending(...requestIds: string[]): void {
    for (const id of requestIds) {
      const request = this.#pending[id];
      if (request) this.#storage.putPending(id, request);
      else this.#storage.deletePending(id);
    }
  }

  #load<T>(what: string, records: StoredRecord[], convert: (value: unknown) => T | undefined, idField: keyof T, drop: (id: string) => void): Record<string, T> {
    const out: Record<string, T> = {};
    for (const { id, value } of records) {
      const entry = convert(value);
      if (entry && entry[idField] === id) out[id] = entry;
      else {
        this.#warn(`device pairing: dropped malformed ${what} ${JSON.stringify(id)}`);
        drop(id);
      }
    }
    return out;
  }
}

// --- helpers ---

/** A pairing request or pending request reduced to what an approval merges. */
type MergeInput = Omit<PairingRequestInput, "role" | "scopes" | "commands" | "caps"> & { role?: string; roles: string[]; scopes: string[]; commands?: readonly string[] };

function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

function matchesHash(token: string, expectedHex: string): boolean {
  const actual = createHash("sha256").update(token, "utf8").digest();
  const expected = Buffer.from(expectedHex, "hex");
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}

function tokenKey(deviceId: string, role: string): string {
  return `${deviceId}\n${role}`;
}

/** Scope check shared by pairing and tokens: `operator.admin` stands for every `operator.*` scope. */
function coversScopes(granted: readonly string[], requested: readonly string[]): boolean {
  const set = new Set(granted);
  return requested.every((s) => set.has(s) || (s.startsWith("operator.") && set.has("operator.admin")));
}

function normalizeScopes(scopes: readonly string[]): string[] {
  return unionOf(scopes.map((s) => s.trim()).filter((s) => s !== ""));
}

function unionOf(...lists: Array<readonly string[] | undefined>): string[] {
  return [...new Set(lists.flatMap((l) => l ?? []))];
}

function toSummary(device: PairedDevice): PairedDeviceSummary {
  const { tokens, role, ...rest } = structuredClone(device);
  const list = Object.entries(tokens).map(([tokenRole, t]) =>
    dropUndefined({ role: tokenRole, scopes: t.scopes, createdAtMs: t.issuedAtMs, lastUsedAtMs: t.lastUsedAtMs }),
  );
  return { ...rest, role: role ?? rest.roles[0] ?? "operator", tokens: list };
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

function toPairedDevice(value: unknown): PairedDevice | undefined {
  if (!isRecord(value) || typeof value.deviceId !== "string" || typeof value.publicKey !== "string") return undefined;
  if (!isStringArray(value.roles) || !isStringArray(value.scopes)) return undefined;
  const tokens: Record<string, DeviceTokenRecord> = {};
  for (const [role, t] of Object.entries(isRecord(value.tokens) ? value.tokens : {})) {
    if (isRecord(t) && typeof t.hash === "string" && isStringArray(t.scopes) && typeof t.issuedAtMs === "number") {
      tokens[role] = t as unknown as DeviceTokenRecord;
    }
  }
  const createdAtMs = typeof value.createdAtMs === "number" ? value.createdAtMs : 0;
  const approvedAtMs = typeof value.approvedAtMs === "number" ? value.approvedAtMs : createdAtMs;
  const commands = isStringArray(value.commands) ? value.commands : undefined;
  const role = typeof value.role === "string" ? value.role : undefined;
  return dropUndefined({ ...(value as unknown as PairedDevice), role, commands, createdAtMs, approvedAtMs, tokens });
}

function toPendingRequest(value: unknown): PendingPairingRequest | undefined {
  if (!isRecord(value) || typeof value.requestId !== "string" || typeof value.deviceId !== "string") return undefined;
  if (typeof value.publicKey !== "string" || typeof value.role !== "string" || typeof value.ts !== "number") {
    return undefined;
  }
  const roles = isStringArray(value.roles) ? value.roles : [value.role];
  const scopes = isStringArray(value.scopes) ? value.scopes : [];
  const commands = isStringArray(value.commands) ? value.commands : undefined;
  const caps = isStringArray(value.caps) ? value.caps : undefined;
  return dropUndefined({ ...(value as unknown as PendingPairingRequest), roles, scopes, commands, caps, isRepair: value.isRepair === true });
}
