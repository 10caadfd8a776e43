/**
 * The canvas host: files from the canvas root under `/__openclaw__/canvas/`, a live-reload socket at
 * `/__openclaw__/ws`, and the A2UI mount. Served on the gateway port and, optionally, on its own port.
 *
 * Access is by the gateway secret (Bearer) or a capability (`?oc_cap=`, then a path-scoped cookie), never
 * by client IP. Paths are confined to the root: `..`, encoded traversal and symlinks are refused.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { type FSWatcher, existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, statSync, watch, writeFileSync } from "node:fs";
import { extname, join, sep } from "node:path";

export const CANVAS_PREFIX = "/__openclaw__/canvas";
export const CANVAS_WS_PATH = "/__openclaw__/ws";
export const A2UI_PREFIX = "/__openclaw__/a2ui";
const COOKIE = "oc_canvas";

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".htm": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
};

const DEFAULT_INDEX = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OpenClaw Canvas</title></head>
<body style="font-family: system-ui, sans-serif; margin: 2rem">
<h1>Canvas</h1><p>Put files in this folder; the agent and your devices show them here.</p>
</body></html>
`;

/** Options of {@link createCanvasHost}. */
export interface CanvasHostOptions {
  root: string;
  liveReload: boolean;
  /** The gateway secret: accepted as Bearer, and the key capabilities are derived from. */
  secret: string;
  /**
   * The gateway's failed-auth limiter (per address). A Bearer is the secret itself, maybe a weak password:
   * wrong ones count against the same budget as WebSocket handshakes, and a locked-out address gets 429.
   */
  limiter?: { retryAfter(address: string): number; recordFailure(address: string): unknown };
  onWarn?: (msg: string) => void;
}

/** A socket on the live-reload path. */
export interface ReloadSocket {
  send(text: string): unknown;
}

/** The canvas host. */
export interface CanvasHost {
  root: string;
  liveReload: boolean;
  /** Answers a canvas, A2UI or reload-path request; undefined when the path is not the canvas's. `address` is the peer's (rate limit). */
  handle(req: Request, url: URL, address?: string): Response | undefined;
  /** True when `req` may open the live-reload socket. */
  mayUpgrade(req: Request, url: URL, address?: string): boolean;
  addReloadSocket(ws: ReloadSocket): void;
  removeReloadSocket(ws: ReloadSocket): void;
  /** A capability for `scope` (default "canvas"): `?oc_cap=<it>` opens the canvas without the secret. */
  capability(scope?: string): string;
  close(): void;
}

/**
 * Creates the root (with a default index.html) if missing and starts watching it for live reload.
 * @throws Error when the root cannot be created.
 */
