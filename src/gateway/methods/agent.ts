import { resolveSession } from "../../agent/index.ts";
import { GatewayError } from "../../errors.ts";
import { DEFERRED, type MethodHandler } from "../context.ts";
import { channelOf, checkThinking, toFinalFrame } from "./_runs.ts";

/**
 * `agent`: runs one agent turn, answering twice on the same request id (protocol.md §8): first
 * `{runId, status:"accepted", acceptedAt}` once the message is committed to the store, then the final
 * `{runId, status:"ok", summary, result}` or an error (`UNAVAILABLE`, `AGENT_TIMEOUT`) with
 * `{runId, status:"error", summary}`. The idempotencyKey is the runId: a repeat while the run is going
 * answers `{runId, status:"in_flight"}`, after it ended the cached final.
 */
export const agent: MethodHandler = (ctx, params) => {
  const p = params as { message: string; idempotencyKey: string; sessionKey?: string; agentId?: string; sessionId?: string; to?: string; channel?: string; accountId?: string; thinking?: string; timeout?: number; extraSystemPrompt?: string; label?: string; attachments?: unknown[] };
  if (p.attachments?.length) throw new GatewayError("INVALID_REQUEST", "attachments are not supported by this gateway yet");
  if (!p.message.trim()) throw new GatewayError("INVALID_REQUEST", "message is required");
  const { gw } = ctx;
  const thinking = checkThinking(p.thinking);
  const session = resolveSession(gw.config, { sessionKey: p.sessionKey, agentId: p.agentId, sessionId: p.sessionId, to: p.to, channel: p.channel, accountId: p.accountId }, gw.store);
  const result = gw.agents.submit({
    runId: p.idempotencyKey,
    kind: "agent",
    sessionKey: session.key,
    agentId: session.agentId,
    requestedSessionId: session.requestedSessionId,
    message: p.message,
    thinking,
    timeoutMs: p.timeout && p.timeout > 0 ? p.timeout * 1000 : gw.agents.defaultTimeoutMs(),
    channel: channelOf(ctx.client, p.channel),
    extraSystemPrompt: p.extraSystemPrompt,
    label: p.label,
  });
  switch (result.status) {
    case "in_flight":
      return { runId: result.runId, status: "in_flight" };
    case "done":
      ctx.respondLater(toFinalFrame(result.final));
      return DEFERRED;
    case "accepted":
      void result.done.then((final) => ctx.respondLater(toFinalFrame(final)));
      return { runId: result.runId, status: "accepted", acceptedAt: result.acceptedAt };
  }
};
