import { canonicalSessionKey } from "../../agent/index.ts";
import type { ChatHost } from "./_host.ts";
import type { MethodHandler } from "../context.ts";

/**
 * `chat.abort`: stops the run `runId` on the session, or every run on it (running and queued) when no
 * runId is given. Each stopped run emits `chat` state `aborted` with stopReason `rpc`; partial text stays
 * in the transcript. @returns `{ok:true, aborted, runIds}`.
 */
export const chatAbort: MethodHandler<"chat.abort", ChatHost> = (ctx, params) => {
  const key = canonicalSessionKey(ctx.host.config, String(params.sessionKey));
  const runIds = ctx.host.agents.abort(key, params.runId, "rpc");
  return { ok: true, aborted: runIds.length > 0, runIds };
};
