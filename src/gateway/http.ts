/**
 * HTTP on the gateway port: WebSocket upgrades for the control plane, and the plain HTTP routes that share
 * the port in http.md §1 order: the APIs (hooks, /tools/invoke, /v1/*; see ./http/), canvas, probes
 * (loopback only), and the control UI. Unknown paths answer 404.
 */
import type { Server } from "bun";
import { CANVAS_WS_PATH } from "../canvas/host.ts";
import type { ConnectionData } from "./connections.ts";
import type { GatewayContext } from "./context.ts";
import { serveControlUi } from "./control-ui.ts";
import { toErrorMessage } from "../errors.ts";
import { FEATURES } from "./features.ts";
import type { MountedRoute } from "./feature.ts";
import { isLocalRequest } from "./request-locality.ts";

/**
 * Routes one request: upgrades WebSocket requests, serves the HTTP routes.
 * @returns the response, or undefined when the request was upgraded.
 */
export async function handleHttp(ctx: GatewayContext, req: Request, server: Server<ConnectionData>): Promise<Response | undefined> {
  const url = new URL(req.url);
  if (req.headers.get("upgrade")?.toLowerCase() === "websocket") {
    if (url.pathname === CANVAS_WS_PATH || ctx.canvas?.host.isReloadPath(url)) {
      const canvas = ctx.canvas?.host;
      if (!canvas?.liveReload) return new Response("not found", { status: 404 });
      if (!canvas.mayUpgrade(req, url, server.requestIP(req)?.address)) return new Response("Unauthorized", { status: 401 });
      const data = { connId: crypto.randomUUID(), remoteAddress: "", isLocal: false, nonce: "", openedAt: Date.now(), closed: false, canvas: true };
      return server.upgrade(req, { data }) ? undefined : new Response("WebSocket upgrade failed", { status: 400 });
    }
    const remoteAddress = server.requestIP(req)?.address ?? "unknown";
    const data: ConnectionData = {
      connId: crypto.randomUUID(),
      remoteAddress,
      isLocal: isLocalRequest(req, remoteAddress),
      origin: req.headers.get("origin") ?? undefined,
      host: req.headers.get("host") ?? undefined,
      nonce: crypto.randomUUID(),
      openedAt: Date.now(),
      closed: false,
    };
    if (server.upgrade(req, { data })) return undefined;
    return new Response("WebSocket upgrade failed", { status: 400 });
  }

  const routed = await routeFeatures(ctx, req, url, server);
  if (routed) return routed;
  if (req.method === "GET" || req.method === "HEAD") {
    const probe = PROBES[url.pathname];
    if (probe) {
      // Probes tell anyone who can reach them how the gateway is doing: loopback only, by the same rule as
      // WebSocket clients (no proxy headers, a loopback Host: a DNS-rebinding page must not read them).
      if (!isLocalRequest(req, server.requestIP(req)?.address)) return notFound(req, url);
      return probe(ctx);
    }
  }
  const ui = await serveControlUi(ctx.config, req, url);
  return ui ?? notFound(req, url);
}

/** Every feature's HTTP routes, in feature order (the APIs, then canvas). */
const FEATURE_ROUTES: readonly MountedRoute[] = FEATURES.flatMap((f) => f.routes);

/**
 * Tries the features' routes in order. The one error handler of the HTTP side: a route that throws is logged
 * with its stack and answered 500 "Internal Server Error".
 */
async function routeFeatures(ctx: GatewayContext, req: Request, url: URL, server: Server<ConnectionData>): Promise<Response | undefined> {
  const call = { req, url, server, remoteAddress: server.requestIP(req)?.address ?? "unknown" };
  try {
    for (const route of FEATURE_ROUTES) {
      const res = await route(call, ctx);
      if (res) return res;
    }
    return undefined;
  } catch (err) {
    ctx.logger.child("http").error("request failed", { path: url.pathname, error: toErrorMessage(err), stack: (err as Error)?.stack });
    return new Response("Internal Server Error", { status: 500, headers: { "content-type": "text/plain; charset=utf-8" } });
  }
}

/** `/healthz`: the process answers. `/readyz`: listening, config loaded, no channel failing. `/metrics`. */
const PROBES: Record<string, (ctx: GatewayContext) => Response> = {
  "/healthz": () => Response.json({ ok: true }),
  "/readyz": (ctx) => {
    const channels = (ctx.health.snapshot?.channels ?? {}) as Record<string, { ok?: boolean }>;
    const failing = Object.entries(channels).filter(([, c]) => c.ok === false).map(([id]) => id);
    const checks = { listening: true, config: ctx.loaded !== undefined, channels: failing.length === 0 };
    const ready = Object.values(checks).every(Boolean);
    return Response.json({ ready, checks, ...(failing.length > 0 && { failingChannels: failing }) }, { status: ready ? 200 : 503 });
  },
  "/metrics": (ctx) => {
    let clients = 0;
    for (const _ of ctx.connections.clients()) clients += 1;
    const body = ctx.metrics.render({
      connections: ctx.connections.size,
      clients,
      framesOut: ctx.connections.framesSent,
      uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000),
      channels: {},
    });
    return new Response(body, { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" } });
  },
};

function notFound(req: Request, url: URL): Response {
  return Response.json({ error: { message: `Not Found: ${req.method} ${url.pathname}`, type: "not_found" } }, { status: 404 });
}

