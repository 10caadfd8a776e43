/**
 * `cron {action: status|list|add|update|remove|run|runs, …}`: the gateway's cron scheduler from inside a run.
 * Jobs it adds run as the calling agent, are marked `createdBy: "agent:<id>"`, and by default announce
 * their reply to the chat the run came from. An agent sees and changes only its own agent's jobs, and a
 * delivery to another chat follows the `message` tool's target rules (`tools.message.*`).
 */
import { Type as T } from "@sinclair/typebox";
import { isGatewayError } from "../../errors.ts";
import { agentIds } from "../session-keys.ts";
import { checkSendTarget, originTarget } from "./_targets.ts";
import { defineTool } from "./define.ts";
import type { ToolCallContext, ToolCronJob } from "./types.ts";

/** Actions of the cron tool. */
export const CRON_ACTIONS = ["status", "list", "add", "update", "remove", "run", "runs"] as const;

const DESCRIPTION = `Manage scheduled jobs (reminders, recurring checks): status, list, add, update, remove, run, runs.
add takes "job": {
  "name": "short title (optional)",
  "schedule": {"kind":"at","at":"<ISO-8601 time, UTC unless it has an offset>"} | {"kind":"every","everyMs":<ms>} | {"kind":"cron","expr":"0 9 * * *","tz":"Europe/Berlin"},
  "payload": {"kind":"agentTurn","message":"<what you will be asked to do then>"} (runs you in a fresh session; your reply is sent to this chat)
           | {"kind":"systemEvent","text":"<note for the main session>"} (sessionTarget "main" only),
  "delivery": {"mode":"announce","channel":"telegram","to":"<chat>"} (optional; default: this chat)
}
For a reminder, use an "at" schedule with an agentTurn payload such as "Remind the user: take out the trash". One-shot jobs delete themselves after running.
update takes "jobId" and "patch" (same fields); remove/run/runs take "jobId".`;

/** `cron`: schedules jobs on the gateway's scheduler. */
export const cronTool = defineTool({
  name: "cron",
  description: DESCRIPTION,
  group: "automation",
  needs: ["cron"],
  uses: ["channels"],
  parameters: T.Object(
    {
      action: T.Unsafe<(typeof CRON_ACTIONS)[number]>({ type: "string", enum: [...CRON_ACTIONS], description: CRON_ACTIONS.join(" | ") }),
      includeDisabled: T.Optional(T.Boolean({ description: "list: include disabled jobs." })),
      job: T.Optional(T.Object({}, { additionalProperties: true, description: "add: the job (see the description)." })),
      jobId: T.Optional(T.String({ minLength: 1, description: "update/remove/run/runs: the job's id." })),
      id: T.Optional(T.String({ minLength: 1, description: "Alias of jobId." })),
      patch: T.Optional(T.Object({}, { additionalProperties: true, description: "update: the fields to change." })),
      limit: T.Optional(T.Integer({ minimum: 1, maximum: 500, description: "runs: newest entries (default 20)." })),
    },
    { additionalProperties: false },
  ),
  async execute(args, ctx) {
    const { cron } = ctx.ports;
    try {
      switch (args.action) {
        case "status":
          return json(cron.status());
        case "list": {
          const jobs = cron.list(args.includeDisabled === true).filter((j) => ownerOf(ctx, j) === ctx.agentId);
          return json({ count: jobs.length, jobs });
        }
        case "add": {
          if (!args.job) throw new Error('missing "job" for action "add"');
          const job = normalizeJob(ctx, args.job);
          return json(cron.add(job, { createdBy: `agent:${ctx.agentId}`, sessionKey: ctx.sessionKey }));
        }
        case "update": {
          const id = ownJob(ctx, args);
          if (!args.patch) throw new Error('missing "patch" for action "update"');
          const patch = { ...args.patch } as Record<string, unknown>;
          if (patch.agentId !== undefined && patch.agentId !== ctx.agentId) throw new Error("a job cannot be moved to another agent");
          if (isObject(patch.schedule)) patch.schedule = normalizeSchedule(patch.schedule);
          if (isObject(patch.delivery)) checkDelivery(ctx, patch.delivery);
          return json(cron.update(id, patch));
        }
        case "remove":
          return json({ ok: true, removed: cron.remove(ownJob(ctx, args)) });
        case "run":
          return json(cron.run(ownJob(ctx, args)));
        case "runs":
          return json({ entries: cron.runs(ownJob(ctx, args), args.limit ?? 20) });
        default:
          throw new Error(`unknown action ${JSON.stringify(args.action)} (use ${CRON_ACTIONS.join(", ")})`);
      }
    } catch (err) {
      if (isGatewayError(err)) throw new Error(`${err.message} (${err.code})`);
      throw err;
    }
  },
});

