/**
 * The handshake (spec protocol.md §3): `connect` params, the `hello-ok` payload, and the presence / health
 * snapshots it carries (§5).
 */
import { Type as T } from "@sinclair/typebox";
import { CLIENT_IDS, CLIENT_LIMITS, CLIENT_MODES } from "./constants.ts";
import { StateVersion } from "./frames.ts";
import { defineClosed, defineLiterals, defineOpen, LooseRecord, Millis, NonEmptyString, nullable } from "./_schema-helpers.ts";

// Bounded client-supplied text (CLIENT_LIMITS): stored per connection and in presence, echoed to every client.
const Short = () => T.String({ maxLength: CLIENT_LIMITS.shortChars });
const ShortList = (maxItems: number) => T.Array(Short(), { maxItems });

/** `client.id`. */
export const ClientId = defineLiterals(CLIENT_IDS, { $id: "ClientId", description: "Which client program connects." });
/** `client.mode`. */
export const ClientMode = defineLiterals(CLIENT_MODES, { $id: "ClientMode", description: "How the client runs." });

/** `connect.params.client`. */
export const ConnectClient = defineClosed(
  {
    id: ClientId,
    displayName: T.Optional(Short()),
    version: Short(),
    platform: T.String({ maxLength: CLIENT_LIMITS.shortChars, description: "Free text such as darwin, linux, ios; not an enum." }),
    deviceFamily: T.Optional(Short()),
    modelIdentifier: T.Optional(Short()),
    mode: ClientMode,
    instanceId: T.Optional(Short()),
  },
  { $id: "ConnectClient", description: "The connecting program." },
);

/** `connect.params.device`: a signed device identity (§3.4). */
export const ConnectDevice = defineClosed(
  {
    id: T.String({ minLength: 1, maxLength: CLIENT_LIMITS.shortChars }),
    publicKey: T.String({ minLength: 1, maxLength: CLIENT_LIMITS.shortChars }),
    signature: T.String({ minLength: 1, maxLength: CLIENT_LIMITS.shortChars }),
    signedAt: T.Integer({ minimum: 0 }),
    nonce: T.Optional(T.String({ minLength: 1, maxLength: CLIENT_LIMITS.shortChars })),
  },
  { $id: "ConnectDevice", description: "Ed25519 device identity; the signature covers the v1/v2 payload of §3.4." },
);

/** `connect.params.auth`: the shared secret (§3.3). */
export const ConnectAuth = defineClosed(
  { token: T.Optional(T.String()), password: T.Optional(T.String()) },
  { $id: "ConnectAuth", description: "Shared gateway token or password." },
);

/** Params of the first request on every socket. */
export const ConnectParams = defineClosed(
  {
    minProtocol: T.Integer({ minimum: 1 }),
    maxProtocol: T.Integer({ minimum: 1 }),
    client: ConnectClient,
    caps: T.Optional(ShortList(CLIENT_LIMITS.listItems)),
    commands: T.Optional(ShortList(CLIENT_LIMITS.listItems)),
    permissions: T.Optional(
      T.Record(T.String(), T.Boolean(), { maxProperties: CLIENT_LIMITS.listItems, propertyNames: { maxLength: CLIENT_LIMITS.shortChars } }),
    ),
    pathEnv: T.Optional(T.String({ maxLength: CLIENT_LIMITS.pathEnvChars })),
    role: T.Optional(T.String({ maxLength: CLIENT_LIMITS.shortChars, description: "operator (default) or node." })),
    scopes: T.Optional(ShortList(CLIENT_LIMITS.tagItems)),
    device: T.Optional(ConnectDevice),
    auth: T.Optional(ConnectAuth),
    locale: T.Optional(Short()),
    userAgent: T.Optional(T.String({ maxLength: CLIENT_LIMITS.userAgentChars })),
  },
  { $id: "ConnectParams", description: "Params of `connect`, the mandatory first request." },
);

/** One row of the presence table (§5.2). */
export const PresenceEntry = defineClosed(
  {
    host: T.Optional(T.String()),
    ip: T.Optional(T.String()),
    version: T.Optional(T.String()),
    platform: T.Optional(T.String()),
    deviceFamily: T.Optional(T.String()),
    modelIdentifier: T.Optional(T.String()),
    mode: T.Optional(T.String()),
    lastInputSeconds: T.Optional(T.Number({ minimum: 0 })),
    reason: T.Optional(T.String()),
    tags: T.Optional(T.Array(T.String())),
    text: T.Optional(T.String()),
    ts: Millis,
    deviceId: T.Optional(T.String()),
    roles: T.Optional(T.Array(T.String())),
    scopes: T.Optional(T.Array(T.String())),
    instanceId: T.Optional(T.String()),
  },
  { $id: "PresenceEntry", description: "A connected client, node or the gateway itself." },
);

