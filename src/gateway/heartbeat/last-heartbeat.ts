import type { MethodHandler } from "../context.ts";
import type { HeartbeatFeatureHost } from "./_host.ts";

/** `last-heartbeat`: the last heartbeat event, or null before the first run. */
export const lastHeartbeat: MethodHandler<"last-heartbeat", HeartbeatFeatureHost> = (ctx) => ctx.host.heartbeat.last;
