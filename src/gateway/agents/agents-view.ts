/**
 * Read-only views of the configured agents that several methods share (health, status, agents.list,
 * models.list, sessions.list). Derived from config on every call so a hot reload is seen at once.
 */
import { type HeartbeatSettings, resolveHeartbeat } from "../../agent/heartbeat.ts";
import type { OpenClawConfig } from "../../config/schema.ts";

/** Context window assumed for the default model. */
export const DEFAULT_CONTEXT_TOKENS = 200_000;

/** One configured agent as clients see it. */
export interface AgentView {
  id: string;
  name?: string;
  identity?: { name?: string; theme?: string; emoji?: string; avatar?: string };
  isDefault: boolean;
}

/** The agents from `agents.list`, or the implicit `main` agent when the list is empty. */
export function listAgents(config: OpenClawConfig): { defaultId: string; agents: AgentView[] } {
  const list = config.agents?.list ?? [];
  if (list.length === 0) return { defaultId: "main", agents: [{ id: "main", isDefault: true }] };
  const defaultId = (list.find((a) => a.default) ?? list[0]).id;
  return {
    defaultId,
    agents: list.map((a) => ({ id: a.id, name: a.name, identity: a.identity, isDefault: a.id === defaultId })),
  };
}

/** `session.mainKey` (default "main") and scope (default "per-sender"). */
export function sessionDefaults(config: OpenClawConfig): { defaultAgentId: string; mainKey: string; mainSessionKey: string; scope: string } {
  const { defaultId } = listAgents(config);
  const mainKey = config.session?.mainKey ?? "main";
  return { defaultAgentId: defaultId, mainKey, mainSessionKey: `agent:${defaultId}:${mainKey}`, scope: config.session?.scope ?? "per-sender" };
}

/** The primary model ref `provider/model` of the defaults (computed by the agent). */
export { defaultModelRef } from "../../agent/models.ts";

/**
 * Heartbeat settings of an agent (default: the default agent) as `health` and `status` report them:
 * `every` as written and in ms (0 when off), prompt, target and ackMaxChars.
 */
export function heartbeatOf(config: OpenClawConfig, agentId?: string): HeartbeatSettings {
  return resolveHeartbeat(config, agentId);
}
