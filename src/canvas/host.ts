/**
 * The canvas host: files from the canvas root under `/__openclaw__/canvas/`, a live-reload socket at
 * `/__openclaw__/ws`, and the embedded A2UI host page under `/__openclaw__/a2ui/`. Served on the gateway
 * port and, optionally, on its own port.
 *
 * Access is by the gateway secret (Bearer) or a capability, never by client IP. A capability is minted for
 * one connected node (WebViews send no headers): it rides in the path (`/__openclaw__/cap/<cap>/…`, so
 * relative links keep working) or the query (`?oc_cap=`, then a path-scoped cookie), slides 10 minutes
 * forward on every use and dies with the node's connection. Paths are confined to the root by the shared
 * symlink-safe resolver (util/workspace-path.ts): `..`, encoded traversal and symlinks are refused (here
 * even a symlink that stays inside the root: a link could lead out after a later change).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { type FSWatcher, existsSync, mkdirSync, readFileSync, realpathSync, statSync, watch, writeFileSync } from "node:fs";
import { extname, join } from "node:path";
import { type ResolvedWorkspacePath, resolveWorkspacePath, WorkspacePathError } from "../util/workspace-path.ts";
import { A2UI_ASSETS } from "./a2ui/generated/assets.ts";

export const CANVAS_PREFIX = "/__openclaw__/canvas";
export const CANVAS_WS_PATH = "/__openclaw__/ws";
export const A2UI_PREFIX = "/__openclaw__/a2ui";
/** Capability-scoped URLs: `/__openclaw__/cap/<capability>/<any canvas path>`. */
export const CAPABILITY_PREFIX = "/__openclaw__/cap";
/** How long a capability lives without use; every use slides it forward. */
export const CAPABILITY_TTL_MS = 10 * 60_000;
const COOKIE = "oc_canvas";
/** Served with every A2UI response: the page runs only its own script; images and media may come from anywhere. */
const A2UI_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src * data: blob:; media-src * data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'";

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
  /** The gateway secret: accepted as Bearer. */
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

/** A capability handed to one holder (a node connection). */
export interface CanvasGrant {
  capability: string;
  /** When it lapses unless used; each use moves this forward by {@link CAPABILITY_TTL_MS}. */
  expiresAtMs: number;
}

/** The canvas host. */
export interface CanvasHost {
  root: string;
  liveReload: boolean;
  /** Answers a canvas, A2UI or reload-path request; undefined when the path is not the canvas's. `address` is the peer's (rate limit). */
  handle(req: Request, url: URL, address?: string): Response | undefined;
  /** True when `url` is the live-reload socket's path (plain or capability-scoped). */
  isReloadPath(url: URL): boolean;
  /** True when `req` may open the live-reload socket. */
  mayUpgrade(req: Request, url: URL, address?: string): boolean;
  addReloadSocket(ws: ReloadSocket): void;
  removeReloadSocket(ws: ReloadSocket): void;
  /** Mints a fresh capability for `holder` (a connection id), replacing the one it had. */
  grant(holder: string): CanvasGrant;
  /** Ends `holder`'s capability (its connection closed). */
  revoke(holder: string): void;
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
  const grants = new Map<string, CanvasGrant>();
  // A valid capability slides forward; an expired one is dropped when someone tries it.
  const useCapability = (cap: string): boolean => {
    const now = Date.now();
    for (const [holder, g] of grants) {
      if (!equal(cap, g.capability)) continue;
      if (g.expiresAtMs <= now) {
        grants.delete(holder);
        return false;
      }
      g.expiresAtMs = now + CAPABILITY_TTL_MS;
      return true;
    }
    return false;
  };

  // The root is watched only once a page listens for reloads (most gateways never serve one): no inotify
  // watches and no start-up cost until then.
  let watcher: FSWatcher | undefined;
  let watchTried = false;
  const startWatching = () => {
    if (watchTried || !opts.liveReload) return;
    watchTried = true;
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
  };

