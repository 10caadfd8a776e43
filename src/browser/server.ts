/**
 * The browser control service: its own `Bun.serve` on 127.0.0.1 (gateway port + 2), protected by the
 * gateway's secret (`Authorization: Bearer <token>`), dispatching to the route table. Config is read on
 * every request, so `browser.*` edits apply without a restart. Nothing here can take the gateway down:
 * every failure is a JSON error response.
 */
import type { OpenClawConfig } from "../config/schema.ts";
import { pickProfile, resolveBrowserConfig } from "./config.ts";
import { BrowserApiError, isBrowserApiError } from "./errors.ts";
import { type BrowserLog, type EgressHooks, ProfileRuntime } from "./profile-runtime.ts";
import { ProfilePorts } from "./profiles.ts";
import { ROUTES } from "./routes.ts";
import type { BrowserErrorBody } from "./types.ts";

const MAX_BODY_BYTES = 1024 * 1024;

/** What `startBrowserControl` needs. */
export interface BrowserControlOptions {
  /** Port to listen on (gateway port + 2; 0 picks one, for tests). */
  port: number;
  stateDir: string;
  /** The current config, read per request. */
  config: () => OpenClawConfig;
  /** Checks a presented bearer secret in constant time (the gateway passes its token/password check). */
  verifyToken: (presented: string) => boolean;
  /** The gateway's per-address failed-auth limiter: wrong bearers on the listener count, locked-out peers get 429. */
  limiter?: { retryAfter(address: string): number; recordFailure(address: string): unknown };
  log?: BrowserLog & { error?(msg: string): void };
  /** Host name resolution for the browser's network rule (default: the system resolver; tests map names). */
  resolveHost?: (host: string) => Promise<string[]>;
  /**
   * Tests only (the gateway never sets it): the egress proxy's resolver (default `resolveHost`) and where
   * it reaches a checked address (default: that address).
   */
  egress?: EgressHooks;
}

/** A running control service. */
export interface BrowserControlHandle {
  port: number;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /**
   * Serves one request in process, exactly as the listener would (auth included). `privileged` says the
   * caller holds operator.admin (see RouteContext); default false.
   */
  fetch(req: Request, opts?: { privileged?: boolean }): Promise<Response>;
  /** Stops the browsers this service launched and the listener. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts listening on 127.0.0.1:`port`. No browser is launched until a request needs one.
 * @throws Error with code EADDRINUSE when the port is taken.
 */
export async function startBrowserControl(opts: BrowserControlOptions): Promise<BrowserControlHandle> {
  const log: BrowserLog & { error?(msg: string): void } = opts.log ?? { info() {}, warn() {} };
  const ports = new ProfilePorts({ stateDir: opts.stateDir, onWarn: (m) => log.warn(m) });
  const runtimes = new Map<string, ProfileRuntime>();
  const runtimeOf = (name: string) => {
    let r = runtimes.get(name);
    if (!r) runtimes.set(name, (r = new ProfileRuntime(name, { stateDir: opts.stateDir, ports, log, resolveHost: opts.resolveHost, egress: opts.egress })));
    return r;
  };
  let port = opts.port;
  let disabledStop: Promise<unknown> | undefined;

  // `address` is set for requests from the listener; in-process calls (browser.request) come authenticated.
  // The listener's callers hold the gateway secret (the owner): privileged.
  const handle = async (req: Request, address?: string, privileged = false): Promise<Response> => {
    try {
      const auth = req.headers.get("authorization") ?? "";
      const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
      if (!m) throw new BrowserApiError(401, "UNAUTHORIZED", "missing Authorization: Bearer <gateway token>");
      const wait = address ? (opts.limiter?.retryAfter(address) ?? 0) : 0;
      if (wait > 0) throw new BrowserApiError(429, "UNAUTHORIZED", `too many failed auth attempts (retry in ${Math.ceil(wait / 1000)} s)`);
      if (!opts.verifyToken(m[1])) {
        if (address) opts.limiter?.recordFailure(address);
        throw new BrowserApiError(401, "UNAUTHORIZED", "invalid gateway token");
      }

      const url = new URL(req.url);
      const matches = ROUTES.map((r) => ({ r, m: typeof r.path === "string" ? (r.path === url.pathname ? [url.pathname] : null) : r.path.exec(url.pathname) })).filter((x) => x.m);
      if (matches.length === 0) throw new BrowserApiError(404, "NOT_FOUND", `no route ${url.pathname.slice(0, 100)}`);
      const hit = matches.find((x) => x.r.method === req.method);
      if (!hit) throw new BrowserApiError(405, "METHOD_NOT_ALLOWED", `${req.method} not allowed on ${url.pathname} (use ${matches.map((x) => x.r.method).join(", ")})`);

      const resolved = resolveBrowserConfig(opts.config(), port);
      if (!resolved.enabled) {
        disabledStop ??= Promise.all([...runtimes.values()].map((r) => r.shutdown()));
        throw new BrowserApiError(503, "DISABLED", "browser control is disabled (browser.enabled=false)");
      }
      disabledStop = undefined;
      const profile = pickProfile(resolved, url.searchParams.get("profile"));
      const body = req.method === "POST" ? await readBody(req) : {};
      let param: string | undefined;
      if (hit.m && hit.m.length > 1) {
        try {
          param = decodeURIComponent(hit.m[1] as string);
        } catch {
          throw new BrowserApiError(400, "BAD_REQUEST", "malformed path parameter");
        }
      }
      const out = await hit.r.handler({ runtime: runtimeOf(profile.name), profile, resolved, query: url.searchParams, body, param, privileged });
      return out instanceof Response ? out : Response.json(out);
    } catch (err) {
      if (isBrowserApiError(err)) return errorResponse(err.status, { error: err.message, code: err.code });
      log.error?.(`browser control: ${(err as Error)?.stack ?? String(err)}`);
      return errorResponse(500, { error: `internal error: ${(err as Error)?.message ?? String(err)}`.slice(0, 500), code: "INTERNAL" });
    }
  };

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port,
    maxRequestBodySize: MAX_BODY_BYTES,
    // Screenshots of big pages and first launches take longer than Bun's default 10 s idle timeout.
    idleTimeout: 120,
    fetch: (req, srv) => handle(req, srv.requestIP(req)?.address ?? "unknown", true),
  });
  port = server.port as number;

  let stopping: Promise<void> | undefined;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    fetch: (req, o) => handle(req, undefined, o?.privileged === true),
    stop() {
      stopping ??= (async () => {
        server.stop(true);
        await Promise.all([...runtimes.values()].map((r) => r.shutdown()));
      })();
      return stopping;
    },
  };
}

/**
 * Starts the service for the gateway: logs and returns undefined instead of throwing, so a taken port or
 * any other failure leaves the gateway running without browser control.
 */
export async function tryStartBrowserControl(opts: BrowserControlOptions): Promise<BrowserControlHandle | undefined> {
  try {
    const handle = await startBrowserControl(opts);
    opts.log?.info(`browser control listening on ${handle.url}`);
    return handle;
  } catch (err) {
    opts.log?.warn(`browser control not started on 127.0.0.1:${opts.port}: ${(err as Error).message}`);
    return undefined;
  }
}

// --- internal ---

async function readBody(req: Request): Promise<Record<string, unknown>> {
  const text = await req.text();
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BrowserApiError(400, "BAD_REQUEST", "body is not valid JSON");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new BrowserApiError(400, "BAD_REQUEST", "body must be a JSON object");
  return parsed as Record<string, unknown>;
}

function errorResponse(status: number, body: BrowserErrorBody): Response {
  return Response.json(body, { status });
}
