/** The host services this folder's feature declares (its `needs`); its handlers see only these. */
import type { HostView } from "../host.ts";

/** Listed in the feature's `needs`. */
export const SESSIONS_NEEDS = ["agents", "config", "connections", "runListeners", "stateDir", "store"] as const;

/** The host as this feature's handlers see it. */
export type SessionsHost = HostView<(typeof SESSIONS_NEEDS)[number]>;
