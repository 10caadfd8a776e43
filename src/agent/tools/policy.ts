/**
 * The tool policy: which tools a run of an agent is offered, and why. Pure functions over the config; the
 * runtime (`buildTools`), a `tools.effective` method and `openclaw tools list` all use {@link effectiveTools}.
 *
 * Order (each stage can only take tools away):
 * 1. ports: a tool whose host ports are missing is not offered;
 * 2. `tools.web.fetch.enabled: false` drops web_fetch, `tools.web.search.enabled: false` web_search,
 *    `browser.enabled: false` browser;
 * 3. the profile (`agents.list[].tools.profile`, else `tools.profile`) plus `alsoAllow`; with no profile
 *    set, the default set (below) plus every tool named in an allow list;
 * 4. `tools.deny`, then `tools.allow` (when set);
 * 5. `agents.list[].tools.deny`, then its `allow`;
 * 6. for a sub-agent session only (subagent-policy.ts): the built-in sub-agent deny list, the spawn-depth
 *    cap's list, `tools.subagents.tools.deny`, then its `allow`.
 * Entries are case-insensitive, may be `group:<name>` and may use `*` wildcards (`"*"` is every tool).
 */
import type { OpenClawConfig } from "../../config/schema.ts";
import type { AgentToolsConfig, ToolProfile, ToolsConfig } from "../../config/tools-schema.ts";
import { SUBAGENT_ALWAYS_DENY, SUBAGENT_LEAF_DENY, type SubagentPosition } from "./subagent-policy.ts";
import type { PortName } from "./types.ts";

/** `group:<name>` → tool names (upstream's groups; tools that do not exist here yet are listed so entries keep their meaning). */
export const TOOL_GROUPS: Readonly<Record<string, readonly string[]>> = {
  "group:runtime": ["exec", "process"],
  "group:fs": ["read", "write", "edit", "apply_patch"],
  "group:sessions": ["sessions_list", "sessions_history", "sessions_send", "sessions_spawn", "session_status"],
  "group:memory": ["memory_search", "memory_get"],
  "group:web": ["web_search", "web_fetch"],
  "group:ui": ["browser", "canvas"],
  "group:automation": ["cron", "gateway"],
  "group:messaging": ["message"],
  "group:nodes": ["nodes"],
};

/** Base allowlists of the profiles (upstream 2026.2.3); `full` has none. */
export const PROFILE_ALLOW: Readonly<Record<ToolProfile, readonly string[] | undefined>> = {
  minimal: ["session_status"],
  coding: ["group:fs", "group:runtime", "group:sessions", "group:memory", "image"],
  messaging: ["group:messaging", "sessions_list", "sessions_history", "sessions_send", "session_status"],
  full: undefined,
};

/**
 * The tools offered when no profile is set: everything that only reads (sessions, web, canvas, workspace
 * `read`, memory). Tools that write files, run commands or send messages need a profile that holds them
 * (`coding`, `full`) or an allow entry naming them. Upstream treats "unset" as `full`; here a fresh
 * install starts without hands, and one line (`tools.profile: "coding"`) gives them.
 */
export const DEFAULT_TOOL_ALLOW: readonly string[] = ["sessions_list", "sessions_history", "session_status", "agents_list", "group:web", "canvas", "read", "group:memory", "image"];

const ALIASES: Record<string, string> = { bash: "exec", "apply-patch": "apply_patch" };

/** A tool as the policy sees it. */
export interface PolicyTool {
  name: string;
  needs: readonly PortName[];
}

/** Inputs of {@link effectiveTools}. */
export interface EffectiveToolsOptions {
  config: OpenClawConfig;
  agentId: string;
  /** Ports the host has for this run. */
  available: readonly PortName[];
  /** The tools to judge (default: every registered tool). */
  tools: readonly PolicyTool[];
  /** Set when the run's session is a sub-agent's: its layer applies after every other stage. */
  subagent?: SubagentPosition;
}

/** One tool's verdict. */
export interface EffectiveTool {
  name: string;
  included: boolean;
  /** Why, in words that name the config key responsible. */
  reason: string;
}

