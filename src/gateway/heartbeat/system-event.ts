import { GatewayError } from "../../errors.ts";
import type { HeartbeatFeatureHost } from "./_host.ts";
import type { MethodHandler } from "../context.ts";
import { enqueueSystemEvent } from "./system-events.ts";

/**
 * `system-event`: records a presence beacon from a device and queues its text for the main session (the
 * next heartbeat reads it). Blank text is refused (it would create an empty presence row); an immediate
 * repeat is not queued twice. The answer goes out first; the `presence` fan-out to every client follows on
 * the next turn of the event loop (at 1 000 clients it would otherwise hold the answer back ~10 ms).
 */
export const systemEvent: MethodHandler<"system-event", HeartbeatFeatureHost> = (ctx, params) => {
  const text = String(params.text).trim();
  if (text === "") throw new GatewayError("INVALID_REQUEST", "text required");
  ctx.host.presence.applySystemEvent({ ...params, text });
  enqueueSystemEvent(ctx.host.systemEvents, text);
  setImmediate(() => ctx.host.broadcastPresence());
  return { ok: true };
};
