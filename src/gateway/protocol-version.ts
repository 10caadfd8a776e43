/**
 * Protocol version per connection (protocol-v4.md §1.1, §4 step 1): which version a connect lands on, and
 * what each version advertises. v3 and v4 clients share one port; the highest version both sides speak wins.
 */
import { EVENTS, LATEST_PROTOCOL_VERSION, METHOD_CAPABILITIES_V4, METHODS, MIN_PROBE_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS, UNADVERTISED_METHODS, UNADVERTISED_V4_METHODS } from "../protocol/index.ts";
import { METHOD_TABLE } from "./methods/index.ts";

/** A protocol version this gateway speaks. */
export type ProtocolVersion = (typeof SUPPORTED_PROTOCOL_VERSIONS)[number];

/**
 * The highest supported version inside the client's `[min, max]` range.
 * @returns undefined when the range holds none of them (the caller refuses with {@link protocolMismatchDetails}).
 * @example negotiateProtocol(3, 4) // 4
 * negotiateProtocol(3, 3) // 3
 * negotiateProtocol(5, 6) // undefined
 */
export function negotiateProtocol(minProtocol: number, maxProtocol: number): ProtocolVersion | undefined {
  for (let i = SUPPORTED_PROTOCOL_VERSIONS.length - 1; i >= 0; i--) {
    const v = SUPPORTED_PROTOCOL_VERSIONS[i]!;
    if (minProtocol <= v && v <= maxProtocol) return v;
  }
  return undefined;
}

/** `details` of the "protocol mismatch" refusal, as v4 clients read them (v3 clients read `expectedProtocol`). */
export function protocolMismatchDetails(minProtocol: number, maxProtocol: number): Record<string, unknown> {
  return {
    code: "PROTOCOL_MISMATCH",
    clientMinProtocol: minProtocol,
    clientMaxProtocol: maxProtocol,
    expectedProtocol: LATEST_PROTOCOL_VERSION,
    minimumProbeProtocol: MIN_PROBE_PROTOCOL_VERSION,
  };
}

/**
 * True when a connect claims the worker identity (role, client id or mode `worker`). Workers have their own
 * closed path upstream; on the main socket such a connect is closed 1008 "invalid-handshake" with no answer.
 * Looks at the raw params, so the claim is caught whatever else is wrong with them.
 */
export function claimsWorkerIdentity(raw: unknown): boolean {
  if (!raw || typeof raw !== "object") return false;
  const p = raw as { role?: unknown; client?: { id?: unknown; mode?: unknown } | null };
  const client = p.client && typeof p.client === "object" ? p.client : undefined;
  return p.role === "worker" || client?.id === "openclaw-worker" || client?.mode === "worker";
}

/** Methods upstream removed in v4 (`unknown method` there); still served to v3 connections. */
export const V3_ONLY_METHODS: ReadonlySet<string> = new Set(["node.pair.request", "node.pair.verify"]);

/** Methods v3 does not advertise that are upstream v4 methods, so v4 connections are told about them. */
const V4_METHODS_UNADVERTISED_ON_V3: ReadonlySet<string> = new Set(["exec.approval.list"]);
const UNADVERTISED: ReadonlySet<string> = new Set([...UNADVERTISED_METHODS, ...UNADVERTISED_V4_METHODS].filter((m) => !V4_METHODS_UNADVERTISED_ON_V3.has(m)));
const V3_METHODS: ReadonlySet<string> = new Set(METHODS);

/** v3 `features.methods`: the v3 methods this gateway implements, in upstream's advertised order. */
export const ADVERTISED_METHODS_V3: readonly string[] = METHODS.filter((m) => METHOD_TABLE.has(m));

/**
 * v4 `features.methods`: every implemented method that is not deliberately unadvertised or gone in v4, the
 * v3 ones first in upstream's order, then the newer ones in registration order. Built from the method
 * table, so a method registered by a feature is advertised without touching this file.
 */
export const ADVERTISED_METHODS_V4: readonly string[] = [
  ...ADVERTISED_METHODS_V3.filter((m) => !V3_ONLY_METHODS.has(m)),
  ...[...METHOD_TABLE.keys()].filter((m) => !V3_METHODS.has(m) && !UNADVERTISED.has(m)),
];

/** Events the gateway emits to v3 connections (every v3 event it implements). */
const EMITTED_EVENTS = new Set(["connect.challenge", "agent", "chat", "tick", "presence", "health", "shutdown", "device.pair.requested", "device.pair.resolved", "node.pair.requested", "node.pair.resolved", "node.invoke.request", "talk.mode", "voicewake.changed", "heartbeat", "cron", "exec.approval.requested", "exec.approval.resolved"]);

/** v3 `features.events`. */
export const ADVERTISED_EVENTS_V3: readonly string[] = EVENTS.filter((e) => EMITTED_EVENTS.has(e));

/**
 * Events emitted only to v4 connections (e.g. `sessions.changed`); add a name here when a feature starts
 * emitting it. Broadcasts of events outside a connection's list are not delivered to it.
 */
export const V4_ONLY_EVENTS: readonly string[] = ["sessions.changed", "session.message"];

/** v4 `features.events`. */
export const ADVERTISED_EVENTS_V4: readonly string[] = [...ADVERTISED_EVENTS_V3, ...V4_ONLY_EVENTS];

/**
 * `features.capabilities` of a v4 hello: only capabilities this gateway really implements (the v4 CLI refuses
 * commands whose capability is missing, so a promise we do not keep breaks them).
 */
export const SERVER_CAPABILITIES_V4: readonly string[] = [...METHOD_CAPABILITIES_V4];

const EVENTS_BY_VERSION: Record<ProtocolVersion, ReadonlySet<string>> = {
  3: new Set(ADVERTISED_EVENTS_V3),
  4: new Set(ADVERTISED_EVENTS_V4),
};

/** True when a connection at `version` is sent `event` (it is in that version's `features.events`). */
export function speaksEvent(version: ProtocolVersion, event: string): boolean {
  return EVENTS_BY_VERSION[version].has(event);
}

/**
 * True when `method` exists for a connection at `version`: it is implemented and not gone in that version.
 * v4-only methods are callable by v3 connections too (they are just not advertised to them).
 */
export function servesMethod(version: ProtocolVersion, method: string): boolean {
  return METHOD_TABLE.has(method) && !(version >= 4 && V3_ONLY_METHODS.has(method));
}
