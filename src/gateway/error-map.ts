/**
 * The one place where errors of the parts behind the gateway become protocol errors (protocol.md §9): the frame
 * dispatcher maps whatever a handler threw through {@link toGatewayError}; channel and browser errors get
 * their codes here, never in the handlers.
 */
import { BrowserApiError, BrowserTransportError } from "../browser/index.ts";
import { ChannelApiError, ChannelInputError, ChannelTransportError, isChannelId, NotLinkedError, UnsupportedChannelError } from "../channels/index.ts";
import { GatewayError } from "../errors.ts";

/**
 * Maps a thrown value to a GatewayError where its kind is known (channel, browser); anything else is returned
 * as is (the dispatcher answers it as UNAVAILABLE and logs it).
 */
export function toGatewayError(err: unknown): unknown {
  if (err instanceof BrowserApiError) {
    // The browser service answered: its 4xx are the caller's mistake, its 5xx ours.
    const code = err.status >= 500 ? "UNAVAILABLE" : "INVALID_REQUEST";
    return new GatewayError(code, `browser: ${err.message}`, { details: { status: err.status, code: err.code }, cause: err });
  }
  if (err instanceof BrowserTransportError) return new GatewayError("UNAVAILABLE", `browser: ${err.message}`, { cause: err });
  return toChannelGatewayError(err);
}

/**
 * Maps what a channel threw to a GatewayError: unknown channel / bad input → INVALID_REQUEST, a supported
 * channel that is not configured or has no linked session → NOT_LINKED, the service refused or could not be reached → UNAVAILABLE (retryable where a
 * retry can help). Anything else is rethrown as is.
 */
export function toChannelGatewayError(err: unknown): unknown {
  // A channel we support but that has no config here is a setup step away, not an unknown name.
  if (err instanceof UnsupportedChannelError && isChannelId(err.channel.trim().toLowerCase())) return notConfigured(err.channel.trim().toLowerCase(), err);
  if (err instanceof UnsupportedChannelError || err instanceof ChannelInputError) return new GatewayError("INVALID_REQUEST", err.message, { cause: err });
  if (err instanceof NotLinkedError) return new GatewayError("NOT_LINKED", err.message, { details: { channel: err.channel, accountId: err.accountId }, cause: err });
  if (err instanceof ChannelApiError) {
    return new GatewayError("UNAVAILABLE", err.message, {
      details: { channel: err.channel, method: err.method, code: err.code },
      retryable: err.code === 429 || err.code >= 500,
      retryAfterMs: err.retryAfterMs,
      cause: err,
    });
  }
  if (err instanceof ChannelTransportError) return new GatewayError("UNAVAILABLE", err.message, { retryable: true, cause: err });
  return err;
}

/** NOT_LINKED "<channel> is not configured": a supported channel without config (no token, no account). */
export function notConfigured(channel: string, cause?: unknown): GatewayError {
  return new GatewayError("NOT_LINKED", `${channel} is not configured`, { details: { channel }, cause });
}
