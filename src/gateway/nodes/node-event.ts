/**
 * `node.event` (role node): a node reports something (voice transcript, exec finished, …); subsystems
 * subscribe with `gw.nodes.onEvent`.
 */
import type { MethodHandler } from "../context.ts";
import type { NodesHost } from "./_host.ts";

/** `node.event`: `{ok: true}`. */
export const nodeEvent: MethodHandler<"node.event", NodesHost> = (ctx, params) =>
  ctx.host.nodes.acceptEvent(ctx.client, params);
