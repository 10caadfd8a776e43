import { canonicalSessionKey, mainSessionKey } from "../../agent/index.ts";
import type { SessionsHost } from "./_host.ts";
import { GatewayError } from "../../errors.ts";
import type { MethodHandler } from "../context.ts";
import { notifySessionChanged } from "./_subscriptions.ts";

/**
 * `sessions.delete`: removes a session entry and (unless `deleteTranscript: false`) its transcript; runs on
 * it are aborted first. The main session cannot be deleted (reset it instead).
 * @returns `{ok:true, key, deleted}`; `deleted:false` when there was no such session.
 */
export const sessionsDelete: MethodHandler<"sessions.delete", SessionsHost> = (ctx, params) => {
  const { store, config, agents } = ctx.host;
  const key = canonicalSessionKey(config, String(params.key));
  if (key === mainSessionKey(config)) throw new GatewayError("INVALID_REQUEST", `Cannot delete the main session (${key}); use sessions.reset.`);
  agents.abort(key, undefined, "rpc");
  const entry = store.getSession(key);
  const deleted = store.transaction(() => {
    if (entry && params.deleteTranscript !== false) store.deleteTranscript(entry.sessionId);
    return store.deleteSession(key);
  });
  if (deleted) notifySessionChanged(ctx.host, key, "delete");
  return { ok: true, key, deleted };
};
