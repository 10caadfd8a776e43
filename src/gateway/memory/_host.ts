/** The host services this folder's feature declares (its `needs`); its handlers see only these. */
import type { HostView } from "../host.ts";

/** Listed in the feature's `needs`. */
export const MEMORY_NEEDS = ["config", "memory"] as const;

/** The host as this feature's handlers see it. */
export type MemoryHost = HostView<(typeof MEMORY_NEEDS)[number]>;
