/**
 * `session_status` (model, tokens and context use of the current session, or another of the agent's) and
 * `agents_list` (the configured agents, and which one `sessions_spawn` runs). Read-only.
 */
import { Type as T } from "@sinclair/typebox";
import { modelChain } from "../models.ts";
import { agentIds, canonicalSessionKey, mainSessionKey } from "../session-keys.ts";
import { defineTool } from "./define.ts";

/** `session_status`: what the session runs on and how full its context is. */
export const sessionStatusTool = defineTool({
  name: "session_status",
  description: "Show the current session's status: model, token counts of the last turn, context window and how much of it is used (or another of your sessions by sessionKey).",
  group: "sessions",
  needs: ["store"],
  parameters: T.Object({ sessionKey: T.Optional(T.String({ minLength: 1, description: 'Another of your sessions (default: this one; "main" = your main session).' })) }, { additionalProperties: false }),
  async execute(args, ctx) {
    const { store } = ctx.ports;
    const raw = args.sessionKey?.trim();
    const key = !raw ? ctx.sessionKey : raw === "main" ? mainSessionKey(ctx.config, ctx.agentId) : canonicalSessionKey(ctx.config, raw);
    if (!key.startsWith(`agent:${ctx.agentId}:`)) throw new Error(`session ${key} belongs to another agent`);
    const entry = store.getSession(key);
    if (!entry && key !== ctx.sessionKey) throw new Error(`no session ${key} (see sessions_list)`);
    const configured = modelChain(ctx.config, ctx.agentId, entry?.modelOverride)[0];
    const used = entry?.totalTokens;
    const window = entry?.contextTokens;
    return JSON.stringify(
      {
        sessionKey: key,
        current: key === ctx.sessionKey,
        ...(entry && { sessionId: entry.sessionId, updatedAt: new Date(entry.updatedAt).toISOString() }),
        ...(entry?.label && { label: entry.label }),
        model: entry?.model ? `${entry.modelProvider}/${entry.model}` : configured,
        ...(entry?.modelOverride && { modelOverride: entry.modelOverride }),
        ...(entry?.thinkingLevel && { thinking: entry.thinkingLevel }),
        tokens: { input: entry?.inputTokens ?? null, output: entry?.outputTokens ?? null, total: used ?? null },
        contextWindow: window ?? null,
        contextUsed: used !== undefined && window ? `${Math.round((used / window) * 1000) / 10}%` : null,
        messages: entry ? store.countMessages(entry.sessionId) : 0,
        ...(typeof entry?.spawnedBy === "string" && { spawnedBy: entry.spawnedBy }),
      },
      null,
      2,
    );
  },
});

/** `agents_list`: configured agents; `sessions_spawn` runs sub-agents as the calling agent. */
export const agentsListTool = defineTool({
  name: "agents_list",
  description: "List the configured agents (id, name, default, model). sessions_spawn runs sub-agents as yourself.",
  group: "sessions",
  needs: [],
  parameters: T.Object({}, { additionalProperties: false }),
  async execute(_args, ctx) {
    const { defaultId, ids } = agentIds(ctx.config);
    const agents = ids.map((id) => {
      const conf = ctx.config.agents?.list?.find((a) => a.id === id);
      const name = conf?.identity?.name ?? conf?.name;
      return { id, ...(name && { name }), default: id === defaultId, model: modelChain(ctx.config, id)[0], self: id === ctx.agentId, spawnable: id === ctx.agentId };
    });
    return JSON.stringify({ requester: ctx.agentId, agents }, null, 2);
  },
});
