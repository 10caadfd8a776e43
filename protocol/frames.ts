/**
 * The three frame kinds of protocol v3 (spec protocol.md §2) and the error shape carried by failed responses.
 */
import { Type as T } from "@sinclair/typebox";
import { ERROR_CODES } from "./constants.ts";
import { AnyValue, defineClosed, defineLiterals, NonEmptyString } from "./_schema-helpers.ts";

/** One of {@link ERROR_CODES}. */
export const ErrorCode = defineLiterals(ERROR_CODES, { $id: "ErrorCode" });

/** `error` of a failed response. */
export const ErrorShape = defineClosed(
  {
    code: ErrorCode,
    message: T.String(),
    details: T.Optional(AnyValue),
    retryable: T.Optional(T.Boolean()),
    retryAfterMs: T.Optional(T.Integer({ minimum: 0 })),
  },
  { $id: "ErrorShape", description: "Why a request failed." },
);

/** Counters attached to `presence` and `health` events (spec §5.1). */
export const StateVersion = defineClosed(
  { presence: T.Integer({ minimum: 0 }), health: T.Integer({ minimum: 0 }) },
  { $id: "StateVersion", description: "Presence and health state counters; both start at 1." },
);

/** Client → server call. No other keys are allowed. */
export const RequestFrame = defineClosed(
  {
    type: T.Literal("req"),
    id: NonEmptyString,
    method: NonEmptyString,
    params: T.Optional(AnyValue),
  },
  { $id: "RequestFrame", description: "A method call; the response echoes `id`." },
);

/** Server → client answer to a request (an `agent` run answers twice on the same id). */
export const ResponseFrame = defineClosed(
  {
    type: T.Literal("res"),
    id: T.String(),
    ok: T.Boolean(),
    payload: T.Optional(AnyValue),
    error: T.Optional(ErrorShape),
  },
  { $id: "ResponseFrame", description: "The answer to a request; `payload` on success, `error` on failure." },
);

/** Server → client push. */
export const EventFrame = defineClosed(
  {
    type: T.Literal("event"),
    event: T.String(),
    payload: T.Optional(AnyValue),
    seq: T.Optional(T.Integer({ minimum: 0 })),
    stateVersion: T.Optional(StateVersion),
  },
  { $id: "EventFrame", description: "A pushed event; broadcast events carry the global `seq`." },
);

/** Any frame on the socket. */
export const GatewayFrame = T.Union([RequestFrame, ResponseFrame, EventFrame], {
  $id: "GatewayFrame",
  description: "Any frame of protocol v3.",
});
