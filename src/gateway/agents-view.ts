/**
 * Read-only views of the configured agents that several methods share (health, status, agents.list,
 * models.list, sessions.list). Derived from config on every call so a hot reload is seen at once.
 */
import type { OpenClawConfig } from "../config/schema.ts";

/** The model used when none is configured (upstream default). */
export const DEFAULT_MODEL = "anthropic/claude-opus-4-5";
/** Context window assumed for the default model. */
export const DEFAULT_CONTEXT_TOKENS = 200_000;
const DEFAULT_HEARTBEAT = "30m";
/** What a heartbeat turn asks the agent when `heartbeat.prompt` is not set. */
export const DEFAULT_HEARTBEAT_PROMPT =
  "Heartbeat: look at HEARTBEAT.md in your workspace, if there is one, and do what is due. If nothing needs attention, answer HEARTBEAT_OK.";

/** One configured agent as clients see it. */
export interface AgentView {
  id: string;
  name?: string;
  identity?: { name?: string; theme?: string; emoji?: string; avatar?: string };
  isDefault: boolean;
}

/** The agents from `agents.list`, or the implicit `main` agent when the list is empty. */
export function listAgents(config: OpenClawConfig): { defaultId: string; agents: AgentView[] } {
  const list = config.agents?.list ?? [];
  if (list.length === 0) return { defaultId: "main", agents: [{ id: "main", isDefault: true }] };
  const defaultId = (list.find((a) => a.default) ?? list[0]).id;
  return {
    defaultId,
    agents: list.map((a) => ({ id: a.id, name: a.name, identity: a.identity, isDefault: a.id === defaultId })),
  };
}

/** `session.mainKey` (default "main") and scope (default "per-sender"). */
export function sessionDefaults(config: OpenClawConfig): { defaultAgentId: string; mainKey: string; mainSessionKey: string; scope: string } {
  const { defaultId } = listAgents(config);
  const mainKey = config.session?.mainKey ?? "main";
  return { defaultAgentId: defaultId, mainKey, mainSessionKey: `agent:${defaultId}:${mainKey}`, scope: config.session?.scope ?? "per-sender" };
}

/** The primary model ref `provider/model` of the defaults. */
export function defaultModelRef(config: OpenClawConfig): string {
  const model = config.agents?.defaults?.model;
  if (typeof model === "string") return model;
  return model?.primary ?? DEFAULT_MODEL;
}

/** Heartbeat settings of an agent: `every` as text and in ms (0 when disabled). */
export function heartbeatOf(config: OpenClawConfig): { every: string; everyMs: number; enabled: boolean; prompt: string } {
  const hb = (config.agents?.defaults as { heartbeat?: { every?: string; prompt?: string } } | undefined)?.heartbeat;
  const every = hb?.every ?? DEFAULT_HEARTBEAT;
  const everyMs = parseDuration(every);
  return { every, everyMs, enabled: everyMs > 0, prompt: hb?.prompt ?? DEFAULT_HEARTBEAT_PROMPT };
}

/** Parses "30m", "1h", "45s", "500ms", "0" into ms; unknown text → 0. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) return 0;
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? "m") as "ms"];
  return Math.round(n * unit);
}