// --- internal ---

type CronCtx = ToolCallContext<"cron">;

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The agent a job runs as (jobs without one run as the default agent). */
function ownerOf(ctx: CronCtx, job: ToolCronJob): string {
  return job.agentId ?? agentIds(ctx.config).defaultId;
}

/** The id named by jobId/id, checked to be a job of this agent. @throws Error otherwise. */
function ownJob(ctx: CronCtx, args: { jobId?: string; id?: string; action: string }): string {
  const id = args.jobId ?? args.id;
  if (!id) throw new Error(`missing "jobId" for action "${args.action}"`);
  const job = ctx.ports.cron.get(id);
  // Another agent's job answers like an unknown one: its existence is not this agent's business.
  if (!job || ownerOf(ctx, job) !== ctx.agentId) throw new Error(`unknown cron job id: ${id}`);
  return id;
}

/**
 * Fills what a model usually leaves out: the agent, sessionTarget from the payload kind, wakeMode "now",
 * a name from the payload, `at` given as epoch ms, and (for agent turns) delivery to the current chat.
 * @throws Error for a job of another agent or a delivery the target rules refuse.
 */
function normalizeJob(ctx: CronCtx, raw: Record<string, unknown>): Record<string, unknown> {
  const job: Record<string, unknown> = { ...raw };
  if (job.agentId !== undefined && job.agentId !== null && job.agentId !== ctx.agentId) throw new Error(`an agent schedules jobs only for itself (agentId "${ctx.agentId}")`);
  job.agentId = ctx.agentId;
  if (!isObject(job.payload)) {
    if (typeof job.message === "string") job.payload = { kind: "agentTurn", message: job.message };
    else if (typeof job.text === "string") job.payload = { kind: "systemEvent", text: job.text };
    delete job.message;
    delete job.text;
  }
  const payload = isObject(job.payload) ? job.payload : undefined;
  if (payload && payload.kind === undefined) payload.kind = typeof payload.message === "string" ? "agentTurn" : "systemEvent";
  if (isObject(job.schedule)) job.schedule = normalizeSchedule(job.schedule);
  job.sessionTarget ??= payload?.kind === "systemEvent" ? "main" : "isolated";
  job.wakeMode ??= "now";
  if (typeof job.name !== "string" || !job.name.trim()) {
    const text = String(payload?.message ?? payload?.text ?? "reminder").trim();
    job.name = text.length > 48 ? `${text.slice(0, 47)}…` : text || "reminder";
  }
  if (job.sessionTarget === "isolated") {
    const delivery = isObject(job.delivery) ? { ...job.delivery } : { mode: "announce" };
    delivery.mode ??= "announce";
    if (delivery.mode === "announce") checkDelivery(ctx, delivery);
    job.delivery = delivery;
  }
  return job;
}

/**
 * An announce delivery without a destination goes to the current chat (when the run came from one); one
 * naming another chat must pass the `message` target rules.
 */
function checkDelivery(ctx: CronCtx, delivery: Record<string, unknown>): void {
  const channels = ctx.ports.channels;
  if (!channels) return;
  const own = originTarget(ctx.origin, channels);
  const named = typeof delivery.channel === "string" && delivery.channel.trim().toLowerCase() !== "last" ? delivery.channel.trim().toLowerCase() : undefined;
  const to = typeof delivery.to === "string" && delivery.to.trim() ? delivery.to.trim() : undefined;
  if (!named && !to) {
    if (own) Object.assign(delivery, { channel: own.channel, to: own.to });
    return;
  }
  const channel = named ?? own?.channel;
  if (!channel) throw new Error('delivery.to needs delivery.channel: this run has no current chat');
  const dest = to ?? (own?.channel === channel ? own.to : undefined);
  if (!dest) throw new Error(`delivery.to is required: this run has no current chat on ${channel}`);
  checkSendTarget(ctx.config, ctx.agentId, ctx.origin, { channel, to: dest }, channels);
  Object.assign(delivery, { channel, to: dest });
}

/** `at` as epoch ms (or `atMs`) becomes the ISO time the scheduler takes. */
function normalizeSchedule(raw: Record<string, unknown>): Record<string, unknown> {
  const s = { ...raw };
  if (s.atMs !== undefined && s.at === undefined) s.at = s.atMs;
  delete s.atMs;
  if (s.kind === undefined) s.kind = s.at !== undefined ? "at" : s.everyMs !== undefined ? "every" : s.expr !== undefined ? "cron" : undefined;
  if (typeof s.at === "number" && Number.isFinite(s.at)) s.at = new Date(s.at).toISOString();
  return s;
}
