import { DEFAULT_CONTEXT_TOKENS, defaultModelRef, heartbeatOf, listAgents, sessionsPath } from "../agents-view.ts";
import type { MethodHandler } from "../context.ts";

/** `status`: heartbeat, channel and session summary. Sessions are counted from the store (none yet). */
export const status: MethodHandler = (ctx) => {
  const { config, stateDir } = ctx.gw;
  const { defaultId, agents } = listAgents(config);
  const hb = heartbeatOf(config);
  const byAgent = agents.map((a) => ({ agentId: a.id, path: sessionsPath(stateDir, a.id), count: 0, recent: [] }));
  return {
    heartbeat: {
      defaultAgentId: defaultId,
      agents: agents.map((a) => ({ agentId: a.id, enabled: hb.enabled, every: hb.every, everyMs: hb.everyMs })),
    },
    channelSummary: [],
    queuedSystemEvents: [...ctx.gw.systemEvents],
    sessions: {
      paths: byAgent.map((a) => a.path),
      count: 0,
      defaults: { model: defaultModelRef(config).split("/").slice(1).join("/"), contextTokens: DEFAULT_CONTEXT_TOKENS },
      recent: [],
      byAgent,
    },
  };
};
