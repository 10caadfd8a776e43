/**
 * `sessions_send` (run a turn in another of the agent's sessions and wait briefly for its reply) and
 * `sessions_spawn` (a sub-agent run in a new isolated session `agent:<id>:subagent:<uuid>` whose result is
 * announced back to the requesting chat when it ends). Spawning is bounded: depth
 * (`agents.defaults.subagents.maxSpawnDepth`, default 1: a sub-agent cannot spawn), runs at once over the
 * gateway (`maxConcurrent`, 8) and per requesting session (`maxChildrenPerAgent`, 5).
 */
import { randomUUID } from "node:crypto";
import { Type as T } from "@sinclair/typebox";
import type { OpenClawConfig } from "../../config/schema.ts";
import { toErrorMessage } from "../../errors.ts";
import { canonicalSessionKey, mainSessionKey } from "../session-keys.ts";
import { originTarget } from "./_targets.ts";
import { defineTool } from "./define.ts";
import { spawnDepthOf, subagentLimits } from "./subagent-policy.ts";
import type { ToolCallContext, ToolRunEnd } from "./types.ts";

/** Default wait of `sessions_send` for the reply. */
export const SESSIONS_SEND_DEFAULT_TIMEOUT_SECONDS = 30;
const DEFAULT_RUN_TIMEOUT_SECONDS = 600;
/** A sub-agent that answers exactly this stays silent (upstream's token). */
export const ANNOUNCE_SKIP = "ANNOUNCE_SKIP";

/** `sessions_send`: a message into another session of this agent, waiting up to `timeoutSeconds` for the reply. */
export const sessionsSendTool = defineTool({
  name: "sessions_send",
  description:
    'Send a message into another of your sessions (by sessionKey from sessions_list, or by label) and wait briefly for its reply. Returns {status:"ok", reply}, or {status:"running"} when it takes longer (read it later with sessions_history); timeoutSeconds 0 does not wait.',
  group: "sessions",
  needs: ["store", "agentRuns"],
  parameters: T.Object(
    {
      sessionKey: T.Optional(T.String({ minLength: 1, description: 'Target session key ("main" = your main session).' })),
      label: T.Optional(T.String({ minLength: 1, description: "Target session by its label (instead of sessionKey)." })),
      message: T.String({ minLength: 1, description: "The message." }),
      timeoutSeconds: T.Optional(T.Integer({ minimum: 0, maximum: 300, description: `Seconds to wait for the reply (default ${SESSIONS_SEND_DEFAULT_TIMEOUT_SECONDS}; 0 = do not wait).` })),
    },
    { additionalProperties: false },
  ),
  async execute(args, ctx) {
    const { agentRuns } = ctx.ports;
    const key = targetKey(ctx, args);
    if (key === ctx.sessionKey) throw new Error("cannot send to the current session (it is busy with this run); reply directly instead");
    const { runId, done } = agentRuns.start({
      sessionKey: key,
      agentId: ctx.agentId,
      message: args.message,
      timeoutMs: runTimeoutMs(ctx.config),
      channel: "agent",
      extraSystemPrompt: `This message was sent by your session ${ctx.sessionKey} (sessions_send), not typed by the user. Your reply goes back to that session.`,
    });
    const waitSeconds = args.timeoutSeconds ?? SESSIONS_SEND_DEFAULT_TIMEOUT_SECONDS;
    if (waitSeconds === 0) return json({ runId, sessionKey: key, status: "accepted" });
    const end = await within(done, waitSeconds * 1000, ctx.signal);
    if (!end) return json({ runId, sessionKey: key, status: "running", note: `no reply within ${waitSeconds}s; the run goes on, read its reply later with sessions_history` });
    return json({ runId, sessionKey: key, status: end.status, ...(end.reply && { reply: end.reply }), ...(end.error && { error: end.error }) });
  },
});