export function createCanvasHost(opts: CanvasHostOptions): CanvasHost {
  mkdirSync(opts.root, { recursive: true });
  const indexPath = join(opts.root, "index.html");
  if (!existsSync(indexPath)) writeFileSync(indexPath, DEFAULT_INDEX);
  const realRoot = realpathSync(opts.root);
  const sockets = new Set<ReloadSocket>();
  const capability = (scope = "canvas") => createHmac("sha256", opts.secret).update(`openclaw-canvas:${scope}`).digest("base64url");
  const valid = new Set<string>([capability()]);

  let watcher: FSWatcher | undefined;
  if (opts.liveReload) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      watcher = watch(realRoot, { recursive: true }, (_e, file) => {
        const name = String(file ?? "");
        if (name.split(/[\\/]/).some((part) => part.startsWith(".") || part === "node_modules")) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          for (const ws of sockets) ws.send("reload");
        }, 75);
      });
    } catch (err) {
      opts.onWarn?.(`canvas live reload unavailable: ${(err as Error).message}`);
    }
  }

  const authorized = (req: Request, url: URL, address?: string): { ok: boolean; setCookie?: string; retryAfterMs?: number } => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.get("authorization") ?? "")?.[1];
    if (bearer) {
      // Capabilities are 256-bit HMACs, not worth guessing; only the secret itself is rate limited.
      const wait = address && opts.limiter ? opts.limiter.retryAfter(address) : 0;
      if (wait > 0) return { ok: false, retryAfterMs: wait };
      if (equal(bearer, opts.secret)) return { ok: true };
      if (address) opts.limiter?.recordFailure(address);
    }
    const cap = url.searchParams.get("oc_cap");
    if (cap && [...valid].some((v) => equal(cap, v))) {
      return { ok: true, setCookie: `${COOKIE}=${cap}; Path=/__openclaw__/; HttpOnly; SameSite=Strict` };
    }
    const cookie = /(?:^|;\s*)oc_canvas=([^;]+)/.exec(req.headers.get("cookie") ?? "")?.[1];
    if (cookie && [...valid].some((v) => equal(cookie, v))) return { ok: true };
    return { ok: false };
  };

  return {
    root: realRoot,
    liveReload: opts.liveReload,
    capability: (scope?: string) => {
      const cap = capability(scope);
      valid.add(cap);
      return cap;
    },
    mayUpgrade: (req, url, address) => opts.liveReload && authorized(req, url, address).ok,
    addReloadSocket: (ws) => void sockets.add(ws),
    removeReloadSocket: (ws) => void sockets.delete(ws),
    close() {
      watcher?.close();
      sockets.clear();
    },
    handle(req, url, address) {
      const path = url.pathname;
      const inCanvas = path === CANVAS_PREFIX || path.startsWith(`${CANVAS_PREFIX}/`);
      const inA2ui = path === A2UI_PREFIX || path.startsWith(`${A2UI_PREFIX}/`);
      if (!inCanvas && !inA2ui && path !== CANVAS_WS_PATH) return undefined;
      if (path === CANVAS_WS_PATH) {
        return opts.liveReload ? text("upgrade required", 426) : text("not found", 404);
      }
      if (req.method !== "GET" && req.method !== "HEAD") return new Response("Method Not Allowed", { status: 405, headers: { allow: "GET, HEAD" } });
      const auth = authorized(req, url, address);
      if (auth.retryAfterMs) return new Response("Too Many Requests", { status: 429, headers: { "content-type": "text/plain; charset=utf-8", "retry-after": String(Math.ceil(auth.retryAfterMs / 1000)) } });
      if (!auth.ok) return text("Unauthorized", 401);
      const res = inA2ui ? text("A2UI assets not found", 503) : serveFile(realRoot, path.slice(CANVAS_PREFIX.length), opts.liveReload);
      if (auth.setCookie) res.headers.append("set-cookie", auth.setCookie);
      return res;
    },
  };
}

/**
 * Resolves a URL path below the root.
 * @returns the file path, or an error response for traversal, symlinks and missing files.
 */
export function resolveCanvasPath(realRoot: string, urlPath: string): { file: string } | { status: number; message: string } {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { status: 400, message: "bad path" };
  }
  const parts = decoded.split(/[\\/]+/).filter(Boolean);
  if (parts.some((p) => p === ".." || p === "." || p.includes("\0"))) return { status: 403, message: "forbidden" };
  let current = realRoot;
  for (const part of parts) {
    current = join(current, part);
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(current);
    } catch {
      return { status: 404, message: "not found" };
    }
    // Symlinks are refused outright: a link could lead out of the root, now or after a later change.
    if (st.isSymbolicLink()) return { status: 403, message: "forbidden" };
  }
  if (statSync(current).isDirectory()) current = join(current, "index.html");
  if (!existsSync(current)) return { status: 404, message: decoded.endsWith("/") || parts.length === 0 ? `Missing file. Create ${join(realRoot, "index.html")}` : "not found" };
  if (lstatSync(current).isSymbolicLink()) return { status: 403, message: "forbidden" };
  const real = realpathSync(current);
  if (real !== realRoot && !real.startsWith(realRoot + sep)) return { status: 403, message: "forbidden" };
  return { file: real };
}

// --- internal ---

function serveFile(realRoot: string, urlPath: string, liveReload: boolean): Response {
  const found = resolveCanvasPath(realRoot, urlPath);
  if ("status" in found) return text(found.message, found.status);
  const type = MIME[extname(found.file).toLowerCase()] ?? "application/octet-stream";
  const headers = { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff" };
  if (liveReload && type.startsWith("text/html")) return new Response(injectReload(readFileSync(found.file, "utf8")), { headers });
  return new Response(Bun.file(found.file), { headers });
}

function injectReload(html: string): string {
  const script = `<script>(()=>{const p=location.protocol==="https:"?"wss:":"ws:";const s=new WebSocket(p+"//"+location.host+"${CANVAS_WS_PATH}");s.onmessage=e=>{if(e.data==="reload")location.reload()};})();</script>`;
  return html.includes("</body>") ? html.replace("</body>", `${script}</body>`) : html + script;
}

function text(body: string, status: number): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
}

// Hashing first keeps the secret's length out of the timing, as the gateway's safeEqual does.
function equal(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}
