import type { ChannelsHost } from "./_host.ts";
import { GatewayError } from "../../errors.ts";
import type { MethodHandler } from "../context.ts";
import { send } from "./send.ts";

/**
 * `message.action` (v4; the v4 CLI's `message send` uses it instead of `send`). Only `action: "send"` exists
 * here: it goes through `send` (same checks, idempotency and answer) with the target from `params.target`,
 * else `params.to` without its `<channel>:` prefix, the text from `params.message`, media from
 * `params.media`/`mediaUrl`/`mediaUrls`. Other actions (react, edit, poll, …) are INVALID_REQUEST naming the action.
 * @returns `{ok:true, channel, action:"send", to, messageId, …}`.
 */
export const messageAction: MethodHandler<"message.action", ChannelsHost> = async (ctx, params) => {
  if (params.action !== "send") throw new GatewayError("INVALID_REQUEST", `unsupported message action: ${params.action} (this gateway supports "send")`);
  const p = params.params;
  const to = targetOf(params.channel, p);
  if (!to) throw new GatewayError("INVALID_REQUEST", "invalid message.action params: params.target (or params.to) is required for send");
  const message = typeof p.message === "string" ? p.message : "";
  const media = [p.media, p.mediaUrl, ...(Array.isArray(p.mediaUrls) ? p.mediaUrls : [])].filter((m): m is string => typeof m === "string" && m !== "");
  if (!message && media.length === 0) throw new GatewayError("INVALID_REQUEST", "invalid message.action params: params.message or media is required for send");
  const result = await send(ctx, {
    to,
    message,
    ...(media.length > 0 && { mediaUrls: media }),
    channel: params.channel,
    ...(params.accountId && { accountId: params.accountId }),
    idempotencyKey: params.idempotencyKey,
  });
  return { ok: true, channel: params.channel, action: "send", to, ...(result as Record<string, unknown>) };
};

/** The recipient: `target`, else `to` with a leading `<channel>:` removed. */
function targetOf(channel: string, p: Record<string, unknown>): string | undefined {
  const target = typeof p.target === "string" && p.target.trim() ? p.target.trim() : undefined;
  if (target) return target;
  const to = typeof p.to === "string" ? p.to.trim() : "";
  const prefix = `${channel}:`;
  return (to.toLowerCase().startsWith(prefix.toLowerCase()) ? to.slice(prefix.length) : to) || undefined;
}
