import { GatewayError } from "../../errors.ts";
import type { ChatHost } from "./_host.ts";
import type { MethodHandler } from "../context.ts";

const DEFAULT_WAIT_MS = 30_000;

/**
 * `agent.wait` calls one connection may have pending. Clients wait on the runs they started, a handful at
 * a time; each pending wait holds a timer until it ends, so a client cannot pile them up without bound.
 */
export const MAX_WAITS_PER_CONNECTION = 256;

/**
 * `agent.wait`: waits up to `timeoutMs` (default 30 000) for a run to end. The wait ends when the caller's
 * connection closes (nobody is left to answer).
 * @returns `{runId, status:"ok"|"error"|"timeout", startedAt?, endedAt?, error?}`; `timeout` also when
 *   the run did not end in time (the run keeps going).
 * @throws GatewayError UNAVAILABLE (retryable) when the connection already has
 *   {@link MAX_WAITS_PER_CONNECTION} waits pending.
 */
export const agentWait: MethodHandler<"agent.wait", ChatHost> = async (ctx, params) => {
  const runId = String(params.runId);
  const timeoutMs = typeof params.timeoutMs === "number" ? params.timeoutMs : DEFAULT_WAIT_MS;
  const ws = ctx.host.connections.byId(ctx.connId);
  if (!ws) return { runId, status: "timeout" };
  const pending = (ws.data.abortOnClose ??= new Set());
  if (pending.size >= MAX_WAITS_PER_CONNECTION) {
    throw new GatewayError("UNAVAILABLE", `too many pending agent.wait calls on this connection (max ${MAX_WAITS_PER_CONNECTION}); retry when some have ended`, { retryable: true });
  }
  const controller = new AbortController();
  pending.add(controller);
  try {
    return await ctx.host.agents.wait(runId, timeoutMs, controller.signal);
  } finally {
    pending.delete(controller);
  }
};
