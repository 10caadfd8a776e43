/**
 * The DevTools HTTP endpoints of a Chromium-family browser (`/json/version`, `/json/list`, `/json/new`,
 * `/json/activate`, `/json/close`) plus `Browser.close` over the browser WebSocket. Tab management needs
 * only these, so listing, opening, focusing and closing tabs never loads Playwright.
 */
import type { BrowserTab } from "./types.ts";

/** `/json/version`. */
export interface CdpVersion {
  Browser: string;
  "Protocol-Version"?: string;
  "User-Agent"?: string;
  webSocketDebuggerUrl?: string;
}

/** What the endpoints answer for one target. */
interface CdpTarget {
  id: string;
  type: string;
  title: string;
  url: string;
}

/** A DevTools endpoint answered with an error status. */
export class CdpHttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = "CdpHttpError";
    this.status = status;
  }
}

/**
 * Asks for `/json/version`.
 * @returns the version info, or null when nothing answers within `timeoutMs` (not running).
 */
export async function fetchCdpVersion(cdpUrl: string, timeoutMs = 1500): Promise<CdpVersion | null> {
  try {
    const v = (await cdpJson(cdpUrl, "/json/version", "GET", timeoutMs)) as CdpVersion;
    return v && typeof v.Browser === "string" ? v : null;
  } catch {
    return null;
  }
}

/**
 * Lists page targets (tabs), in the browser's order.
 * @throws Error when the endpoint cannot be reached.
 */
export async function listCdpTabs(cdpUrl: string, timeoutMs = 3000): Promise<BrowserTab[]> {
  const targets = (await cdpJson(cdpUrl, "/json/list", "GET", timeoutMs)) as CdpTarget[];
  return (Array.isArray(targets) ? targets : []).filter((t) => t.type === "page").map(toTab);
}

/** Opens a tab on `url` (Chrome 111+ wants PUT). @throws Error when the endpoint refuses. */
export async function openCdpTab(cdpUrl: string, url: string, timeoutMs = 5000): Promise<BrowserTab> {
  return toTab((await cdpJson(cdpUrl, `/json/new?${encodeURIComponent(url)}`, "PUT", timeoutMs)) as CdpTarget);
}

/** Brings a tab to the front. @returns false when the target does not exist. */
export async function activateCdpTab(cdpUrl: string, targetId: string, timeoutMs = 3000): Promise<boolean> {
  return cdpOk(cdpUrl, `/json/activate/${encodeURIComponent(targetId)}`, timeoutMs);
}

/** Closes a tab. @returns false when the target does not exist. */
export async function closeCdpTab(cdpUrl: string, targetId: string, timeoutMs = 3000): Promise<boolean> {
  return cdpOk(cdpUrl, `/json/close/${encodeURIComponent(targetId)}`, timeoutMs);
}

/**
 * Sends `Browser.close` on the browser WebSocket, for a browser this process did not launch.
 * Resolves once the socket closes or `timeoutMs` passes; never throws.
 */
export async function closeBrowserOverCdp(webSocketUrl: string, timeoutMs = 3000): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    let ws: WebSocket;
    function done() {
      clearTimeout(timer);
      try {
        ws?.close();
      } catch {
        // already closed
      }
      resolve();
    }
    try {
      ws = new WebSocket(webSocketUrl);
    } catch {
      done();
      return;
    }
    ws.onopen = () => ws.send(JSON.stringify({ id: 1, method: "Browser.close" }));
    ws.onclose = done;
    ws.onerror = done;
  });
}

// --- internal ---

function toTab(t: CdpTarget): BrowserTab {
  return { targetId: t.id, title: t.title ?? "", url: t.url ?? "", type: t.type ?? "page" };
}

async function cdpJson(cdpUrl: string, path: string, method: string, timeoutMs: number): Promise<unknown> {
  const res = await fetch(`${cdpUrl}${path}`, { method, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (!res.ok) throw new CdpHttpError(res.status, `${method} ${path.split("?")[0]}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

async function cdpOk(cdpUrl: string, path: string, timeoutMs: number): Promise<boolean> {
  const res = await fetch(`${cdpUrl}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  await res.arrayBuffer();
  if (res.status === 404) return false;
  if (!res.ok) throw new CdpHttpError(res.status, `${path}: HTTP ${res.status}`);
  return true;
}
