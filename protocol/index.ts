/**
 * Protocol v3 and v4 source of truth (build time): TypeBox definitions of frames, handshake, method params/results
 * and event payloads, plus the plain tables (methods, scopes, events). gen.ts / gen-swift.ts emit from here.
 */
export {
  ConnectAuth,
  ConnectChallenge,
  ConnectClient,
  ConnectDevice,
  ConnectParams,
  HealthSnapshot,
  HelloOk,
  Policy,
  PresenceEntry,
} from "./connect.ts";
export {
  ConnectParamsV4,
  ErrorShapeV4,
  EventFrameV4,
  GatewayFrameV4,
  HelloOkV4,
  RequestFrameV4,
  ResponseFrameV4,
  V4_ROOT_DEFINITIONS,
} from "./connect-v4.ts";
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
} from "./constants.ts";
export { buildProtocolDocument, type ProtocolDocument, toDefinitionName } from "./definitions.ts";
export { ApprovalDecision, EVENT_PAYLOADS } from "./events.ts";
export { ErrorShape, EventFrame, GatewayFrame, RequestFrame, ResponseFrame, StateVersion } from "./frames.ts";
export {
  APPROVAL_METHODS,
  type KnownMethodName,
  METHOD_SCOPES,
  METHODS,
  type MethodName,
  type MethodScope,
  NODE_METHODS,
  PAIRING_METHODS,
  READ_METHODS,
  UNADVERTISED_METHODS,
  UNADVERTISED_V4_METHODS,
  V4_METHODS,
  METHOD_CAPABILITIES_V4,
  METHOD_SCOPES_V4_CHANGES,
  QUESTION_METHODS,
  WRITE_METHODS,
} from "./methods.ts";
export { METHOD_SCHEMAS, type MethodSchemas } from "./registry.ts";
