import { canonicalSessionKey } from "../../agent/index.ts";
import type { SessionsHost } from "./_host.ts";
import type { MethodHandler } from "../context.ts";

const DEFAULT_LIMIT = 12;
const DEFAULT_MAX_CHARS = 240;

/**
 * `sessions.preview`: the last messages of each key as `{role, text}` items, text cut at `maxChars`.
 * @returns `{ts, previews:[{key, status:"ok"|"empty"|"missing", items}]}` in the order of `keys`.
 */
export const sessionsPreview: MethodHandler<"sessions.preview", SessionsHost> = (ctx, params) => {
  const keys = params.keys;
  const limit = params.limit ?? DEFAULT_LIMIT;
  const maxChars = params.maxChars ?? DEFAULT_MAX_CHARS;
  const { store, config } = ctx.host;
  const previews = keys.map((key) => {
    const entry = store.getSession(canonicalSessionKey(config, key));
    if (!entry) return { key, status: "missing", items: [] };
    const items = store
      .readMessages(entry.sessionId, limit, { imageMessages: 0 })
      .map((m) => ({ role: m.role, text: m.content.flatMap((b) => (b.type === "text" ? [b.text] : b.type === "toolCall" ? [`[${b.name}]`] : [])).join(" ").trim() }))
      .filter((i) => i.text)
      .map((i) => ({ ...i, text: i.text.length > maxChars ? `${i.text.slice(0, maxChars - 1)}…` : i.text }));
    return { key, status: items.length > 0 ? "ok" : "empty", items };
  });
  return { ts: Date.now(), previews };
};
