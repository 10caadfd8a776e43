import type { MethodHandler } from "../context.ts";
import type { HealthHost } from "./_host.ts";

/**
 * `diagnostics.lanes` (v4; the Control UI's Debug page polls it): the agent run queue as lanes. Runs here go
 * through one queue (per-session order under the `agents.defaults.maxConcurrent` cap), reported as the lane
 * "main"; there are no dynamic lanes (`dynamic: null`).
 */
export const diagnosticsLanes: MethodHandler<"diagnostics.lanes", HealthHost> = (ctx) => {
  const { running, queued, maxConcurrent } = ctx.host.agents.laneStats();
  return { ts: Date.now(), lanes: [{ lane: "main", queuedCount: queued, activeCount: running, maxConcurrent, draining: false }], dynamic: null };
};
