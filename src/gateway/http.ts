/**
 * HTTP on the gateway port: WebSocket upgrades for the control plane, and the plain HTTP routes that share
 * the port. Unknown paths answer 404; nothing here needs auth yet because nothing here reveals state.
 */
import type { Server } from "bun";
import { CANVAS_WS_PATH } from "../canvas/host.ts";
import type { ConnectionData } from "./connections.ts";
import type { GatewayContext } from "./context.ts";

const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

/**
 * Routes one request: upgrades WebSocket requests, serves the HTTP routes.
 * @returns the response, or undefined when the request was upgraded.
 */
export function handleHttp(ctx: GatewayContext, req: Request, server: Server<ConnectionData>): Response | undefined {
  const url = new URL(req.url);
  if (req.headers.get("upgrade")?.toLowerCase() === "websocket") {
    if (url.pathname === CANVAS_WS_PATH) {
      const canvas = ctx.canvas?.host;
      if (!canvas?.liveReload) return new Response("not found", { status: 404 });
      if (!canvas.mayUpgrade(req, url)) return new Response("Unauthorized", { status: 401 });
      const data = { connId: crypto.randomUUID(), remoteAddress: "", isLocal: false, nonce: "", openedAt: Date.now(), closed: false, canvas: true };
      return server.upgrade(req, { data }) ? undefined : new Response("WebSocket upgrade failed", { status: 400 });
    }
    const remoteAddress = server.requestIP(req)?.address ?? "unknown";
    const proxied = req.headers.has("x-forwarded-for") || req.headers.has("x-real-ip") || req.headers.has("forwarded");
    const data: ConnectionData = {
      connId: crypto.randomUUID(),
      remoteAddress,
      isLocal: isLoopbackAddress(remoteAddress) && !proxied,
      origin: req.headers.get("origin") ?? undefined,
      host: req.headers.get("host") ?? undefined,
      nonce: crypto.randomUUID(),
      openedAt: Date.now(),
      closed: false,
    };
    if (server.upgrade(req, { data })) return undefined;
    return new Response("WebSocket upgrade failed", { status: 400 });
  }

  const canvasResponse = ctx.canvas?.host.handle(req, url);
  if (canvasResponse) return canvasResponse;
  if (req.method === "GET" || req.method === "HEAD") {
    const probe = PROBES[url.pathname];
    if (probe) {
      // Probes tell anyone who can reach them how the gateway is doing: loopback only.
      const remote = server.requestIP(req)?.address ?? "";
      if (!isLoopbackAddress(remote) || req.headers.has("x-forwarded-for")) return notFound(req, url);
      return probe(ctx);
    }
    if (url.pathname === "/") return new Response(placeholderPage(ctx, req), { headers: { "content-type": "text/html; charset=utf-8", ...SECURITY_HEADERS } });
  }
  return notFound(req, url);
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

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase();
  return a === "::1" || a.startsWith("127.") || a.startsWith("::ffff:127.");
}

function placeholderPage(ctx: GatewayContext, req: Request): string {
  const host = escapeHtml(req.headers.get("host") ?? `127.0.0.1:${ctx.settings.port}`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OpenClaw Gateway</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>OpenClaw Gateway</h1>
<p>Version ${escapeHtml(ctx.version)} is running. Clients connect over WebSocket at <code>ws://${host}/</code> with the gateway token.</p>
<p>The control UI will be served here.</p>
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