/** `sessions_spawn`: a background sub-agent for one task; its result is announced to the requesting chat. */
export const sessionsSpawnTool = defineTool({
  name: "sessions_spawn",
  description:
    'Start a sub-agent on a task in its own new session. Returns at once ({status:"accepted", runId, childSessionKey}); when the sub-agent finishes, its result is posted to this chat. Use it for long or parallel work.',
  group: "sessions",
  needs: ["store", "agentRuns"],
  uses: ["channels"],
  parameters: T.Object(
    {
      task: T.String({ minLength: 1, description: "What the sub-agent should do, with everything it needs to know." }),
      label: T.Optional(T.String({ minLength: 1, maxLength: 80, description: "Short name shown with its result." })),
      model: T.Optional(T.String({ minLength: 1, description: "Model ref provider/model for the sub-agent (default: agents.defaults.subagents.model, else yours)." })),
      runTimeoutSeconds: T.Optional(T.Integer({ minimum: 0, description: "Abort the sub-agent after this many seconds (0 = the agent default)." })),
      timeoutSeconds: T.Optional(T.Integer({ minimum: 0, description: "Alias of runTimeoutSeconds." })),
    },
    { additionalProperties: false },
  ),
  async execute(args, ctx) {
    const { store, agentRuns } = ctx.ports;
    // A run being stopped starts nothing new (its sub-agents are stopped with it).
    if (ctx.signal.aborted) throw new Error("this run is being stopped; no sub-agent was started");
    const limits = subagentLimits(ctx.config, ctx.agentId);
    const depth = spawnDepthOf(store, ctx.sessionKey);
    if (depth >= limits.maxSpawnDepth) {
      throw new Error(
        depth === 0
          ? "spawning is off (agents.defaults.subagents.maxSpawnDepth)"
          : `a sub-agent at depth ${depth} cannot spawn (agents.defaults.subagents.maxSpawnDepth is ${limits.maxSpawnDepth}); do the work yourself`,
      );
    }
    const running = agentRuns.spawned();
    if (running.length >= limits.maxConcurrent) throw new Error(`too many sub-agents running (${running.length}; agents.defaults.subagents.maxConcurrent is ${limits.maxConcurrent}); wait for one to finish`);
    const mine = running.filter((r) => r.parentSessionKey === ctx.sessionKey).length;
    if (mine >= limits.maxChildren) throw new Error(`this session already has ${mine} sub-agents running (agents.defaults.subagents.maxChildrenPerAgent is ${limits.maxChildren})`);

    const id = randomUUID();
    const childKey = `agent:${ctx.agentId}:subagent:${id}`;
    const label = args.label?.trim() || undefined;
    const now = Date.now();
    store.setSession(childKey, { sessionId: id, createdAt: now, updatedAt: now, ...(label && { label }), spawnedBy: ctx.sessionKey, spawnDepth: depth + 1 });
    const timeoutSeconds = args.runTimeoutSeconds ?? args.timeoutSeconds ?? limits.runTimeoutSeconds ?? 0;
    const model = args.model ?? limits.model;
    const { runId, done } = agentRuns.start({
      sessionKey: childKey,
      agentId: ctx.agentId,
      message: args.task,
      timeoutMs: timeoutSeconds > 0 ? timeoutSeconds * 1000 : runTimeoutMs(ctx.config),
      channel: "subagent",
      parentSessionKey: ctx.sessionKey,
      ...(ctx.runId && { parentRunId: ctx.runId }),
      ...(label && { label }),
      ...(model && { model }),
      extraSystemPrompt:
        `You are a sub-agent started by session ${ctx.sessionKey} for one task. You cannot talk to the user: do the task and end with the result. ` +
        `Your final reply is posted to the requester's chat; answer exactly ${ANNOUNCE_SKIP} to post nothing.`,
    });
    // The announcement outlives this call (and this run): it is sent whenever the sub-agent ends.
    void done.then((end) => announce(ctx, { runId, childKey, label, end }));
    return json({ status: "accepted", runId, childSessionKey: childKey });
  },
});

// --- internal ---

