import { agentIds, agentOf, canonicalSessionKey } from "../../agent/index.ts";
import type { ChatHost } from "./_host.ts";
import { GatewayError } from "../../errors.ts";
import type { MethodHandler } from "../context.ts";

/**
 * `agent.identity.get`: `{agentId, name?, avatar?, emoji?}` of an agent, chosen by `agentId`, else by the
 * agent of `sessionKey`, else the default agent.
 * @throws GatewayError INVALID_REQUEST for an agent that is not configured.
 */
export const agentIdentityGet: MethodHandler<"agent.identity.get", ChatHost> = (ctx, params) => {
  const config = ctx.host.config;
  const { defaultId, ids } = agentIds(config);
  const fromKey = typeof params.sessionKey === "string" && params.sessionKey ? agentOf(canonicalSessionKey(config, params.sessionKey)) : undefined;
  const agentId = params.agentId || fromKey || defaultId;
  if (!ids.includes(agentId)) throw new GatewayError("INVALID_REQUEST", `unknown agent id "${agentId}"`);
  const entry = config.agents?.list?.find((a) => a.id === agentId);
  const name = entry?.identity?.name ?? entry?.name;
  return { agentId, ...(name && { name }), ...(entry?.identity?.avatar && { avatar: entry.identity.avatar }), ...(entry?.identity?.emoji && { emoji: entry.identity.emoji }) };
};
