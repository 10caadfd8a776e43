import type { MethodHandler } from "../context.ts";
import type { HealthHost } from "./_host.ts";

/**
 * `health`: answers with a fresh snapshot and schedules a `health` event. The event is coalesced: a burst
 * of calls from many clients costs one fan-out, not one per call (N² at 100 polling clients).
 */
export const health: MethodHandler<"health", HealthHost> = (ctx) => {
  const snapshot = ctx.host.healthSnapshot(0);
  ctx.host.scheduleHealthRefresh();
  return snapshot;
};
