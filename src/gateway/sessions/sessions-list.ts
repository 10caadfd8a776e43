import { agentIds, agentOf, contextWindowOf, modelChain, parseModelRef, sessionKind } from "../../agent/index.ts";
import type { SessionsHost } from "./_host.ts";
import type { OpenClawConfig } from "../../config/schema.ts";
import type { SessionRow, Store } from "../../store/index.ts";
import { DEFAULT_CONTEXT_TOKENS, defaultModelRef } from "../agents/agents-view.ts";
import type { MethodHandler } from "../context.ts";
import { stateDbPath } from "./sessions-view.ts";

const PREVIEW_CHARS = 160;

/**
 * `sessions.list`: session entries from the store, most recently active first. Filters: `agentId`,
 * `activeMinutes`, `label` (exact), `search` (key, label, display name), v4's `configuredAgentsOnly`
 * and `archived`, then `offset` (v4) and `limit`. `includeLastMessage` adds
 * `lastMessagePreview`; `includeDerivedTitles` adds `derivedTitle` (the first user message).
 */
export const sessionsList: MethodHandler<"sessions.list", SessionsHost> = (ctx, params) => {
  const p = params;
  const { store, config } = ctx.host;
  const now = Date.now();
  const search = p.search?.trim().toLowerCase();
  const configured = agentIds(config).ids;
  let rows = store.listSessions(p.agentId ? `agent:${p.agentId}:` : undefined).filter((r) => {
    const kind = sessionKind(r.key);
    if (kind === "global" && p.includeGlobal === false) return false;
    if (kind === "unknown" && !p.includeUnknown) return false;
    if (p.activeMinutes && now - r.entry.updatedAt > p.activeMinutes * 60_000) return false;
    if (p.label !== undefined && r.entry.label !== p.label) return false;
    if (search && ![r.key, r.entry.label, r.entry.displayName].some((v) => typeof v === "string" && v.toLowerCase().includes(search))) return false;
    if (p.configuredAgentsOnly) {
      const agent = agentOf(r.key);
      if (agent !== undefined && !configured.includes(agent)) return false;
    }
    return true;
  });
  // We never archive a session: asking for archived ones only finds none.
  if (p.archived === true) rows = [];
  if (p.offset) rows = rows.slice(p.offset);
  if (p.limit) rows = rows.slice(0, p.limit);
  const [provider, ...rest] = defaultModelRef(config).split("/");
  return {
    ts: now,
    path: stateDbPath(ctx.host.stateDir),
    count: rows.length,
    defaults: { modelProvider: provider, model: rest.join("/"), contextTokens: DEFAULT_CONTEXT_TOKENS },
    sessions: rows.map((r) => toListRow(store, config, r, p.includeLastMessage === true, p.includeDerivedTitles === true)),
  };
};

/**
 * One `sessions.list` row: the stored entry plus key, kind and chat type, and the token figures the upstream
 * clients show as "total / context": `totalTokens` always (0 before the first run), the model the session
 * runs on (`modelProvider`, `model`: the last run's, else the one it would use), and, once it has run,
 * `contextTokens` (the model's context window; the 200k default when the config names none).
 */
export function toListRow(store: Store, config: OpenClawConfig, row: SessionRow, lastMessage: boolean, derivedTitle: boolean): Record<string, unknown> {
  const { modelOverride, ...entry } = row.entry;
  const kind = sessionKind(row.key);
  const out: Record<string, unknown> = { key: row.key, kind, chatType: entry.chatType ?? (kind === "group" ? "group" : "direct"), ...entry };
  if (modelOverride) out.modelOverride = modelOverride;
  const ref = entry.modelProvider && entry.model ? `${entry.modelProvider}/${entry.model}` : modelChain(config, agentOf(row.key) ?? agentIds(config).defaultId, modelOverride)[0];
  const parsed = parseModelRef(ref);
  if (parsed) {
    out.modelProvider ??= parsed.provider;
    out.model ??= parsed.model;
  }
  out.totalTokens = entry.totalTokens ?? (entry.inputTokens ?? 0) + (entry.outputTokens ?? 0);
  const hasRun = entry.totalTokens !== undefined || entry.inputTokens !== undefined || entry.model !== undefined;
  if (entry.contextTokens === undefined && hasRun) out.contextTokens = contextWindowOf(config, ref) ?? DEFAULT_CONTEXT_TOKENS;
  if (lastMessage) {
    const last = store.readMessages(entry.sessionId, 1, { imageMessages: 0 })[0];
    const text = last ? textOf(last.content) : "";
    if (text) out.lastMessagePreview = clip(text);
  }
  if (derivedTitle) {
    const first = store.readMessages(entry.sessionId, 50, { imageMessages: 0 }).find((m) => m.role === "user");
    const text = first ? textOf(first.content) : "";
    if (text) out.derivedTitle = clip(text.split("\n")[0], 60);
  }
  return out;
}

function textOf(content: { type: string; text?: string }[]): string {
  return content.flatMap((b) => (b.type === "text" && b.text ? [b.text] : [])).join(" ").trim();
}

function clip(text: string, max = PREVIEW_CHARS): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
