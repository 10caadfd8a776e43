/**
 * The control API's routes. Every route takes `?profile=` (default: `browser.defaultProfile`, else
 * `openclaw`); handlers check their input and answer JSON, except `POST /screenshot` (image bytes).
 */
import type { ResolvedBrowserConfig, ResolvedProfile } from "./config.ts";
import { badRequest } from "./errors.ts";
import type { ProfileRuntime } from "./profile-runtime.ts";
import type { BrowserAction } from "./types.ts";

const TARGET_ID_RE = /^[A-Za-z0-9_-]{1,128}$/;
const DEFAULT_MAX_CHARS = 80_000;
const NAV_TIMEOUT_MS = 30_000;

/** What a handler gets. */
export interface RouteContext {
  runtime: ProfileRuntime;
  profile: ResolvedProfile;
  resolved: ResolvedBrowserConfig;
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** Path parameter (the `:targetId` of `DELETE /tabs/:targetId`). */
  param?: string;
  /**
   * The caller holds operator.admin (or the gateway secret on the HTTP listener): its pages may reach
   * private addresses. Anyone else gets the public-address rule and only public tabs.
   */
  privileged: boolean;
}

/** One route: method + path (or a pattern with one capture). */
export interface Route {
  method: "GET" | "POST" | "DELETE";
  path: string | RegExp;
  handler: (ctx: RouteContext) => Promise<unknown>;
}

/** The route table. */
export const ROUTES: readonly Route[] = [
  { method: "GET", path: "/", handler: ({ runtime, profile, resolved }) => runtime.status(profile, resolved) },
  {
    method: "POST",
    path: "/start",
    handler: async ({ runtime, profile, resolved }) => {
      await runtime.ensureRunning(profile, resolved);
      return { ok: true, ...(await runtime.status(profile, resolved)) };
    },
  },
  { method: "POST", path: "/stop", handler: async ({ runtime, profile, resolved }) => ({ ok: true, profile: profile.name, ...(await runtime.stop(profile, resolved)) }) },
  { method: "GET", path: "/tabs", handler: ({ runtime, profile, resolved, privileged }) => runtime.tabs(profile, resolved, { privileged }) },
  {
    method: "POST",
    path: "/tabs/open",
    handler: ({ runtime, profile, resolved, body, privileged }) => runtime.openTab(profile, resolved, checkUrl(body.url, true), privileged),
  },
  {
    method: "POST",
    path: "/tabs/focus",
    handler: async ({ runtime, profile, resolved, body }) => {
      const targetId = checkTargetId(body.targetId, true) as string;
      await runtime.tabCommand(profile, resolved, "focus", targetId);
      return { ok: true, targetId };
    },
  },
  {
    method: "DELETE",
    path: /^\/tabs\/([^/]+)$/,
    handler: async ({ runtime, profile, resolved, param }) => {
      const targetId = checkTargetId(param, true) as string;
      await runtime.tabCommand(profile, resolved, "close", targetId);
      return { ok: true, targetId };
    },
  },
  {
    method: "GET",
    path: "/snapshot",
    handler: async ({ runtime, profile, resolved, query, privileged }) => {
      const format = query.get("format") ?? "ai";
      if (format !== "ai") throw badRequest(`format must be "ai" (got "${format.slice(0, 20)}")`);
      const maxChars = optionalInt(query.get("maxChars") ?? undefined, "maxChars", 100, 2_000_000) ?? DEFAULT_MAX_CHARS;
      const { session, targetId } = await runtime.withPage(profile, resolved, checkTargetId(query.get("targetId") ?? undefined, false));
      if (!privileged) await runtime.assertPublicTab(session, targetId);
      const snap = await session.snapshot(targetId, { maxChars, timeoutMs: resolved.actionTimeoutMs * 2 });
      return { ok: true, format: "ai", targetId, ...snap };
    },
  },
  {
    method: "POST",
    path: "/screenshot",
    handler: async ({ runtime, profile, resolved, body, privileged }) => {
      const type = body.type === undefined ? "png" : body.type;
      if (type !== "png" && type !== "jpeg") throw badRequest(`type must be "png" or "jpeg"`);
      const ref = optionalString(body.ref, "ref");
      const { session, targetId } = await runtime.withPage(profile, resolved, checkTargetId(body.targetId, false));
      if (!privileged) await runtime.assertPublicTab(session, targetId);
      const bytes = await session.screenshot(targetId, { type, fullPage: body.fullPage === true, ref, timeoutMs: resolved.actionTimeoutMs * 2 });
      return new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { "content-type": `image/${type}`, "x-openclaw-target-id": targetId } });
    },
  },
  {
    method: "POST",
    path: "/act",
    handler: async ({ runtime, profile, resolved, body, privileged }) => {
      const action = toAction(body);
      const { session, targetId } = await runtime.withPage(profile, resolved, action.targetId);
      if (!privileged) await runtime.assertPublicTab(session, targetId);
      return { ok: true, targetId, ...(await session.act(targetId, action, resolved.actionTimeoutMs)) };
    },
  },
  {
    method: "POST",
    path: "/navigate",
    handler: async ({ runtime, profile, resolved, body, privileged }) => {
      const url = checkUrl(body.url, false);
      if (!privileged) await runtime.assertPublicUrl(url, resolved);
      const { session, targetId } = await runtime.withPage(profile, resolved, checkTargetId(body.targetId, false));
      // The new document replaces the old one: trusted only when an admin loads it.
      runtime.setTrust(targetId, privileged);
      return { ok: true, targetId, ...(await session.navigate(targetId, url, NAV_TIMEOUT_MS)) };
    },
  },
];

