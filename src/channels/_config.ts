/**
 * Per-account channel config: `channels.<ch>.*` is the default account's settings and the base of every
 * other account; `channels.<ch>.accounts.<id>.*` overrides it key by key (channels.md §1).
 */
import type { TelegramAccountConfig, WhatsAppAccountConfig } from "../config/channels-schema.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import { type ChannelId, DEFAULT_ACCOUNT_ID } from "./channel.ts";

/** Settings every channel account shares (the access-control part). */
export type CommonAccountConfig = Pick<
  TelegramAccountConfig,
  "enabled" | "name" | "dmPolicy" | "allowFrom" | "groupPolicy" | "groupAllowFrom" | "groups" | "textChunkLimit" | "mediaMaxMb"
>;

/** Account config type per channel. */
export interface AccountConfigOf {
  telegram: TelegramAccountConfig;
  whatsapp: WhatsAppAccountConfig;
}

type Section = Record<string, unknown> & { accounts?: Record<string, Record<string, unknown>>; defaultAccount?: string };

/** The `channels.<ch>` section, or undefined when absent. */
export function channelSection(config: OpenClawConfig, channel: ChannelId): Section | undefined {
  return (config.channels as Record<string, Section | undefined> | undefined)?.[channel];
}

/**
 * Account ids configured for a channel: the keys of `accounts`, plus `default` when there is no
 * `accounts` map or the top level carries its own credentials (Telegram `botToken` / `tokenFile`).
 * @returns [] when the section is absent.
 */
export function listConfiguredAccountIds(config: OpenClawConfig, channel: ChannelId): string[] {
  const section = channelSection(config, channel);
  if (!section) return [];
  const ids = Object.keys(section.accounts ?? {});
  const topLevelCreds = channel === "telegram" && (section.botToken !== undefined || section.tokenFile !== undefined);
  if ((ids.length === 0 || topLevelCreds) && !ids.includes(DEFAULT_ACCOUNT_ID)) ids.unshift(DEFAULT_ACCOUNT_ID);
  return ids;
}

/** `channels.<ch>.defaultAccount`, else `default`. */
export function defaultAccountId(config: OpenClawConfig, channel: ChannelId): string {
  return channelSection(config, channel)?.defaultAccount ?? DEFAULT_ACCOUNT_ID;
}

/**
 * The effective config of one account: top-level keys overlaid with `accounts.<id>`. For a non-default
 * account, top-level credentials (Telegram token) are not inherited: one token must not poll twice.
 */
export function resolveAccountConfig<C extends ChannelId>(config: OpenClawConfig, channel: C, accountId: string): AccountConfigOf[C] {
  const section = channelSection(config, channel) ?? {};
  const { accounts, defaultAccount: _d, ...base } = section;
  if (accountId !== DEFAULT_ACCOUNT_ID && channel === "telegram") {
    delete base.botToken;
    delete base.tokenFile;
  }
  return { ...base, ...(accounts?.[accountId] ?? {}) } as AccountConfigOf[C];
}
