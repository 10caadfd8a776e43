import type { MethodHandler } from "../context.ts";

/** `channels.status`: per-channel account snapshots. No channel adapter is loaded yet, so all maps are empty. */
export const channelsStatus: MethodHandler = () => ({
  ts: Date.now(),
  channelOrder: [],
  channelLabels: {},
  channels: {},
  channelAccounts: {},
  channelDefaultAccountId: {},
});
