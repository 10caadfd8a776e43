/**
 * WhatsApp as the manager sees it before Baileys is loaded: on unless `web.enabled` or
 * `channels.whatsapp.enabled` is false; configured accounts and accounts with saved credentials run; an
 * account is linked by a QR login and logged out by clearing its credentials.
 */
import { channelSection, listConfiguredAccountIds, resolveAccountConfig } from "../_config.ts";
import type { ChannelDescriptor, WantedAccount } from "../channel.ts";
import { listLinkedAccountIds, resolveAuthDir } from "./_paths.ts";

/** The WhatsApp channel's descriptor. */
export const whatsappDescriptor: ChannelDescriptor = {
  id: "whatsapp",
  isEnabled: (config) => config.web?.enabled !== false && channelSection(config, "whatsapp")?.enabled !== false,
  disabledMessage: "WhatsApp is disabled (web.enabled=false or channels.whatsapp.enabled=false)",
  linksSession: true,
  wantedAccounts(config, { stateDir, env }) {
    if (!this.isEnabled(config)) return [];
    const out: WantedAccount[] = [];
    for (const id of new Set([...listConfiguredAccountIds(config, "whatsapp"), ...listLinkedAccountIds(stateDir, env)])) {
      const account = resolveAccountConfig(config, "whatsapp", id);
      if (account.enabled === false) continue;
      // web.* restarts WhatsApp; channels.whatsapp.* is read live, except where the credentials live.
      out.push({ accountId: id, fingerprint: JSON.stringify({ web: config.web ?? {}, authDir: resolveAuthDir(stateDir, id, account.authDir, env) }) });
    }
    return out;
  },
  loadFactory: async () => (await import("./index.ts")).createWhatsAppChannel,
};
