import type { MethodHandler } from "../context.ts";

/** `last-heartbeat`: the last heartbeat event, or null before the first run. */
export const lastHeartbeat: MethodHandler = (ctx) => ctx.gw.lastHeartbeat ?? null;
