/**
 * The protocol v4 handshake and envelope (spec protocol-v4.md §1): the `connect` params (a superset of v3's),
 * the v4 `hello-ok`, and the request frame and error shape of a v4 connection. Shared shapes (presence, health,
 * state version) are the v3 definitions.
 */
import { Type as T } from "@sinclair/typebox";
import { CLIENT_IDS_V4, CLIENT_LIMITS, CLIENT_MODES_V4, ERROR_CODES_V4, TRACEPARENT_MAX_CHARS } from "./constants.ts";
import { ConnectAuth, ConnectClient, ConnectDevice, ConnectParams, HealthSnapshot, Policy, PresenceEntry, SessionDefaults } from "./connect.ts";
import { StateVersion } from "./frames.ts";
import { AnyValue, defineClosed, defineLiterals, Millis, NonEmptyString } from "./_schema-helpers.ts";

// The v4 connect is a superset of v3's: the fields they share are v3's schemas, listed here in v4's order.
const v3Client = ConnectClient.properties;
const v3Params = ConnectParams.properties;
const ShortId = () => T.String({ minLength: 1, maxLength: CLIENT_LIMITS.shortChars });

/** `client.id` of a v4 connect. */
export const ClientIdV4 = defineLiterals(CLIENT_IDS_V4, { $id: "ClientIdV4", description: "Which client program connects (v4 list)." });
/** `client.mode` of a v4 connect. */
export const ClientModeV4 = defineLiterals(CLIENT_MODES_V4, { $id: "ClientModeV4", description: "How the client runs (v4 list)." });

/** `connect.params.client` (v4): adds `buildId` and `timeZone`. */
export const ConnectClientV4 = defineClosed(
  {
    id: ClientIdV4,
    displayName: v3Client.displayName,
    version: v3Client.version,
    buildId: T.Optional(T.String({ minLength: 1, maxLength: 96 })),
    platform: v3Client.platform,
    deviceFamily: v3Client.deviceFamily,
    modelIdentifier: v3Client.modelIdentifier,
    timeZone: T.Optional(T.String({ minLength: 1, maxLength: 64, description: "Self-reported IANA zone." })),
    mode: ClientModeV4,
    instanceId: v3Client.instanceId,
  },
  { $id: "ConnectClientV4", description: "The connecting program (v4)." },
);

/**
 * `connect.params.device` (v4): the v3 fields. The nonce is optional in the schema so that v3 connects parse with
 * it too; a connection negotiated at v4 must carry it (refused with DEVICE_AUTH_NONCE_REQUIRED otherwise).
 */
export const ConnectDeviceV4 = defineClosed(ConnectDevice.properties, {
  $id: "ConnectDeviceV4",
  description: "Ed25519 device identity; the signature covers payload v3 or v2 (v1 on local v3 connections).",
});

/** `connect.params.auth` (v4): the shared secret, or a device / bootstrap token. */
export const ConnectAuthV4 = defineClosed(
  {
    ...ConnectAuth.properties,
    deviceToken: T.Optional(T.String({ description: "A device token issued in an earlier hello-ok; needs the signed device." })),
    bootstrapToken: T.Optional(T.String({ description: "Accepted on the wire; this gateway issues no bootstrap tokens." })),
    approvalRuntimeToken: T.Optional(T.String({ description: "Accepted on the wire; not used by this gateway." })),
    agentRuntimeIdentityToken: T.Optional(T.String({ description: "Accepted on the wire; not used by this gateway." })),
  },
  { $id: "ConnectAuthV4", description: "Credentials of a v4 connect." },
);

/** `connect.params.modelCatalog`: the initial model-catalog read scope (accepted, not acted upon). */
export const ConnectModelCatalog = T.Union(
  [
    defineClosed({ agentId: T.Optional(ShortId()), sessionKey: T.Optional(ShortId()) }),
    defineClosed({ agentId: T.Optional(ShortId()), shortId: ShortId(), slugHint: T.Optional(ShortId()) }),
  ],
  { $id: "ConnectModelCatalog", description: "Which agent or session the client's model catalog is for." },
);

/** Params of `connect` as this gateway parses them for every client: v4's fields, a superset of v3's. */
export const ConnectParamsV4 = defineClosed(
  {
    minProtocol: v3Params.minProtocol,
    maxProtocol: v3Params.maxProtocol,
    client: ConnectClientV4,
    caps: v3Params.caps,
    commands: v3Params.commands,
    computerUse: T.Optional(AnyValue),
    workerRuns: T.Optional(AnyValue),
    permissions: v3Params.permissions,
    pathEnv: v3Params.pathEnv,
    role: v3Params.role,
    scopes: v3Params.scopes,
    modelCatalog: T.Optional(ConnectModelCatalog),
    device: T.Optional(ConnectDeviceV4),
    auth: T.Optional(ConnectAuthV4),
    locale: v3Params.locale,
    userAgent: v3Params.userAgent,
  },
  { $id: "ConnectParamsV4", description: "Params of `connect` (v4 superset of v3); the version is negotiated from min/maxProtocol." },
);

