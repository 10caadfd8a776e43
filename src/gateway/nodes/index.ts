/**
 * Nodes: the registry of paired and connected nodes, node pairing, `node.invoke` and node events, and
 * the agent's view of nodes as tools (`agent-nodes.ts`).
 */
import { NODES_NEEDS } from "./_host.ts";
import { defineFeature, defineMethod } from "../feature.ts";
import { nodeEvent } from "./node-event.ts";
import { nodeInvoke, nodeInvokeResult } from "./node-invoke.ts";
import { nodeDescribe, nodeList } from "./node-list.ts";
import { nodePairApprove, nodePairList, nodePairReject, nodePairRequest, nodePairVerify } from "./node-pair.ts";
import { nodeRename } from "./node-rename.ts";

/** The nodes feature: its methods and the config it claims. */
export const nodesFeature = defineFeature({
  name: "nodes",
  needs: NODES_NEEDS,
  methods: [
    defineMethod("node.pair.request", nodePairRequest),
    defineMethod("node.pair.list", nodePairList),
    defineMethod("node.pair.approve", nodePairApprove),
    defineMethod("node.pair.reject", nodePairReject),
    defineMethod("node.pair.verify", nodePairVerify),
    defineMethod("node.rename", nodeRename),
    defineMethod("node.list", nodeList),
    defineMethod("node.describe", nodeDescribe),
    defineMethod("node.invoke", nodeInvoke),
    defineMethod("node.invoke.result", nodeInvokeResult),
    defineMethod("node.event", nodeEvent),
  ],
  // Read on use: a change applies with the next call.
  config: { prefixes: ["gateway.nodes"] },
});
