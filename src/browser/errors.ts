/**
 * Errors of the browser control service. `BrowserApiError` is "the control API said no" (it carries the
 * HTTP status and a stable code, on both sides of the wire); `BrowserTransportError` is "could not reach
 * the control API" (keeps the inner error).
 */
import type { BrowserErrorCode } from "./types.ts";

/** A refusal with an HTTP status and a stable code; the server turns it into `{error, code}`. */
export class BrowserApiError extends Error {
  readonly status: number;
  readonly code: BrowserErrorCode;
  constructor(status: number, code: BrowserErrorCode, message: string, opts: { cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = "BrowserApiError";
    this.status = status;
    this.code = code;
  }
}

/** The control API could not be reached (refused, timed out, reset). */
export class BrowserTransportError extends Error {
  readonly url: string;
  constructor(url: string, message: string, opts: { cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = "BrowserTransportError";
    this.url = url;
  }
}

/** True for a {@link BrowserApiError}. */
export function isBrowserApiError(err: unknown): err is BrowserApiError {
  return err instanceof BrowserApiError;
}

/** 400 BAD_REQUEST. */
export function badRequest(message: string): BrowserApiError {
  return new BrowserApiError(400, "BAD_REQUEST", message);
}

/** 409 BROWSER_NOT_RUNNING. */
export function notRunning(profile: string, detail?: string): BrowserApiError {
  return new BrowserApiError(409, "BROWSER_NOT_RUNNING", `browser not running for profile "${profile}"${detail ? ` (${detail})` : ""}; POST /start first`);
}
