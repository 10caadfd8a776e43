/** The host services this folder's feature declares (its `needs`); its handlers see only these. */
import type { HostView } from "../host.ts";

/** Listed in the feature's `needs`. */
export const HTTP_NEEDS = ["agents", "channels", "config", "heartbeat", "loaded", "logger", "nodes", "rateLimiter", "runListeners", "settings", "store", "systemEvents"] as const;

/** The host as this feature's handlers see it. */
export type HttpHost = HostView<(typeof HTTP_NEEDS)[number]>;
