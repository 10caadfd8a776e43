/**
 * Webhooks (http.md §6): `POST <hooks.path>/wake`, `POST <hooks.path>/agent`, and mapped sub-paths
 * (`hooks.mappings`, presets). Checks run in upstream's order: path → token → method → sub-path → body.
 *
 * Stricter than upstream: a token in the query string (`?token=`) is refused with 401 (upstream accepts it
 * with a deprecation warning), because URLs end up in proxy and access logs. Requests are idempotent by key
 * (`Idempotency-Key` header or body `idempotencyKey`): a repeat within 5 minutes gets the first answer
 * again and starts nothing.
 */
import { checkHooksConfig, DEFAULT_HOOKS_MAX_BODY_BYTES, normalizeHooksPath } from "../../config/hooks-schema.ts";
import type { HttpHost } from "./_host.ts";
import { authorizeHookToken, type HttpCall } from "./_auth.ts";
import { isJsonObject, readJsonBody } from "./_body.ts";
import { type HookReply, performWake, startAgentHook } from "./_hook-actions.ts";
import { applyHookMappings, type HookMappingContext, listHookMappings, transformsDirOf, type WakeMode } from "./_hook-mappings.ts";
import { methodNotAllowed } from "./_respond.ts";
import { TtlCache } from "../../util/ttl-cache.ts";

/** How long a hook answer is replayed for its idempotency key. */
export const HOOK_IDEMPOTENCY_TTL_MS = 5 * 60_000;
const IDEMPOTENCY_MAX = 1000;
const IDEMPOTENCY_KEY_MAX_CHARS = 256;
const CREDENTIAL_HEADERS = new Set(["authorization", "x-openclaw-token", "cookie"]);

/**
 * Serves the hooks.
 * @returns the response, or undefined when hooks are off (or misconfigured) or the path is not below `hooks.path`.
 */
export async function handleHooks(call: HttpCall): Promise<Response | undefined> {
  const { gw, req, url } = call;
  const hooks = gw.config.hooks;
  if (hooks?.enabled !== true) return undefined;
  const base = normalizeHooksPath(hooks.path);
  if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) return undefined;
  const problem = checkHooksConfig(hooks);
  if (problem) {
    // Start-up refuses this; a hot reload can still get here. Stay closed.
    warnOnce(gw, problem);
    return undefined;
  }

  if (url.searchParams.has("token")) {
    return text(401, "Unauthorized: hook tokens in the query string (?token=) are refused; send Authorization: Bearer <token> or X-OpenClaw-Token: <token>.");
  }
  const denied = authorizeHookToken(call, hooks.token as string);
  if (denied) return denied;
  if (req.method !== "POST") return methodNotAllowed();
  const subPath = url.pathname.slice(base.length).replace(/^\/+|\/+$/g, "");
  if (!subPath) return text(404, "Not Found");

  const body = await readJsonBody(req, hooks.maxBodyBytes ?? DEFAULT_HOOKS_MAX_BODY_BYTES);
  if (!body.ok) return body.reason === "too_large" ? Response.json({ ok: false, error: "payload too large" }, { status: 413 }) : Response.json({ ok: false, error: body.message }, { status: 400 });
  if (!isJsonObject(body.value)) return Response.json({ ok: false, error: "body must be a JSON object" }, { status: 400 });
  const payload = body.value;

  const key = idempotencyKeyOf(req, payload);
  if (key === null) return Response.json({ ok: false, error: `idempotency key must be a string of at most ${IDEMPOTENCY_KEY_MAX_CHARS} characters` }, { status: 400 });
  const replies = repliesOf(gw);
  const cacheKey = key ? `${subPath}\n${key}` : undefined;
  const cached = cacheKey ? replies.get(cacheKey) : undefined;
  if (cached) return toResponse(await cached, true);

  const pending = dispatch(call, subPath, payload);
  // Only successes are kept, so a fixed retry after an error is not refused.
  if (cacheKey) replies.set(cacheKey, pending, (r) => r.status < 300);
  const reply = await pending;
  return toResponse(reply, false);
}

