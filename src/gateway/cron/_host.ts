/** The host services this folder's feature declares (its `needs`); its handlers see only these. */
import type { HostView } from "../host.ts";

/** Listed in the feature's `needs`. */
export const CRON_NEEDS = ["config", "cron"] as const;

/** The host as this feature's handlers see it. */
export type CronFeatureHost = HostView<(typeof CRON_NEEDS)[number]>;
