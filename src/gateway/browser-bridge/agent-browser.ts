/**
 * The agent's view of the browser control service: the `browser` port of the agent's tools. Each call goes
 * to the in-process service as an unprivileged caller (never operator.admin), so the agent's browser gets
 * the public-address rule at every hop unless `browser.allowPrivate` is set in the config file, and may not
 * read tabs an admin opened on private addresses.
 */
import type { ToolBrowser } from "../../agent/index.ts";
import { type BrowserClient, type BrowserControlHandle, createBrowserClient } from "../../browser/index.ts";

/** What the adapter reads on every call (the service starts after the agent runtime is built). */
export interface AgentBrowserSource {
  /** The running control service, or undefined (browser.enabled=false, or its port was taken). */
  control(): BrowserControlHandle | undefined;
  /** The gateway secret the service checks (token or password); undefined when auth is off. */
  secret(): string | undefined;
}

/** Adapts the browser control service for the agent's tools. Never caches the service or the secret. */
export function toToolBrowser(source: AgentBrowserSource): ToolBrowser {
  const client = (): BrowserClient => {
    const control = source.control();
    if (!control) throw new Error("browser control is not running (browser.enabled=false, or its port was taken: see the gateway log)");
    return createBrowserClient({ baseUrl: control.url, token: source.secret(), fetch: (req) => control.fetch(req, { privileged: false }) });
  };
  return {
    status: (profile) => client().status(profile),
    start: (profile) => client().start(profile),
    stop: (profile) => client().stop(profile),
    tabs: (profile) => client().tabs(profile),
    openTab: (url, profile) => client().openTab(url, profile),
    focusTab: (targetId, profile) => client().focusTab(targetId, profile),
    closeTab: (targetId, profile) => client().closeTab(targetId, profile),
    navigate: (url, opts) => client().navigate(url, opts),
    snapshot: (opts) => client().snapshot(opts),
    act: (action, profile) => client().act(action, profile),
    screenshot: (opts) => client().screenshot(opts),
  };
}
