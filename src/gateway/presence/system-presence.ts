import type { MethodHandler } from "../context.ts";
import type { PresenceHost } from "./_host.ts";

/** `system-presence`: the presence list (bare array, newest first, self included). */
export const systemPresence: MethodHandler<"system-presence", PresenceHost> = (ctx) => ctx.host.presence.list();
