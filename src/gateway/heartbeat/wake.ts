import type { MethodHandler } from "../context.ts";
import type { HeartbeatFeatureHost } from "./_host.ts";
import { enqueueSystemEvent } from "./system-events.ts";

/**
 * `wake {mode, text}`: queues `text` as a system event for the main session. `now` also runs the heartbeat
 * at once (in the background; a busy session is skipped, not waited for); `next-heartbeat` leaves it for
 * the next scheduled one. Answers `{ok:true}` right away.
 */
export const wake: MethodHandler<"wake", HeartbeatFeatureHost> = (ctx, params) => {
  const p = params;
  enqueueSystemEvent(ctx.host.systemEvents, p.text);
  if (p.mode === "now") void ctx.host.heartbeat.requestNow("wake");
  return { ok: true };
};
