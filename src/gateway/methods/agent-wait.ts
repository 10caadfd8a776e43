import type { MethodHandler } from "../context.ts";

const DEFAULT_WAIT_MS = 30_000;

/**
 * `agent.wait`: waits up to `timeoutMs` (default 30 000) for a run to end.
 * @returns `{runId, status:"ok"|"error"|"timeout", startedAt?, endedAt?, error?}`; `timeout` also when
 *   the run did not end in time (the run keeps going).
 */
export const agentWait: MethodHandler = (ctx, params) => ctx.gw.agents.wait(String(params.runId), typeof params.timeoutMs === "number" ? params.timeoutMs : DEFAULT_WAIT_MS);
