/**
 * The agent's tools and the policy that picks them. Default set: `sessions_list`, `sessions_history`,
 * `web_fetch`, plus `canvas` when the gateway gives access to its nodes. Nothing here runs shell commands
 * or writes files.
 *
 * Policy (config `tools`): `tools.deny: string[]` removes tools; `tools.allow: string[]`, when set, keeps only
 * those; `tools.web.fetch.enabled: false` drops web_fetch; `tools.web.fetch.allowPrivate: true` lets it reach
 * private/loopback/link-local addresses; `tools.web.fetch.{maxChars, maxBytes, timeoutSeconds}` tune caps.
 */
import type { OpenClawConfig } from "../../config/schema.ts";
import { createCanvasTool } from "./canvas.ts";
import { createSessionsHistoryTool, createSessionsListTool } from "./sessions.ts";
import type { AgentTool, ToolContext } from "./types.ts";
import { createWebFetchTool, WEB_FETCH_DEFAULTS, type WebFetchSettings } from "./web-fetch.ts";

export type { AgentTool, ToolContext, ToolNode, ToolNodes, ToolParameters } from "./types.ts";
export { checkFetchUrl, type WebFetchSettings } from "./web-fetch.ts";
export { isNonPublicAddress } from "../../util/net.ts";

/** Names of the default tools. */
export const DEFAULT_TOOL_NAMES = ["sessions_list", "sessions_history", "web_fetch"] as const;

/** The tools a run gets after applying the policy (`canvas` only when `ctx.nodes` is given). */
export function buildTools(ctx: ToolContext): AgentTool[] {
  const policy = toolPolicyOf(ctx.config);
  const tools: AgentTool[] = [createSessionsListTool(ctx), createSessionsHistoryTool(ctx)];
  if (policy.webFetch.enabled) tools.push(createWebFetchTool(policy.webFetch));
  if (ctx.nodes) tools.push(createCanvasTool(ctx.nodes));
  return tools.filter((t) => !policy.deny.includes(t.name) && (!policy.allow || policy.allow.includes(t.name)));
}

/** The effective tool policy. */
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
