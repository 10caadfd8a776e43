/**
 * Shared-secret authentication (token or password) and the failed-attempt limiter.
 * Secrets are compared in constant time; failures are counted per remote address and per credential, loopback
 * included, so a web page in the user's own browser cannot brute-force a local gateway, and a success with one
 * credential (a hooks token, a device token) never resets the count of guesses at another (the shared secret).
 */
import { timingSafeEqual } from "node:crypto";
import type { AuthSettings } from "../config/gateway-settings.ts";

/** Why shared-secret auth failed; `undefined` reason means it succeeded. */
export type AuthFailure =
  | "token_missing"
  | "token_mismatch"
  | "token_missing_config"
  | "password_missing"
  | "password_mismatch"
  | "password_missing_config";

/** What the client sent in `connect.params.auth`. */
export interface ClientAuth {
  token?: string;
  password?: string;
}

/**
 * Checks a client's shared secret against the configured one.
 * @returns `{ok:true}` or the failure reason.
 */
export function checkSharedSecret(settings: AuthSettings, sent: ClientAuth | undefined): { ok: true } | { ok: false; reason: AuthFailure } {
  if (settings.mode === "password") {
    if (!settings.password) return { ok: false, reason: "password_missing_config" };
    if (!sent?.password) return { ok: false, reason: "password_missing" };
    return safeEqual(sent.password, settings.password) ? { ok: true } : { ok: false, reason: "password_mismatch" };
  }
  if (!settings.token) return { ok: false, reason: "token_missing_config" };
  if (!sent?.token) return { ok: false, reason: "token_missing" };
  return safeEqual(sent.token, settings.token) ? { ok: true } : { ok: false, reason: "token_mismatch" };
}

/** The upstream-compatible message for an auth failure, with a hint that fits the kind of client. */
export function describeAuthFailure(reason: AuthFailure, clientId: string): string {
  const browser = clientId === "openclaw-control-ui" || clientId === "webchat-ui" || clientId === "webchat";
  const cli = clientId === "cli";
  const secret = reason.startsWith("password") ? "password" : "token";
  // Upstream wording: browsers get "paste token" for tokens but "enter the password" for passwords.
  const browserHint = secret === "token" ? "open a tokenized dashboard URL or paste token in Control UI settings" : "enter the password in Control UI settings";
  const hint = cli ? `set gateway.remote.${secret} to match gateway.auth.${secret}` : browser ? browserHint : `provide gateway auth ${secret}`;
  switch (reason) {
    case "token_missing":
      return `unauthorized: gateway token missing (${hint})`;
    case "token_mismatch":
      return `unauthorized: gateway token mismatch (${hint})`;
    case "token_missing_config":
      return "unauthorized: gateway token not configured on gateway (set gateway.auth.token)";
    case "password_missing":
      return `unauthorized: gateway password missing (${hint})`;
    case "password_mismatch":
      return `unauthorized: gateway password mismatch (${hint})`;
    case "password_missing_config":
      return "unauthorized: gateway password not configured on gateway (set gateway.auth.password)";
  }
}

/** Constant-time string equality (hashes first so lengths do not leak through timing). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(Bun.SHA256.hash(a) as Uint8Array, Bun.SHA256.hash(b) as Uint8Array);
}

/**
 * What a failed or successful attempt was checked against; each has its own failure count per address.
 * `shared-secret` is the gateway token or password on every surface that takes it (WebSocket connect, HTTP
 * bearer, canvas bearer, browser control); `hooks-token` is `hooks.token`.
 */
export type AuthCredential = "shared-secret" | "hooks-token";

/** The lockout error text, with the wait in whole seconds (rounded up) so a person knows when to retry. */
export function describeLockout(retryAfterMs: number): string {
  return `unauthorized: too many failed auth attempts (retry in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s)`;
}

/** Options of {@link AuthRateLimiter}. */
export interface RateLimitOptions {
  /** Failures allowed per window before the address is locked out (default 10). */
  maxFailures?: number;
  /** Window length in ms (default 60 000). */
  windowMs?: number;
  /** Lockout length in ms once the limit is hit (default 60 000). */
  lockoutMs?: number;
  now?: () => number;
}

/**
 * Counts failed auth attempts per (remote address, credential). Memory is bounded: entries expire with their
 * window and the table never holds more than 10 000 keys (oldest dropped). Not shared across processes.
 * The credential defaults to `shared-secret`, the one every surface but hooks takes.
 */
export class AuthRateLimiter {
  private readonly entries = new Map<string, { failures: number; windowStart: number; lockedUntil: number }>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly lockoutMs: number;
  private readonly now: () => number;

  constructor(opts: RateLimitOptions = {}) {
    this.maxFailures = opts.maxFailures ?? 10;
    this.windowMs = opts.windowMs ?? 60_000;
    this.lockoutMs = opts.lockoutMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** @returns ms until `address` may try `credential` again, or 0 when it may try now. */
  retryAfter(address: string, credential: AuthCredential = "shared-secret"): number {
    const entry = this.entries.get(keyOf(address, credential));
    if (!entry) return 0;
    const left = entry.lockedUntil - this.now();
    return left > 0 ? left : 0;
  }

  /** Records a failure against `credential`; @returns the lockout in ms when this failure hit the limit, else 0. */
  recordFailure(address: string, credential: AuthCredential = "shared-secret"): number {
    const now = this.now();
    const key = keyOf(address, credential);
    let entry = this.entries.get(key);
    if (!entry || now - entry.windowStart > this.windowMs) {
      entry = { failures: 0, windowStart: now, lockedUntil: 0 };
      this.entries.delete(key);
      this.entries.set(key, entry);
      if (this.entries.size > 10_000) this.entries.delete(this.entries.keys().next().value as string);
    }
    entry.failures += 1;
    if (entry.failures >= this.maxFailures) {
      entry.lockedUntil = now + this.lockoutMs;
      return this.lockoutMs;
    }
    return 0;
  }

  /**
   * Forgets the failures of `credential` after a successful auth with that same credential. Failures counted
   * against other credentials stay: a valid hooks token says nothing about guesses at the gateway token.
   */
  recordSuccess(address: string, credential: AuthCredential = "shared-secret"): void {
    this.entries.delete(keyOf(address, credential));
  }

  /** Forgets every count of `address` (tests and operator resets). */
  reset(address: string): void {
    for (const credential of ["shared-secret", "hooks-token"] as const) this.entries.delete(keyOf(address, credential));
  }
}

function keyOf(address: string, credential: AuthCredential): string {
  return `${credential}\n${address}`;
}