type SessionsCtx = ToolCallContext<"store" | "agentRuns">;

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** The session a `sessions_send` names: a key of this agent (or "main"), or a label. @throws Error otherwise. */
function targetKey(ctx: SessionsCtx, args: { sessionKey?: string; label?: string }): string {
  const { store } = ctx.ports;
  if (args.sessionKey && args.label) throw new Error('give "sessionKey" or "label", not both');
  if (args.label) {
    const want = args.label.trim().toLowerCase();
    const hit = store.listSessions(`agent:${ctx.agentId}:`).find((r) => r.entry.label?.trim().toLowerCase() === want);
    if (!hit) throw new Error(`no session labelled "${args.label}" (see sessions_list)`);
    return hit.key;
  }
  if (!args.sessionKey) throw new Error('missing "sessionKey" (or "label")');
  const raw = args.sessionKey.trim();
  const key = raw === "main" ? mainSessionKey(ctx.config, ctx.agentId) : canonicalSessionKey(ctx.config, raw);
  if (!key.startsWith(`agent:${ctx.agentId}:`)) throw new Error(`session ${key} belongs to another agent`);
  if (key === ctx.sessionKey) throw new Error("cannot send to the current session (it is busy with this run); reply directly instead");
  if (key !== mainSessionKey(ctx.config, ctx.agentId) && !store.getSession(key)) throw new Error(`no session ${key} (see sessions_list)`);
  return key;
}

function runTimeoutMs(config: OpenClawConfig): number {
  return (config.agents?.defaults?.timeoutSeconds ?? DEFAULT_RUN_TIMEOUT_SECONDS) * 1000;
}

/** `done` if it settles within `ms` (and before `signal` aborts), else undefined. */
async function within<T>(done: Promise<T>, ms: number, signal: AbortSignal): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
    onAbort = () => resolve(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([done, stop]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}

/**
 * Posts a finished sub-agent's result: to the requester's chat when the run came from one, else as a turn
 * in the requester's session (WebChat sees the agent relay it). Failures are swallowed: the result stays
 * readable with sessions_history.
 */
async function announce(ctx: ToolCallContext<"store" | "agentRuns">, run: { runId: string; childKey: string; label?: string; end: ToolRunEnd }): Promise<void> {
  const { end } = run;
  if (end.status === "ok" && end.reply.trim() === ANNOUNCE_SKIP) return;
  // Stopped with its parent (chat.abort, /stop) or by a gateway stop: whoever stopped it knows; a result
  // posted now would start a new turn in the session the user just stopped.
  // (The runtime logs the stop.)
  if (end.status === "aborted" && (end.stopReason === "parent" || end.stopReason === "shutdown")) return;
  const text = formatAnnouncement(run);
  try {
    const channels = ctx.ports.channels;
    const own = channels ? originTarget(ctx.origin, channels) : undefined;
    if (channels && own) {
      await channels.send({ channel: own.channel, to: own.to, ...(ctx.origin?.accountId && { accountId: ctx.origin.accountId }), text, idempotencyKey: `announce:${run.runId}` });
      return;
    }
    ctx.ports.agentRuns.start({
      sessionKey: ctx.sessionKey,
      agentId: ctx.agentId,
      message: text,
      timeoutMs: runTimeoutMs(ctx.config),
      channel: "subagent",
      extraSystemPrompt: "A sub-agent you started has finished; this message is its result, not typed by the user. Tell the user what it found.",
    });
  } catch (err) {
    // Nowhere to report it but the log of the gateway; the child session keeps the result.
    console.warn(`sub-agent result not announced: ${toErrorMessage(err)}`);
  }
}

/** Status / Result / Notes and a stats line (upstream's template). */
export function formatAnnouncement(run: { childKey: string; label?: string; end: ToolRunEnd }): string {
  const { end } = run;
  const status = end.status === "ok" ? "success" : end.status === "aborted" ? "stopped" : end.status;
  const seconds = end.startedAt && end.endedAt ? Math.max(0, Math.round((end.endedAt - end.startedAt) / 1000)) : undefined;
  const stats = [
    seconds !== undefined ? `runtime ${seconds}s` : undefined,
    end.usage ? `tokens ${end.usage.input ?? 0} in / ${end.usage.output ?? 0} out` : undefined,
    `session ${run.childKey}`,
  ].filter(Boolean);
  return [
    `Sub-agent${run.label ? ` "${run.label}"` : ""} finished.`,
    `Status: ${status}`,
    `Result: ${end.reply.trim() || "(not available)"}`,
    ...(end.error ? [`Notes: ${end.error}`] : end.status === "aborted" ? ["Notes: the run was stopped"] : []),
    `(${stats.join(" · ")})`,
  ].join("\n");
}
