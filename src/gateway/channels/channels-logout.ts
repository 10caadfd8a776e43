import type { MethodHandler } from "../context.ts";

/** `channels.logout`: removes a channel account's linked session (WhatsApp credentials). */
export const channelsLogout: MethodHandler<"channels.logout"> = async (ctx, params) => {
  const res = await ctx.gw.channels.logout(params.channel, params.accountId);
  return { ok: true, ...res };
};
