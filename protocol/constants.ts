/**
 * Plain protocol constants (spec protocol.md §1–§3, §7, §9). No TypeBox here: `src/protocol` imports this file
 * at runtime, and TypeBox is a build-time dependency only.
 */

/** The only protocol version this gateway speaks. */
export const PROTOCOL_VERSION = 3;

/** Accepted `client.id` values (§3.2). */
export const CLIENT_IDS = [
  "webchat-ui",
  "openclaw-control-ui",
  "webchat",
  "cli",
  "gateway-client",
  "openclaw-macos",
  "openclaw-ios",
  "openclaw-android",
  "node-host",
  "test",
  "fingerprint",
  "openclaw-probe",
] as const;

/** Accepted `client.mode` values (§3.2). */
export const CLIENT_MODES = ["webchat", "cli", "ui", "backend", "node", "probe", "test"] as const;

/** Connection roles (§3.2); `role` is sent as a free string and checked by the gateway ("invalid role"). */
export const ROLES = ["operator", "node"] as const;

/** Operator scopes (§3.2, §4). */
export const OPERATOR_SCOPES = [
  "operator.admin",
  "operator.read",
  "operator.write",
  "operator.approvals",
  "operator.pairing",
] as const;

/** Runtime limits announced in `hello-ok.policy` (§1). */
export const POLICY = { maxPayload: 524288, maxBufferedBytes: 1572864, tickIntervalMs: 30000 } as const;

/**
 * Limits on what a client says about itself (`connect` params, `system-event` beacons). The upstream sets
 * none; its own clients send a few dozen characters per field and a few dozen commands, far below these.
 * The gateway keeps these strings per connection and in presence, and echoes them to every client
 * (`hello-ok`, `presence`, `node.list`), so an over-long value is refused (INVALID_REQUEST naming the field
 * and the limit) rather than stored. Counted in characters (code points), as JSON Schema `maxLength` does.
 */
export const CLIENT_LIMITS = {
  /** Ids, names, versions, platform strings, list items, permission keys. */
  shortChars: 256,
  /** Session keys and idempotency keys a client chooses (`chat.send`, `agent`, `send`): stored, and listed in health. */
  keyChars: 512,
  /** `userAgent`. */
  userAgentChars: 1024,
  /** `pathEnv` (a node's PATH). */
  pathEnvChars: 16384,
  /** `system-event` text (also queued for the agent's next heartbeat). */
  textChars: 4096,
  /** `caps`, `commands`, `permissions` keys. */
  listItems: 256,
  /** `scopes`, `roles`, `tags`. */
  tagItems: 32,
} as const;

/** Error codes an error frame may carry (spec §9). Stable: clients switch on them. */
export const ERROR_CODES = ["INVALID_REQUEST", "UNAVAILABLE", "NOT_LINKED", "NOT_PAIRED", "AGENT_TIMEOUT"] as const;

/** Events advertised in `hello-ok.features.events`, in upstream's order. */
export const EVENTS = [
  "connect.challenge",
  "agent",
  "chat",
  "presence",
  "tick",
  "talk.mode",
  "shutdown",
  "health",
  "heartbeat",
  "cron",
  "node.pair.requested",
  "node.pair.resolved",
  "node.invoke.request",
  "device.pair.requested",
  "device.pair.resolved",
  "voicewake.changed",
  "exec.approval.requested",
  "exec.approval.resolved",
] as const;

/** An advertised event name. */
export type EventName = (typeof EVENTS)[number];

// --- protocol v4 (spec protocol-v4.md §1) ---

/** Protocol versions this gateway negotiates, per connection; the highest one both sides speak wins. */
export const SUPPORTED_PROTOCOL_VERSIONS = [3, 4] as const;
/** The newest protocol version (what `expectedProtocol` names in a mismatch). */
export const LATEST_PROTOCOL_VERSION = 4;
/** The oldest version a probe may use (`minimumProbeProtocol` of a mismatch). */
export const MIN_PROBE_PROTOCOL_VERSION = 3;

/** Accepted `client.id` values of a v4 connect: the v3 ids plus the newer apps (§1.3). */
export const CLIENT_IDS_V4 = [
  ...CLIENT_IDS,
  "openclaw-browser-copilot",
  "openclaw-tui",
  "openclaw-linux",
  "openclaw-watchos",
  "openclaw-worker",
] as const;

/** Accepted `client.mode` values of a v4 connect. `worker` parses but is refused on the main socket. */
export const CLIENT_MODES_V4 = [...CLIENT_MODES, "worker"] as const;

/** Error codes on v4 connections: v4 adds FORBIDDEN (missing scope) and APPROVAL_NOT_FOUND (§1.6). */
export const ERROR_CODES_V4 = [...ERROR_CODES, "FORBIDDEN", "APPROVAL_NOT_FOUND"] as const;

/** Longest W3C `traceparent` a v4 request frame may carry. */
export const TRACEPARENT_MAX_CHARS = 128;