/** `hello-ok.auth` (v4): always present; what the connection may do. */
export const HelloAuthV4 = defineClosed(
  {
    method: T.Optional(defineLiterals(["none", "token", "password", "tailscale", "device-token", "bootstrap-token", "trusted-proxy"])),
    role: NonEmptyString,
    scopes: T.Array(NonEmptyString),
    deviceToken: T.Optional(NonEmptyString),
    issuedAtMs: T.Optional(Millis),
  },
  { $id: "HelloAuthV4", description: "How the connection authenticated, its role and granted scopes, and a device token when one was issued." },
);

/** `hello-ok.policy` (v4): adds the per-attachment limits. */
export const PolicyV4 = defineClosed(
  {
    ...Policy.properties,
    attachments: T.Optional(
      defineClosed({ maxBytes: T.Integer({ minimum: 1 }), maxImageBytes: T.Integer({ minimum: 1 }) }, { description: "Decoded-size ceilings per attachment." }),
    ),
  },
  { $id: "PolicyV4", description: "Limits the server enforces (v4)." },
);

/** Payload of the successful `connect` response on a v4 connection. */
export const HelloOkV4 = defineClosed(
  {
    type: T.Literal("hello-ok"),
    protocol: T.Integer({ minimum: 1 }),
    server: defineClosed({
      version: NonEmptyString,
      bootId: T.Optional(T.String({ minLength: 1, maxLength: 96, description: "Changes on every gateway start." })),
      connId: NonEmptyString,
    }),
    features: defineClosed({
      methods: T.Array(NonEmptyString),
      events: T.Array(NonEmptyString),
      capabilities: T.Optional(T.Array(NonEmptyString)),
    }),
    snapshot: defineClosed({
      presence: T.Array(PresenceEntry),
      health: HealthSnapshot,
      stateVersion: StateVersion,
      uptimeMs: Millis,
      configPath: T.Optional(T.String()),
      stateDir: T.Optional(T.String()),
      sessionDefaults: T.Optional(SessionDefaults),
    }),
    auth: HelloAuthV4,
    policy: PolicyV4,
  },
  { $id: "HelloOkV4", description: "The v4 handshake answer: server info, implemented features, state snapshot, auth, limits." },
);

/** One of {@link ERROR_CODES_V4}. */
export const ErrorCodeV4 = defineLiterals(ERROR_CODES_V4, { $id: "ErrorCodeV4" });

/** `error` of a failed response on a v4 connection. */
export const ErrorShapeV4 = defineClosed(
  {
    code: ErrorCodeV4,
    message: T.String(),
    details: T.Optional(AnyValue),
    retryable: T.Optional(T.Boolean()),
    retryAfterMs: T.Optional(T.Integer({ minimum: 0 })),
  },
  { $id: "ErrorShapeV4", description: "Why a request failed (v4 codes)." },
);

/** Client → server call on a v4 connection: adds `traceparent` and `expectedProfileId`. */
export const RequestFrameV4 = defineClosed(
  {
    type: T.Literal("req"),
    id: NonEmptyString,
    method: NonEmptyString,
    params: T.Optional(AnyValue),
    traceparent: T.Optional(T.String({ maxLength: TRACEPARENT_MAX_CHARS, description: "W3C trace context; accepted, not propagated." })),
    expectedProfileId: T.Optional(
      T.String({ minLength: 1, maxLength: 128, description: "Ignored: this gateway does not offer profile-binding-v1." }),
    ),
  },
  { $id: "RequestFrameV4", description: "A method call on a v4 connection; the response echoes `id`." },
);

/** Server → client push on a v4 connection. */
export const EventFrameV4 = defineClosed(
  {
    type: T.Literal("event"),
    event: NonEmptyString,
    payload: T.Optional(AnyValue),
    seq: T.Optional(T.Integer({ minimum: 0, description: "Per connection, contiguous from 1." })),
    stateVersion: T.Optional(StateVersion),
  },
  { $id: "EventFrameV4", description: "A pushed event; `seq` counts this connection's events." },
);

/** Server → client answer on a v4 connection (v4 error codes). */
export const ResponseFrameV4 = defineClosed(
  {
    type: T.Literal("res"),
    id: T.String(),
    ok: T.Boolean(),
    payload: T.Optional(AnyValue),
    error: T.Optional(ErrorShapeV4),
  },
  { $id: "ResponseFrameV4", description: "The answer to a request on a v4 connection." },
);

/** Any frame on a v4 connection. */
export const GatewayFrameV4 = T.Union([RequestFrameV4, ResponseFrameV4, EventFrameV4], {
  $id: "GatewayFrameV4",
  description: "Any frame of protocol v4.",
});

/** The v4 root definitions, in emission order (the generators add the v4 schema set from these). */
export const V4_ROOT_DEFINITIONS = [
  ClientIdV4,
  ClientModeV4,
  ConnectClientV4,
  ConnectDeviceV4,
  ConnectAuthV4,
  ConnectModelCatalog,
  ConnectParamsV4,
  HelloAuthV4,
  PolicyV4,
  HelloOkV4,
  ErrorCodeV4,
  ErrorShapeV4,
  RequestFrameV4,
  ResponseFrameV4,
  EventFrameV4,
  GatewayFrameV4,
] as const;
