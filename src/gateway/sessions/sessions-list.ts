import { agentIds, agentOf, contextWindowOf, modelChain, parseModelRef, sessionKind } from "../../agent/index.ts";
import type { SessionsHost } from "./_host.ts";
import type { OpenClawConfig } from "../../config/schema.ts";
import type { SessionRow, Store } from "../../store/index.ts";
import { DEFAULT_CONTEXT_TOKENS, defaultModelRef } from "../agents/agents-view.ts";
import type { MethodHandler } from "../context.ts";
import { stateDbPath } from "./sessions-view.ts";
import { isArchived, sidebarFlags, withoutSidebarFields } from "./_sidebar.ts";

const PREVIEW_CHARS = 160;

/**
 * `sessions.list`: session entries from the store, most recently active first. Filters: `agentId`,
 * `activeMinutes`, `label` (exact), `search` (key, label, display name), v4's `configuredAgentsOnly`,
 * `pinned` and `archived` (`true` only archived sessions, `"all"` both, `false` none), then `offset` (v4) and
 * `limit`. Without `archived`, a v4 list leaves archived sessions out; a v3 list shows every session, as
 * before there was an archive. `includeLastMessage` adds `lastMessagePreview`; `includeDerivedTitles` adds
 * `derivedTitle` (the first user message). v4 rows carry the sidebar state (`_sidebar.ts`).
 */
export const sessionsList: MethodHandler<"sessions.list", SessionsHost> = (ctx, params) => {
  const p = params;
  const { store, config } = ctx.host;
  const now = Date.now();
  const search = p.search?.trim().toLowerCase();
  const configured = agentIds(config).ids;
  const sidebar = ctx.client.protocol >= 4;
  const archived = p.archived ?? (sidebar ? false : "all");
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
    if (archived !== "all" && isArchived(r.entry) !== archived) return false;
    if (p.pinned !== undefined && (r.entry.pinnedAt !== undefined) !== p.pinned) return false;
    return true;
  });
  if (p.offset) rows = rows.slice(p.offset);
  if (p.limit) rows = rows.slice(0, p.limit);
  const [provider, ...rest] = defaultModelRef(config).split("/");
  return {
    ts: now,
    path: stateDbPath(ctx.host.stateDir),
    count: rows.length,
    defaults: { modelProvider: provider, model: rest.join("/"), contextTokens: DEFAULT_CONTEXT_TOKENS },
    sessions: rows.map((r) => toListRow(store, config, r, { lastMessage: p.includeLastMessage === true, derivedTitle: p.includeDerivedTitles === true, sidebar })),
  };
};

/**
 * One `sessions.list` row: the stored entry plus key, kind and chat type, and the token figures the upstream
 * clients show as "total / context": `totalTokens` always (0 before the first run), the model the session
 * runs on (`modelProvider`, `model`: the last run's, else the one it would use), and, once it has run,
 * `contextTokens` (the model's context window; the 200k default when the config names none). With
 * `sidebar` (v4 rows) it adds `pinned`, `archived`, `unread` and `lastInteractionAt` (`_sidebar.ts`); without,
 * the stored sidebar fields are left out.
 */
export function toListRow(store: Store, config: OpenClawConfig, row: SessionRow, opts: ListRowOptions = {}): Record<string, unknown> {
  const { lastMessage = false, derivedTitle = false, sidebar = false } = opts;
  const { modelOverride, ...entry } = sidebar ? row.entry : withoutSidebarFields(row.entry);
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
  if (sidebar) Object.assign(out, sidebarFlags(store, row.entry));
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

/** What {@link toListRow} adds to a row. */
export interface ListRowOptions {
  /** `lastMessagePreview`: the newest message's text. */
  lastMessage?: boolean;
  /** `derivedTitle`: the first user message's first line. */
  derivedTitle?: boolean;
  /** The v4 sidebar state (`pinned`, `archived`, `unread` and their timestamps). */
  sidebar?: boolean;
}

function textOf(content: { type: string; text?: string }[]): string {
  return content.flatMap((b) => (b.type === "text" && b.text ? [b.text] : [])).join(" ").trim();
}

function clip(text: string, max = PREVIEW_CHARS): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
