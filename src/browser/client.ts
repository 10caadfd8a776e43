/**
 * A small client of the browser control API, for the CLI, the agent's `browser` tool and the
 * `browser.request` gateway method. Plain `fetch`; loads no browser code. Pass `fetch` to talk to an
 * in-process service without a socket.
 */
import { BrowserApiError, BrowserTransportError } from "./errors.ts";
import type { BrowserAction, BrowserActResult, BrowserErrorBody, BrowserSnapshot, BrowserStatus, BrowserTab, BrowserTabs } from "./types.ts";

/** Options of {@link createBrowserClient}. */
export interface BrowserClientOptions {
  /** `http://127.0.0.1:<gateway port + 2>`. */
  baseUrl: string;
  /** The gateway token (or password). */
  token?: string;
  /** Profile for every call that does not name one. */
  profile?: string;
  /** Per-request timeout (default 60 000 ms: a first launch plus a page load). */
  timeoutMs?: number;
  /** Transport; defaults to global fetch. */
  fetch?: (req: Request) => Promise<Response>;
}

/** Options of one raw request. */
export interface BrowserRequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  timeoutMs?: number;
  profile?: string;
}

/** A typed client; every method throws BrowserApiError (API said no) or BrowserTransportError (unreachable). */
export interface BrowserClient {
  readonly baseUrl: string;
  /** Any route; resolves with the Response for 2xx. */
  requestRaw(method: string, path: string, opts?: BrowserRequestOptions): Promise<Response>;
  /** Any route with a JSON answer. */
  request<T = unknown>(method: string, path: string, opts?: BrowserRequestOptions): Promise<T>;
  status(profile?: string): Promise<BrowserStatus>;
  start(profile?: string): Promise<BrowserStatus & { ok: true }>;
  stop(profile?: string): Promise<{ ok: true; stopped: boolean; profile: string }>;
  tabs(profile?: string): Promise<BrowserTabs>;
  openTab(url: string, profile?: string): Promise<BrowserTab>;
  focusTab(targetId: string, profile?: string): Promise<{ ok: true; targetId: string }>;
  closeTab(targetId: string, profile?: string): Promise<{ ok: true; targetId: string }>;
  snapshot(opts?: { targetId?: string; maxChars?: number; profile?: string }): Promise<BrowserSnapshot>;
  /** The image bytes (PNG unless `type: "jpeg"`). */
  screenshot(opts?: { targetId?: string; fullPage?: boolean; ref?: string; type?: "png" | "jpeg"; profile?: string }): Promise<Uint8Array>;
  act(action: BrowserAction, profile?: string): Promise<BrowserActResult>;
  navigate(url: string, opts?: { targetId?: string; profile?: string }): Promise<BrowserActResult>;
}

/**
 * Creates a client.
 * @example
 * const b = createBrowserClient({ baseUrl: "http://127.0.0.1:18791", token });
 * const snap = await b.snapshot();
 * await b.act({ kind: "click", ref: "e3" });
 */
export function createBrowserClient(opts: BrowserClientOptions): BrowserClient {
  const baseUrl = opts.baseUrl.replace(/\/+$/, "");
  const send = opts.fetch ?? ((req: Request) => fetch(req));
  const requestRaw = async (method: string, path: string, o: BrowserRequestOptions = {}): Promise<Response> => {
    const url = new URL(`${baseUrl}${path.startsWith("/") ? path : `/${path}`}`);
    const profile = o.profile ?? opts.profile;
    if (profile && !url.searchParams.has("profile")) url.searchParams.set("profile", profile);
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (o.body !== undefined) headers["content-type"] = "application/json";
    const timeoutMs = o.timeoutMs ?? opts.timeoutMs ?? 60_000;
    let res: Response;
    try {
      res = await send(new Request(url, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body), signal: AbortSignal.timeout(timeoutMs) }));
    } catch (err) {
      const name = (err as Error)?.name;
      const why = name === "TimeoutError" || name === "AbortError" ? `no answer within ${timeoutMs} ms` : (err as Error)?.message ?? String(err);
      throw new BrowserTransportError(baseUrl, `browser control at ${baseUrl} not reachable: ${why}`, { cause: err });
    }
    if (res.ok) return res;
    const text = await res.text();
    let body: Partial<BrowserErrorBody> = {};
    try {
      body = JSON.parse(text);
    } catch {
      // not ours (a proxy, another program on the port)
    }
    throw new BrowserApiError(res.status, body.code ?? "INTERNAL", body.error ?? `HTTP ${res.status}: ${text.slice(0, 200)}`);
  };
  const request = async <T>(method: string, path: string, o?: BrowserRequestOptions): Promise<T> => (await (await requestRaw(method, path, o)).json()) as T;
  return {
    baseUrl,
    requestRaw,
    request,
    status: (profile) => request("GET", "/", { profile }),
    start: (profile) => request("POST", "/start", { profile }),
    stop: (profile) => request("POST", "/stop", { profile }),
    tabs: (profile) => request("GET", "/tabs", { profile }),
    openTab: (url, profile) => request("POST", "/tabs/open", { profile, body: { url } }),
    focusTab: (targetId, profile) => request("POST", "/tabs/focus", { profile, body: { targetId } }),
    closeTab: (targetId, profile) => request("DELETE", `/tabs/${encodeURIComponent(targetId)}`, { profile }),
    snapshot: (o = {}) => request("GET", "/snapshot", { profile: o.profile, query: { targetId: o.targetId, maxChars: o.maxChars } }),
    screenshot: async (o = {}) => {
      const { profile, ...body } = o;
      return new Uint8Array(await (await requestRaw("POST", "/screenshot", { profile, body })).arrayBuffer());
    },
    act: (action, profile) => request("POST", "/act", { profile, body: action }),
    navigate: (url, o = {}) => request("POST", "/navigate", { profile: o.profile, body: { url, targetId: o.targetId } }),
  };
}

/** The control URL for a gateway port: `http://127.0.0.1:<port + 2>` (config.md §2). */
export function browserControlUrl(gatewayPort: number): string {
  return `http://127.0.0.1:${gatewayPort + 2}`;
}
