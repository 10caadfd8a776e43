/**
 * Shared HTTP auth (http.md §2): `Authorization: Bearer <secret>`, the secret tried as the gateway token and
 * as its password. Failures count against the same per-address limiter as WebSocket handshakes, each against
 * the credential it guessed at (the shared secret or the hooks token); a locked address gets 429 with
 * Retry-After before its secret is even looked at.
 *
 * Scope: a caller holding the shared secret is an operator with `operator.admin`, exactly like a WebSocket
 * client that authenticates with it and asks for no narrower scopes.
 */
import type { Server } from "bun";
import type { HttpHost } from "./_host.ts";
import { checkSharedSecret, safeEqual } from "../auth.ts";
import type { ConnectionData } from "../connections.ts";
import { openAiError, retryAfterSeconds } from "./_respond.ts";

/** The scopes an HTTP bearer of the shared secret holds. */
export const HTTP_BEARER_SCOPES: readonly string[] = ["operator.admin"];

/** One HTTP request as the API handlers see it. */
export interface HttpCall {
  gw: HttpHost;
  req: Request;
  url: URL;
  /** The peer address (the limiter's key). */
  remoteAddress: string;
  server: Server<ConnectionData>;
}

/** The bearer token of `Authorization: Bearer …`, or undefined. */
export function bearerOf(req: Request): string | undefined {
  const header = req.headers.get("authorization") ?? "";
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m ? m[1].trim() || undefined : undefined;
}

/**
 * Checks the shared gateway secret.
 * @returns undefined when authorized, else the 429 / 401 response (OpenAI error shape).
 */
export function authorizeGatewayBearer(call: HttpCall): Response | undefined {
  const { gw, remoteAddress } = call;
  const wait = gw.rateLimiter.retryAfter(remoteAddress);
  if (wait > 0) {
    return openAiError(429, `Too many failed authentication attempts; retry in ${retryAfterSeconds(wait)} s.`, "rate_limited", { "retry-after": retryAfterSeconds(wait) });
  }
  const bearer = bearerOf(call.req);
  if (bearer && checkSharedSecret(gw.settings.auth, { token: bearer, password: bearer }).ok) {
    gw.rateLimiter.recordSuccess(remoteAddress);
    return undefined;
  }
  noteFailure(call, bearer !== undefined, "gateway");
  return openAiError(401, "Unauthorized", "unauthorized");
}

/**
 * Checks a hooks request's token (`Authorization: Bearer` or `X-OpenClaw-Token`) against `hooks.token`.
 * @returns undefined when authorized, else the 429 / 401 text response.
 */
export function authorizeHookToken(call: HttpCall, expected: string): Response | undefined {
  const { gw, remoteAddress } = call;
  const wait = gw.rateLimiter.retryAfter(remoteAddress, "hooks-token");
  if (wait > 0) {
    return new Response(`Too Many Requests: retry in ${retryAfterSeconds(wait)} s`, { status: 429, headers: { "retry-after": retryAfterSeconds(wait), "content-type": "text/plain; charset=utf-8" } });
  }
  const sent = bearerOf(call.req) ?? call.req.headers.get("x-openclaw-token")?.trim() ?? undefined;
  if (sent && safeEqual(sent, expected)) {
    gw.rateLimiter.recordSuccess(remoteAddress, "hooks-token");
    return undefined;
  }
  noteFailure(call, Boolean(sent), "hooks");
  return new Response("Unauthorized", { status: 401, headers: { "content-type": "text/plain; charset=utf-8" } });
}

// --- internal ---

function noteFailure(call: HttpCall, sentSecret: boolean, surface: string): void {
  // Only a wrong secret counts: a request without one cannot guess anything, and counting it would let a
  // misconfigured local client lock every loopback caller out.
  if (!sentSecret) return;
  const lockout = call.gw.rateLimiter.recordFailure(call.remoteAddress, surface === "hooks" ? "hooks-token" : "shared-secret");
  call.gw.logger.child("http").warn("auth failed", { surface, path: call.url.pathname, remote: call.remoteAddress, ...(lockout > 0 && { lockedOutMs: lockout }) });
}
