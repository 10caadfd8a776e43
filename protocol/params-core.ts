/**
 * Params of the everyday methods (spec protocol.md §6): health and status, messaging, agent runs, chat,
 * talk / tts / voicewake, browser. Methods upstream never validates (documented as "`{}` (ignored)" or
 * checked by hand in the handler) use open objects so unknown keys keep passing.
 */
import { type TSchema, Type as T } from "@sinclair/typebox";
import { CLIENT_LIMITS } from "./constants.ts";
import { AnyValue, defineClosed, defineLiterals, defineOpen, Millis, NonEmptyString, nullable } from "./_schema-helpers.ts";

// Upstream ignores these params entirely; `{}` is the documented shape but anything passes.
const Ignored = () => defineOpen({});
const StringList = T.Array(T.String());
const ClientText = () => T.String({ maxLength: CLIENT_LIMITS.shortChars });
// Client-chosen keys that name stored sessions and runs (listed in health / hello-ok, carried by every event).
const ClientKey = () => T.String({ minLength: 1, maxLength: CLIENT_LIMITS.keyChars });

/**
 * `chat.history` (and v4 `chat.startup`): v3's `{sessionKey, limit}` plus the v4 fields. `offset` skips the
 * newest N messages and `maxBytes` caps the answer; on v4 `cursor` (a tail page's `deltaCursor`) asks for only
 * what came after it. `agentId` names what the key already names; `sessionId` is allowed only beside
 * `messageId`, `cursor` beside neither `offset` nor `messageId`, `offset` not beside `messageId`.
 * `messageId` (anchored reads), `pendingBefore`, `inputRunIds` and `maxChars` (pending inputs, per-message
 * truncation) are accepted and ignored.
 */
export const ChatHistory = () =>
  defineClosed({
    sessionKey: NonEmptyString,
    limit: T.Optional(T.Integer({ minimum: 1, maximum: 1000 })),
    agentId: T.Optional(NonEmptyString),
    cursor: T.Optional(T.String({ description: "v4: a deltaCursor from an earlier tail page or delta." })),
    maxBytes: T.Optional(T.Integer({ minimum: 1024 })),
    offset: T.Optional(T.Integer({ minimum: 0 })),
    pendingBefore: T.Optional(T.Integer({ minimum: 1 })),
    inputRunIds: T.Optional(T.Array(T.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 50, uniqueItems: true })),
    messageId: T.Optional(NonEmptyString),
    sessionId: T.Optional(NonEmptyString),
    maxChars: T.Optional(T.Integer({ minimum: 1, maximum: 500000 })),
  });

/**
 * Fields v4 clients add to `chat.send`. `agentId`/`sessionId` name what the key already names; the rest
 * (queue modes, mentions, provenance, optimistic-concurrency `expected*` checks, tool bindings, fast mode,
 * originating route, reply target) have no counterpart here and are accepted and ignored.
 */
const V4_CHAT_SEND_FIELDS = {
  agentId: T.Optional(NonEmptyString),
  sessionId: T.Optional(NonEmptyString),
  mentions: T.Optional(AnyValue),
  workContext: T.Optional(AnyValue),
  intent: T.Optional(AnyValue),
  fastMode: T.Optional(T.Union([T.Boolean(), T.Literal("auto")])),
  fastAutoOnSeconds: T.Optional(T.Integer({ minimum: 1 })),
  queueMode: T.Optional(defineLiterals(["steer", "followup", "collect", "interrupt"] as const)),
  originatingChannel: T.Optional(T.String()),
  originatingTo: T.Optional(T.String()),
  originatingAccountId: T.Optional(T.String()),
  originatingThreadId: T.Optional(T.String()),
  replyToId: T.Optional(NonEmptyString),
  toolBindings: T.Optional(AnyValue),
  systemInputProvenance: T.Optional(AnyValue),
  systemProvenanceReceipt: T.Optional(T.String()),
  suppressCommandInterpretation: T.Optional(T.Boolean()),
  expectedLeafEntryId: T.Optional(nullable(NonEmptyString)),
  expectedSessionRoutingContract: T.Optional(NonEmptyString),
  expectedPermissionMode: T.Optional(nullable(T.String())),
  expectedToolOverrides: T.Optional(AnyValue),
};

