/**
 * What sets a sub-agent apart in the tool policy: its session (`agent:<id>:subagent:<uuid>`, with the spawn
 * depth recorded on its store entry), the spawn limits of `agents.defaults.subagents` (per agent under
 * `agents.list[].subagents`), and the tools it loses on top of the agent's normal policy (upstream's
 * sub-agent restriction layer):
 * - always: tools that act for the whole gateway or talk to people directly (`gateway`, `agents_list`,
 *   `session_status`, `cron`, `message`, `sessions_send`, …); no allow entry brings them back;
 * - at the spawn-depth cap (by default every sub-agent): `sessions_spawn`, `subagents`, `sessions_list`,
 *   `sessions_history`, so its results travel only on the announce chain;
 * - then `tools.subagents.tools.deny`, and `tools.subagents.tools.allow` when set (allow-only).
 * This layer only takes tools away: a sub-agent never gets a tool its parent agent would not.
 */
import type { OpenClawConfig } from "../../config/schema.ts";
import { DEFAULT_SUBAGENT_MAX_CHILDREN, DEFAULT_SUBAGENT_MAX_CONCURRENT, DEFAULT_SUBAGENT_MAX_SPAWN_DEPTH, type SubagentsConfig, type SubagentToolsConfig } from "../../config/tools-schema.ts";
import type { Store } from "../../store/index.ts";

/** Tools a sub-agent never gets, whatever the config says (upstream's names; some do not exist here). */
export const SUBAGENT_ALWAYS_DENY: readonly string[] = ["gateway", "agents_list", "session_status", "cron", "message", "sessions_send", "whatsapp_login", "progress_card", "conversations_*"];

/** Tools a sub-agent loses when it may not spawn further (depth ≥ `maxSpawnDepth`). */
export const SUBAGENT_LEAF_DENY: readonly string[] = ["sessions_spawn", "subagents", "sessions_list", "sessions_history"];

/** Where a run's session stands in a spawn chain, as the policy needs it. */
export interface SubagentPosition {
  /** 1 for a sub-agent of a top-level session, 2 for its child, … */
  depth: number;
  /** `agents.defaults.subagents.maxSpawnDepth` (or the agent's own). */
  maxSpawnDepth: number;
  /** `tools.subagents.tools`. */
  tools: SubagentToolsConfig;
}

/** True for a sub-agent session key (`agent:<id>:subagent:<uuid>`, possibly nested). */
export function isSubagentKey(sessionKey: string): boolean {
  return sessionKey.toLowerCase().includes(":subagent:");
}

/**
 * How deep `sessionKey` is in a spawn chain: the depth its store entry records, at least 1 for a sub-agent
 * key (an entry lost or never written must not make a sub-agent look top-level). 0 = not a sub-agent.
 */
export function spawnDepthOf(store: Pick<Store, "getSession"> | undefined, sessionKey: string): number {
  const entry = store?.getSession(sessionKey);
  const stored = typeof entry?.spawnDepth === "number" && Number.isFinite(entry.spawnDepth) ? entry.spawnDepth : 0;
  return Math.max(stored, isSubagentKey(sessionKey) ? 1 : 0);
}

/** `agents.defaults.subagents` with the agent's own `agents.list[].subagents` over it, defaults filled in. */
export function subagentLimits(config: OpenClawConfig, agentId: string) {
  const defaults = (config.agents?.defaults?.subagents ?? {}) as SubagentsConfig;
  const own = ((config.agents?.list?.find((a) => a.id === agentId) as { subagents?: SubagentsConfig } | undefined)?.subagents ?? {}) as SubagentsConfig;
  const s = { ...defaults, ...own };
  return {
    maxSpawnDepth: s.maxSpawnDepth ?? DEFAULT_SUBAGENT_MAX_SPAWN_DEPTH,
    maxConcurrent: s.maxConcurrent ?? DEFAULT_SUBAGENT_MAX_CONCURRENT,
    maxChildren: s.maxChildrenPerAgent ?? DEFAULT_SUBAGENT_MAX_CHILDREN,
    model: s.model,
    runTimeoutSeconds: s.runTimeoutSeconds,
  };
}

/** The sub-agent position of a run of `agentId` on `sessionKey`, or undefined when it is not a sub-agent. */
export function subagentPositionOf(config: OpenClawConfig, store: Pick<Store, "getSession"> | undefined, agentId: string, sessionKey: string): SubagentPosition | undefined {
  const depth = spawnDepthOf(store, sessionKey);
  if (depth === 0) return undefined;
  const tools = ((config.tools as { subagents?: { tools?: SubagentToolsConfig } } | undefined)?.subagents?.tools ?? {}) as SubagentToolsConfig;
  return { depth, maxSpawnDepth: subagentLimits(config, agentId).maxSpawnDepth, tools };
}
