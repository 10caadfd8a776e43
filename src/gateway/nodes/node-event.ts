/**
 * `node.event` (role node): a node reports something (voice transcript, exec finished, …); subsystems
 * subscribe with `gw.nodes.onEvent`.
 */
import type { MethodHandler } from "../context.ts";

/** `node.event`: `{ok: true}`. */
export const nodeEvent: MethodHandler<"node.event"> = (ctx, params) =>
  ctx.gw.nodes.acceptEvent(ctx.client, params);