// --- internal ---

async function dispatch(call: HttpCall, subPath: string, payload: Record<string, unknown>): Promise<HookReply> {
  const { gw } = call;
  const hooks = gw.config.hooks ?? {};
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const mode = (v: unknown): WakeMode => (v === "next-heartbeat" ? "next-heartbeat" : "now");
  if (subPath === "wake") {
    const wakeText = str(payload.text)?.trim();
    if (!wakeText) return { status: 400, body: { ok: false, error: "text required" } };
    return performWake(gw, { kind: "wake", text: wakeText, mode: mode(payload.mode) });
  }
  if (subPath === "agent") {
    const message = str(payload.message) ?? "";
    if (!message.trim()) return { status: 400, body: { ok: false, error: "message required" } };
    if (payload.model !== undefined && !(typeof payload.model === "string" && payload.model.trim())) return { status: 400, body: { ok: false, error: "model required" } };
    return startAgentHook(
      gw,
      {
        kind: "agent",
        message,
        name: str(payload.name),
        wakeMode: mode(payload.wakeMode),
        sessionKey: str(payload.sessionKey),
        deliver: typeof payload.deliver === "boolean" ? payload.deliver : undefined,
        channel: str(payload.channel),
        to: str(payload.to),
        model: str(payload.model),
        thinking: str(payload.thinking),
        timeoutSeconds: typeof payload.timeoutSeconds === "number" ? payload.timeoutSeconds : undefined,
      },
      { requestSessionKey: true },
    );
  }

  const ctx: HookMappingContext = { payload, headers: safeHeaders(call.req), url: call.url, path: subPath };
  let result: Awaited<ReturnType<typeof applyHookMappings>>;
  try {
    result = await applyHookMappings(listHookMappings(hooks), ctx, transformsDirOf(hooks, gw.loaded.path));
  } catch (err) {
    gw.logger.child("hooks").error("hook mapping failed", { path: subPath, error: (err as Error)?.message ?? String(err) });
    return { status: 500, body: { ok: false, error: "hook mapping failed" } };
  }
  if (!result) return { status: 404 };
  if (!result.ok) return { status: 400, body: { ok: false, error: result.error } };
  if (!result.action) return { status: 204 };
  return result.action.kind === "wake" ? performWake(gw, result.action) : startAgentHook(gw, result.action);
}

function toResponse(reply: HookReply, replayed: boolean): Response {
  const headers = replayed ? { "idempotent-replayed": "true" } : undefined;
  if (reply.status === 404) return text(404, "Not Found");
  if (reply.body === undefined) return new Response(null, { status: reply.status, headers });
  return Response.json(reply.body, { status: reply.status, headers });
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

/** @returns the key, undefined when none was sent, null when it is unusable. */
function idempotencyKeyOf(req: Request, payload: Record<string, unknown>): string | undefined | null {
  const raw = req.headers.get("idempotency-key") ?? payload.idempotencyKey;
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "string" || raw.length > IDEMPOTENCY_KEY_MAX_CHARS) return null;
  return raw.trim() || undefined;
}

type ReplyCache = TtlCache<string, Promise<HookReply>>;
const caches = new WeakMap<HttpHost, ReplyCache>();
const warned = new WeakMap<HttpHost, string>();

function repliesOf(gw: HttpHost): ReplyCache {
  let cache = caches.get(gw);
  if (!cache) {
    cache = new TtlCache({ ttlMs: HOOK_IDEMPOTENCY_TTL_MS, maxEntries: IDEMPOTENCY_MAX });
    caches.set(gw, cache);
  }
  return cache;
}

function safeHeaders(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  req.headers.forEach((v, k) => {
    if (!CREDENTIAL_HEADERS.has(k.toLowerCase())) out[k.toLowerCase()] = v;
  });
  return out;
}

function warnOnce(gw: HttpHost, problem: string): void {
  if (warned.get(gw) === problem) return;
  warned.set(gw, problem);
  gw.logger.child("hooks").warn(`hooks stay closed: ${problem}`);
}