/** Judges every tool for a run of `agentId`. Pure; safe to call concurrently. */
export function effectiveTools(opts: EffectiveToolsOptions): EffectiveTool[] {
  const global = (opts.config.tools ?? {}) as ToolsConfig;
  const agentIndex = opts.config.agents?.list?.findIndex((a) => a.id === opts.agentId) ?? -1;
  const agent = (agentIndex >= 0 ? (opts.config.agents?.list?.[agentIndex]?.tools ?? {}) : {}) as AgentToolsConfig;
  const agentKey = `agents.list[${agentIndex}].tools`;
  const profile = agent.profile ?? global.profile;
  const profileKey = agent.profile ? `${agentKey}.profile` : "tools.profile";
  const alsoAllow = agent.alsoAllow ?? global.alsoAllow ?? [];
  const globalAllow = allowOf(global);
  const agentAllow = allowOf(agent);
  const base = profile ? PROFILE_ALLOW[profile] : [...DEFAULT_TOOL_ALLOW, ...(globalAllow ?? []), ...(agentAllow ?? [])];
  const baseList = base ? [...base, ...alsoAllow] : undefined;
  const webFetchOff = (global.web?.fetch as { enabled?: unknown } | undefined)?.enabled === false;
  const webSearchOff = (global.web?.search as { enabled?: unknown } | undefined)?.enabled === false;
  // memorySearch.enabled (the agent's own over the defaults) turns memory search off for the agent's runs.
  const agentMemory = agentIndex >= 0 ? opts.config.agents?.list?.[agentIndex]?.memorySearch?.enabled : undefined;
  const memoryOffKey = agentMemory !== undefined ? (agentMemory === false ? `agents.list[${agentIndex}].memorySearch.enabled` : undefined) : opts.config.agents?.defaults?.memorySearch?.enabled === false ? "agents.defaults.memorySearch.enabled" : undefined;

  return opts.tools.map((t): EffectiveTool => {
    const no = (reason: string) => ({ name: t.name, included: false, reason });
    const missing = t.needs.filter((n) => !opts.available.includes(n));
    if (missing.length > 0) return no(`needs ${missing.join(", ")}, not available here`);
    if (t.name === "web_fetch" && webFetchOff) return no("tools.web.fetch.enabled is false");
    if (t.name === "web_search" && webSearchOff) return no("tools.web.search.enabled is false");
    if (t.name === "browser" && opts.config.browser?.enabled === false) return no("browser.enabled is false");
    if ((t.name === "memory_search" || t.name === "memory_get") && memoryOffKey) return no(`${memoryOffKey} is false`);
    if (baseList && !matchEntry(baseList, t.name)) {
      return no(profile ? `not in profile "${profile}" (${profileKey})` : 'not in the default tool set (no tools.profile); set tools.profile to "coding" or "full", or name it in tools.allow');
    }
    const stages: [string, { allow?: string[]; deny?: string[] }][] = [
      ["tools", { allow: globalAllow, deny: global.deny }],
      [agentKey, { allow: agentAllow, deny: agent.deny }],
    ];
    for (const [key, p] of stages) {
      const denied = p.deny ? matchEntry(p.deny, t.name) : undefined;
      if (denied) return no(`denied by ${key}.deny ("${denied}")`);
      if (p.allow && !matchEntry(p.allow, t.name)) return no(`not in ${key}.allow`);
    }
    const sub = opts.subagent && subagentVerdict(opts.subagent, t.name);
    if (sub) return no(sub);
    const by = profile ? `profile "${profile}" (${profileKey})` : matchEntry(DEFAULT_TOOL_ALLOW, t.name) ? "default tool set (no tools.profile)" : "named in an allow list";
    return { name: t.name, included: true, reason: `allowed by ${by}${opts.subagent ? "; kept for sub-agents (tools.subagents.tools)" : ""}` };
  });
}

/**
 * The first entry of `list` that matches tool `name`, or undefined. Entries: names (case-insensitive,
 * `bash` = exec), `group:<name>`, `*` wildcards.
 */
export function matchEntry(list: readonly string[], name: string): string | undefined {
  const tool = normalize(name);
  for (const raw of list) {
    const entry = normalize(raw);
    if (!entry) continue;
    const group = TOOL_GROUPS[entry];
    if (group ? group.includes(tool) : entry.includes("*") ? wildcard(entry).test(tool) : entry === tool) return raw;
  }
  return undefined;
}

/** Entries of the policy lists that name no tool and no group (typos): for warnings. */
export function unknownPolicyEntries(lists: readonly (readonly string[] | undefined)[], known: readonly string[]): string[] {
  const all = new Set([...known, ...Object.values(TOOL_GROUPS).flat(), ...Object.values(PROFILE_ALLOW).flatMap((l) => l ?? [])].map(normalize));
  return [...new Set(lists.flatMap((l) => l ?? []).filter((e) => {
    const n = normalize(e);
    return !n.includes("*") && !TOOL_GROUPS[n] && !all.has(n);
  }))];
}

// --- internal ---

/** Why the sub-agent layer takes `name` away, or undefined when it keeps it. */
function subagentVerdict(sub: SubagentPosition, name: string): string | undefined {
  const always = matchEntry(SUBAGENT_ALWAYS_DENY, name);
  if (always) return `never offered to sub-agents (built-in sub-agent deny list, "${always}")`;
  if (sub.depth >= sub.maxSpawnDepth && matchEntry(SUBAGENT_LEAF_DENY, name)) {
    return `not offered to a sub-agent at spawn depth ${sub.depth} (agents.defaults.subagents.maxSpawnDepth is ${sub.maxSpawnDepth})`;
  }
  const denied = sub.tools.deny ? matchEntry(sub.tools.deny, name) : undefined;
  if (denied) return `denied by tools.subagents.tools.deny ("${denied}")`;
  if (sub.tools.allow && !matchEntry(sub.tools.allow, name)) return "not in tools.subagents.tools.allow";
  return undefined;
}

/** `allow` joined with `alsoAllow` (upstream: alsoAllow alone means "everything, plus these"). */
function allowOf(p: { allow?: string[]; alsoAllow?: string[] }): string[] | undefined {
  if (!p.allow) return undefined;
  return [...p.allow, ...(p.alsoAllow ?? [])];
}

function normalize(name: string): string {
  const n = name.trim().toLowerCase();
  return ALIASES[n] ?? n;
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}
