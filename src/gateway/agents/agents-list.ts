import { listAgents, sessionDefaults } from "./agents-view.ts";
import type { AgentsHost } from "./_host.ts";
import type { MethodHandler } from "../context.ts";
import { modelChain } from "../../agent/index.ts";

/**
 * `agents.list`: configured agents with the default id, main key and session scope. v4 rows add
 * `model {primary}` (the model the agent runs on; the v4 Control UI composer sends nothing without it) and,
 * for clients announcing cap `agent-kind`, `kind: "agent"`.
 */
export const agentsList: MethodHandler<"agents.list", AgentsHost> = (ctx) => {
  const { config } = ctx.host;
  const { defaultId, agents } = listAgents(config);
  const defaults = sessionDefaults(config);
  const v4 = ctx.client.protocol >= 4;
  const agentKind = v4 && ctx.client.caps.includes("agent-kind");
  return {
    defaultId,
    mainKey: defaults.mainKey,
    scope: defaults.scope,
    agents: agents.map((a) => ({
      id: a.id,
      ...(agentKind && { kind: "agent" }),
      ...(a.name && { name: a.name }),
      ...(a.identity && { identity: a.identity }),
      ...(v4 && { model: { primary: modelChain(config, a.id)[0] } }),
    })),
  };
};
