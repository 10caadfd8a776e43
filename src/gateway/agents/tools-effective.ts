/**
 * `tools.effective {agentId?, sessionKey?}` (operator.read): the agent tools a run of that agent on that
 * session is offered, every registered tool with its verdict and the config key or missing port that
 * decided it. The runtime answers with the same ports, workspace and policy a run gets.
 */
import type { AgentsHost } from "./_host.ts";
import { agentIds, agentOf, canonicalSessionKey, mainSessionKey } from "../../agent/index.ts";
import { GatewayError } from "../../errors.ts";
import type { MethodHandler } from "../context.ts";

/**
 * Resolves the agent (agentId, else the session key's agent, else the default agent) and the session (the
 * key given, else that agent's main session), then explains its tools.
 * @throws GatewayError INVALID_REQUEST naming `agentId` or `sessionKey` for an agent that is not configured, or
 *   when the two name different agents.
 */
export const toolsEffective: MethodHandler<"tools.effective", AgentsHost> = (ctx, params) => {
  const config = ctx.host.config;
  const { defaultId, ids } = agentIds(config);
  const known = (id: string) => ids.find((k) => k === id) ?? ids.find((k) => k.toLowerCase() === id.toLowerCase());
  let agentId: string | undefined;
  if (params.agentId !== undefined) {
    agentId = known(params.agentId.trim());
    if (!agentId) throw new GatewayError("INVALID_REQUEST", `agentId: unknown agent "${params.agentId}" (configured: ${ids.join(", ")})`);
  }
  let sessionKey: string;
  if (params.sessionKey !== undefined) {
    sessionKey = canonicalSessionKey(config, params.sessionKey);
    const own = agentOf(sessionKey);
    if (own !== undefined) {
      const keyAgent = known(own);
      if (!keyAgent) throw new GatewayError("INVALID_REQUEST", `sessionKey: "${sessionKey}" belongs to agent "${own}", which is not configured`);
      if (agentId && keyAgent !== agentId) throw new GatewayError("INVALID_REQUEST", `sessionKey: "${sessionKey}" belongs to agent "${keyAgent}", not agentId "${agentId}"`);
      agentId = keyAgent;
    }
    agentId ??= defaultId;
  } else {
    agentId ??= defaultId;
    sessionKey = mainSessionKey(config, agentId);
  }
  const agentConf = config.agents?.list?.find((a) => a.id === agentId);
  const profile = (agentConf?.tools as { profile?: string } | undefined)?.profile ?? (config.tools as { profile?: string } | undefined)?.profile;
  const tools = ctx.host.agents.explainTools(agentId, sessionKey);
  return { agentId, sessionKey, ...(profile && { profile }), tools };
};
