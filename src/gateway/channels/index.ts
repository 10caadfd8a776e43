/**
 * Channels bridge: status, login, logout, pairing and `send` over the channel manager, the glue that
 * turns a channel message into an agent run (`channel-agent.ts`) and reply delivery (`delivery.ts`).
 */
import { CHANNELS_NEEDS } from "./_host.ts";
import { defineFeature, defineMethod } from "../feature.ts";
import { channelsLogout } from "./channels-logout.ts";
import { channelsPairingApprove, channelsPairingList, channelsPairingReject } from "./channels-pairing.ts";
import { channelsStatus } from "./channels-status.ts";
import { messageAction } from "./message-action.ts";
import { send } from "./send.ts";
import { webLoginStart, webLoginWait } from "./web-login.ts";

/** The channels feature: its methods and the config it claims. */
export const channelsFeature = defineFeature({
  name: "channels",
  needs: CHANNELS_NEEDS,
  methods: [
    defineMethod("channels.status", channelsStatus),
    defineMethod("channels.logout", channelsLogout),
    defineMethod("channels.pairing.list", channelsPairingList),
    defineMethod("channels.pairing.approve", channelsPairingApprove),
    defineMethod("channels.pairing.reject", channelsPairingReject),
    defineMethod("web.login.start", webLoginStart),
    defineMethod("web.login.wait", webLoginWait),
    defineMethod("send", send),
    defineMethod("message.action", messageAction),
  ],
  // Accounts connect in the background; a failing one retries on its own and never blocks the gateway.
  start: (host) => host.channels.start(),
  // Accounts stop before the agent runs end, so no channel message starts a run during shutdown.
  stop: (host) => host.channels.stop(),
  config: {
    prefixes: ["channels", "channels.telegram", "channels.whatsapp", "web"],
    // Accounts whose settings changed are restarted; the others keep running.
    apply(_diff, host) {
      const touched = host.channels.applyConfig();
      if (touched.length === 0) return "applied-live";
      host.logger.info(`channels reloaded: ${touched.join(", ")}`);
      return "restarted";
    },
  },
});
