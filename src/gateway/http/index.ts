/**
 * The HTTP APIs on the gateway port, in the spec's dispatch order (http.md §1): hooks, /tools/invoke,
 * /v1/responses, /v1/chat/completions; registered as the http-api feature's route. Canvas (its feature's route),
 * probes and the control UI (the host's, ../http.ts) come after.
 */
import type { Server } from "bun";
import type { HttpHost } from "./_host.ts";
import type { ConnectionData } from "../connections.ts";
import type { HttpCall } from "./_auth.ts";
import { handleHooks } from "./hooks.ts";
import { handleChatCompletions } from "./openai-chat.ts";
import { handleResponses } from "./openresponses.ts";
import { handleToolsInvoke } from "./tools-invoke.ts";

export { CHAT_COMPLETIONS_PATH } from "./openai-chat.ts";
export { RESPONSES_PATH } from "./openresponses.ts";
export { DEFAULT_HTTP_TOOL_DENY, httpInvokable, TOOLS_INVOKE_PATH } from "./tools-invoke.ts";
export { HTTP_BEARER_SCOPES } from "./_auth.ts";
export { httpApiFeature } from "./feature.ts";

const ROUTES: readonly ((call: HttpCall) => Promise<Response | undefined>)[] = [handleHooks, handleToolsInvoke, handleResponses, handleChatCompletions];

/**
 * Answers a request when one of the APIs owns it.
 * @returns the response, or undefined to let the next routes try. A throw goes to the host's one error
 * handler (500 "Internal Server Error", logged with its stack).
 */
export async function routeApiRequest(call: HttpCall): Promise<Response | undefined> {
  for (const route of ROUTES) {
    const res = await route(call);
    if (res) return res;
  }
  return undefined;
}
