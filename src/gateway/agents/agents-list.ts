import { listAgents, sessionDefaults } from "./agents-view.ts";
import type { AgentsHost } from "./_host.ts";
import type { MethodHandler } from "../context.ts";

/** `agents.list`: configured agents with the default id, main key and session scope. */
export const agentsList: MethodHandler<"agents.list", AgentsHost> = (ctx) => {
  const { defaultId, agents } = listAgents(ctx.host.config);
  const defaults = sessionDefaults(ctx.host.config);
  return {
    defaultId,
    mainKey: defaults.mainKey,
    scope: defaults.scope,
    agents: agents.map((a) => ({ id: a.id, ...(a.name && { name: a.name }), ...(a.identity && { identity: a.identity }) })),
  };
};
