/**
 * Payload schemas of the server-pushed events (spec protocol.md §7); the names live in constants.ts.
 * Payloads the spec pins down exactly are closed; the rest are open so new fields do not break clients.
 */
import { type TSchema, Type as T } from "@sinclair/typebox";
import type { EventName } from "./constants.ts";
import { ConnectChallenge, HealthSnapshot, PresenceEntry } from "./connect.ts";
import {
  AnyValue,
  defineClosed,
  defineLiterals,
  defineOpen,
  LooseRecord,
  Millis,
  NonEmptyString,
  nullable,
} from "./_schema-helpers.ts";

/** Payload of `heartbeat`; also the `last-heartbeat` result. Shape owned by the heartbeat runner. */
export const HeartbeatEvent = defineOpen(
  {
    ts: Millis,
    status: T.Optional(T.String({ description: "sent, ok-token, ok-empty, skipped or failed." })),
    to: T.Optional(T.String()),
    channel: T.Optional(T.String()),
    accountId: T.Optional(T.String()),
    preview: T.Optional(T.String()),
    durationMs: T.Optional(Millis),
    hasMedia: T.Optional(T.Boolean()),
    silent: T.Optional(T.Boolean()),
    reason: T.Optional(T.String()),
  },
  { $id: "HeartbeatEvent", description: "Outcome of one heartbeat run." },
);

/** `request` inside an exec approval: what is asked to run, where. */
export const ExecApprovalRequest = defineOpen(
  {
    command: T.String(),
    cwd: T.Optional(nullable(T.String())),
    host: T.Optional(nullable(T.String())),
    security: T.Optional(nullable(T.String())),
    ask: T.Optional(nullable(T.String())),
    agentId: T.Optional(nullable(T.String())),
    resolvedPath: T.Optional(nullable(T.String())),
    sessionKey: T.Optional(nullable(T.String())),
  },
  { $id: "ExecApprovalRequest", description: "A command waiting for an operator decision." },
);

/** An operator's answer to an exec approval request. */
export const ApprovalDecision = defineLiterals(["allow-once", "allow-always", "deny"] as const, {
  $id: "ApprovalDecision",
  description: "Run once, always allow this command, or refuse.",
});

const PairDecision = defineLiterals(["approved", "rejected"] as const);

/** Event name → payload schema. */
export const EVENT_PAYLOADS = {
  "connect.challenge": ConnectChallenge,
  agent: defineOpen({
    runId: T.String(),
    seq: T.Integer({ minimum: 1, description: "Per run, starting at 1." }),
    stream: T.String({ description: "lifecycle, assistant, tool, compaction or error." }),
    ts: Millis,
    data: LooseRecord,
    sessionKey: T.Optional(T.String()),
  }),
  chat: defineOpen({
    runId: T.String(),
    sessionKey: T.String(),
    seq: T.Integer({ minimum: 0 }),
    state: defineLiterals(["delta", "final", "aborted", "error"] as const),
    message: T.Optional(AnyValue),
    errorMessage: T.Optional(T.String()),
    usage: T.Optional(AnyValue),
    stopReason: T.Optional(T.String()),
  }),
  presence: defineClosed({ presence: T.Array(PresenceEntry) }),
  tick: defineClosed({ ts: Millis }),
  "talk.mode": defineClosed({ enabled: T.Boolean(), phase: T.Optional(nullable(T.String())), ts: T.Optional(Millis) }),
  shutdown: defineClosed({
    reason: T.String({ description: '"gateway stopping" or "gateway restarting".' }),
    restartExpectedMs: T.Optional(nullable(Millis)),
  }),
  health: HealthSnapshot,
  heartbeat: HeartbeatEvent,
  cron: defineOpen({
    jobId: T.String(),
    action: T.String({ description: "added, updated, removed, started or finished; a finished event carries the run log entry." }),
    status: T.Optional(T.String()),
  }),
  "node.pair.requested": defineOpen({
    requestId: NonEmptyString,
    nodeId: NonEmptyString,
    displayName: T.Optional(T.String()),
    platform: T.Optional(T.String()),
    version: T.Optional(T.String()),
    remoteIp: T.Optional(T.String()),
    silent: T.Optional(T.Boolean()),
    ts: T.Optional(Millis),
  }),
  "node.pair.resolved": defineClosed({ requestId: NonEmptyString, nodeId: T.String(), decision: PairDecision, ts: Millis }),
  "node.invoke.request": defineClosed({
    id: NonEmptyString,
    nodeId: NonEmptyString,
    command: NonEmptyString,
    paramsJSON: T.Optional(nullable(T.String())),
    timeoutMs: T.Optional(Millis),
    idempotencyKey: T.Optional(T.String()),
  }),
  "device.pair.requested": defineOpen({
    requestId: NonEmptyString,
    deviceId: NonEmptyString,
    publicKey: T.String(),
    displayName: T.Optional(T.String()),
    platform: T.Optional(T.String()),
    clientId: T.Optional(T.String()),
    clientMode: T.Optional(T.String()),
    role: T.Optional(T.String()),
    roles: T.Optional(T.Array(T.String())),
    scopes: T.Optional(T.Array(T.String())),
    remoteIp: T.Optional(T.String()),
    silent: T.Optional(T.Boolean()),
    isRepair: T.Optional(T.Boolean()),
    ts: Millis,
  }),
  "device.pair.resolved": defineClosed({ requestId: NonEmptyString, deviceId: T.String(), decision: PairDecision, ts: Millis }),
  "voicewake.changed": defineClosed({ triggers: T.Array(T.String()) }),
  "exec.approval.requested": defineOpen({
    id: NonEmptyString,
    request: ExecApprovalRequest,
    createdAtMs: Millis,
    expiresAtMs: Millis,
  }),
  "exec.approval.resolved": defineClosed({
    id: NonEmptyString,
    decision: ApprovalDecision,
    resolvedBy: T.Optional(nullable(T.String())),
    ts: Millis,
  }),
} satisfies Record<EventName, TSchema>;
