/**
 * The agent's view of its own runtime (the `sessions_send` / `sessions_spawn` port): start a turn on
 * another session and learn how it ended; sub-agent runs are counted until they end so the tools can bound
 * concurrency. One instance per gateway. Lets `src/agent/` tools start runs without a reference to the runtime.
 */
import { randomUUID } from "node:crypto";
import { type AgentRuntime, replyTextOf, type RunFinal, type ToolAgentRuns, type ToolRunEnd } from "../../agent/index.ts";
import { toErrorMessage } from "../../errors.ts";

/** Adapts the runtime for the agent's tools; `agents` is read at each call (the runtime is built first). */
export function toToolAgentRuns(agents: () => Pick<AgentRuntime, "submit">): ToolAgentRuns {
  const spawned = new Map<string, { runId: string; sessionKey: string; parentSessionKey: string }>();
  return {
    start(req) {
      const runId = `${req.parentSessionKey ? "subagent" : "session-send"}:${randomUUID()}`;
      const sub = agents().submit({
        runId,
        kind: "agent",
        sessionKey: req.sessionKey,
        agentId: req.agentId,
        message: req.message,
        timeoutMs: req.timeoutMs,
        channel: req.channel,
        // Nobody typed it: the target session's last chat route stays where it was.
        internal: true,
        ...(req.extraSystemPrompt && { extraSystemPrompt: req.extraSystemPrompt }),
        ...(req.label && { label: req.label }),
        ...(req.model && { model: req.model }),
        ...(req.parentSessionKey && { parent: { sessionKey: req.parentSessionKey, ...(req.parentRunId && { runId: req.parentRunId }) } }),
      });
      if (sub.status !== "accepted") throw new Error(`run ${runId} was not accepted (${sub.status})`);
      if (req.parentSessionKey) spawned.set(runId, { runId, sessionKey: req.sessionKey, parentSessionKey: req.parentSessionKey });
      const done = sub.done
        .then(toRunEnd, (err): ToolRunEnd => ({ status: "error", reply: "", error: toErrorMessage(err) }))
        .finally(() => spawned.delete(runId));
      return { runId, done };
    },
    spawned: () => [...spawned.values()],
  };
}

// --- internal ---

function toRunEnd(final: RunFinal): ToolRunEnd {
  const times = { ...(final.startedAt && { startedAt: final.startedAt }), ...(final.endedAt && { endedAt: final.endedAt }), ...(final.stopReason && { stopReason: final.stopReason }) };
  if (!final.ok) {
    return { status: final.error?.code === "AGENT_TIMEOUT" ? "timeout" : "error", reply: "", error: final.error?.message ?? String(final.payload.summary ?? "run failed"), ...times };
  }
  const meta = final.payload.result?.meta as { aborted?: boolean; agentMeta?: { usage?: { input?: number; output?: number; total?: number } } } | undefined;
  const usage = meta?.agentMeta?.usage;
  return {
    status: final.payload.summary === "aborted" || meta?.aborted === true ? "aborted" : "ok",
    reply: replyTextOf(final),
    ...times,
    ...(usage && { usage: { input: usage.input, output: usage.output, total: usage.total } }),
  };
}
