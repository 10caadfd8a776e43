/**
 * `node.list` and `node.describe` (operator.read): paired and connected nodes with what they can do.
 */
import { GatewayError } from "../../errors.ts";
import type { NodesHost } from "./_host.ts";
import type { MethodHandler } from "../context.ts";

/** `node.list`: `{ts, nodes}`, connected nodes first. */
export const nodeList: MethodHandler<"node.list", NodesHost> = (ctx) => ({ ts: Date.now(), nodes: ctx.host.nodes.list() });

/** `node.describe`: one node. @throws INVALID_REQUEST "unknown nodeId" when neither paired nor connected. */
export const nodeDescribe: MethodHandler<"node.describe", NodesHost> = (ctx, params) => {
  const node = ctx.host.nodes.describe(String(params.nodeId));
  if (!node) throw new GatewayError("INVALID_REQUEST", "unknown nodeId");
  return node;
};
