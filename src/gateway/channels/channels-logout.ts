import type { MethodHandler } from "../context.ts";
import { toChannelGatewayError } from "./_channels.ts";

/** `channels.logout`: removes a channel account's linked session (WhatsApp credentials). */
export const channelsLogout: MethodHandler<"channels.logout"> = async (ctx, params) => {
  try {
    const res = await ctx.gw.channels.logout(params.channel, params.accountId);
    return { ok: true, ...res };
  } catch (err) {
    throw toChannelGatewayError(err);
  }
};
