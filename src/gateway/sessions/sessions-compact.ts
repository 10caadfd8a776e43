import { canonicalSessionKey } from "../../agent/index.ts";
import type { SessionsHost } from "./_host.ts";
import type { MethodHandler } from "../context.ts";
import { notifySessionChanged } from "./_subscriptions.ts";

/** Messages kept when `maxLines` is not given (upstream's default). */
export const DEFAULT_COMPACT_MAX_LINES = 400;

/**
 * `sessions.compact {key, maxLines?}`: trims a session's transcript to its newest `maxLines` messages
 * (default 400), in one transaction, so the session stays usable with recent context; the token counters of
 * the entry are cleared (they described the longer transcript). Runs in progress are not interrupted.
 * @returns `{ok:true, key, compacted:true, kept, removed}`, or `compacted:false` with `kept` when already
 *   short enough, or with `reason` ("no sessionId", "no transcript") when there is nothing to trim.
 */
export const sessionsCompact: MethodHandler<"sessions.compact", SessionsHost> = (ctx, params) => {
  const { store, config } = ctx.host;
  const key = canonicalSessionKey(config, String(params.key).trim());
  const maxLines = typeof params.maxLines === "number" ? Math.max(1, Math.floor(params.maxLines)) : DEFAULT_COMPACT_MAX_LINES;
  const entry = store.getSession(key);
  if (!entry?.sessionId) return { ok: true, key, compacted: false, reason: "no sessionId" };
  const total = store.countMessages(entry.sessionId);
  if (total === 0) return { ok: true, key, compacted: false, reason: "no transcript" };
  if (total <= maxLines) return { ok: true, key, compacted: false, kept: total };
  const kept = store.transaction(() => {
    const recent = store.readMessages(entry.sessionId, maxLines);
    store.deleteTranscript(entry.sessionId);
    store.appendMessages(entry.sessionId, recent);
    const now = store.getSession(key);
    if (now) {
      const { inputTokens: _i, outputTokens: _o, totalTokens: _t, ...rest } = now;
      store.setSession(key, { ...rest, updatedAt: Date.now() });
    }
    return recent.length;
  });
  notifySessionChanged(ctx.host, key, "compact");
  return { ok: true, key, compacted: true, kept, removed: total - kept };
};
