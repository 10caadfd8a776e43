/** `channels.pairing.*`: the DM pairing queue behind `openclaw pairing list|approve|reject`. */
import { isChannelId } from "../../channels/index.ts";
import type { ChannelsHost } from "./_host.ts";
import { GatewayError, toErrorMessage } from "../../errors.ts";
import type { MethodHandler } from "../context.ts";

/** Approval notice sent to the sender with `--notify`. */
export const PAIRING_APPROVED_TEXT = "✅ OpenClaw access approved. Send a message to start chatting.";

/** `channels.pairing.list {channel?}`: live requests and approved senders. */
export const channelsPairingList: MethodHandler<"channels.pairing.list", ChannelsHost> = (ctx, params) => {
  const channel = params.channel === undefined ? undefined : requireChannel(params.channel);
  const pairing = ctx.host.channels.pairing();
  return {
    requests: pairing.list(channel).map((r) => ({ channel: r.channel, code: r.code, id: r.peerId, accountId: r.accountId, meta: r.meta, createdAt: r.createdAt, expiresAt: r.expiresAt })),
    approved: pairing.listApproved(channel).map((a) => ({ channel: a.channel, id: a.peerId, approvedAt: a.approvedAt, meta: a.meta })),
  };
};

/**
 * `channels.pairing.approve {channel, code, notify?}`: the sender joins the channel's allowlist.
 * @throws INVALID_REQUEST when no live request has that code.
 */
export const channelsPairingApprove: MethodHandler<"channels.pairing.approve", ChannelsHost> = async (ctx, params) => {
  const channel = requireChannel(params.channel);
  const code = params.code;
  const req = ctx.host.channels.pairing().approve(channel, code);
  if (!req) throw new GatewayError("INVALID_REQUEST", `no pending ${channel} pairing request with code ${code.toUpperCase()}`);
  ctx.host.logger.child("channels").info(`pairing approved on ${channel}`, { code: req.code });
  let notified = false;
  let notifyError: string | undefined;
  if (params.notify === true) {
    const ch = ctx.host.channels.getChannel(channel, req.accountId);
    try {
      if (!ch) throw new Error(`${channel} account ${req.accountId} is not running`);
      await ch.send(ch.resolveTarget(req.peerId), { text: PAIRING_APPROVED_TEXT });
      notified = true;
    } catch (err) {
      notifyError = toErrorMessage(err);
    }
  }
  return { ok: true, channel, code: req.code, id: req.peerId, accountId: req.accountId, ...(params.notify === true && { notified }), ...(notifyError && { notifyError }) };
};

/** `channels.pairing.reject {channel, code}`. @throws INVALID_REQUEST when no live request has that code. */
export const channelsPairingReject: MethodHandler<"channels.pairing.reject", ChannelsHost> = (ctx, params) => {
  const channel = requireChannel(params.channel);
  const code = params.code;
  const req = ctx.host.channels.pairing().reject(channel, code);
  if (!req) throw new GatewayError("INVALID_REQUEST", `no pending ${channel} pairing request with code ${code.toUpperCase()}`);
  return { ok: true, channel, code: req.code, id: req.peerId };
};

function requireChannel(name: string) {
  const ch = name.trim().toLowerCase();
  if (!isChannelId(ch)) throw new GatewayError("INVALID_REQUEST", `unsupported channel: ${name}`);
  return ch;
}