  const authorized = (req: Request, url: URL, scoped: ScopedPath, address?: string): { ok: boolean; setCookie?: string; retryAfterMs?: number } => {
    // A capability in the path is the whole credential for that URL: no fallback to anything else.
    if (scoped.capability !== undefined) return { ok: useCapability(scoped.capability) };
    const bearer = /^Bearer (.+)$/.exec(req.headers.get("authorization") ?? "")?.[1];
    if (bearer) {
      // Capabilities are 144-bit random values, not worth guessing; only the secret itself is rate limited.
      const wait = address && opts.limiter ? opts.limiter.retryAfter(address) : 0;
      if (wait > 0) return { ok: false, retryAfterMs: wait };
      if (equal(bearer, opts.secret)) return { ok: true };
      if (address) opts.limiter?.recordFailure(address);
    }
    const cap = url.searchParams.get("oc_cap");
    if (cap && useCapability(cap)) {
      return { ok: true, setCookie: `${COOKIE}=${cap}; Path=/__openclaw__/; HttpOnly; SameSite=Strict` };
    }
    const cookie = /(?:^|;\s*)oc_canvas=([^;]+)/.exec(req.headers.get("cookie") ?? "")?.[1];
    if (cookie && useCapability(cookie)) return { ok: true };
    return { ok: false };
  };

  return {
    root: realRoot,
    liveReload: opts.liveReload,
    grant(holder) {
      const g = { capability: randomBytes(18).toString("base64url"), expiresAtMs: Date.now() + CAPABILITY_TTL_MS };
      grants.set(holder, g);
      return { ...g };
    },
    revoke: (holder) => void grants.delete(holder),
    isReloadPath: (url) => scopePath(url.pathname).path === CANVAS_WS_PATH,
    mayUpgrade(req, url, address) {
      const scoped = scopePath(url.pathname);
      return opts.liveReload && !scoped.malformed && scoped.path === CANVAS_WS_PATH && authorized(req, url, scoped, address).ok;
    },
    addReloadSocket: (ws) => {
      sockets.add(ws);
      startWatching();
    },
    removeReloadSocket: (ws) => void sockets.delete(ws),
    close() {
      watcher?.close();
      sockets.clear();
      grants.clear();
    },
    handle(req, url, address) {
      const scoped = scopePath(url.pathname);
      if (scoped.malformed) return text("not found", 404);
      const { path } = scoped;
      const inCanvas = path === CANVAS_PREFIX || path.startsWith(`${CANVAS_PREFIX}/`);
      const inA2ui = path === A2UI_PREFIX || path.startsWith(`${A2UI_PREFIX}/`);
      if (!inCanvas && !inA2ui && path !== CANVAS_WS_PATH) return scoped.capability === undefined ? undefined : text("not found", 404);
      if (path === CANVAS_WS_PATH) {
        return opts.liveReload ? text("upgrade required", 426) : text("not found", 404);
      }
      if (req.method !== "GET" && req.method !== "HEAD") return new Response("Method Not Allowed", { status: 405, headers: { allow: "GET, HEAD" } });
      const auth = authorized(req, url, scoped, address);
      if (auth.retryAfterMs) return new Response(`Too Many Requests: retry in ${Math.ceil(auth.retryAfterMs / 1000)} s`, { status: 429, headers: { "content-type": "text/plain; charset=utf-8", "retry-after": String(Math.ceil(auth.retryAfterMs / 1000)) } });
      if (!auth.ok) return text("Unauthorized", 401);
      // A directory URL without its slash would resolve relative links one level up: redirect, keeping the scope.
      if (path === A2UI_PREFIX) return redirect(`${scoped.prefix}${path}/${url.search}`);
      const res = inA2ui
        ? serveA2ui(path.slice(A2UI_PREFIX.length + 1))
        : serveFile(realRoot, path.slice(CANVAS_PREFIX.length), opts.liveReload ? scoped.prefix + CANVAS_WS_PATH : undefined);
      if (auth.setCookie) res.headers.append("set-cookie", auth.setCookie);
      return res;
    },
  };
}

