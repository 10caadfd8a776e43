/** The host services this folder's feature declares (its `needs`); its handlers see only these. */
import type { HostView } from "../host.ts";

/** Listed in the feature's `needs`. */
export const CANVAS_NEEDS = ["canvas", "connections", "settings"] as const;

/** The host as this feature's handlers see it. */
export type CanvasFeatureHost = HostView<(typeof CANVAS_NEEDS)[number]>;
