import type { MethodHandler } from "../context.ts";

/** `last-heartbeat`: the last heartbeat event, or null before the first run. */
export const lastHeartbeat: MethodHandler<"last-heartbeat"> = (ctx) => ctx.gw.heartbeat.last;
