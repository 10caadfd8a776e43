/**
 * DM pairing state of the messaging channels (spec channels.md §1 "Pairing"): pending requests with an
 * 8-character code (uppercase, no 0 O 1 I) that expire after one hour, at most three pending per channel,
 * and the senders an operator approved. Lives in the state DB; one table each ({@link CHANNEL_PAIRING_SCHEMA}).
 *
 * All methods are synchronous; bun:sqlite serializes them, so concurrent callers are safe.
 */
import type { Database } from "bun:sqlite";
import type { SchemaPart } from "./migrate.ts";
import type { StateDb } from "./state-db.ts";

/** Code alphabet: uppercase letters and digits without the look-alikes 0 O 1 I. */
export const PAIRING_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/** Length of a pairing code. */
export const PAIRING_CODE_LENGTH = 8;
/** How long a pending request lives. */
export const PAIRING_TTL_MS = 60 * 60 * 1000;
/** Pending requests allowed per channel at once. */
export const PAIRING_MAX_PENDING = 3;

/** The channel pairing part of the state DB schema. Version 1 adopts the tables of files from before `schema_version`. */
export const CHANNEL_PAIRING_SCHEMA: SchemaPart = {
  name: "channel-pairing",
  migrations: [
    {
      version: 1,
      up: `CREATE TABLE IF NOT EXISTS channel_pairing_requests (
          channel TEXT NOT NULL, code TEXT NOT NULL, peer_id TEXT NOT NULL, account_id TEXT NOT NULL,
          meta TEXT NOT NULL DEFAULT '{}', created_at INTEGER NOT NULL,
          PRIMARY KEY (channel, code));
        CREATE TABLE IF NOT EXISTS channel_allow_from (
          channel TEXT NOT NULL, peer_id TEXT NOT NULL, approved_at INTEGER NOT NULL, meta TEXT NOT NULL DEFAULT '{}',
          PRIMARY KEY (channel, peer_id));`,
    },
  ],
};

/** A pending pairing request. */
export interface PairingRequest {
  channel: string;
  code: string;
  /** The sender's id on that channel (Telegram user id, WhatsApp E.164). */
  peerId: string;
  accountId: string;
  /** Display hints (name, username) for `pairing list`. */
  meta: Record<string, string>;
  createdAt: number;
  expiresAt: number;
}

/** An approved sender. */
export interface ApprovedPeer {
  channel: string;
  peerId: string;
  approvedAt: number;
  meta: Record<string, string>;
}

/** Result of {@link PairingStore.request}. */
export type PairingRequestResult =
  | { kind: "pending"; request: PairingRequest; created: boolean }
  /** The channel already has {@link PAIRING_MAX_PENDING} other live requests. */
  | { kind: "full" };

/** Pairing requests and approvals for all channels. */
export class PairingStore {
  private readonly db: Database;
  private readonly now: () => number;

  constructor(stateDb: StateDb, opts: { now?: () => number } = {}) {
    this.db = stateDb.db;
    this.now = opts.now ?? Date.now;
  }

  /**
   * Returns the sender's live request, or creates one. Expired requests are pruned first.
   * @returns `full` when the channel has too many pending requests from other senders.
   */
  request(channel: string, peerId: string, accountId: string, meta: Record<string, string> = {}): PairingRequestResult {
    return this.db.transaction((): PairingRequestResult => {
      this.prune(channel);
      const existing = this.list(channel).find((r) => r.peerId === peerId);
      if (existing) return { kind: "pending", request: existing, created: false };
      if (this.list(channel).length >= PAIRING_MAX_PENDING) return { kind: "full" };
      const createdAt = this.now();
      let code = generatePairingCode();
      while (this.db.query("SELECT 1 FROM channel_pairing_requests WHERE channel = ? AND code = ?").get(channel, code)) code = generatePairingCode();
      this.db
        .query("INSERT INTO channel_pairing_requests (channel, code, peer_id, account_id, meta, created_at) VALUES (?, ?, ?, ?, ?, ?)")
        .run(channel, code, peerId, accountId, JSON.stringify(meta), createdAt);
      return { kind: "pending", request: { channel, code, peerId, accountId, meta, createdAt, expiresAt: createdAt + PAIRING_TTL_MS }, created: true };
    })();
  }

