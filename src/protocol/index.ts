/**
 * The protocol at runtime: constants, generated types, and checks backed by precompiled ajv validators.
 * Used by the gateway and the client alike; it never imports TypeBox or compiles a schema.
 */
export {
  CLIENT_IDS,
  CLIENT_IDS_V4,
  CLIENT_LIMITS,
  CLIENT_MODES,
  CLIENT_MODES_V4,
  ERROR_CODES,
  ERROR_CODES_V4,
  EVENTS,
  type EventName,
  LATEST_PROTOCOL_VERSION,
  MIN_PROBE_PROTOCOL_VERSION,
  OPERATOR_SCOPES,
  POLICY,
  PROTOCOL_VERSION,
  ROLES,
  SUPPORTED_PROTOCOL_VERSIONS,
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
  checkConnectParams,
  checkEventPayload,
  checkParams,
  checkRequestFrame,
  checkRequestFrameV4,
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
  ConnectParamsV4,
  ErrorCode,
  ErrorShape,
  EventFrame,
  EventPayloadMap,
  GatewayFrame,
  HealthSnapshot,
  HelloOk,
  HelloOkV4,
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
