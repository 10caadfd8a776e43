/**
 * The agent's view of the node registry: connected nodes with their allowed commands, and `invoke` through
 * the same path as the `node.invoke` method (allowlist, A2UI check, timeouts). Lets `src/agent/` drive
 * nodes without importing the gateway.
 */
import type { ToolNodes } from "../../agent/index.ts";
import type { NodeRegistry } from "./nodes.ts";

/** Adapts `nodes` for the agent's tools. Reads the registry on every call, so it never goes stale. */
export function toToolNodes(nodes: NodeRegistry): ToolNodes {
  return {
    list: () =>
      nodes
        .list()
        .filter((n) => n.connected)
        .map((n) => ({
          nodeId: n.nodeId,
          ...(n.displayName && { displayName: n.displayName }),
          commands: n.commands,
          // What the `nodes` tool's describe shows; the node's address stays out of the agent's view.
          ...(n.platform && { platform: n.platform }),
          ...(n.version && { version: n.version }),
          ...(n.deviceFamily && { deviceFamily: n.deviceFamily }),
          ...(n.modelIdentifier && { modelIdentifier: n.modelIdentifier }),
          caps: n.caps,
          ...(n.permissions && { permissions: n.permissions }),
          ...(n.connectedAtMs !== undefined && { connectedAtMs: n.connectedAtMs }),
        })),
    async invoke(input) {
      const result = await nodes.invoke(input);
      return { payload: result.payload };
    },
  };
}
