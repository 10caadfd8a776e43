/**
 * The protocol at runtime: constants, generated types, and checks backed by precompiled ajv validators.
 * Used by the gateway and the client alike; it never imports TypeBox or compiles a schema.
 */
export {
  CLIENT_IDS,
  CLIENT_LIMITS,
  CLIENT_MODES,
  ERROR_CODES,
  EVENTS,
  type EventName,
  OPERATOR_SCOPES,
  POLICY,
  PROTOCOL_VERSION,
  ROLES,
} from "../../protocol/constants.ts";
export {
  type KnownMethodName,
  METHOD_SCOPES,
  METHODS,
  type MethodName,
  type MethodScope,
  NODE_METHODS,
  UNADVERTISED_METHODS,
} from "../../protocol/methods.ts";
export {
  type CheckFailure,
  type ConfigCheck,
  checkConfig,
  checkEventPayload,
  checkParams,
  checkRequestFrame,
  checkResult,
  isKnownMethod,
  type KnownMethod,
  type ParamsCheck,
  type ParamsOf,
  type PayloadOf,
  type RequestFrameCheck,
  type ResultOf,
} from "./check.ts";
export { type ConfigIssue, formatValidationErrors } from "./format-errors.ts";
export type {
  ClientId,
  ClientMode,
  ConnectAuth,
  ConnectChallenge,
  ConnectClient,
  ConnectDevice,
  ConnectParams,
  ErrorCode,
  ErrorShape,
  EventFrame,
  EventPayloadMap,
  GatewayFrame,
  HealthSnapshot,
  HelloOk,
  MethodParamsMap,
  MethodResultMap,
  NodeInfo,
  Policy,
  PresenceEntry,
  RequestFrame,
  ResponseFrame,
  SessionDefaults,
  StateVersion,
} from "./generated/types.ts";
/** Every generated protocol type, e.g. `P.ChatSendParams`, `P.SessionsListResult`, `P.ChatEvent`. */
export type * as P from "./generated/types.ts";
