import { DEFAULT_CONTEXT_TOKENS, defaultModelRef, heartbeatOf, listAgents } from "../agents/agents-view.ts";
import type { HealthHost } from "./_host.ts";
import type { MethodHandler } from "../context.ts";
import { stateDbPath, summarizeSessions } from "../sessions/sessions-view.ts";

/** `status`: heartbeat, channel and session summary; sessions are counted from the store. */
export const status: MethodHandler<"status", HealthHost> = (ctx) => {
  const { config, stateDir, store } = ctx.host;
  const { defaultId, agents } = listAgents(config);
  const byAgent = agents.map((a) => ({ agentId: a.id, ...summarizeSessions(store, stateDir, a.id) }));
  const all = store.listSessions();
  const now = Date.now();
  return {
    heartbeat: {
      defaultAgentId: defaultId,
      agents: agents.map((a) => {
        const hb = heartbeatOf(config, a.id);
        return { agentId: a.id, enabled: hb.enabled, every: hb.every, everyMs: hb.everyMs };
      }),
    },
    channelSummary: ctx.host.channels.summaryLines(),
    queuedSystemEvents: [...ctx.host.systemEvents],
    sessions: {
      paths: [stateDbPath(stateDir)],
      count: all.length,
      defaults: { model: defaultModelRef(config).split("/").slice(1).join("/"), contextTokens: DEFAULT_CONTEXT_TOKENS },
      recent: all.slice(0, 10).map((r) => ({ key: r.key, updatedAt: r.entry.updatedAt, age: Math.max(0, now - r.entry.updatedAt), ...(r.entry.model && { model: r.entry.model }), ...(r.entry.totalTokens !== undefined && { totalTokens: r.entry.totalTokens }) })),
      byAgent,
    },
  };
};
