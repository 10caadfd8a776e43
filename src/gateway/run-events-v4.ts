/**
 * What `agent` and `chat` events add on protocol v4 connections (protocol-v4.md §1.7, §4 step 7): the run's
 * `agentId`, and on chat deltas the `deltaText` the v4 chat schema requires. v3 connections get the payload
 * as it was.
 */

/**
 * The v4 payload of a run event: `payload` plus `agentId` (from an `agent:<id>:…` session key, else the
 * default agent's, since a bare key such as "main" names the default agent's session) and the emitter's
 * v4-only fields. Returns a new object; `payload` is not changed.
 * @example toV4RunEventPayload({ runId: "r", sessionKey: "agent:main:main", state: "delta" }, { deltaText: "Hi" }, () => "main")
 * // { runId: "r", sessionKey: "agent:main:main", state: "delta", agentId: "main", deltaText: "Hi" }
 */
export function toV4RunEventPayload(
  payload: Record<string, unknown>,
  v4Extra: Record<string, unknown> | undefined,
  defaultAgentId: () => string,
): Record<string, unknown> {
  if (payload.agentId !== undefined) return { ...payload, ...v4Extra };
  return { ...payload, agentId: agentIdOf(payload.sessionKey) ?? defaultAgentId(), ...v4Extra };
}

/** The agent id of a canonical session key (`agent:<id>:<rest>`), else undefined. */
export function agentIdOf(sessionKey: unknown): string | undefined {
  if (typeof sessionKey !== "string" || !sessionKey.startsWith("agent:")) return undefined;
  const end = sessionKey.indexOf(":", 6);
  return end > 6 ? sessionKey.slice(6, end) : undefined;
}