/** Params of health, status, system, messaging, agent, chat, talk, tts, voicewake and browser methods. */
export const CORE_PARAMS = {
  health: defineOpen({ probe: T.Optional(T.Boolean({ description: "Skip the cache and probe channels now." })) }),
  // v4 clients send `{includeChannelSummary:false}`; upstream validates nothing here, so neither do we.
  status: Ignored(),
  "logs.tail": defineClosed({
    cursor: T.Optional(T.Integer({ minimum: 0 })),
    limit: T.Optional(T.Integer({ minimum: 1, maximum: 5000 })),
    maxBytes: T.Optional(T.Integer({ minimum: 1, maximum: 1000000 })),
  }),
  // v4 adds `channel`: report that channel only.
  "channels.status": defineClosed({ probe: T.Optional(T.Boolean()), timeoutMs: T.Optional(Millis), channel: T.Optional(NonEmptyString) }),
  "channels.logout": defineClosed({ channel: NonEmptyString, accountId: T.Optional(T.String()) }),
  "usage.status": Ignored(),
  "usage.cost": defineOpen({ days: T.Optional(T.Integer({ minimum: 1 })) }),
  "tts.status": Ignored(),
  "tts.providers": Ignored(),
  "tts.enable": Ignored(),
  "tts.disable": Ignored(),
  "tts.convert": defineOpen({ text: T.String(), channel: T.Optional(T.String()) }),
  "tts.setProvider": defineOpen({ provider: NonEmptyString }),
  "talk.mode": defineClosed({ enabled: T.Boolean(), phase: T.Optional(ClientText()) }),
  "voicewake.get": Ignored(),
  "voicewake.set": defineOpen({ triggers: StringList }),
  "last-heartbeat": Ignored(),
  "set-heartbeats": defineOpen({ enabled: T.Boolean() }),
  wake: defineClosed({ mode: defineLiterals(["now", "next-heartbeat"] as const), text: T.String() }),
  "system-presence": Ignored(),
  // A presence beacon: every field lands in the presence list every client receives, so each is bounded.
  "system-event": defineOpen({
    text: T.String({ minLength: 1, maxLength: CLIENT_LIMITS.textChars }),
    deviceId: T.Optional(ClientText()),
    instanceId: T.Optional(ClientText()),
    host: T.Optional(ClientText()),
    ip: T.Optional(ClientText()),
    mode: T.Optional(ClientText()),
    version: T.Optional(ClientText()),
    platform: T.Optional(ClientText()),
    deviceFamily: T.Optional(ClientText()),
    modelIdentifier: T.Optional(ClientText()),
    lastInputSeconds: T.Optional(T.Number({ minimum: 0 })),
    reason: T.Optional(ClientText()),
    roles: T.Optional(T.Array(ClientText(), { maxItems: CLIENT_LIMITS.tagItems })),
    scopes: T.Optional(T.Array(ClientText(), { maxItems: CLIENT_LIMITS.tagItems })),
    tags: T.Optional(T.Array(ClientText(), { maxItems: CLIENT_LIMITS.tagItems })),
  }),
  send: defineClosed({
    to: NonEmptyString,
    message: T.String(),
    mediaUrl: T.Optional(T.String()),
    mediaUrls: T.Optional(StringList),
    gifPlayback: T.Optional(T.Boolean()),
    channel: T.Optional(T.String()),
    accountId: T.Optional(T.String()),
    sessionKey: T.Optional(T.String({ maxLength: CLIENT_LIMITS.keyChars })),
    idempotencyKey: ClientKey(),
  }),
  poll: defineClosed({
    to: NonEmptyString,
    question: NonEmptyString,
    options: T.Array(NonEmptyString, { minItems: 2, maxItems: 12 }),
    maxSelections: T.Optional(T.Integer({ minimum: 1, maximum: 12 })),
    durationHours: T.Optional(T.Integer({ minimum: 1 })),
    channel: T.Optional(T.String()),
    accountId: T.Optional(T.String()),
    idempotencyKey: ClientKey(),
  }),
  agent: defineClosed({
    message: T.String(),
    agentId: T.Optional(T.String()),
    to: T.Optional(T.String()),
    replyTo: T.Optional(T.String()),
    sessionId: T.Optional(T.String({ maxLength: CLIENT_LIMITS.keyChars })),
    sessionKey: T.Optional(T.String({ maxLength: CLIENT_LIMITS.keyChars })),
    thinking: T.Optional(T.String()),
    deliver: T.Optional(T.Boolean()),
    attachments: T.Optional(T.Array(AnyValue)),
    channel: T.Optional(T.String()),
    replyChannel: T.Optional(T.String()),
    accountId: T.Optional(T.String()),
    replyAccountId: T.Optional(T.String()),
    threadId: T.Optional(T.String()),
    groupId: T.Optional(T.String()),
    groupChannel: T.Optional(T.String()),
    groupSpace: T.Optional(T.String()),
    timeout: T.Optional(T.Integer({ minimum: 0, description: "Seconds." })),
    lane: T.Optional(T.String()),
    extraSystemPrompt: T.Optional(T.String()),
    idempotencyKey: ClientKey(),
    label: T.Optional(T.String()),
    spawnedBy: T.Optional(T.String()),
  }),
  "agent.identity.get": defineClosed({ agentId: T.Optional(T.String()), sessionKey: T.Optional(T.String()) }),
  "agent.wait": defineClosed({ runId: NonEmptyString, timeoutMs: T.Optional(Millis) }),
  "chat.history": ChatHistory(),
  "chat.send": defineClosed({
    sessionKey: ClientKey(),
    message: T.String({ description: "May be empty when attachments are sent." }),
    thinking: T.Optional(T.String()),
    deliver: T.Optional(T.Boolean()),
    attachments: T.Optional(T.Array(AnyValue)),
    timeoutMs: T.Optional(Millis),
    idempotencyKey: ClientKey(),
    ...V4_CHAT_SEND_FIELDS,
  }),
  // v4 adds `agentId` (the key already names its agent) and `preserveSideRuns` (we have no side runs).
  "chat.abort": defineClosed({
    sessionKey: NonEmptyString,
    runId: T.Optional(NonEmptyString),
    agentId: T.Optional(NonEmptyString),
    preserveSideRuns: T.Optional(T.Boolean()),
  }),
  "chat.inject": defineClosed({
    sessionKey: NonEmptyString,
    message: NonEmptyString,
    label: T.Optional(T.String({ maxLength: 100 })),
  }),
  "browser.request": defineOpen({
    method: T.Optional(T.String()),
    path: T.Optional(T.String()),
    query: T.Optional(T.Record(T.String(), AnyValue)),
    body: T.Optional(AnyValue),
    timeoutMs: T.Optional(Millis),
  }),
} satisfies Record<string, TSchema>;
