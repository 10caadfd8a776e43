/**
 * The agent's `exec` and `approvals` ports, built once per gateway: one process registry (background
 * processes outlive runs; a finished one queues "Exec finished …" as a system event and wakes the
 * heartbeat), the approvals file under the state dir, and questions raised as `exec.approval.request`
 * events so any operator with `operator.approvals` (control UI, CLI) can answer; when the run came from a
 * chat, the question also goes to that chat, where its owner may answer with `/approve`.
 */
import { randomUUID } from "node:crypto";
import type { ToolApprovals, ToolExec } from "../../agent/index.ts";
import { createFileApprovalsPort, formatExecFinished, ProcessRegistry } from "../../agent/exec/index.ts";
import type { ExecApprovalQueue } from "./approvals.ts";
import type { ApprovalEnd, ChatApprovals } from "./chat-approvals.ts";

/** Pseudo connection id of approval requests raised by agent runs (bounds how many may wait at once). */
export const AGENT_APPROVALS_CONN = "agent-runs";

/** What {@link agentExecPorts} needs from the gateway. */
export interface AgentExecHost {
  stateDir: string;
  approvals: ExecApprovalQueue;
  /** Queues a system event for the main session and wakes the heartbeat so the agent hears of it. */
  notify: (text: string) => void;
  /** Sends questions of runs that came from a chat to that chat. */
  chat?: ChatApprovals;
}

/** The ports; `exec.processes.killAll()` belongs in the gateway's stop. */
export function agentExecPorts(host: AgentExecHost): { exec: ToolExec; approvals: ToolApprovals } {
  const processes = new ProcessRegistry({ onFinished: (info) => host.notify(formatExecFinished(info)) });
  return {
    exec: { processes },
    approvals: {
      file: createFileApprovalsPort(host.stateDir),
      async request(q) {
        const id = randomUUID();
        const chat = host.chat?.chatOf(q.origin);
        let end: ApprovalEnd = { kind: "cancelled" };
        try {
          // Registered synchronously here, so an answer from the chat always finds it.
          const waiting = host.approvals.request({
            id,
            connId: AGENT_APPROVALS_CONN,
            timeoutMs: q.timeoutMs,
            request: { command: q.command, cwd: q.cwd, host: q.host, security: q.security, ask: q.ask, agentId: q.agentId, resolvedPath: q.resolvedPath, sessionKey: q.sessionKey ?? null },
          });
          if (chat && !("error" in host.approvals.find(id))) host.chat?.announce(id, q, chat);
          const outcome = await waiting;
          end = outcome.decision === null ? { kind: "expired" } : { kind: "answered", decision: outcome.decision, ...(outcome.answeredBy && { answeredBy: outcome.answeredBy }) };
          return outcome.decision;
        } catch {
          // Gateway stopping or too many waiting: refused, never left to askFallback (which may allow).
          return "deny";
        } finally {
          // A question the chat saw and did not answer gets a follow-up there saying how it ended.
          host.chat?.ended(id, end);
        }
      },
    },
  };
}
