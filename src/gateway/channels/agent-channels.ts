/**
 * The agent's view of the channels (the `message` tool's port): configured channels, canonical recipients,
 * and sending through the same path as the `send` method, its failures turned into the method's
 * GatewayError codes (INVALID_REQUEST, NOT_LINKED, UNAVAILABLE). Lets `src/agent/` send without importing
 * the channels.
 */
import type { ToolChannels } from "../../agent/index.ts";
import { type ChannelId, type ChannelManager, isChannelId } from "../../channels/index.ts";
import { GatewayError, type ErrorCode } from "../../errors.ts";
import type { Logger } from "../../logging/logger.ts";
import { type DeliveryHost, sendReply } from "./delivery.ts";

/** Adapts the channel manager for the agent's tools. Reads the manager on every call, so it never goes stale. */
export function toToolChannels(channels: Pick<ChannelManager, "loadedChannels" | "send" | "accountSnapshots" | "getChannel">, logger: Logger): ToolChannels {
  const log = logger.child("message-tool");
  return {
    configured: () => channels.loadedChannels(),
    canonicalTarget(channel, to) {
      const plain = to.trim();
      if (!isChannelId(channel)) return plain;
      const accountId = channels.accountSnapshots(channel)[0]?.accountId;
      const instance = accountId === undefined ? undefined : channels.getChannel(channel, accountId);
      try {
        const t = instance?.resolveTarget(plain);
        if (t) return t.threadId ? `${t.chatId}:topic:${t.threadId}` : t.chatId;
      } catch {
        // Not parseable: the send itself reports why.
      }
      return plain.replace(new RegExp(`^${channel}:`, "i"), "");
    },
    async send(input) {
      // Text and media go through sendReply (the delivery path); local media was checked by the tool (inside
      // the workspace), URLs must be public at every redirect.
      const manager: DeliveryHost["channels"] = {
        loadedChannels: () => channels.loadedChannels(),
        send: (req) => channels.send({ ...req, ...(input.mediaUrls?.length && { mediaUrls: input.mediaUrls, publicMediaOnly: input.localMedia !== true }) }),
      };
      const target = { channel: input.channel.trim().toLowerCase() as ChannelId, to: input.to, ...(input.accountId && { accountId: input.accountId }) };
      const outcome = await sendReply({ channels: manager, store: { getSession: () => undefined }, logger }, target, input.text, input.idempotencyKey);
      if (!outcome.ok) {
        log.warn(`message not sent: ${outcome.error}`, { channel: input.channel, ...(log.verbose && { to: input.to }) });
        throw new GatewayError((outcome.code ?? "UNAVAILABLE") as ErrorCode, outcome.error);
      }
      log.debug("message sent", { channel: outcome.channel, chars: input.text.length });
      return { channel: outcome.channel, to: outcome.to, ...(outcome.messageId && { messageId: outcome.messageId }) };
    },
  };
}
