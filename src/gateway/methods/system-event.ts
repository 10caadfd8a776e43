import { GatewayError } from "../../errors.ts";
import type { MethodHandler } from "../context.ts";

const MAX_QUEUED = 100;

/**
 * `system-event`: records a presence beacon from a device and queues its text for the main session.
 * Blank text is refused (it would create an empty presence row); an immediate repeat is not queued twice.
 */
export const systemEvent: MethodHandler = (ctx, params) => {
  const text = String(params.text).trim();
  if (text === "") throw new GatewayError("INVALID_REQUEST", "text required");
  ctx.gw.presence.applySystemEvent({ ...params, text });
  const queue = ctx.gw.systemEvents;
  if (queue[queue.length - 1] !== text) queue.push(text);
  if (queue.length > MAX_QUEUED) queue.shift();
  ctx.gw.broadcastPresence();
  return { ok: true };
};
