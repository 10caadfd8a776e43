/**
 * `node.rename` (operator.pairing): an operator-chosen name that survives reconnects.
 */
import { GatewayError } from "../../errors.ts";
import type { NodesHost } from "./_host.ts";
import type { MethodHandler } from "../context.ts";

/** `node.rename`: `{nodeId, displayName}`. @throws INVALID_REQUEST "unknown nodeId". */
export const nodeRename: MethodHandler<"node.rename", NodesHost> = (ctx, params) => {
  const nodeId = String(params.nodeId);
  const displayName = String(params.displayName).trim();
  if (!ctx.host.nodes.describe(nodeId)) throw new GatewayError("INVALID_REQUEST", "unknown nodeId");
  if (!displayName) throw new GatewayError("INVALID_REQUEST", "displayName must not be blank");
  ctx.host.nodePairing.rename(nodeId, displayName);
  return { nodeId, displayName };
};
