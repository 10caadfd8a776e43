/**
 * The one error mapper at the frame boundary: channel and browser errors become protocol errors with the
 * codes of protocol.md §9, whichever handler threw them; anything else passes through untouched.
 */
import { describe, expect, test } from "bun:test";
import { BrowserApiError, BrowserTransportError } from "../../src/browser/index.ts";
import { ChannelApiError, ChannelTransportError, NotLinkedError } from "../../src/channels/index.ts";
import { GatewayError } from "../../src/errors.ts";
import { toGatewayError } from "../../src/gateway/error-map.ts";
import { toErrorShape } from "../../src/gateway/frames.ts";

const shape = (err: unknown) => toErrorShape(toGatewayError(err));

describe("toGatewayError", () => {
  test("browser: the service's 4xx is the caller's mistake, its 5xx and an unreachable service are unavailable", () => {
    expect(shape(new BrowserApiError(404, "NOT_FOUND", "no tab 7"))).toEqual({ code: "INVALID_REQUEST", message: "browser: no tab 7", details: { status: 404, code: "NOT_FOUND" } });
    expect(shape(new BrowserApiError(503, "DISABLED", "off"))).toMatchObject({ code: "UNAVAILABLE", message: "browser: off" });
    expect(shape(new BrowserTransportError("http://127.0.0.1:1", "connection refused"))).toMatchObject({ code: "UNAVAILABLE" });
  });

  test("channels: remote refusals keep method and code, retryable where a retry can help; unlinked is NOT_LINKED", () => {
    expect(shape(new ChannelApiError("telegram", "sendMessage", 429, "Too Many Requests", { retryAfterMs: 3000 }))).toMatchObject({
      code: "UNAVAILABLE",
      details: { channel: "telegram", method: "sendMessage", code: 429 },
      retryable: true,
      retryAfterMs: 3000,
    });
    expect(shape(new ChannelApiError("telegram", "sendMessage", 400, "Bad Request: chat not found"))).toMatchObject({ code: "UNAVAILABLE", retryable: false });
    expect(shape(new ChannelTransportError("telegram", "socket hang up"))).toMatchObject({ code: "UNAVAILABLE", retryable: true });
    expect(shape(new NotLinkedError("whatsapp", "default"))).toMatchObject({ code: "NOT_LINKED", details: { channel: "whatsapp", accountId: "default" } });
  });

  test("gateway errors and unknown errors pass through", () => {
    const known = new GatewayError("INVALID_REQUEST", "bad");
    expect(toGatewayError(known)).toBe(known);
    const unknown = new Error("boom");
    expect(toGatewayError(unknown)).toBe(unknown);
    expect(shape(unknown)).toEqual({ code: "UNAVAILABLE", message: "boom" });
  });
});
