/** The host services this folder's feature declares (its `needs`); its handlers see only these. */
import type { HostView } from "../host.ts";

/** Listed in the feature's `needs`. */
export const BROWSER_BRIDGE_NEEDS = ["browserControl", "settings"] as const;

/** The host as this feature's handlers see it. */
export type BrowserBridgeHost = HostView<(typeof BROWSER_BRIDGE_NEEDS)[number]>;
