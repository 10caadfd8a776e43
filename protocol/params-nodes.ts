/**
 * Params of node and device methods (spec protocol.md §6): pairing, tokens, listing and invoking nodes, and
 * the calls only a connected node makes (`node.invoke.result`, `node.event`, `node.canvas.capability.refresh`).
 */
import { type TSchema, Type as T } from "@sinclair/typebox";
import { AnyValue, defineClosed, Millis, NonEmptyString } from "./_schema-helpers.ts";
import { CLIENT_LIMITS } from "./constants.ts";

const NoParams = () => defineClosed({});
const ByRequestId = () => defineClosed({ requestId: NonEmptyString });
const Short = () => T.String({ maxLength: CLIENT_LIMITS.shortChars });

/** Params of the `node.*` and `device.*` methods. */
export const NODE_PARAMS = {
  // Stored in the pairing store and echoed in node.pair.* events and node.list: bounded like connect's fields.
  "node.pair.request": defineClosed({
    nodeId: T.String({ minLength: 1, maxLength: CLIENT_LIMITS.shortChars }),
    displayName: T.Optional(Short()),
    platform: T.Optional(Short()),
    version: T.Optional(Short()),
    coreVersion: T.Optional(Short()),
    uiVersion: T.Optional(Short()),
    deviceFamily: T.Optional(Short()),
    modelIdentifier: T.Optional(Short()),
    caps: T.Optional(T.Array(Short(), { maxItems: CLIENT_LIMITS.listItems })),
    commands: T.Optional(T.Array(Short(), { maxItems: CLIENT_LIMITS.listItems })),
    remoteIp: T.Optional(Short()),
    silent: T.Optional(T.Boolean()),
  }),
  "node.pair.list": NoParams(),
  "node.pair.approve": ByRequestId(),
  "node.pair.reject": ByRequestId(),
  "node.pair.verify": defineClosed({ nodeId: NonEmptyString, token: NonEmptyString }),
  "device.pair.list": NoParams(),
  "device.pair.approve": ByRequestId(),
  "device.pair.reject": ByRequestId(),
  "device.token.rotate": defineClosed({
    deviceId: NonEmptyString,
    role: NonEmptyString,
    scopes: T.Optional(T.Array(NonEmptyString)),
  }),
  "device.token.revoke": defineClosed({ deviceId: NonEmptyString, role: NonEmptyString }),
  "node.rename": defineClosed({ nodeId: NonEmptyString, displayName: T.String({ minLength: 1, maxLength: CLIENT_LIMITS.shortChars }) }),
  "node.list": NoParams(),
  "node.describe": defineClosed({ nodeId: NonEmptyString }),
  "node.invoke": defineClosed({
    nodeId: NonEmptyString,
    command: NonEmptyString,
    params: T.Optional(AnyValue),
    timeoutMs: T.Optional(Millis),
    idempotencyKey: NonEmptyString,
  }),
  "node.invoke.result": defineClosed({
    id: NonEmptyString,
    nodeId: NonEmptyString,
    ok: T.Boolean(),
    payload: T.Optional(AnyValue),
    payloadJSON: T.Optional(T.String()),
    error: T.Optional(defineClosed({ code: T.Optional(T.String()), message: T.Optional(T.String()) })),
  }),
  "node.event": defineClosed({
    event: NonEmptyString,
    payload: T.Optional(AnyValue),
    payloadJSON: T.Optional(T.String()),
  }),
  "node.canvas.capability.refresh": NoParams(),
} satisfies Record<string, TSchema>;
