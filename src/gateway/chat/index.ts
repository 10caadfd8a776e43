/**
 * Runs, chat and agent: `agent`, `agent.wait`, `chat.*` turn a client message into an agent run and
 * stream its events; `runs.ts` holds what they share, `run-listeners.ts` taps runs for HTTP callers and
 * session subscribers; `commands.list` names the chat slash commands.
 */
import { CHAT_NEEDS } from "./_host.ts";
import { defineFeature, defineMethod } from "../feature.ts";
import { agentIdentityGet } from "./agent-identity-get.ts";
import { agentWait } from "./agent-wait.ts";
import { agent } from "./agent.ts";
import { chatAbort } from "./chat-abort.ts";
import { chatHistory } from "./chat-history.ts";
import { chatSend } from "./chat-send.ts";
import { chatStartup } from "./chat-startup.ts";
import { commandsList } from "./commands-list.ts";

/** The chat feature: its methods. */
export const chatFeature = defineFeature({
  name: "chat",
  needs: CHAT_NEEDS,
  methods: [
    defineMethod("agent", agent),
    defineMethod("agent.identity.get", agentIdentityGet),
    defineMethod("agent.wait", agentWait),
    defineMethod("chat.history", chatHistory),
    defineMethod("chat.abort", chatAbort),
    defineMethod("chat.send", chatSend),
    defineMethod("chat.startup", chatStartup),
    defineMethod("commands.list", commandsList),
  ],
});