const RecentSession = defineOpen({
  key: T.String(),
  updatedAt: T.Optional(nullable(Millis)),
  age: T.Optional(nullable(Millis)),
});

/** Session summary inside a health snapshot. */
export const HealthSessions = defineOpen(
  { path: T.Optional(T.String()), count: T.Optional(T.Integer({ minimum: 0 })), recent: T.Optional(T.Array(RecentSession)) },
  { $id: "HealthSessions", description: "Session store summary." },
);

/** Payload of `health` (method result and event); `{}` before the first probe (§5.3). */
export const HealthSnapshot = defineOpen(
  {
    ok: T.Optional(T.Boolean()),
    ts: T.Optional(Millis),
    durationMs: T.Optional(Millis),
    channels: T.Optional(LooseRecord),
    channelOrder: T.Optional(T.Array(T.String())),
    channelLabels: T.Optional(T.Record(T.String(), T.String())),
    heartbeatSeconds: T.Optional(T.Integer({ minimum: 0 })),
    defaultAgentId: T.Optional(T.String()),
    agents: T.Optional(
      T.Array(
        defineOpen({
          agentId: T.String(),
          isDefault: T.Optional(T.Boolean()),
          heartbeat: T.Optional(
            defineOpen({
              enabled: T.Optional(T.Boolean()),
              every: T.Optional(T.String()),
              everyMs: T.Optional(nullable(Millis)),
              prompt: T.Optional(T.String()),
              target: T.Optional(T.String()),
              ackMaxChars: T.Optional(T.Integer({ minimum: 0 })),
            }),
          ),
          sessions: T.Optional(HealthSessions),
        }),
      ),
    ),
    sessions: T.Optional(HealthSessions),
  },
  { $id: "HealthSnapshot", description: "Gateway health: channels, agents, sessions. Open: channels add fields." },
);

/** `hello-ok.policy`. */
export const Policy = defineClosed(
  {
    maxPayload: T.Integer({ minimum: 1 }),
    maxBufferedBytes: T.Integer({ minimum: 1 }),
    tickIntervalMs: T.Integer({ minimum: 1 }),
  },
  { $id: "Policy", description: "Limits the server enforces." },
);

/** `hello-ok.snapshot.sessionDefaults`. */
export const SessionDefaults = defineClosed(
  {
    defaultAgentId: T.String(),
    mainKey: T.String(),
    mainSessionKey: T.String(),
    scope: T.Optional(T.String()),
  },
  { $id: "SessionDefaults", description: "How session keys are formed, e.g. agent:main:main." },
);

/** Payload of the successful `connect` response (§3.6). */
export const HelloOk = defineClosed(
  {
    type: T.Literal("hello-ok"),
    protocol: T.Integer({ minimum: 1 }),
    server: defineClosed({
      version: T.String(),
      commit: T.Optional(T.String()),
      host: T.Optional(T.String()),
      connId: T.String(),
    }),
    features: defineClosed({ methods: T.Array(T.String()), events: T.Array(T.String()) }),
    snapshot: defineClosed({
      presence: T.Array(PresenceEntry),
      health: HealthSnapshot,
      stateVersion: StateVersion,
      uptimeMs: Millis,
      configPath: T.Optional(T.String()),
      stateDir: T.Optional(T.String()),
      sessionDefaults: SessionDefaults,
    }),
    canvasHostUrl: T.Optional(T.String()),
    auth: T.Optional(
      defineClosed({
        deviceToken: T.String(),
        role: T.String(),
        scopes: T.Array(T.String()),
        issuedAtMs: T.Optional(Millis),
      }),
    ),
    policy: Policy,
  },
  { $id: "HelloOk", description: "The handshake answer: server info, features, state snapshot, limits." },
);

/** Payload of `connect.challenge`, the first frame the server sends. */
export const ConnectChallenge = defineClosed(
  { nonce: NonEmptyString, ts: Millis },
  { $id: "ConnectChallenge", description: "Nonce a device must sign into its connect payload." },
);
