/** The host services this folder's feature declares (its `needs`); its handlers see only these. */
import type { HostView } from "../host.ts";

/** Listed in the feature's `needs`: none, these reads report subsystems this gateway does not have. */
export const STARTUP_READS_NEEDS = [] as const;

/** The host as this feature's handlers see it. */
export type StartupReadsHost = HostView<(typeof STARTUP_READS_NEEDS)[number]>;
