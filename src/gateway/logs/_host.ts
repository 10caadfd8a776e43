/** The host services this folder's feature declares (its `needs`); its handlers see only these. */
import type { HostView } from "../host.ts";

/** Listed in the feature's `needs`. */
export const LOGS_NEEDS = ["logger"] as const;

/** The host as this feature's handlers see it. */
export type LogsHost = HostView<(typeof LOGS_NEEDS)[number]>;
