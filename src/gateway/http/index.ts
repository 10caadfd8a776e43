/**
 * The HTTP APIs on the gateway port, in the spec's dispatch order (http.md §1): hooks, /tools/invoke,
 * /v1/responses, /v1/chat/completions. Canvas, probes and the control UI come after, in ../http.ts.
 */
import type { Server } from "bun";
import type { HttpHost } from "./_host.ts";
import { toErrorMessage } from "../../errors.ts";
import type { ConnectionData } from "../connections.ts";
import type { HttpCall } from "./_auth.ts";
import { handleHooks } from "./hooks.ts";
import { handleChatCompletions } from "./openai-chat.ts";
import { handleResponses } from "./openresponses.ts";
import { handleToolsInvoke } from "./tools-invoke.ts";

export { CHAT_COMPLETIONS_PATH } from "./openai-chat.ts";
export { RESPONSES_PATH } from "./openresponses.ts";
export { DEFAULT_HTTP_TOOL_DENY, TOOLS_INVOKE_PATH } from "./tools-invoke.ts";
export { HTTP_BEARER_SCOPES } from "./_auth.ts";
export { httpApiFeature } from "./feature.ts";

const ROUTES: readonly ((call: HttpCall) => Promise<Response | undefined>)[] = [handleHooks, handleToolsInvoke, handleResponses, handleChatCompletions];

/**
 * Answers a request when one of the APIs owns it.
 * @returns the response, or undefined to let the next routes try. An uncaught handler error becomes
 * 500 "Internal Server Error" (logged with its stack).
 */
export async function handleApiRequest(gw: HttpHost, req: Request, url: URL, server: Server<ConnectionData>): Promise<Response | undefined> {
  const call: HttpCall = { gw, req, url, server, remoteAddress: server.requestIP(req)?.address ?? "unknown" };
  try {
    for (const route of ROUTES) {
      const res = await route(call);
      if (res) return res;
    }
    return undefined;
  } catch (err) {
    gw.logger.child("http").error("request failed", { path: url.pathname, error: toErrorMessage(err), stack: (err as Error)?.stack });
    return new Response("Internal Server Error", { status: 500, headers: { "content-type": "text/plain; charset=utf-8" } });
  }
}
