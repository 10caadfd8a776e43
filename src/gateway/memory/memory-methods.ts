/**
 * `memory.search` (operator.read), `memory.status` (operator.read) and `memory.reindex` (admin): the
 * workspace memory index of one agent (default: the default agent) or, for status and reindex without an
 * `agentId`, of every configured agent.
 */
import { agentIds } from "../../agent/index.ts";
import { resolveWorkspace } from "../../agent/workspace.ts";
import type { OpenClawConfig } from "../../config/schema.ts";
import { GatewayError } from "../../errors.ts";
import { MemoryQueryError } from "../../memory/index.ts";
import type { MethodHandler } from "../context.ts";
import type { MemoryHost } from "./_host.ts";

/** `memory.search`: the best hits for `query` in the agent's memory files. */
export const memorySearch: MethodHandler<"memory.search", MemoryHost> = async (ctx, params) => {
  const [agent] = memoryAgents(ctx.host.config, params.agentId ?? defaultAgent(ctx.host.config));
  try {
    const { results } = await ctx.host.memory.search(agent!.workspace, params.query, params.maxResults);
    return { agentId: agent!.agentId, results };
  } catch (err) {
    if (err instanceof MemoryQueryError) throw new GatewayError("INVALID_REQUEST", `invalid memory.search params: ${err.message}`);
    throw err;
  }
};

/** `memory.status`: files and chunks indexed per agent, whether its workspace is watched, skipped files. */
export const memoryStatus: MethodHandler<"memory.status", MemoryHost> = async (ctx, params) => {
  const agents = [];
  for (const a of memoryAgents(ctx.host.config, params.agentId)) agents.push({ agentId: a.agentId, ...(await ctx.host.memory.status(a.workspace)) });
  return { agents };
};

/** `memory.reindex`: syncs now (with `full`, reads every file again) and says what changed. */
export const memoryReindex: MethodHandler<"memory.reindex", MemoryHost> = async (ctx, params) => {
  const agents = [];
  for (const a of memoryAgents(ctx.host.config, params.agentId)) agents.push({ agentId: a.agentId, ...(await ctx.host.memory.reindex(a.workspace, params.full === true)) });
  return { agents };
};

/**
 * The configured agents with their workspaces; only `agentId` when given.
 * @throws GatewayError INVALID_REQUEST for an agent id that is not configured.
 */
export function memoryAgents(config: OpenClawConfig, agentId?: string): { agentId: string; workspace: string }[] {
  const { defaultId, ids } = agentIds(config);
  const wanted = agentId === undefined ? ids : ids.filter((id) => id === agentId || id.toLowerCase() === agentId.toLowerCase()).slice(0, 1);
  if (wanted.length === 0) throw new GatewayError("INVALID_REQUEST", `unknown agent id "${agentId}" (configured: ${ids.join(", ")})`);
  return wanted.map((id) => ({ agentId: id, workspace: resolveWorkspace(config, id, id === defaultId) }));
}

function defaultAgent(config: OpenClawConfig): string {
  return agentIds(config).defaultId;
}
