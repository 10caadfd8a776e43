import { replyTextOf, resolveSession, type RunFinal, type SubmitResult } from "../../agent/index.ts";
import type { ChatHost } from "./_host.ts";
import { DEFERRED, type MethodHandler } from "../context.ts";
import { checkDeliveryChannel, deliverReply, type DeliveryRequest, toDeliveryReport } from "../channels/delivery.ts";
import { channelOf, checkMessage, checkThinking, toFinalFrame } from "./runs.ts";

/** What starts an `agent` run: the method's params (validated by the schema) or a node's `agent.request`. */
export interface AgentRunInput {
  message: string;
  idempotencyKey: string;
  sessionKey?: string;
  agentId?: string;
  sessionId?: string;
  to?: string;
  channel?: string;
  accountId?: string;
  thinking?: string;
  /** Seconds; 0 or absent = the configured default. */
  timeout?: number;
  extraSystemPrompt?: string;
  label?: string;
  attachments?: unknown[];
  /** Send the final reply to `replyChannel ?? channel` / `replyTo ?? to` (or the session's last route). */
  deliver?: boolean;
  replyChannel?: string;
  replyTo?: string;
  replyAccountId?: string;
}

/**
 * Submits one `agent` run: checks the message and its image attachments, the thinking level and the
 * delivery channel, resolves the session, hands the run to the runtime. `channel` is where the run came
 * from (`cli`, `webchat`, `node`, …). With `deliver`, the reply of a completed run is sent on before the
 * run settles, and the final payload gets `delivery: {ok:true, channel, to, …}` or
 * `{ok:false, error, code?}`; a failed delivery leaves the run ok.
 * @returns the runtime's answer (accepted, in flight, or the cached final for a repeated key).
 * @throws GatewayError INVALID_REQUEST for an empty message without images, a bad attachment, a bad
 *   thinking level, an unknown agent id, or a delivery channel that is not configured; Error when the
 *   runtime is shut down. Safe to call concurrently.
 */
export function submitAgentRun(gw: ChatHost, p: AgentRunInput, channel: string): SubmitResult & { sessionKey: string; agentId: string } {
  const images = checkMessage(p.message, p.attachments, gw.logger);
  const thinking = checkThinking(p.thinking);
  const delivery = p.deliver ? { channel: p.replyChannel?.trim() || p.channel, to: p.replyTo ?? p.to, accountId: p.replyAccountId ?? p.accountId } : undefined;
  if (delivery) checkDeliveryChannel(gw, delivery.channel);
  const origin = p.channel?.trim().toLowerCase() === "last" ? undefined : p.channel;
  const session = resolveSession(gw.config, { sessionKey: p.sessionKey, agentId: p.agentId, sessionId: p.sessionId, to: p.to, channel: origin, accountId: p.accountId }, gw.store);
  const submitted = gw.agents.submit({
    runId: p.idempotencyKey,
    kind: "agent",
    sessionKey: session.key,
    agentId: session.agentId,
    requestedSessionId: session.requestedSessionId,
    message: p.message,
    ...(images.length > 0 && { images }),
    thinking,
    timeoutMs: p.timeout && p.timeout > 0 ? p.timeout * 1000 : gw.agents.defaultTimeoutMs(),
    channel,
    extraSystemPrompt: p.extraSystemPrompt,
    label: p.label,
    ...(delivery && { afterRun: (final: RunFinal) => deliverRunReply(gw, final, { ...delivery, sessionKey: session.key }) }),
  });
  return { ...submitted, sessionKey: session.key, agentId: session.agentId };
}

/** Delivers a finished run's reply; the result goes into the final payload as `delivery`. */
async function deliverRunReply(gw: ChatHost, final: RunFinal, req: DeliveryRequest): Promise<Record<string, unknown>> {
  const runId = String(final.payload.runId);
  if (final.payload.summary === "aborted") return { delivery: { ok: false, error: "run aborted; nothing delivered" } };
  const text = replyTextOf(final);
  if (!text) return { delivery: { ok: false, error: "empty reply; nothing delivered" } };
  const outcome = await deliverReply(gw, req, text, `deliver:${runId}`, { runId });
  return { delivery: toDeliveryReport(outcome) };
}

/**
 * `agent`: runs one agent turn, answering twice on the same request id (protocol.md §8): first
 * `{runId, status:"accepted", acceptedAt}` (v4: plus `sessionKey`, `agentId`) once the message is committed, then the final
 * `{runId, status:"ok", summary, result}` or an error (`UNAVAILABLE`, `AGENT_TIMEOUT`) with
 * `{runId, status:"error", summary}`. The idempotencyKey is the runId: a repeat while the run is going
 * answers `{runId, status:"in_flight"}`, after it ended the cached final.
 */
export const agent: MethodHandler<"agent", ChatHost> = (ctx, params) => {
  const p = params;
  const result = submitAgentRun(ctx.host, p, channelOf(ctx.client, p.channel));
  switch (result.status) {
    case "in_flight":
      return { runId: result.runId, status: "in_flight" };
    case "done":
      ctx.respondLater(toFinalFrame(result.final));
      return DEFERRED;
    case "accepted":
      void result.done.then((final) => ctx.respondLater(toFinalFrame(final)));
      // v4 clients read which session and agent the run landed on from the ack (protocol-v4.md §2).
      return { runId: result.runId, status: "accepted", acceptedAt: result.acceptedAt, ...(ctx.client.protocol >= 4 && { sessionKey: result.sessionKey, agentId: result.agentId }) };
  }
};
