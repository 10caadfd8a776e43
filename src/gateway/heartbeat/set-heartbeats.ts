import type { MethodHandler } from "../context.ts";
import type { HeartbeatFeatureHost } from "./_host.ts";

/**
 * `set-heartbeats {enabled}`: turns the heartbeat runner on or off until the gateway restarts (the config
 * is not changed). Off: no scheduled runs and wakes only queue their text. Answers `{ok:true, enabled}`.
 */
export const setHeartbeats: MethodHandler<"set-heartbeats", HeartbeatFeatureHost> = (ctx, params) => {
  const enabled = params.enabled === true;
  ctx.host.heartbeat.setEnabled(enabled);
  return { ok: true, enabled };
};
