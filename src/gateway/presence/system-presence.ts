import type { MethodHandler } from "../context.ts";

/** `system-presence`: the presence list (bare array, newest first, self included). */
export const systemPresence: MethodHandler<"system-presence"> = (ctx) => ctx.gw.presence.list();