/**
 * Checks and types a `POST /act` body.
 * @throws BrowserApiError 400 naming the missing or bad field.
 */
export function toAction(body: Record<string, unknown>): BrowserAction {
  const targetId = checkTargetId(body.targetId, false);
  const timeoutMs = optionalInt(body.timeoutMs, "timeoutMs", 1, 120_000);
  const base = { ...(targetId && { targetId }), ...(timeoutMs !== undefined && { timeoutMs }) };
  const ref = () => requireString(body.ref, "ref");
  switch (body.kind) {
    case "click": {
      const button = body.button;
      if (button !== undefined && button !== "left" && button !== "right" && button !== "middle") throw badRequest("button must be left, right or middle");
      return { kind: "click", ref: ref(), doubleClick: body.doubleClick === true, ...(button !== undefined && { button }), ...base };
    }
    case "type":
      if (typeof body.text !== "string") throw badRequest("text is required (a string)");
      return { kind: "type", ref: ref(), text: body.text, submit: body.submit === true, slowly: body.slowly === true, ...base };
    case "press":
      return { kind: "press", key: requireString(body.key, "key"), ...(body.ref !== undefined && { ref: ref() }), ...base };
    case "hover":
      return { kind: "hover", ref: ref(), ...base };
    case "select": {
      const values = typeof body.values === "string" ? [body.values] : body.values;
      if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === "string")) throw badRequest("values is required (a non-empty array of strings)");
      return { kind: "select", ref: ref(), values, ...base };
    }
    case "wait": {
      const timeMs = optionalInt(body.timeMs, "timeMs", 0, 60_000);
      const text = optionalString(body.text, "text");
      const textGone = optionalString(body.textGone, "textGone");
      const waitRef = body.ref !== undefined ? ref() : undefined;
      if (timeMs === undefined && !text && !textGone && !waitRef) throw badRequest("wait needs one of timeMs, text, textGone, ref");
      return { kind: "wait", ...(timeMs !== undefined && { timeMs }), ...(text && { text }), ...(textGone && { textGone }), ...(waitRef && { ref: waitRef }), ...base };
    }
    default:
      throw badRequest(`kind must be one of click, type, press, hover, select, wait (got ${JSON.stringify(body.kind ?? null).slice(0, 40)})`);
  }
}

/**
 * Checks a URL to open: http(s) only (plus `about:blank` for new tabs); file:, javascript:, chrome: and
 * friends would let a caller read local files or the browser's own pages.
 * @throws BrowserApiError 400.
 */
export function checkUrl(raw: unknown, allowBlank: boolean): string {
  if (typeof raw !== "string" || raw.trim() === "") throw badRequest("url is required");
  const text = raw.trim();
  if (allowBlank && text === "about:blank") return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badRequest(`url is not an absolute URL: ${text.slice(0, 200)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw badRequest(`url scheme ${url.protocol} is not allowed (use http or https)`);
  return url.toString();
}

// --- internal ---

function checkTargetId(raw: unknown, required: boolean): string | undefined {
  if (raw === undefined || raw === null || raw === "") {
    if (required) throw badRequest("targetId is required");
    return undefined;
  }
  if (typeof raw !== "string" || !TARGET_ID_RE.test(raw)) throw badRequest(`invalid targetId ${JSON.stringify(String(raw).slice(0, 80))} (GET /tabs lists them)`);
  return raw;
}

function requireString(raw: unknown, name: string): string {
  if (typeof raw !== "string" || raw === "") throw badRequest(`${name} is required`);
  return raw;
}

function optionalString(raw: unknown, name: string): string | undefined {
  if (raw === undefined || raw === null || raw === "") return undefined;
  if (typeof raw !== "string") throw badRequest(`${name} must be a string`);
  return raw;
}

function optionalInt(raw: unknown, name: string, min: number, max: number): number | undefined {
  if (raw === undefined || raw === null || raw === "") return undefined;
  const n = typeof raw === "string" ? Number(raw) : raw;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) throw badRequest(`${name} must be an integer from ${min} to ${max}`);
  return n;
}