  /** Live requests, oldest first; all channels when `channel` is omitted. */
  list(channel?: string): PairingRequest[] {
    const cutoff = this.now() - PAIRING_TTL_MS;
    const rows = (
      channel === undefined
        ? this.db.query("SELECT * FROM channel_pairing_requests WHERE created_at > ? ORDER BY created_at, code").all(cutoff)
        : this.db.query("SELECT * FROM channel_pairing_requests WHERE channel = ? AND created_at > ? ORDER BY created_at, code").all(channel, cutoff)
    ) as RequestRow[];
    return rows.map(toRequest);
  }

  /**
   * Approves the live request with `code` (case-insensitive): the sender joins the allowlist.
   * @returns the approved request, or undefined when no live request has that code.
   */
  approve(channel: string, code: string): PairingRequest | undefined {
    return this.db.transaction(() => {
      const req = this.take(channel, code);
      if (!req) return undefined;
      this.db
        .query("INSERT OR REPLACE INTO channel_allow_from (channel, peer_id, approved_at, meta) VALUES (?, ?, ?, ?)")
        .run(channel, req.peerId, this.now(), JSON.stringify(req.meta));
      return req;
    })();
  }

  /** Drops the live request with `code`. @returns it, or undefined when there is none. */
  reject(channel: string, code: string): PairingRequest | undefined {
    return this.db.transaction(() => this.take(channel, code))();
  }

  /** True when an operator approved this sender on this channel. */
  isApproved(channel: string, peerId: string): boolean {
    return this.db.query("SELECT 1 FROM channel_allow_from WHERE channel = ? AND peer_id = ?").get(channel, peerId) !== null;
  }

  /** Approved senders of a channel (all channels when omitted). */
  listApproved(channel?: string): ApprovedPeer[] {
    const rows = (
      channel === undefined
        ? this.db.query("SELECT * FROM channel_allow_from ORDER BY approved_at").all()
        : this.db.query("SELECT * FROM channel_allow_from WHERE channel = ? ORDER BY approved_at").all(channel)
    ) as { channel: string; peer_id: string; approved_at: number; meta: string }[];
    return rows.map((r) => ({ channel: r.channel, peerId: r.peer_id, approvedAt: r.approved_at, meta: parseMeta(r.meta) }));
  }

  /** Removes an approval. @returns whether one existed. */
  revoke(channel: string, peerId: string): boolean {
    return this.db.query("DELETE FROM channel_allow_from WHERE channel = ? AND peer_id = ?").run(channel, peerId).changes > 0;
  }

  private take(channel: string, code: string): PairingRequest | undefined {
    this.prune(channel);
    const row = this.db.query("SELECT * FROM channel_pairing_requests WHERE channel = ? AND code = ?").get(channel, code.trim().toUpperCase()) as RequestRow | null;
    if (!row) return undefined;
    this.db.query("DELETE FROM channel_pairing_requests WHERE channel = ? AND code = ?").run(channel, row.code);
    return toRequest(row);
  }

  private prune(channel: string): void {
    this.db.query("DELETE FROM channel_pairing_requests WHERE channel = ? AND created_at <= ?").run(channel, this.now() - PAIRING_TTL_MS);
  }
}

/** A fresh random code from {@link PAIRING_CODE_ALPHABET}. */
export function generatePairingCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(PAIRING_CODE_LENGTH));
  // 256 is a multiple of the 32-letter alphabet, so `% 32` is unbiased.
  return Array.from(bytes, (b) => PAIRING_CODE_ALPHABET[b % PAIRING_CODE_ALPHABET.length]).join("");
}

// --- internal ---

type RequestRow = { channel: string; code: string; peer_id: string; account_id: string; meta: string; created_at: number };

function toRequest(r: RequestRow): PairingRequest {
  return {
    channel: r.channel,
    code: r.code,
    peerId: r.peer_id,
    accountId: r.account_id,
    meta: parseMeta(r.meta),
    createdAt: r.created_at,
    expiresAt: r.created_at + PAIRING_TTL_MS,
  };
}

function parseMeta(text: string): Record<string, string> {
  try {
    const v = JSON.parse(text);
    return v && typeof v === "object" ? v : {};
  } catch {
    return {};
  }
}
