import type { MethodHandler } from "../context.ts";
import type { ChannelsHost } from "./_host.ts";

/**
 * `channels.status`: per-channel account snapshots of the loaded channels (empty maps when none is
 * configured). `probe: true` checks credentials against the service first (Telegram getMe).
 */
export const channelsStatus: MethodHandler<"channels.status", ChannelsHost> = (ctx, params) =>
  ctx.host.channels.status({ probe: params.probe === true, timeoutMs: typeof params.timeoutMs === "number" ? params.timeoutMs : undefined });
