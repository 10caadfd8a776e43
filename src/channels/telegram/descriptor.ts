/**
 * Telegram as the manager sees it before grammY is loaded: every configured, enabled bot account runs (or
 * `default` from TELEGRAM_BOT_TOKEN alone); any change to an account's settings restarts it (config.md §4).
 */
import { listConfiguredAccountIds, resolveAccountConfig } from "../_config.ts";
import type { ChannelDescriptor, WantedAccount } from "../channel.ts";

/** The Telegram channel's descriptor. */
export const telegramDescriptor: ChannelDescriptor = {
  id: "telegram",
  isEnabled: () => true,
  disabledMessage: "Telegram is disabled",
  linksSession: false,
  wantedAccounts(config, { env }) {
    const ids = listConfiguredAccountIds(config, "telegram");
    if (ids.length === 0 && env.TELEGRAM_BOT_TOKEN) ids.push("default");
    const out: WantedAccount[] = [];
    for (const id of ids) {
      const account = resolveAccountConfig(config, "telegram", id);
      if (account.enabled === false) continue;
      out.push({ accountId: id, fingerprint: JSON.stringify(account) });
    }
    return out;
  },
  loadFactory: async () => (await import("./index.ts")).createTelegramChannel,
};
