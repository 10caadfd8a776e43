/** The host services this folder's feature declares (its `needs`); its handlers see only these. */
import type { HostView } from "../host.ts";

/** Listed in the feature's `needs`. */
export const TALK_NEEDS = ["connections", "nodes", "stateDir"] as const;

/** The host as this feature's handlers see it. */
export type TalkHost = HostView<(typeof TALK_NEEDS)[number]>;
