/**
 * What one cron job run does. A `main` job queues its text as a system event for the main session (and
 * with wakeMode "now" runs the heartbeat at once so the agent sees it). An `isolated` job runs one agent
 * turn on its own session `agent:<agentId>:cron:<jobId>`, started fresh for every run so a frequent job does
 * not pile up context, and with delivery "announce" sends the reply to a chat. Sessions older versions kept
 * under `cron:<jobId>` stay in the store, readable as before; the next run carries their overrides over.
 */
import { randomUUID } from "node:crypto";
import { agentIds, mainSessionKey, replyTextOf } from "../../agent/index.ts";
import { toErrorMessage, unreachable } from "../../errors.ts";
import type { CronJob } from "../../store/cron.ts";
import type { AgentRuntime } from "../../agent/index.ts";
import type { OpenClawConfig } from "../../config/schema.ts";
import type { SessionEntry, Store } from "../../store/index.ts";
import type { Connections } from "../connections.ts";
import type { HeartbeatRunner } from "../heartbeat/heartbeat.ts";
import { type DeliveryHost, deliverReply, toDeliveryReport } from "../channels/delivery.ts";
import { enqueueSystemEvent } from "../heartbeat/system-events.ts";

/** Summaries in the run log and events are cut to this length. */
export const SUMMARY_MAX_CHARS = 2000;

/** How a run ended. `delivery` is the announce report (absent when nothing was to be sent). */
export interface CronRunOutcome {
  status: "ok" | "error";
  error?: string;
  summary?: string;
  delivery?: Record<string, unknown>;
}

/** The session an isolated job of `agentId` runs on (the upstream's key shape). */
export function cronSessionKey(agentId: string, jobId: string): string {
  return `agent:${agentId}:cron:${jobId}`;
}

/** The key older versions used for that session; still read, never written. */
export function legacyCronSessionKey(jobId: string): string {
  return `cron:${jobId}`;
}

/** What the cron service and its jobs need from the gateway, and nothing more. */
export interface CronHost extends DeliveryHost {
  /** The running config (re-read on every use, so a hot reload is seen). */
  readonly config: OpenClawConfig;
  readonly agents: Pick<AgentRuntime, "submit" | "defaultTimeoutMs">;
  readonly store: Pick<Store, "getSession" | "setSession">;
  /** The main session's system-event queue (`systemEvent` jobs add to it). */
  readonly systemEvents: string[];
  readonly heartbeat: Pick<HeartbeatRunner, "requestNow">;
  readonly connections: Pick<Connections, "broadcast">;
}

/**
 * Runs `job` once and waits for the end of its agent turn (a system event is done once queued).
 * @returns the outcome; never throws (a failure is an `error` outcome with its message).
 */
export async function executeCronJob(gw: CronHost, job: CronJob): Promise<CronRunOutcome> {
  try {
    const payload = job.payload;
    switch (payload.kind) {
      case "systemEvent":
        enqueueSystemEvent(gw.systemEvents, payload.text);
        if (job.wakeMode === "now") void gw.heartbeat.requestNow("wake");
        return { status: "ok", summary: clip(payload.text.trim()) };
      case "agentTurn":
        return await runAgentTurn(gw, job, payload);
      default:
        return unreachable(payload);
    }
  } catch (err) {
    return { status: "error", error: toErrorMessage(err) };
  }
}

// --- internal ---

type AgentTurnPayload = Extract<CronJob["payload"], { kind: "agentTurn" }>;

async function runAgentTurn(gw: CronHost, job: CronJob, payload: AgentTurnPayload): Promise<CronRunOutcome> {
  const agentId = job.agentId ?? agentIds(gw.config).defaultId;
  const sessionKey = cronSessionKey(agentId, job.id);
  startFreshSession(gw, sessionKey, legacyCronSessionKey(job.id), job.name);
  const runId = `cron:${job.id}:${randomUUID()}`;
  const sub = gw.agents.submit({
    runId,
    kind: "agent",
    sessionKey,
    agentId,
    message: payload.message,
    thinking: payload.thinking,
    timeoutMs: payload.timeoutSeconds ? payload.timeoutSeconds * 1000 : gw.agents.defaultTimeoutMs(),
    channel: "cron",
    internal: true,
    extraSystemPrompt: `This turn was started by the scheduled job "${job.name}", not typed by the user.${job.delivery?.mode === "announce" ? " Your reply is sent to the user's chat." : ""}`,
    label: job.name,
    ...(payload.model?.trim() && { model: payload.model.trim() }),
  });
  if (sub.status !== "accepted") return { status: "error", error: `run ${runId} was not accepted (${sub.status})` };
  const final = await sub.done;
  if (!final.ok) return { status: "error", error: final.error?.message ?? "agent run failed" };
  if (final.payload.summary === "aborted") return { status: "error", error: "run aborted" };

  const text = replyTextOf(final).trim();
  const summary = text ? clip(text) : undefined;
  if (job.delivery?.mode !== "announce" || !text) return { status: "ok", ...(summary && { summary }) };

  const d = job.delivery;
  const outcome = await deliverReply(gw, { channel: d.channel ?? "last", to: d.to, sessionKey: mainSessionKey(gw.config, agentId) }, text, `cron:${runId}`, { runId, jobId: job.id });
  const delivery = toDeliveryReport(outcome);
  if (!outcome.ok && !d.bestEffort) return { status: "error", error: `delivery failed: ${outcome.error}`, ...(summary && { summary }), delivery };
  return { status: "ok", ...(summary && { summary }), delivery };
}

/**
 * Starts the job's session over (new sessionId); a model override or thinking level set on it (or on its
 * legacy-keyed session) is kept.
 */
function startFreshSession(gw: CronHost, sessionKey: string, legacyKey: string, label: string): void {
  const now = Date.now();
  const old = gw.store.getSession(sessionKey) ?? gw.store.getSession(legacyKey);
  const entry: SessionEntry = {
    sessionId: randomUUID(),
    createdAt: now,
    updatedAt: now,
    label,
    ...(old?.modelOverride && { modelOverride: old.modelOverride }),
    ...(old?.thinkingLevel && { thinkingLevel: old.thinkingLevel }),
  };
  gw.store.setSession(sessionKey, entry);
}

function clip(text: string): string {
  return text.length > SUMMARY_MAX_CHARS ? `${text.slice(0, SUMMARY_MAX_CHARS)}…` : text;
}
