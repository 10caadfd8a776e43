import { agentOf, canonicalSessionKey } from "../../agent/index.ts";
import type { ChatHost } from "./_host.ts";
import { GatewayError } from "../../errors.ts";
import type { ParamsOf } from "../../protocol/index.ts";
import type { SessionEntry, TranscriptMessage } from "../../store/index.ts";
import type { MethodContext, MethodHandler } from "../context.ts";
import { toListRow } from "../sessions/index.ts";
import { decodeHistoryCursor, encodeHistoryCursor, fingerprintMessage } from "./_history-cursor.ts";

const DEFAULT_LIMIT = 200;
/** The whole answer stays under 6 MiB (upstream cap); the oldest messages go first. */
export const CHAT_HISTORY_MAX_BYTES = 6 * 1024 * 1024;
/** A delta catch-up carries at most this many messages and bytes; beyond, the client fetches a tail page (upstream's limits). */
export const CHAT_HISTORY_DELTA_MAX_MESSAGES = 200;
export const CHAT_HISTORY_DELTA_MAX_BYTES = 1_000_000;

type Params = ParamsOf<"chat.history">;

/**
 * `chat.history` (and v4 `chat.startup`): the newest `limit` (default 200) transcript messages of the
 * session's current sessionId, oldest first, in upstream's message shapes; `offset` skips that many of the
 * newest (paging back) and `maxBytes` lowers the 6 MiB cap. An unknown session answers with no messages.
 *
 * On a v4 connection the page also says where it is (`totalMessages`, `hasMore`, `nextOffset`: the `offset`
 * of the next older page, the echoed `offset`), the session row (`sessionInfo`), and a tail page carries a
 * `deltaCursor`. Passing that back as `cursor` asks only for what came after it: `{kind:"delta", messages,
 * deltaCursor, sessionInfo}` (each message shaped like a `session.message` event), or `{kind:"reset"}` when
 * the cursor cannot be served (not ours, another or a reset session, a compacted transcript, more than 200
 * messages or 1 MB behind), meaning "fetch a tail page". v3 connections keep the plain page.
 * @throws GatewayError INVALID_REQUEST (v4) when `cursor` comes with `offset` or `messageId`, `offset` with
 *   `messageId`, or `sessionId` without `messageId`.
 */
export const chatHistory: MethodHandler<"chat.history", ChatHost> = (ctx, params) => {
  const v4 = ctx.client.protocol >= 4;
  if (v4) checkCombination(params);
  const key = canonicalSessionKey(ctx.host.config, String(params.sessionKey));
  const entry = ctx.host.store.getSession(key);
  if (v4 && params.cursor !== undefined) return readDelta(ctx, key, entry, params);
  const thinkingLevel = entry?.thinkingLevel ?? "off";
  if (!entry) return { sessionKey: params.sessionKey, messages: [], thinkingLevel, ...(v4 && { hasMore: false, totalMessages: 0, sessionInfo: { key, pinned: false, archived: false, unread: false } }) };
  const limit = params.limit ?? DEFAULT_LIMIT;
  const offset = params.offset ?? 0;
  const page = ctx.host.store.readMessages(entry.sessionId, limit + offset);
  const newest = offset > 0 ? page.slice(0, Math.max(0, page.length - offset)) : page;
  const messages = capBytes(newest, Math.min(params.maxBytes ?? CHAT_HISTORY_MAX_BYTES, CHAT_HISTORY_MAX_BYTES));
  const answer = { sessionKey: params.sessionKey, sessionId: entry.sessionId, messages, thinkingLevel };
  if (!v4) return answer;
  const total = ctx.host.store.countMessages(entry.sessionId);
  // The next older page starts after the oldest message sent; a page emptied by the byte cap is skipped whole.
  const nextOffset = offset + (messages.length > 0 ? messages.length : newest.length);
  const hasMore = nextOffset < total;
  const tail = offset === 0;
  return {
    ...answer,
    ...(tail && { deltaCursor: encodeHistoryCursor(entry.sessionId, total, page.at(-1)) }),
    ...(params.offset !== undefined && { offset: params.offset }),
    ...(hasMore && { nextOffset }),
    hasMore,
    totalMessages: total,
    sessionInfo: sessionInfoOf(ctx, key, entry),
  };
};

// --- internal ---

/** The v4 param combinations the upstream refuses, with its wording. */
function checkCombination(params: Params): void {
  if (params.offset !== undefined && params.messageId !== undefined) throw new GatewayError("INVALID_REQUEST", "offset and messageId cannot be used together");
  if (params.cursor !== undefined && (params.offset !== undefined || params.messageId !== undefined)) throw new GatewayError("INVALID_REQUEST", "cursor cannot be used with offset or messageId");
  if (params.sessionId !== undefined && params.messageId === undefined) throw new GatewayError("INVALID_REQUEST", "sessionId requires messageId");
}

/** The messages after `params.cursor`, or `{kind:"reset"}` when they cannot be given exactly. */
function readDelta(ctx: MethodContext<ChatHost>, key: string, entry: SessionEntry | undefined, params: Params): Record<string, unknown> {
  const reset = { kind: "reset" };
  const cursor = decodeHistoryCursor(String(params.cursor));
  if (!entry || !cursor || cursor.sessionId !== entry.sessionId) return reset;
  const { store } = ctx.host;
  const total = store.countMessages(entry.sessionId);
  const fresh = total - cursor.count;
  if (fresh < 0 || fresh > CHAT_HISTORY_DELTA_MAX_MESSAGES) return reset;
  // One message more than the new ones: the client's newest, which must still be the one it saw.
  const read = cursor.count > 0 ? store.readMessages(entry.sessionId, fresh + 1) : store.readMessages(entry.sessionId, fresh);
  if (cursor.last !== undefined && (read.length !== fresh + 1 || fingerprintMessage(read[0]) !== cursor.last)) return reset;
  const added = cursor.count > 0 ? read.slice(1) : read;
  const agentId = agentOf(key);
  const maxBytes = Math.min(params.maxBytes ?? CHAT_HISTORY_DELTA_MAX_BYTES, CHAT_HISTORY_DELTA_MAX_BYTES);
  let bytes = 2;
  const messages: Record<string, unknown>[] = [];
  for (const [i, message] of added.entries()) {
    // The same shape as a `session.message` event: clients replay these through the same code.
    const payload = { sessionKey: key, ...(agentId && { agentId }), sessionId: entry.sessionId, message, messageSeq: cursor.count + i + 1, updatedAt: entry.updatedAt };
    bytes += Buffer.byteLength(JSON.stringify(payload)) + (messages.length > 0 ? 1 : 0);
    if (bytes > maxBytes) return reset;
    messages.push(payload);
  }
  return {
    kind: "delta",
    messages,
    deltaCursor: encodeHistoryCursor(entry.sessionId, total, read.at(-1)),
    sessionInfo: sessionInfoOf(ctx, key, entry),
  };
}

/** The session's v4 `sessions.list` row, as v4 pages and deltas carry it. */
function sessionInfoOf(ctx: MethodContext<ChatHost>, key: string, entry: SessionEntry): Record<string, unknown> {
  return toListRow(ctx.host.store, ctx.host.config, { key, entry }, { sidebar: true });
}

function capBytes(messages: TranscriptMessage[], max: number): TranscriptMessage[] {
  const sizes = messages.map((m) => Buffer.byteLength(JSON.stringify(m)) + 1);
  let total = sizes.reduce((a, b) => a + b, 0);
  let start = 0;
  while (total > max && start < messages.length) total -= sizes[start++];
  return messages.slice(start);
}
