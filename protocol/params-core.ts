/**
 * Params of the everyday methods (spec protocol.md §6): health and status, messaging, agent runs, chat,
 * talk / tts / voicewake, browser. Methods upstream never validates (documented as "`{}` (ignored)" or
 * checked by hand in the handler) use open objects so unknown keys keep passing.
 */
import { type TSchema, Type as T } from "@sinclair/typebox";
import { CLIENT_LIMITS } from "./constants.ts";
import { AnyValue, defineClosed, defineLiterals, defineOpen, Millis, NonEmptyString } from "./_schema-helpers.ts";

// Upstream ignores these params entirely; `{}` is the documented shape but anything passes.
const Ignored = () => defineOpen({});
const StringList = T.Array(T.String());
const ClientText = () => T.String({ maxLength: CLIENT_LIMITS.shortChars });
// Client-chosen keys that name stored sessions and runs (listed in health / hello-ok, carried by every event).
const ClientKey = () => T.String({ minLength: 1, maxLength: CLIENT_LIMITS.keyChars });

/** Params of health, status, system, messaging, agent, chat, talk, tts, voicewake and browser methods. */
export const CORE_PARAMS = {
  health: defineOpen({ probe: T.Optional(T.Boolean({ description: "Skip the cache and probe channels now." })) }),
  status: Ignored(),
  "logs.tail": defineClosed({
    cursor: T.Optional(T.Integer({ minimum: 0 })),
    limit: T.Optional(T.Integer({ minimum: 1, maximum: 5000 })),
    maxBytes: T.Optional(T.Integer({ minimum: 1, maximum: 1000000 })),
  }),
  "channels.status": defineClosed({ probe: T.Optional(T.Boolean()), timeoutMs: T.Optional(Millis) }),
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
  "chat.history": defineClosed({ sessionKey: NonEmptyString, limit: T.Optional(T.Integer({ minimum: 1, maximum: 1000 })) }),
  "chat.send": defineClosed({
    sessionKey: ClientKey(),
    message: T.String({ description: "May be empty when attachments are sent." }),
    thinking: T.Optional(T.String()),
    deliver: T.Optional(T.Boolean()),
    attachments: T.Optional(T.Array(AnyValue)),
    timeoutMs: T.Optional(Millis),
    idempotencyKey: ClientKey(),
  }),
  "chat.abort": defineClosed({ sessionKey: NonEmptyString, runId: T.Optional(NonEmptyString) }),
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
