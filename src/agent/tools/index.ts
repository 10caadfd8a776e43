/**
 * The agent's tools: one registry of definitions (`defineTool`), the policy that picks a run's tools
 * (policy.ts) and binding them to the run. Read-only tools are offered by default; the workspace file tools
 * that write (`write`, `edit`, `apply_patch`) or run (`exec`, `process`, which also need the host's `exec`
 * port) need `tools.profile` "coding"/"full" or an allow entry; `browser` and `nodes` (they act on pages and
 * devices) need "full" or an allow entry (`group:ui`, `group:nodes`).
 *
 * Config: `tools.profile`, `tools.allow` / `alsoAllow` / `deny` (and the same under `agents.list[].tools`),
 * `tools.fs.allowOutside`, `tools.exec.*`, `tools.web.fetch.{enabled, allowPrivate, maxChars, maxBytes, timeoutSeconds}`,
 * `tools.web.search.{enabled, apiKey, baseUrl, maxResults, timeoutSeconds}` (key also from `BRAVE_API_KEY`).
 */
import type { TSchema } from "@sinclair/typebox";
import type { OpenClawConfig } from "../../config/schema.ts";
import type { AgentToolsConfig, ToolsConfig } from "../../config/tools-schema.ts";
import { applyPatchTool } from "./apply-patch.ts";
import { browserTool } from "./browser.ts";
import { canvasTool } from "./canvas.ts";
import { cronTool } from "./cron.ts";
import { bindTool } from "./define.ts";
import { editTool } from "./edit.ts";
import { execTool } from "./exec.ts";
import { messageTool } from "./message.ts";
import { imageTool } from "./image.ts";
import { memoryGetTool, memorySearchTool } from "./memory.ts";
import { type EffectiveTool, effectiveTools } from "./policy.ts";
import { subagentPositionOf } from "./subagent-policy.ts";
import { nodesTool } from "./nodes.ts";
import { processTool } from "./process.ts";
import { readTool } from "./read.ts";
import { sessionsHistoryTool, sessionsListTool } from "./sessions.ts";
import { sessionsSendTool, sessionsSpawnTool } from "./sessions-run.ts";
import { agentsListTool, sessionStatusTool } from "./session-status.ts";
import type { AgentTool, PortName, ToolContext, ToolDefinition, ToolGroup, ToolPorts } from "./types.ts";
import { WEB_FETCH_DEFAULTS, type WebFetchSettings, webFetchTool } from "./web-fetch.ts";
import { webSearchToolOf } from "./web-search.ts";
import { writeTool } from "./write.ts";

export type { AgentTool, ToolApprovals, ToolBrowser, ToolVision, ToolCallContext, ToolContext, ToolDefinition, ToolNode, ToolNodes, ToolOrigin, ToolOutput, ToolParameters, ToolPorts, ToolResult, ToolRunContext, ToolExec, ToolMemory, ToolMemoryHit, ToolWorkspace, ToolChannels, ToolCron, ToolCronJob, ToolAgentRuns, ToolRunEnd, ToolSpawnedRun, HostToolPorts } from "./types.ts";
export { bindTool, capOutput, defineTool, ToolArgumentsError } from "./define.ts";
export { DEFAULT_TOOL_ALLOW, type EffectiveTool, effectiveTools, matchEntry, PROFILE_ALLOW, TOOL_GROUPS } from "./policy.ts";
export { isSubagentKey, SUBAGENT_ALWAYS_DENY, SUBAGENT_LEAF_DENY } from "./subagent-policy.ts";
export { execSettingsOf, type ExecSettings, formatExecResult } from "./exec.ts";
export { checkFetchUrl, type WebFetchSettings } from "./web-fetch.ts";
export { isNonPublicAddress } from "../../util/net.ts";

/** Names of the tools an agent gets with a default config and no workspace (the HTTP endpoint's view). */
export const DEFAULT_TOOL_NAMES = ["sessions_list", "sessions_history", "web_search", "web_fetch"] as const;

/** Every registered tool definition, in the order models see them (web_fetch takes its settings from `config`). */
export function toolDefinitions(config: OpenClawConfig): ToolDefinition<TSchema, PortName>[] {
  const defs = [sessionsListTool, sessionsHistoryTool, webSearchToolOf(config), webFetchTool(toolPolicyOf(config).webFetch), canvasTool, browserTool, imageTool, nodesTool, readTool, writeTool, editTool, applyPatchTool, execTool, processTool, memorySearchTool, memoryGetTool, messageTool, cronTool, sessionsSendTool, sessionsSpawnTool, sessionStatusTool, agentsListTool];
  return defs as unknown as ToolDefinition<TSchema, PortName>[];
}

/** The ports a context provides (`workspace` from `ctx.workspace` and `tools.fs.allowOutside` when not given). */
export function toolPortsOf(ctx: ToolContext): ToolPorts {
  const workspace = ctx.workspace ? { dir: ctx.workspace, allowOutside: fsAllowOutside(ctx.config, ctx.agentId), ...(ctx.readDirs?.length && { readOnly: ctx.readDirs }) } : undefined;
  return { store: ctx.store, ...(ctx.nodes && { nodes: ctx.nodes }), ...(workspace && { workspace }), ...ctx.ports };
}

/** One registered tool as {@link explainTools} reports it: the policy's verdict plus what the definition declares. */
export interface ExplainedTool extends EffectiveTool {
  group?: ToolGroup;
  /** May it run over `POST /tools/invoke` (the definition's flag; `gateway.tools.allow` can still widen it). */
  http: boolean;
  /** Host ports it needs. */
  needs: PortName[];
}

/** What a run of `ctx.agentId` gets and why, for every registered tool (`tools.effective`, `openclaw tools list`). */
export function explainTools(ctx: ToolContext): ExplainedTool[] {
  const ports = toolPortsOf(ctx);
  const defs = toolDefinitions(ctx.config);
  const verdicts = judge(ctx, ports, defs);
  return verdicts.map((v, i) => {
    const def = defs[i] as ToolDefinition<TSchema, PortName>;
    return { ...v, ...(def.group && { group: def.group }), http: def.http === true, needs: [...def.needs] };
  });
}

/** The tools a run gets after applying the policy, bound to its context. */
export function buildTools(ctx: ToolContext): AgentTool[] {
  const ports = toolPortsOf(ctx);
  const defs = toolDefinitions(ctx.config);
  const verdicts = judge(ctx, ports, defs);
  const { store: _s, nodes: _n, ports: _p, readDirs: _r, ...run } = ctx;
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

/** The policy's verdicts for a run of `ctx` (the sub-agent layer when `ctx.sessionKey` is a sub-agent's). */
function judge(ctx: ToolContext, ports: ToolPorts, defs: ToolDefinition<TSchema, PortName>[]): EffectiveTool[] {
  const subagent = subagentPositionOf(ctx.config, ctx.store, ctx.agentId, ctx.sessionKey);
  return effectiveTools({ config: ctx.config, agentId: ctx.agentId, available: availablePorts(ports), tools: defs, ...(subagent && { subagent }) });
}

function availablePorts(ports: ToolPorts): PortName[] {
  return (Object.keys(ports) as PortName[]).filter((k) => ports[k] !== undefined && ports[k] !== null);
}
