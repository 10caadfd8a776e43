import type { MethodHandler } from "../context.ts";
import type { ChannelsHost } from "./_host.ts";

/** `channels.logout`: removes a channel account's linked session (WhatsApp credentials). */
export const channelsLogout: MethodHandler<"channels.logout", ChannelsHost> = async (ctx, params) => {
  const res = await ctx.host.channels.logout(params.channel, params.accountId);
  return { ok: true, ...res };
};
