/**
 * `POST /tools/invoke` (http.md §5): runs one agent tool by name, outside any model turn. Always on, bearer
 * auth, body ≤ 2 MiB. A tool must survive the agent's own policy (`tools.allow/deny`, as in runs) and then
 * the HTTP policy: a default deny list of tools that reach beyond one request (spawning sessions, shell
 * execution, config and gateway control, scheduling), minus `gateway.tools.allow`, plus `gateway.tools.deny`.
 * Unknown and denied tools answer the same 404 so the list of installed tools does not leak.
 *
 * `canvas` is reachable: it only sends the canvas commands of the node allowlist (A2UI checked by the node
 * registry), with the same bearer that could already call `node.invoke` over the WebSocket. Deny it with
 * `gateway.tools.deny: ["canvas"]`.
 */
import { agentIds, agentOf, buildTools, canonicalSessionKey, mainSessionKey } from "../../agent/index.ts";
import { toErrorMessage } from "../../errors.ts";
import { toToolNodes } from "../nodes/agent-nodes.ts";
import { authorize } from "../frames.ts";
import { authorizeGatewayBearer, HTTP_BEARER_SCOPES, type HttpCall } from "./_auth.ts";
import { isJsonObject, readJsonBody } from "./_body.ts";
import { methodNotAllowed, openAiError, payloadTooLarge } from "./_respond.ts";

/** The endpoint's path. */
export const TOOLS_INVOKE_PATH = "/tools/invoke";
/** Body cap (2 MiB, as upstream). */
export const TOOLS_INVOKE_MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * Tools never invokable over HTTP unless named in `gateway.tools.allow`. Most do not exist in this gateway
 * yet; they are listed so that adding one later is safe by default.
 */
export const DEFAULT_HTTP_TOOL_DENY: readonly string[] = [
  "sessions_spawn", // a new agent with its own tools: remote code execution by proxy
  "sessions_send", // injects messages into other sessions
  "exec", // shell commands
  "process", // background shell processes
  "bash",
  "apply_patch", // file writes
  "write",
  "edit",
  "cron", // persistent scheduled automation
  "gateway", // config changes, restart, update
  "config",
  "nodes", // commands on paired devices
];

/**
 * Serves the endpoint.
 * @returns the response, or undefined for other paths.
 */
export async function handleToolsInvoke(call: HttpCall): Promise<Response | undefined> {
  const { gw, req } = call;
  if (call.url.pathname !== TOOLS_INVOKE_PATH) return undefined;
  if (req.method !== "POST") return methodNotAllowed();
  const denied = authorizeGatewayBearer(call);
  if (denied) return denied;
  // Same gate as a WebSocket client running tools through an agent turn (`agent` needs operator.write).
  const scopeProblem = authorize({ role: "operator", scopes: [...HTTP_BEARER_SCOPES] }, "agent");
  if (scopeProblem) return openAiError(403, scopeProblem, "forbidden");
  const body = await readJsonBody(req, TOOLS_INVOKE_MAX_BODY_BYTES);
  if (!body.ok) return body.reason === "too_large" ? payloadTooLarge() : openAiError(400, body.message, "invalid_request_error");
  const p = isJsonObject(body.value) ? body.value : {};
  const name = typeof p.tool === "string" ? p.tool.trim() : "";
  if (!name) return openAiError(400, "tools.invoke requires body.tool", "invalid_request_error");
  if (p.args !== undefined && p.args !== null && !isJsonObject(p.args)) return openAiError(400, "tools.invoke body.args must be an object", "invalid_request_error");
  const args: Record<string, unknown> = { ...((p.args as Record<string, unknown> | undefined) ?? {}) };

  const config = gw.config;
  const rawKey = typeof p.sessionKey === "string" ? p.sessionKey.trim() : "";
  const sessionKey = !rawKey || rawKey === "main" ? mainSessionKey(config) : canonicalSessionKey(config, rawKey);
  const agentId = agentOf(sessionKey) ?? agentIds(config).defaultId;
  const blocked = httpDenyList(config.gateway?.tools);
  const tool = buildTools({ config, store: gw.store, agentId, sessionKey, nodes: toToolNodes(gw.nodes) }).find(
    (t) => t.name === name && !blocked.has(t.name) && httpInvokable(t, config.gateway?.tools),
  );
  if (!tool) return Response.json({ ok: false, error: { type: "not_found", message: `Tool not available: ${name}` } }, { status: 404 });

  if (typeof p.action === "string" && p.action && "action" in tool.parameters.properties && args.action === undefined) args.action = p.action;
  const log = gw.logger.child("tools-http");
  try {
    const text = await tool.execute(args, { signal: req.signal });
    log.info("tool invoked", { tool: name, sessionKey });
    return Response.json({ ok: true, result: { content: [{ type: "text", text }] } });
  } catch (err) {
    log.warn("tool failed", { tool: name, error: toErrorMessage(err) });
    return Response.json({ ok: false, error: { type: "tool_error", message: toErrorMessage(err) || "tool execution failed" } }, { status: 400 });
  }
}

/**
 * Whether a tool may run over HTTP at all: tools declare `http: true` when they only read; anything that
 * writes, runs or sends (`http: false`) is reachable only when `gateway.tools.allow` names it.
 */
export function httpInvokable(tool: { name: string; http: boolean }, policy: { allow?: string[] } | undefined): boolean {
  return tool.http || (policy?.allow ?? []).includes(tool.name);
}

/** The effective HTTP deny set: the defaults minus `allow`, plus `deny`. */
export function httpDenyList(policy: { allow?: string[]; deny?: string[] } | undefined): Set<string> {
  const allow = new Set(policy?.allow ?? []);
  return new Set([...DEFAULT_HTTP_TOOL_DENY.filter((t) => !allow.has(t)), ...(policy?.deny ?? [])]);
}
