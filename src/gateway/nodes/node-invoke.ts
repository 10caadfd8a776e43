/**
 * `node.invoke` (operator.write) and `node.invoke.result` (role node): an operator's call goes to the node
 * as a targeted `node.invoke.request` event; the node answers with `node.invoke.result`.
 */
import type { MethodHandler } from "../context.ts";

/**
 * `node.invoke`: `{ok, nodeId, command, payload?, payloadJSON?}` once the node answered.
 * @throws UNAVAILABLE (not connected, timed out, disconnected mid-call, node error) or INVALID_REQUEST
 *   (command not allowed).
 */
export const nodeInvoke: MethodHandler<"node.invoke"> = (ctx, params) => ctx.gw.nodes.invoke(params);

/** `node.invoke.result`: `{ok: true}`; `ignored: true` for a call that already ended. */
export const nodeInvokeResult: MethodHandler<"node.invoke.result"> = (ctx, params) =>
  ctx.gw.nodes.acceptResult(ctx.client, params);
