/**
 * `session_status` (model, tokens and context use of the current session, or another of the agent's) and
 * `agents_list` (the configured agents, and which one `sessions_spawn` runs). Read-only.
 */
import { Type as T } from "@sinclair/typebox";
import type { SessionEntry, Store, TranscriptMessage, Usage } from "../../store/index.ts";
import { contextWindowOf, modelChain } from "../models.ts";
import { agentIds, canonicalSessionKey, mainSessionKey } from "../session-keys.ts";
import { defineTool } from "./define.ts";

/** How many of the newest transcript messages are searched for the last model call, widening up to all. */
const LOOKBACK = [20, 400] as const;

/** The session's last finished model call: its usage, the model that made it, when. */
export interface LastCall {
  usage: Usage;
  ref?: string;
  at: number;
}

/**
 * The last finished model call in a transcript: the newest assistant message with a usage (a stopped
 * reply's cut-off text carries none). Its prompt plus completion is what the session's context holds.
 */
export function lastCallOf(store: Store, sessionId: string): LastCall | undefined {
  const total = store.countMessages(sessionId);
  for (const limit of [...LOOKBACK, total]) {
    const found = newestCall(store.readMessages(sessionId, limit, { imageMessages: 0 }));
    if (found || limit >= total) return found;
  }
  return undefined;
}

/** Tokens a call's context held: its prompt (cache reads and writes included) and its completion. */
export function contextTokensOf(usage: Usage): number {
  return usage.input + usage.cacheRead + usage.cacheWrite + usage.output;
}

/** `session_status`: what the session runs on and how full its context is. */
export const sessionStatusTool = defineTool({
  name: "session_status",
  description:
    "Show a session's status (default: this one): model, the tokens of the current context (the last model call's prompt + completion) against the model's context window, and a status card.",
  group: "sessions",
  needs: ["store"],
  parameters: T.Object({ sessionKey: T.Optional(T.String({ minLength: 1, description: 'Another of your sessions (default: this one; "main" = your main session).' })) }, { additionalProperties: false }),
  async execute(args, ctx) {
    const { store } = ctx.ports;
    const raw = args.sessionKey?.trim();
    const key = !raw || raw === "current" ? ctx.sessionKey : raw === "main" ? mainSessionKey(ctx.config, ctx.agentId) : canonicalSessionKey(ctx.config, raw);
    if (!key.startsWith(`agent:${ctx.agentId}:`)) throw new Error(`session ${key} belongs to another agent`);
    const entry = store.getSession(key);
    if (!entry && key !== ctx.sessionKey) throw new Error(`no session ${key} (see sessions_list)`);
    const last = entry ? lastCallOf(store, entry.sessionId) : undefined;
    const model = last?.ref ?? (entry?.model ? `${entry.modelProvider}/${entry.model}` : modelChain(ctx.config, ctx.agentId, entry?.modelOverride)[0]);
    const window = contextWindowOf(ctx.config, model) ?? null;
    const used = last ? contextTokensOf(last.usage) : null;
    const prompt = last ? last.usage.input + last.usage.cacheRead + last.usage.cacheWrite : null;
    const contextUsed = used !== null && window ? `${Math.round((used / window) * 1000) / 10}%` : null;
    const status = {
      ok: true,
      sessionKey: key,
      agentId: ctx.agentId,
      current: key === ctx.sessionKey,
      ...(entry && { sessionId: entry.sessionId, updatedAt: new Date(entry.updatedAt).toISOString() }),
      ...(entry?.label && { label: entry.label }),
      model,
      ...(entry?.modelOverride && { modelOverride: entry.modelOverride }),
      ...(entry?.thinkingLevel && { thinking: entry.thinkingLevel }),
      // The last model call: its prompt (with cache reads/writes), its completion, and both (the context).
      tokens: {
        input: prompt,
        output: last?.usage.output ?? null,
        ...(last && (last.usage.cacheRead > 0 || last.usage.cacheWrite > 0) && { cacheRead: last.usage.cacheRead, cacheWrite: last.usage.cacheWrite }),
        total: used,
      },
      ...(last && { lastCallAt: new Date(last.at).toISOString() }),
      contextWindow: window,
      contextUsed,
      messages: entry ? store.countMessages(entry.sessionId) : 0,
      ...(typeof entry?.spawnedBy === "string" && { spawnedBy: entry.spawnedBy }),
      ...(entry?.deliveryContext && { deliveryContext: entry.deliveryContext }),
    };
    return JSON.stringify({ ...status, statusText: statusCard(key, model, entry, last, used, window, Date.now()) }, null, 2);
  },
});

// --- internal ---

function newestCall(messages: TranscriptMessage[]): LastCall | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role !== "assistant" || !m.usage || contextTokensOf(m.usage) <= 0) continue;
    return { usage: m.usage, ...(m.provider && m.model && { ref: `${m.provider}/${m.model}` }), at: m.timestamp };
  }
  return undefined;
}

/** A `/status`-style card: model, the last call's tokens, context use, the session. */
function statusCard(key: string, model: string, entry: SessionEntry | undefined, last: LastCall | undefined, used: number | null, window: number | null, now: number): string {
  const pct = used !== null && window ? ` (${Math.min(999, Math.round((used / window) * 100))}%)` : "";
  const context = used === null ? "no model call yet" : `${formatCount(used)}/${window ? formatCount(window) : "?"}${pct}${window ? "" : " (context window not configured for this model)"}`;
  return [
    `🧠 Model: ${model}`,
    last ? `🧮 Tokens (last call): ${formatCount(last.usage.input + last.usage.cacheRead + last.usage.cacheWrite)} in / ${formatCount(last.usage.output)} out` : undefined,
    `📚 Context: ${context}`,
    `🧵 Session: ${key}${entry ? ` • updated ${formatAge(now - entry.updatedAt)}` : " • no activity"}`,
  ]
    .filter(Boolean)
    .join("\n");
}

function formatCount(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)}m`;
  if (n >= 1_000) return `${(n / 1_000).toFixed(1)}k`;
  return String(Math.round(n));
}

function formatAge(ms: number): string {
  const minutes = Math.round(Math.max(0, ms) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours}h ago` : `${Math.round(hours / 24)}d ago`;
}

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
