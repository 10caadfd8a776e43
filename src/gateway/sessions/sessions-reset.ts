import { canonicalSessionKey } from "../../agent/index.ts";
import type { SessionsHost } from "./_host.ts";
import type { SessionEntry } from "../../store/index.ts";
import type { MethodHandler } from "../context.ts";
import { notifySessionChanged } from "./_subscriptions.ts";
import { checkExpectedSession } from "./sessions-patch.ts";

/**
 * `sessions.reset`: starts the session over with a new sessionId (runs on it are aborted first; the old
 * transcript stays in the store under its old id). Label, model override and thinking level are kept.
 * v4's `expectedSessionId` refuses a reset of a session that moved on; `reason` changes nothing here.
 * @returns `{ok:true, key, entry}`.
 */
export const sessionsReset: MethodHandler<"sessions.reset", SessionsHost> = (ctx, params) => {
  const { store, config, agents } = ctx.host;
  const key = canonicalSessionKey(config, String(params.key));
  const old = store.getSession(key);
  checkExpectedSession(key, old, params.expectedSessionId);
  agents.abort(key, undefined, "rpc");
  const now = Date.now();
  const entry: SessionEntry = {
    sessionId: crypto.randomUUID(),
    createdAt: now,
    updatedAt: now,
    ...(old?.label && { label: old.label }),
    ...(old?.modelOverride && { modelOverride: old.modelOverride }),
    ...(old?.thinkingLevel && { thinkingLevel: old.thinkingLevel }),
  };
  store.setSession(key, entry);
  notifySessionChanged(ctx.host, key, "reset");
  return { ok: true, key, entry };
};
