import type { MethodHandler } from "../context.ts";

/**
 * `set-heartbeats {enabled}`: turns the heartbeat runner on or off until the gateway restarts (the config
 * is not changed). Off: no scheduled runs and wakes only queue their text. Answers `{ok:true, enabled}`.
 */
export const setHeartbeats: MethodHandler<"set-heartbeats"> = (ctx, params) => {
  const enabled = params.enabled === true;
  ctx.gw.heartbeat.setEnabled(enabled);
  return { ok: true, enabled };
};
