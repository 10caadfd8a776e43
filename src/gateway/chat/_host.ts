/** The host services this folder's feature declares (its `needs`); its handlers see only these. */
import type { HostView } from "../host.ts";

/** Listed in the feature's `needs`. */
export const CHAT_NEEDS = ["agents", "channels", "config", "connections", "logger", "store"] as const;

/** The host as this feature's handlers see it. */
export type ChatHost = HostView<(typeof CHAT_NEEDS)[number]>;
