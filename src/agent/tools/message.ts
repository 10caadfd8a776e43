/**
 * `message {action:"send", channel?, target?|to?, message?|text?, media?}`: sends on a configured channel
 * through the same path as the `send` method (chunking, formatting, NOT_LINKED). The default destination is
 * the chat the run came from; any other chat needs `tools.message.allowAnyTarget` or an allowlist entry
 * (see `_targets.ts`). Media is a public http(s) URL or a file inside the workspace.
 */
import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { Type as T } from "@sinclair/typebox";
import { isGatewayError } from "../../errors.ts";
import { checkSendTarget, originTarget } from "./_targets.ts";
import { defineTool } from "./define.ts";
import type { ToolWorkspace } from "./types.ts";

/** Actions of the message tool (upstream has many more; only `send` exists here). */
export const MESSAGE_ACTIONS = ["send"] as const;

/** `message`: sends a chat message. */
export const messageTool = defineTool({
  name: "message",
  description:
    "Send a message on a chat channel (Telegram, WhatsApp). Without channel/target it goes to the chat this conversation came from; " +
    "other chats work only when the owner allowed them in config. Your normal reply already reaches the current chat: use this for " +
    "extra messages, media, or (when allowed) other chats.",
  group: "messaging",
  needs: ["channels"],
  uses: ["workspace"],
  parameters: T.Object(
    {
      action: T.Unsafe<"send">({ type: "string", enum: [...MESSAGE_ACTIONS], description: 'Only "send".' }),
      channel: T.Optional(T.String({ minLength: 1, description: 'Channel id ("telegram", "whatsapp"); default: the current chat\'s channel.' })),
      target: T.Optional(T.String({ minLength: 1, description: "Recipient chat on that channel (Telegram chat id or @channel, WhatsApp number); default: the current chat." })),
      to: T.Optional(T.String({ minLength: 1, description: "Alias of target." })),
      message: T.Optional(T.String({ description: "The text (Markdown is converted per channel; long text is split)." })),
      text: T.Optional(T.String({ description: "Alias of message." })),
      media: T.Optional(T.String({ minLength: 1, description: "A public http(s) URL or a file path inside the workspace to attach." })),
      accountId: T.Optional(T.String({ minLength: 1, description: "Channel account to send from (default: the current chat's, else the default account)." })),
    },
    { additionalProperties: false },
  ),
  async execute(args, ctx) {
    const { channels } = ctx.ports;
    const text = args.message ?? args.text ?? "";
    if (!text.trim() && !args.media) throw new Error('nothing to send: give "message" (text) and/or "media"');
    const configured = channels.configured();
    const own = originTarget(ctx.origin, channels);
    const channel = resolveChannel(args.channel, own?.channel, configured);
    const rawTo = args.target ?? args.to;
    const to = rawTo ?? (own && own.channel === channel ? own.to : undefined);
    if (!to) throw new Error(`missing "target": this run has no current chat on ${channel}, so name the recipient`);
    checkSendTarget(ctx.config, ctx.agentId, ctx.origin, { channel, to }, channels);
    const dest = channels.canonicalTarget(channel, to);
    const media = args.media ? resolveMedia(args.media, ctx.ports.workspace) : undefined;
    const accountId = args.accountId ?? (own?.channel === channel ? ctx.origin?.accountId : undefined);
    try {
      const sent = await channels.send({
        channel,
        to: dest,
        ...(accountId && { accountId }),
        text,
        ...(media && { mediaUrls: [media.url], localMedia: media.local }),
        idempotencyKey: `tool:${ctx.runId ?? "call"}:${ctx.toolCallId ?? crypto.randomUUID()}`,
      });
      return JSON.stringify({ ok: true, channel: sent.channel, to: sent.to, ...(sent.messageId && { messageId: sent.messageId }) });
    } catch (err) {
      // The gateway's codes (NOT_LINKED, UNAVAILABLE, INVALID_REQUEST) tell the model what to do next.
      if (isGatewayError(err)) throw new Error(`${err.message} (${err.code})`);
      throw err;
    }
  },
});

// --- internal ---

/** The channel to use: the named one, else the current chat's, else the only configured one. */
function resolveChannel(named: string | undefined, current: string | undefined, configured: string[]): string {
  if (named) {
    const ch = named.trim().toLowerCase();
    if (!configured.includes(ch)) {
      throw new Error(`channel "${named}" is not configured here (NOT_LINKED); configured: ${configured.length > 0 ? configured.join(", ") : "none"}`);
    }
    return ch;
  }
  if (current) return current;
  if (configured.length === 1) return configured[0] as string;
  if (configured.length === 0) throw new Error("no chat channel is configured here (NOT_LINKED)");
  throw new Error(`missing "channel": this run has no current chat; configured: ${configured.join(", ")}`);
}

/**
 * A media reference the channel may load: an http(s) URL (public addresses only, checked at every
 * redirect by the channel layer), or a workspace file (resolved through symlinks so none leads outside).
 * @throws Error for another scheme or a path outside the workspace.
 */
function resolveMedia(media: string, workspace: ToolWorkspace | undefined): { url: string; local: boolean } {
  if (/^https?:\/\//i.test(media)) return { url: media, local: false };
  if (/^[a-z][a-z0-9+.-]*:/i.test(media) && !/^[a-z]:[\\/]/i.test(media)) throw new Error(`media must be an http(s) URL or a workspace file, not ${media.split(":")[0]}:`);
  if (!workspace) throw new Error("media from a file needs a workspace; use an http(s) URL");
  const path = isAbsolute(media) ? media : resolve(workspace.dir, media);
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    throw new Error(`media file not found: ${media}`);
  }
  const roots = [workspace.dir, ...workspace.allowOutside].map((r) => {
    try {
      return realpathSync(r);
    } catch {
      return resolve(r);
    }
  });
  const inside = roots.some((root) => {
    const rel = relative(root, real);
    return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
  });
  if (!inside) throw new Error(`media file is outside the workspace: ${media}`);
  return { url: real, local: true };
}
