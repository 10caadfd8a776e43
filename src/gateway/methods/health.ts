import type { MethodHandler } from "../context.ts";

/** `health`: refreshes the snapshot (broadcasting a `health` event) and returns it. */
export const health: MethodHandler = (ctx) => ctx.gw.refreshHealth();
