/**
 * Mounts the canvas host on the gateway and, unless disabled, on its own port (`canvasHost.port`, default
 * gateway port + 4). `canvasHost.enabled=false` or `OPENCLAW_SKIP_CANVAS_HOST=1` turns the separate
 * listener off; `enabled=false` also removes the routes from the gateway port. Also the canvas URLs clients
 * are told about (hello-ok, `node.canvas.capability.refresh`).
 */
import { join } from "node:path";
import type { CanvasFeatureHost } from "./_host.ts";
import type { Server } from "bun";
import { CAPABILITY_PREFIX, createCanvasHost, type CanvasGrant, type CanvasHost, type CanvasHostOptions } from "../../canvas/host.ts";
import { expandHome, resolveDefaultWorkspace } from "../../config/paths.ts";
import type { GatewaySettings } from "../../config/gateway-settings.ts";
import type { OpenClawConfig } from "../../config/schema.ts";
import type { Logger } from "../../logging/logger.ts";
import type { GatewaySocket } from "../connections.ts";

/** The mounted canvas. */
export interface MountedCanvas {
  host: CanvasHost;
  /** Port of the separate listener, when it runs. */
  port?: number;
  stop(): void;
}

/**
 * Creates the canvas host for this config, or undefined when it is disabled.
 * A separate port that cannot be bound is logged, never fatal.
 */
export function mountCanvas(config: OpenClawConfig, settings: GatewaySettings, logger: Logger, limiter?: CanvasHostOptions["limiter"]): MountedCanvas | undefined {
  const cfg = config.canvasHost ?? {};
  if (cfg.enabled === false) return undefined;
  const log = logger.child("canvas");
  const workspace = config.agents?.defaults?.workspace ? expandHome(config.agents.defaults.workspace) : resolveDefaultWorkspace();
  const root = cfg.root ? expandHome(cfg.root) : join(workspace, "canvas");
  const secret = settings.auth.mode === "password" ? settings.auth.password : settings.auth.token;
  const host = createCanvasHost({ root, liveReload: cfg.liveReload !== false, secret: secret ?? crypto.randomUUID(), limiter, onWarn: (m) => log.warn(m) });
  log.info(`canvas host mounted at http://127.0.0.1:${settings.port}/__openclaw__/canvas/ (root ${host.root})`);

  let server: Server<{ canvas: true }> | undefined;
  const skip = /^(1|true|yes|on)$/i.test(process.env.OPENCLAW_SKIP_CANVAS_HOST ?? "");
  const port = cfg.port ?? (settings.port > 0 ? settings.port + 4 : undefined);
  if (!skip && port !== undefined) {
    try {
      server = Bun.serve<{ canvas: true }>({
        hostname: "127.0.0.1",
        port,
        fetch(req, srv) {
          const url = new URL(req.url);
          if (host.isReloadPath(url) && req.headers.get("upgrade")?.toLowerCase() === "websocket") {
            if (host.mayUpgrade(req, url, srv.requestIP(req)?.address) && srv.upgrade(req, { data: { canvas: true } })) return undefined;
            return new Response("Unauthorized", { status: 401 });
          }
          return host.handle(req, url, srv.requestIP(req)?.address) ?? new Response("Not Found", { status: 404 });
        },
        websocket: {
          open: (ws) => host.addReloadSocket(ws),
          message: () => {},
          close: (ws) => host.removeReloadSocket(ws),
        },
      });
      log.info(`canvas host listening on http://127.0.0.1:${server.port}/__openclaw__/canvas/`);
    } catch (err) {
      log.warn(`canvas port ${port} unavailable (${(err as Error).message}); canvas stays on the gateway port`);
    }
  }
  return {
    host,
    port: server?.port,
    stop() {
      server?.stop(true);
      host.close();
    },
  };
}

/**
 * The canvas URL a client is told about. A node gets one scoped by a fresh capability bound to this
 * connection (its WebView sends no credentials); operators hold the secret and get the plain origin.
 */
export function canvasHostUrl(gw: CanvasFeatureHost, ws: GatewaySocket, role: string): string {
  return role === "node" && gw.canvas ? grantCanvas(gw.canvas, gw, ws).url : canvasOrigin(gw, ws);
}

/** Mints a fresh capability for the node on `ws` (replacing its previous one) and the URL scoped by it. */
export function grantCanvas(canvas: MountedCanvas, gw: CanvasFeatureHost, ws: GatewaySocket): CanvasGrant & { url: string } {
  const grant = canvas.host.grant(ws.data.connId);
  return { ...grant, url: `${canvasOrigin(gw, ws)}${CAPABILITY_PREFIX}/${grant.capability}` };
}

// `http://<the Host the client connected to>`.
function canvasOrigin(gw: CanvasFeatureHost, ws: GatewaySocket): string {
  return `http://${ws.data.host ?? `127.0.0.1:${gw.settings.port}`}`;
}
