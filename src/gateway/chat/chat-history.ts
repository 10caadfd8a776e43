import { canonicalSessionKey } from "../../agent/index.ts";
import type { ChatHost } from "./_host.ts";
import type { TranscriptMessage } from "../../store/index.ts";
import type { MethodHandler } from "../context.ts";

const DEFAULT_LIMIT = 200;
/** The whole answer stays under 6 MiB (upstream cap); the oldest messages go first. */
export const CHAT_HISTORY_MAX_BYTES = 6 * 1024 * 1024;

/**
 * `chat.history` (and v4 `chat.startup`): the newest `limit` (default 200) transcript messages of the
 * session's current sessionId, oldest first, in upstream's message shapes. v4's `offset` skips that many of
 * the newest messages (paging back) and `maxBytes` lowers the 6 MiB cap; the other v4 fields are accepted
 * and ignored (see the schema). An unknown session answers with no messages.
 */
export const chatHistory: MethodHandler<"chat.history", ChatHost> = (ctx, params) => {
  const key = canonicalSessionKey(ctx.host.config, String(params.sessionKey));
  const entry = ctx.host.store.getSession(key);
  const thinkingLevel = entry?.thinkingLevel ?? "off";
  if (!entry) return { sessionKey: params.sessionKey, messages: [], thinkingLevel };
  const limit = params.limit ?? DEFAULT_LIMIT;
  const offset = params.offset ?? 0;
  const page = ctx.host.store.readMessages(entry.sessionId, limit + offset);
  const newest = offset > 0 ? page.slice(0, Math.max(0, page.length - offset)) : page;
  const messages = capBytes(newest, Math.min(params.maxBytes ?? CHAT_HISTORY_MAX_BYTES, CHAT_HISTORY_MAX_BYTES));
  return { sessionKey: params.sessionKey, sessionId: entry.sessionId, messages, thinkingLevel };
};

function capBytes(messages: TranscriptMessage[], max: number): TranscriptMessage[] {
  const sizes = messages.map((m) => Buffer.byteLength(JSON.stringify(m)) + 1);
  let total = sizes.reduce((a, b) => a + b, 0);
  let start = 0;
  while (total > max && start < messages.length) total -= sizes[start++];
  return messages.slice(start);
}
