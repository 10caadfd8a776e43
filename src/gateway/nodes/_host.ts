/** The host services this folder's feature declares (its `needs`); its handlers see only these. */
import type { HostView } from "../host.ts";

/** Listed in the feature's `needs`. */
export const NODES_NEEDS = ["agents", "channels", "config", "connections", "devices", "logger", "nodePairing", "nodes", "store"] as const;

/** The host as this feature's handlers see it. */
export type NodesHost = HostView<(typeof NODES_NEEDS)[number]>;
