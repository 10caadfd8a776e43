/**
 * What the gateway asks an outside browser's DevTools endpoint (remote `cdpUrl`, or `attachOnly`) without
 * Playwright: `/json/version` (is it there?) and `Browser.close` over the browser WebSocket. A browser the
 * gateway launched has no such endpoint (it is driven over a pipe).
 */

/** `/json/version`. */
export interface CdpVersion {
  Browser: string;
  "Protocol-Version"?: string;
  "User-Agent"?: string;
  webSocketDebuggerUrl?: string;
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

async function cdpJson(cdpUrl: string, path: string, method: string, timeoutMs: number): Promise<unknown> {
  const res = await fetch(`${cdpUrl}${path}`, { method, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (!res.ok) throw new CdpHttpError(res.status, `${method} ${path.split("?")[0]}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}
