import { createBrowserClient } from "../../browser/index.ts";
import type { BrowserBridgeHost } from "./_host.ts";
import { GatewayError } from "../../errors.ts";
import type { MethodHandler } from "../context.ts";

const METHODS = new Set(["GET", "POST", "DELETE"]);
const BASE = "http://browser-control.invalid";

/**
 * `browser.request`: proxies `{method, path, query?, body?, timeoutMs?}` to the browser control service
 * in process (same routes and auth as its HTTP listener). JSON answers come back as they are; images as
 * `{contentType, encoding: "base64", data, bytes}`. A caller without operator.admin gets the public-address
 * rule for every page, redirect and request the browser makes, and may not read tabs showing private ones.
 * @throws GatewayError INVALID_REQUEST for a bad method/path or a 4xx from the service (details carry
 *   `status` and `code`), UNAVAILABLE when the service is off or answers 5xx.
 */
export const browserRequest: MethodHandler<"browser.request", BrowserBridgeHost> = async (ctx, params) => {
  const control = ctx.host.browserControl;
  if (!control) throw new GatewayError("UNAVAILABLE", "browser control is not running (browser.enabled=false, or its port was taken: see the gateway log)");
  const method = String(params.method ?? "GET").toUpperCase();
  if (!METHODS.has(method)) throw new GatewayError("INVALID_REQUEST", `browser.request: method must be GET, POST or DELETE (got ${JSON.stringify(params.method).slice(0, 20)})`);
  const path = checkPath(params.path);
  const auth = ctx.host.settings.auth;
  // Below operator.admin the browser may only open public addresses, at every hop (issue 17 §5).
  const privileged = ctx.client.scopes.includes("operator.admin");
  const client = createBrowserClient({ baseUrl: control.url, token: auth.mode === "password" ? auth.password : auth.token, fetch: (req) => control.fetch(req, { privileged }) });
  const query = Object.fromEntries(Object.entries(params.query ?? {}).map(([k, v]) => [k, v === undefined || v === null ? undefined : String(v)]));
  // Browser errors (the service refused, or could not be reached) become protocol errors in gateway/error-map.ts.
  const res = await client.requestRaw(method, path, { query, body: params.body, timeoutMs: params.timeoutMs });
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("json")) return await res.json();
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { contentType: type, encoding: "base64", data: Buffer.from(bytes).toString("base64"), bytes: bytes.length };
};

// A path names a route of the control API and nothing else: no scheme, host, dot segments or backslashes.
function checkPath(raw: unknown): string {
  if (typeof raw !== "string" || !raw.startsWith("/")) throw new GatewayError("INVALID_REQUEST", 'browser.request: path is required and must start with "/" (e.g. "/snapshot")');
  if (raw.startsWith("//") || raw.includes("\\") || /(^|\/)\.\.?(\/|$|\?)/.test(raw) || /%2e|%2f|%5c/i.test(raw)) {
    throw new GatewayError("INVALID_REQUEST", `browser.request: path ${JSON.stringify(raw.slice(0, 80))} is not allowed (no "..", "//", backslashes or encoded separators)`);
  }
  const url = new URL(raw, BASE);
  if (url.origin !== BASE) throw new GatewayError("INVALID_REQUEST", "browser.request: path must be a route of the browser control API");
  return `${url.pathname}${url.search}`;
}
