import type { MethodHandler } from "../context.ts";

const MAX_QUEUED = 100;

/** `system-event`: records a presence beacon from a device and queues its text for the main session. */
export const systemEvent: MethodHandler = (ctx, params) => {
  const text = String(params.text);
  ctx.gw.presence.applySystemEvent({ ...params, text });
  ctx.gw.systemEvents.push(text);
  if (ctx.gw.systemEvents.length > MAX_QUEUED) ctx.gw.systemEvents.shift();
  ctx.gw.broadcastPresence();
  return { ok: true };
};
