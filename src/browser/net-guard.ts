/**
 * The browser's network rule: the public-address rule of `web_fetch` and `send` media (util/net.ts),
 * enforced inside the browser on every request it makes — navigations, redirect hops, subresources,
 * frames, popups, link clicks and form posts — through the DevTools Fetch domain on the browser target
 * (which, unlike Playwright's routing, also pauses each redirect hop).
 *
 * A request may reach a private, loopback or link-local address, or a non-http(s) URL such as file:, only
 * when `browser.allowPrivate` is set (file-only) or when it comes from a tab an `operator.admin` caller
 * navigated (a "trusted" tab, see {@link TrustedTabs}). Everything else gets `net::ERR_BLOCKED_BY_CLIENT`.
 *
 * Known limit: names are resolved here and again by the browser, so a DNS answer that
 * changes in between (rebinding) is not caught.
 */
import type { CDPSession } from "./pw-session.ts";
import { isNonPublicAddress, resolveAll } from "../util/net.ts";

/** Resolves a host name to all of its addresses (util/net.ts `resolveAll`; tests map names to public IPs). */
export type HostResolver = (host: string) => Promise<string[]>;

/** What a request needs to pass. */
export interface NetGuardPolicy {
  resolve?: HostResolver;
  /** `browser.allowPrivate`: every caller may reach private addresses. */
  allowPrivate(): boolean;
  /** True when the request's frame is the main frame of a tab an admin caller navigated. */
  isTrusted(frameId: string | undefined): boolean;
  /**
   * Called for each refusal, before the browser is told. `request` names its frame and resource type: a
   * refused main-frame `Document` load makes Chromium commit its error page in that tab a moment later.
   */
  onBlocked?(url: string, why: string, request: { frameId?: string; resourceType?: string }): void;
}

/** Main frames (= target ids) of tabs an admin caller navigated; any other caller's navigation revokes. */
export class TrustedTabs {
  private readonly ids = new Set<string>();
  trust(targetId: string): void {
    this.ids.add(targetId);
  }
  revoke(targetId: string): void {
    this.ids.delete(targetId);
  }
  has(id: string | undefined): boolean {
    return id !== undefined && this.ids.has(id);
  }
  clear(): void {
    this.ids.clear();
  }
}

const WEB_SCHEMES = new Set(["http:", "https:", "ws:", "wss:"]);

/**
 * Decides one request.
 * @returns undefined when allowed, else why it is refused.
 */
export async function checkBrowserRequest(raw: string, trusted: boolean, allowPrivate: boolean, resolve: HostResolver = resolveAll): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not a URL";
  }
  if (url.protocol === "data:" || url.protocol === "blob:" || url.protocol === "about:") return undefined;
  if (!WEB_SCHEMES.has(url.protocol)) return trusted || allowPrivate ? undefined : `scheme ${url.protocol} is only for operator.admin`;
  if (trusted || allowPrivate) return undefined;
  let addresses: string[];
  try {
    addresses = await resolve(url.hostname);
  } catch {
    return `cannot resolve ${url.hostname}`;
  }
  const blocked = addresses.find(isNonPublicAddress);
  return blocked === undefined ? undefined : `${url.hostname} resolves to a private, loopback or link-local address (${blocked})`;
}

/**
 * Turns the guard on for a whole browser: every request of every target pauses until it is checked.
 * @param session a CDP session on the browser target (`browser.newBrowserCDPSession()`).
 * @throws Error when the browser refuses `Fetch.enable`.
 */
export async function installNetGuard(session: CDPSession, policy: NetGuardPolicy): Promise<void> {
  session.on("Fetch.requestPaused", (ev: { requestId: string; request: { url: string }; frameId?: string; resourceType?: string }) => {
    void (async () => {
      const why = await checkBrowserRequest(ev.request.url, policy.isTrusted(ev.frameId), policy.allowPrivate(), policy.resolve);
      if (why === undefined) {
        await session.send("Fetch.continueRequest", { requestId: ev.requestId });
        return;
      }
      policy.onBlocked?.(ev.request.url, why, { frameId: ev.frameId, resourceType: ev.resourceType });
      await session.send("Fetch.failRequest", { requestId: ev.requestId, errorReason: "BlockedByClient" });
    })().catch(() => {
      // The request or the browser went away meanwhile.
    });
  });
  await session.send("Fetch.enable", { patterns: [{ urlPattern: "*", requestStage: "Request" }] });
}