/**
 * Resolves a URL path below the root; a directory serves its index.html.
 * @returns the real file path, or an error response: 400 for a bad escape, 403 for traversal or any
 *   symlink on the way, 404 for a missing file.
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
  const rel = parts.length > 0 ? parts.join("/") : ".";
  let found = confine(realRoot, rel);
  if ("status" in found) return found;
  if (found.exists && statSync(found.path).isDirectory()) {
    found = confine(realRoot, join(rel, "index.html"));
    if ("status" in found) return found;
  }
  if (!found.exists) return { status: 404, message: decoded.endsWith("/") || parts.length === 0 ? `Missing file. Create ${join(realRoot, "index.html")}` : "not found" };
  return { file: found.path };
}

// --- internal ---

/** {@link resolveWorkspacePath} with its refusals as 403. */
function confine(realRoot: string, rel: string): ResolvedWorkspacePath | { status: number; message: string } {
  try {
    return resolveWorkspacePath(realRoot, rel, { noSymlinks: true });
  } catch (err) {
    if (err instanceof WorkspacePathError) return { status: 403, message: "forbidden" };
    throw err;
  }
}

/** A request path with its capability prefix taken off. */
interface ScopedPath {
  /** The path below the prefix (the whole path when unscoped). */
  path: string;
  /** The capability from `/__openclaw__/cap/<cap>/`, when the path carries one. */
  capability?: string;
  /** `/__openclaw__/cap/<cap>` or "" — put back in front of links the host writes. */
  prefix: string;
  /** A `/__openclaw__/cap/` path without a usable capability. */
  malformed?: boolean;
}

function scopePath(pathname: string): ScopedPath {
  if (pathname !== CAPABILITY_PREFIX && !pathname.startsWith(`${CAPABILITY_PREFIX}/`)) return { path: pathname, prefix: "" };
  const rest = pathname.slice(CAPABILITY_PREFIX.length + 1);
  const slash = rest.indexOf("/");
  const raw = slash < 0 ? rest : rest.slice(0, slash);
  let capability: string;
  try {
    capability = decodeURIComponent(raw);
  } catch {
    return { path: pathname, prefix: "", malformed: true };
  }
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(capability) || slash < 0) return { path: pathname, prefix: "", malformed: true };
  return { path: rest.slice(slash), capability, prefix: `${CAPABILITY_PREFIX}/${raw}` };
}

function serveA2ui(name: string): Response {
  const file = name === "" ? "index.html" : name;
  const asset = Object.hasOwn(A2UI_ASSETS, file) ? A2UI_ASSETS[file] : undefined;
  if (!asset) return text("not found", 404);
  return new Response(asset.body, {
    headers: {
      "content-type": asset.type,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "content-security-policy": A2UI_CSP,
      "referrer-policy": "no-referrer",
    },
  });
}

function serveFile(realRoot: string, urlPath: string, reloadPath: string | undefined): Response {
  const found = resolveCanvasPath(realRoot, urlPath);
  if ("status" in found) return text(found.message, found.status);
  const type = MIME[extname(found.file).toLowerCase()] ?? "application/octet-stream";
  const headers = { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff" };
  if (reloadPath && type.startsWith("text/html")) return new Response(injectReload(readFileSync(found.file, "utf8"), reloadPath), { headers });
  return new Response(Bun.file(found.file), { headers });
}

function injectReload(html: string, reloadPath: string): string {
  const script = `<script>(()=>{const p=location.protocol==="https:"?"wss:":"ws:";const s=new WebSocket(p+"//"+location.host+${JSON.stringify(reloadPath)});s.onmessage=e=>{if(e.data==="reload")location.reload()};})();</script>`;
  return html.includes("</body>") ? html.replace("</body>", `${script}</body>`) : html + script;
}

function redirect(location: string): Response {
  return new Response(null, { status: 308, headers: { location, "cache-control": "no-store" } });
}

function text(body: string, status: number): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
}

// Hashing first keeps the secret's length out of the timing, as the gateway's safeEqual does.
function equal(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}
