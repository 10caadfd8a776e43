/** The host services this folder's feature declares (its `needs`); its handlers see only these. */
import type { HostView } from "../host.ts";

/** Listed in the feature's `needs`. */
export const HEALTH_NEEDS = ["agents", "channels", "config", "healthSnapshot", "scheduleHealthRefresh", "stateDir", "store", "systemEvents"] as const;

/** The host as this feature's handlers see it. */
export type HealthHost = HostView<(typeof HEALTH_NEEDS)[number]>;
