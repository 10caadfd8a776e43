import type { ChatHost } from "./_host.ts";
import type { MethodHandler } from "../context.ts";
import { chatHistory } from "./chat-history.ts";

/**
 * `chat.startup` (v4): the first page of a chat as the Control UI loads it when a chat opens; the
 * `chat.history` params and answer (short chat links, its other form upstream, do not exist here).
 */
export const chatStartup: MethodHandler<"chat.startup", ChatHost> = (ctx, params) => chatHistory(ctx, params);
