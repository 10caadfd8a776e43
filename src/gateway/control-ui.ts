/**
 * Serves the control UI under `gateway.controlUi.basePath` (default `/`): the page, its script and style,
 * and the page again for any other GET below the base path (client-side routes). Assets are embedded in
 * the binary and loaded on first request, so start-up does not pay for them.
 */
import type { OpenClawConfig } from "../config/schema.ts";

type Assets = typeof import("../ui/generated/assets.ts");
let assets: Assets | undefined;

/**
 * Answers a control UI request.
 * @returns the response, or undefined when the UI is off or the path is not below the base path.
 */
export async function serveControlUi(config: OpenClawConfig, req: Request, url: URL): Promise<Response | undefined> {
  const ui = config.gateway?.controlUi;
  if (ui?.enabled === false || (req.method !== "GET" && req.method !== "HEAD")) return undefined;
  const base = normalizeBase(ui?.basePath);
  if (!`${url.pathname}/`.startsWith(base) && url.pathname !== base.slice(0, -1)) return undefined;
  assets ??= await import("../ui/generated/assets.ts");
  const rest = url.pathname.slice(base.length);
  const headers = securityHeaders(req);
  if (rest === "app.js") return new Response(assets.APP_JS, { headers: { ...headers, "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" } });
  if (rest === "app.css") return new Response(assets.APP_CSS, { headers: { ...headers, "content-type": "text/css; charset=utf-8", "cache-control": "no-cache" } });
  const html = assets.INDEX_HTML.replace('href="./app.css"', `href="${base}app.css"`).replace('src="./app.js"', `src="${base}app.js"`);
  return new Response(html, { headers: { ...headers, "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
}

/** `/`, `/ui` → `/ui/`. */
function normalizeBase(basePath: string | undefined): string {
  const trimmed = (basePath ?? "/").trim().replace(/^\/*/, "/").replace(/\/*$/, "/");
  return trimmed === "//" ? "/" : trimmed;
}

function securityHeaders(req: Request): Record<string, string> {
  // The page may only talk to the gateway it came from.
  const host = (req.headers.get("host") ?? "").replace(/[^A-Za-z0-9.:[\]-]/g, "");
  const sockets = host ? ` ws://${host} wss://${host}` : "";
  return {
    "content-security-policy": `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'${sockets}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
  };
}
