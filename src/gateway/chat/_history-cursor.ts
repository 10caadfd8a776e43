/**
 * The v4 `chat.history` delta cursor (`deltaCursor` out, `cursor` in): an opaque base64url token naming a
 * transcript (sessionId), how many of its messages the client has, and a fingerprint of the last of them.
 * The fingerprint catches a transcript rewritten under the same sessionId (`sessions.compact` drops the oldest
 * messages and appends the kept ones again, so positions shift): the message at the cursor's position no
 * longer matches and the client is told to reset. Nothing in it is secret; forging one only reads a transcript
 * the caller may read anyway.
 */
import { createHash } from "node:crypto";
import type { TranscriptMessage } from "../../store/index.ts";

const CURSOR_VERSION = 1;

/** What a cursor says. */
export interface HistoryCursor {
  sessionId: string;
  /** Messages of the transcript the client has (the newest is at this 1-based position). */
  count: number;
  /** Fingerprint of the message at position `count`; absent when `count` is 0. */
  last?: string;
}

/** A cursor for a client that has the first `count` messages of `sessionId`, the newest being `last`. */
export function encodeHistoryCursor(sessionId: string, count: number, last: TranscriptMessage | undefined): string {
  const body: Record<string, unknown> = { v: CURSOR_VERSION, sid: sessionId, n: count };
  if (count > 0 && last) body.fp = fingerprintMessage(last);
  return Buffer.from(JSON.stringify(body)).toString("base64url");
}

/**
 * Reads a cursor this gateway made. @returns undefined for anything else (another gateway's cursor, a
 * truncated or edited one, an older version): the caller answers `{kind:"reset"}`.
 */
export function decodeHistoryCursor(cursor: string): HistoryCursor | undefined {
  // Ours are well under 200 characters; anything much longer was not made here.
  if (cursor.length === 0 || cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (!body || typeof body !== "object") return undefined;
  const { v, sid, n, fp } = body as Record<string, unknown>;
  if (v !== CURSOR_VERSION || typeof sid !== "string" || sid.length === 0) return undefined;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) return undefined;
  if (n > 0 && typeof fp !== "string") return undefined;
  return n > 0 ? { sessionId: sid, count: n, last: fp as string } : { sessionId: sid, count: 0 };
}

/**
 * A short stable digest of one stored message. Image bytes are left out: reads may or may not load them
 * (`ReadOptions.imageMessages`), and the block's type and MIME type already tell messages apart.
 */
export function fingerprintMessage(message: TranscriptMessage): string {
  return createHash("sha256").update(canonicalJson(message)).digest("base64url").slice(0, 16);
}

// Sorted keys: the stores may rebuild a block's keys in another order when they add image bytes back.
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([k, v]) => v !== undefined && !(k === "data" && typeof v === "string"))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
