/**
 * Params of the methods new in protocol v4 that this gateway implements (spec protocol-v4.md §4 step 8).
 * Closed objects, as upstream's; field names and bounds follow the 2026.9.6 schemas.
 */
import { type TSchema, Type as T } from "@sinclair/typebox";
import { ADMIN_PARAMS } from "./params-admin.ts";
import { ChatHistory } from "./params-core.ts";
import { AnyValue, defineClosed, defineLiterals, NonEmptyString } from "./_schema-helpers.ts";

const SessionRef = { key: NonEmptyString, agentId: T.Optional(NonEmptyString) };

/** Params of the v4 methods. */
export const V4_PARAMS = {
  // The `{shortId, agentId}` form (short chat links) is not offered: we mint no short ids.
  "chat.startup": ChatHistory(),
  // `{}` subscribes; any sessions.list params also return the first list page.
  "sessions.subscribe": ADMIN_PARAMS["sessions.list"],
  "sessions.unsubscribe": defineClosed({}),
  "sessions.describe": defineClosed({
    ...SessionRef,
    includeDerivedTitles: T.Optional(T.Boolean()),
    includeLastMessage: T.Optional(T.Boolean()),
  }),
  // `includeApprovals` (approval events for the session) is accepted; ours go to approvals-scoped operators anyway.
  "sessions.messages.subscribe": defineClosed({ ...SessionRef, includeApprovals: T.Optional(T.Literal(true)) }),
  "sessions.messages.unsubscribe": defineClosed(SessionRef),
  "question.list": defineClosed({}),
  "message.action": defineClosed({
    channel: NonEmptyString,
    action: NonEmptyString,
    params: T.Record(T.String(), T.Unknown()),
    reply: T.Optional(AnyValue),
    accountId: T.Optional(T.String()),
    requesterAccountId: T.Optional(T.String()),
    requesterSenderId: T.Optional(T.String()),
    senderIsOwner: T.Optional(T.Boolean()),
    sessionKey: T.Optional(T.String()),
    sessionId: T.Optional(T.String()),
    inboundTurnKind: T.Optional(defineLiterals(["user_request", "room_event"] as const)),
    agentId: T.Optional(T.String()),
    toolContext: T.Optional(AnyValue),
    conversationReadOrigin: T.Optional(T.Literal("direct-operator")),
    idempotencyKey: NonEmptyString,
  }),
  "commands.list": defineClosed({
    sessionKey: T.Optional(NonEmptyString),
    agentId: T.Optional(NonEmptyString),
    provider: T.Optional(NonEmptyString),
    scope: T.Optional(defineLiterals(["text", "native", "both"] as const)),
    includeArgs: T.Optional(T.Boolean()),
  }),
  "update.status": defineClosed({ refreshCheckout: T.Optional(T.Boolean()) }),
  "users.prefs.get": defineClosed({ keys: T.Optional(T.Array(NonEmptyString, { maxItems: 32, uniqueItems: true })) }),
  "plugins.controlUi.list": defineClosed({}),
  "tasks.list": defineClosed({
    status: T.Optional(AnyValue),
    agentId: T.Optional(NonEmptyString),
    sessionKey: T.Optional(NonEmptyString),
    limit: T.Optional(T.Integer({ minimum: 1, maximum: 500 })),
    cursor: T.Optional(T.String({ maxLength: 512 })),
    sortBy: T.Optional(T.String()),
  }),
  "plugin.approval.list": defineClosed({}),
  "openclaw.approval.list": defineClosed({}),
  "diagnostics.lanes": defineClosed({}),
} satisfies Record<string, TSchema>;
