/**
 * `node.invoke` (operator.write) and `node.invoke.result` (role node): an operator's call goes to the node
 * as a targeted `node.invoke.request` event; the node answers with `node.invoke.result`.
 */
import type { MethodHandler } from "../context.ts";
import type { NodesHost } from "./_host.ts";

/**
 * `node.invoke`: `{ok, nodeId, command, payload?, payloadJSON?}` once the node answered.
 * @throws UNAVAILABLE (not connected, timed out, disconnected mid-call, node error) or INVALID_REQUEST
 *   (command not allowed).
 */
export const nodeInvoke: MethodHandler<"node.invoke", NodesHost> = (ctx, params) => ctx.host.nodes.invoke(params);

/** `node.invoke.result`: `{ok: true}`; `ignored: true` for a call that already ended. */
export const nodeInvokeResult: MethodHandler<"node.invoke.result", NodesHost> = (ctx, params) =>
  ctx.host.nodes.acceptResult(ctx.client, params);
