/** Shared by the channel methods: channel errors → protocol errors (protocol.md §9). */
import { ChannelApiError, ChannelInputError, ChannelTransportError, NotLinkedError, UnsupportedChannelError } from "../../channels/index.ts";
import { GatewayError } from "../../errors.ts";

/**
 * Maps what a channel threw to a GatewayError: unknown channel / bad input → INVALID_REQUEST, no linked
 * session → NOT_LINKED, the service refused or could not be reached → UNAVAILABLE (retryable where a
 * retry can help). Anything else is rethrown as is.
 */
export function toChannelGatewayError(err: unknown): unknown {
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
