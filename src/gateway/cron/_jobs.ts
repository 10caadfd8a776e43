/**
 * Building and editing cron jobs: `cron.add` params become a job, a `cron.update` patch is merged into one,
 * and both are checked against the rules a schema cannot express (which payload goes with which session
 * target, known agents, thinking levels, delivery channels).
 */
import { randomUUID } from "node:crypto";
import { agentIds } from "../../agent/index.ts";
import { GatewayError } from "../../errors.ts";
import type { CronAddParams, CronUpdateParams } from "../../protocol/generated/types.ts";
import type { CronJob } from "../../store/cron.ts";
import type { CronHost } from "./_run.ts";
import { checkDeliveryChannel } from "../channels/delivery.ts";
import { checkThinking } from "../chat/runs.ts";
import { checkSchedule, computeNextRunAtMs } from "./_schedule.ts";

/** Who made a job, when not an operator: kept on the job and shown by `cron.list`. */
export interface CronJobMeta {
  /** `agent:<agentId>` for jobs the agent's `cron` tool added. */
  createdBy?: string;
  /** The session the creating run was on. */
  sessionKey?: string;
}

/** A `cron.update` patch. */
export type CronJobPatch = CronUpdateParams["patch"];

/**
 * Builds a new job from `cron.add` params, its first run computed from `now`; `meta` records who made it.
 * @throws GatewayError INVALID_REQUEST for a rule the job breaks (see {@link checkJob}) or a bad schedule.
 */
export function buildJob(gw: CronHost, p: CronAddParams, now: number, meta: CronJobMeta = {}): CronJob {
  const job: CronJob = dropUndefined({
    id: randomUUID(),
    createdBy: meta.createdBy,
    createdBySessionKey: meta.sessionKey,
    agentId: p.agentId ?? undefined,
    name: p.name.trim(),
    description: p.description?.trim() || undefined,
    enabled: p.enabled ?? true,
    // One-shot jobs go away after a successful run unless kept explicitly (upstream default).
    deleteAfterRun: p.deleteAfterRun ?? (p.schedule.kind === "at" ? true : undefined),
    createdAtMs: now,
    updatedAtMs: now,
    schedule: checkSchedule(p.schedule, now),
    sessionTarget: p.sessionTarget,
    wakeMode: p.wakeMode,
    payload: dropUndefined({ ...p.payload }),
    delivery: p.delivery && dropUndefined({ ...p.delivery }),
    state: {},
  });
  checkJob(gw, job, { delivery: true });
  const next = job.enabled ? computeNextRunAtMs(job, now) : undefined;
  if (next !== undefined) job.state.nextRunAtMs = next;
  return job;
}

/**
 * Merges a patch into a copy of `job`. A payload patch of the same kind changes only the fields it names;
 * switching kinds needs the new kind's text or message. A new schedule, or enabling the job, computes the
 * next run from `now`; disabling clears it. `state` in a patch is ignored: the scheduler owns it.
 * @throws GatewayError INVALID_REQUEST when the result breaks a rule or the new schedule is bad.
 */
export function patchJob(gw: CronHost, job: CronJob, patch: CronJobPatch, now: number): CronJob {
  const next: CronJob = structuredClone(job);
  if (patch.name !== undefined) next.name = patch.name.trim();
  if (patch.agentId === null) delete next.agentId;
  else if (patch.agentId !== undefined) next.agentId = patch.agentId;
  if (patch.description !== undefined) {
    if (patch.description.trim()) next.description = patch.description.trim();
    else delete next.description;
  }
  if (patch.enabled !== undefined) next.enabled = patch.enabled;
  if (patch.deleteAfterRun !== undefined) next.deleteAfterRun = patch.deleteAfterRun;
  if (patch.sessionTarget !== undefined) next.sessionTarget = patch.sessionTarget;
  if (patch.wakeMode !== undefined) next.wakeMode = patch.wakeMode;
  if (patch.schedule !== undefined) next.schedule = checkSchedule(patch.schedule, now);
  if (patch.payload !== undefined) next.payload = mergePayload(job.payload, patch.payload);
  if (patch.delivery !== undefined) {
    next.delivery = dropUndefined({ ...job.delivery, ...dropUndefined({ ...patch.delivery }), mode: patch.delivery.mode ?? job.delivery?.mode ?? "announce" });
  }
  checkJob(gw, next, { delivery: patch.delivery !== undefined });
  next.updatedAtMs = now;

  const rescheduled = patch.schedule !== undefined || (next.enabled && !job.enabled) || next.state.nextRunAtMs === undefined;
  if (!next.enabled) delete next.state.nextRunAtMs;
  else if (rescheduled) {
    const at = computeNextRunAtMs(next, now);
    if (at === undefined) delete next.state.nextRunAtMs;
    else next.state.nextRunAtMs = at;
  }
  return next;
}

/**
 * The rules of a job beyond its schema: `main` jobs queue a system event, `isolated` ones run an agent
 * turn; a named agent must be configured; a thinking level must be known; announce delivery is for
 * isolated jobs, on `"last"` or a configured channel (checked when `opts.delivery`).
 * @throws GatewayError INVALID_REQUEST naming the rule.
 */
export function checkJob(gw: CronHost, job: CronJob, opts: { delivery: boolean }): void {
  if (!job.name) throw invalid("name is required");
  if (job.sessionTarget === "main" && job.payload.kind !== "systemEvent") {
    throw invalid('sessionTarget "main" needs payload.kind "systemEvent" (use sessionTarget "isolated" for an agentTurn)');
  }
  if (job.sessionTarget === "isolated" && job.payload.kind !== "agentTurn") {
    throw invalid('sessionTarget "isolated" needs payload.kind "agentTurn" (use sessionTarget "main" for a systemEvent)');
  }
  if (job.agentId !== undefined) {
    const { ids } = agentIds(gw.config);
    if (!ids.includes(job.agentId)) throw invalid(`unknown agent id "${job.agentId}" (configured: ${ids.join(", ")})`);
  }
  if (job.payload.kind === "systemEvent" && !job.payload.text.trim()) throw invalid("payload.text is required");
  if (job.payload.kind === "agentTurn") {
    if (!job.payload.message.trim()) throw invalid("payload.message is required");
    if (job.payload.model !== undefined && !job.payload.model.trim()) throw invalid("payload.model must not be empty");
    const thinking = checkThinking(job.payload.thinking);
    if (thinking === undefined) delete job.payload.thinking;
    else job.payload.thinking = thinking;
  }
  if (job.delivery?.mode === "announce") {
    if (job.sessionTarget !== "isolated") throw invalid('delivery mode "announce" needs sessionTarget "isolated" (only an agentTurn has a reply to send)');
    if (opts.delivery) checkDeliveryChannel(gw, job.delivery.channel);
  }
}

// --- internal ---

function mergePayload(current: CronJob["payload"], patch: CronJobPatch["payload"] & object): CronJob["payload"] {
  const fields = dropUndefined({ ...patch });
  if (patch.kind === current.kind) return { ...current, ...fields } as CronJob["payload"];
  if (patch.kind === "systemEvent") {
    if (patch.text === undefined) throw invalid('payload.text is required when switching payload.kind to "systemEvent"');
    return { kind: "systemEvent", text: patch.text };
  }
  if (patch.message === undefined) throw invalid('payload.message is required when switching payload.kind to "agentTurn"');
  return { ...fields, kind: "agentTurn", message: patch.message };
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function invalid(message: string): GatewayError {
  return new GatewayError("INVALID_REQUEST", message);
}
