import type { MethodHandler } from "../context.ts";
import type { ChannelsHost } from "./_host.ts";

/**
 * `channels.status`: per-channel account snapshots of the loaded channels (empty maps when none is
 * configured). `probe: true` checks credentials against the service first (Telegram getMe). v4's `channel`
 * keeps that channel only (nothing when it is not loaded).
 */
export const channelsStatus: MethodHandler<"channels.status", ChannelsHost> = async (ctx, params) => {
  const status = await ctx.host.channels.status({ probe: params.probe === true, timeoutMs: typeof params.timeoutMs === "number" ? params.timeoutMs : undefined });
  return params.channel === undefined ? status : onlyChannel(status, params.channel);
};

/** The status with every per-channel map and the order cut down to `channel`. */
function onlyChannel(status: Record<string, unknown>, channel: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...status };
  for (const [field, value] of Object.entries(status)) {
    if (field === "channelOrder" && Array.isArray(value)) out[field] = value.filter((c) => c === channel);
    else if (field !== "ts" && value && typeof value === "object" && !Array.isArray(value)) {
      out[field] = Object.fromEntries(Object.entries(value).filter(([c]) => c === channel));
    }
  }
  return out;
}
