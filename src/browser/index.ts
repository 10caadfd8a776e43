/**
 * Browser control: a loopback HTTP service (gateway port + 2) that launches and drives dedicated
 * Chromium-family profiles for the agent over CDP, and the client that talks to it.
 */
export { createBrowserClient, browserControlUrl, type BrowserClient, type BrowserClientOptions, type BrowserRequestOptions } from "./client.ts";
export { DEFAULT_PROFILE_NAME, resolveBrowserConfig, type ResolvedBrowserConfig, type ResolvedProfile } from "./config.ts";
export { BrowserApiError, BrowserTransportError, isBrowserApiError } from "./errors.ts";
export { detectBrowserExecutable, type BrowserExecutable } from "./executables.ts";
export { startBrowserControl, tryStartBrowserControl, type BrowserControlHandle, type BrowserControlOptions } from "./server.ts";
export type { BrowserAction, BrowserActResult, BrowserErrorCode, BrowserSnapshot, BrowserStatus, BrowserTab, BrowserTabs } from "./types.ts";
