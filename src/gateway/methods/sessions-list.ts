import { DEFAULT_CONTEXT_TOKENS, defaultModelRef, listAgents, sessionsPath } from "../agents-view.ts";
import type { MethodHandler } from "../context.ts";

/** `sessions.list`: the session store's entries. No agent runtime is running yet, so the store is empty. */
export const sessionsList: MethodHandler = (ctx) => {
  const [provider, ...rest] = defaultModelRef(ctx.gw.config).split("/");
  return {
    ts: Date.now(),
    path: sessionsPath(ctx.gw.stateDir, listAgents(ctx.gw.config).defaultId),
    count: 0,
    defaults: { modelProvider: provider, model: rest.join("/"), contextTokens: DEFAULT_CONTEXT_TOKENS },
    sessions: [],
  };
};
