/**
 * The channels this gateway ships, as SDK-free descriptors: the one place a new channel is added besides its
 * own folder (and its id in channel.ts's CHANNEL_IDS).
 */
import type { ChannelDescriptor, ChannelId } from "./channel.ts";
import { telegramDescriptor } from "./telegram/descriptor.ts";
import { whatsappDescriptor } from "./whatsapp/descriptor.ts";

/** Channel id → descriptor. */
export const CHANNEL_DESCRIPTORS: Readonly<Record<ChannelId, ChannelDescriptor>> = {
  telegram: telegramDescriptor,
  whatsapp: whatsappDescriptor,
};
