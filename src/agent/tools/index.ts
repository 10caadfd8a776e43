/**
 * The agent's tools: one registry of definitions (`defineTool`), the policy that picks a run's tools
 * (policy.ts) and binding them to the run. Read-only tools are offered by default; the workspace file tools
 * that write (`write`, `edit`, `apply_patch`) or run (`exec`, `process`, which also need the host's `exec`
 * port) need `tools.profile` "coding"/"full" or an allow entry.
 *
 * Config: `tools.profile`, `tools.allow` / `alsoAllow` / `deny` (and the same under `agents.list[].tools`),
 * `tools.fs.allowOutside`, `tools.exec.*`, `tools.web.fetch.{enabled, allowPrivate, maxChars, maxBytes, timeoutSeconds}`.
 */
import type { TSchema } from "@sinclair/typebox";
import type { OpenClawConfig } from "../../config/schema.ts";
import type { AgentToolsConfig, ToolsConfig } from "../../config/tools-schema.ts";
import { applyPatchTool } from "./apply-patch.ts";
import { canvasTool } from "./canvas.ts";
import { bindTool } from "./define.ts";
import { editTool } from "./edit.ts";
import { execTool } from "./exec.ts";
import { memoryGetTool, memorySearchTool } from "./memory.ts";
import { type EffectiveTool, effectiveTools } from "./policy.ts";
import { processTool } from "./process.ts";
import { readTool } from "./read.ts";
import { sessionsHistoryTool, sessionsListTool } from "./sessions.ts";
import type { AgentTool, PortName, ToolContext, ToolDefinition, ToolPorts } from "./types.ts";
import { WEB_FETCH_DEFAULTS, type WebFetchSettings, webFetchTool } from "./web-fetch.ts";
import { writeTool } from "./write.ts";

export type { AgentTool, ToolApprovals, ToolCallContext, ToolContext, ToolDefinition, ToolNode, ToolNodes, ToolOrigin, ToolOutput, ToolParameters, ToolPorts, ToolResult, ToolRunContext, ToolExec, ToolMemory, ToolMemoryHit, ToolWorkspace } from "./types.ts";
export { bindTool, capOutput, defineTool, ToolArgumentsError } from "./define.ts";
export { DEFAULT_TOOL_ALLOW, type EffectiveTool, effectiveTools, matchEntry, PROFILE_ALLOW, TOOL_GROUPS } from "./policy.ts";
export { execSettingsOf, type ExecSettings, formatExecResult } from "./exec.ts";
export { checkFetchUrl, type WebFetchSettings } from "./web-fetch.ts";
export { isNonPublicAddress } from "../../util/net.ts";

/** Names of the tools an agent gets with a default config and no workspace (the HTTP endpoint's view). */
export const DEFAULT_TOOL_NAMES = ["sessions_list", "sessions_history", "web_fetch"] as const;

/** Every registered tool definition, in the order models see them (web_fetch takes its settings from `config`). */
export function toolDefinitions(config: OpenClawConfig): ToolDefinition<TSchema, PortName>[] {
  const defs = [sessionsListTool, sessionsHistoryTool, webFetchTool(toolPolicyOf(config).webFetch), canvasTool, readTool, writeTool, editTool, applyPatchTool, execTool, processTool, memorySearchTool, memoryGetTool];
  return defs as unknown as ToolDefinition<TSchema, PortName>[];
}

/** The ports a context provides (`workspace` from `ctx.workspace` and `tools.fs.allowOutside` when not given). */
export function toolPortsOf(ctx: ToolContext): ToolPorts {
  const workspace = ctx.workspace ? { dir: ctx.workspace, allowOutside: fsAllowOutside(ctx.config, ctx.agentId) } : undefined;
  return { store: ctx.store, ...(ctx.nodes && { nodes: ctx.nodes }), ...(workspace && { workspace }), ...ctx.ports };
}

/** What a run of `ctx.agentId` gets and why, for every registered tool (`tools.effective`, `openclaw tools list`). */
export function explainTools(ctx: ToolContext): EffectiveTool[] {
  const ports = toolPortsOf(ctx);
  return effectiveTools({ config: ctx.config, agentId: ctx.agentId, available: availablePorts(ports), tools: toolDefinitions(ctx.config) });
}

/** The tools a run gets after applying the policy, bound to its context. */
export function buildTools(ctx: ToolContext): AgentTool[] {
  const ports = toolPortsOf(ctx);
  const defs = toolDefinitions(ctx.config);
  const verdicts = effectiveTools({ config: ctx.config, agentId: ctx.agentId, available: availablePorts(ports), tools: defs });
  const { store: _s, nodes: _n, ports: _p, ...run } = ctx;
  return defs.filter((_, i) => verdicts[i]?.included).map((d) => bindTool(d, run, ports));
}

/** The effective settings of the existing keys: `tools.allow`/`deny` as written and `tools.web.fetch.*`. */
export function toolPolicyOf(config: OpenClawConfig): { allow?: string[]; deny: string[]; webFetch: WebFetchSettings & { enabled: boolean } } {
  const tools = (config.tools ?? {}) as { allow?: unknown; deny?: unknown; web?: { fetch?: Record<string, unknown> } };
  const fetchCfg = tools.web?.fetch ?? {};
  const num = (v: unknown, d: number) => (typeof v === "number" && v > 0 ? v : d);
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined);
  return {
    allow: list(tools.allow),
    deny: list(tools.deny) ?? [],
    webFetch: {
      enabled: fetchCfg.enabled !== false,
      allowPrivate: fetchCfg.allowPrivate === true,
      maxChars: num(fetchCfg.maxChars, WEB_FETCH_DEFAULTS.maxChars),
      maxBytes: num(fetchCfg.maxBytes, WEB_FETCH_DEFAULTS.maxBytes),
      timeoutMs: num(fetchCfg.timeoutSeconds, WEB_FETCH_DEFAULTS.timeoutMs / 1000) * 1000,
    },
  };
}

/** `tools.fs.allowOutside` joined with the agent's own (`agents.list[].tools.fs.allowOutside`). */
export function fsAllowOutside(config: OpenClawConfig, agentId: string): string[] {
  const global = ((config.tools ?? {}) as ToolsConfig).fs?.allowOutside ?? [];
  const agent = ((config.agents?.list?.find((a) => a.id === agentId)?.tools ?? {}) as AgentToolsConfig).fs?.allowOutside ?? [];
  return [...global, ...agent];
}

function availablePorts(ports: ToolPorts): PortName[] {
  return (Object.keys(ports) as PortName[]).filter((k) => ports[k] !== undefined && ports[k] !== null);
}
