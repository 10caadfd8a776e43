/**
 * Where the agent may send on its own (the `message` tool, deliveries of the cron jobs it creates): the chat
 * the run came from, always; any other chat only with `tools.message.allowAnyTarget`, an entry of
 * `tools.message.allowTargets` (`"<channel>:<to>"` or `"<channel>:*"`), or upstream's
 * `tools.message.crossContext` switches set to true. `agents.list[].tools.message` overrides key by key.
 * Without these a prompt-injected run cannot message strangers in the owner's name.
 */
import type { OpenClawConfig } from "../../config/schema.ts";
import type { AgentToolsConfig, MessageToolConfig, ToolsConfig } from "../../config/tools-schema.ts";
import type { ToolChannels, ToolOrigin } from "./types.ts";

/** A send destination the policy judges. */
export interface SendTarget {
  channel: string;
  to: string;
}

/** The effective `tools.message` of an agent (the agent's keys over the global ones). */
export function messagePolicyOf(config: OpenClawConfig, agentId: string): MessageToolConfig {
  const global = ((config.tools ?? {}) as ToolsConfig).message ?? {};
  const agent = ((config.agents?.list?.find((a) => a.id === agentId)?.tools ?? {}) as AgentToolsConfig).message ?? {};
  return { ...global, ...agent, crossContext: { ...global.crossContext, ...agent.crossContext } };
}

/**
 * The chat the run came from, as a send target on a configured channel; undefined for runs without one
 * (WebChat, CLI, cron, heartbeat).
 */
export function originTarget(origin: ToolOrigin | undefined, channels: ToolChannels): SendTarget | undefined {
  if (!origin?.chat || !channels.configured().includes(origin.channel)) return undefined;
  return { channel: origin.channel, to: channels.canonicalTarget(origin.channel, origin.chat) };
}

/**
 * Refuses a target other than the run's own chat unless the config allows it.
 * @throws Error naming the target and the config keys that would allow it.
 */
export function checkSendTarget(config: OpenClawConfig, agentId: string, origin: ToolOrigin | undefined, target: SendTarget, channels: ToolChannels): void {
  const own = originTarget(origin, channels);
  const to = channels.canonicalTarget(target.channel, target.to);
  if (own && own.channel === target.channel && own.to === to) return;
  const policy = messagePolicyOf(config, agentId);
  if (policy.allowAnyTarget === true || policy.crossContext?.allowAcrossProviders === true) return;
  if (policy.crossContext?.allowWithinProvider === true && own?.channel === target.channel) return;
  for (const entry of policy.allowTargets ?? []) {
    const at = entry.indexOf(":");
    if (at <= 0) continue;
    const channel = entry.slice(0, at).trim().toLowerCase();
    const want = entry.slice(at + 1).trim();
    if (channel !== target.channel) continue;
    if (want === "*" || channels.canonicalTarget(channel, want) === to) return;
  }
  const here = own ? `the current chat (${own.channel}:${own.to})` : "no chat (this run did not come from one)";
  throw new Error(
    `sending to ${target.channel}:${to} is not allowed: this run may only reach ${here}. ` +
      `Allow it with tools.message.allowTargets: ["${target.channel}:${to}"] or tools.message.allowAnyTarget: true.`,
  );
}
