import { GatewayError } from "../../errors.ts";
import type { TalkHost } from "./_host.ts";
import type { MethodHandler } from "../context.ts";

/**
 * `talk.mode {enabled, phase?}`: tells every client that talk mode changed (`talk.mode` event). A WebChat
 * client may only switch it while an iOS or Android node is connected (talk runs on the phone).
 * @returns the broadcast payload `{enabled, phase, ts}` (phase null when not given).
 * @throws GatewayError UNAVAILABLE "talk disabled: no connected iOS/Android nodes" for WebChat without one.
 */
export const talkMode: MethodHandler<"talk.mode", TalkHost> = (ctx, params) => {
  const { client, host: gw } = ctx;
  if ((client.mode === "webchat" || client.id === "webchat-ui") && !gw.nodes.list().some((n) => n.connected && isMobilePlatform(n.platform))) {
    throw new GatewayError("UNAVAILABLE", "talk disabled: no connected iOS/Android nodes");
  }
  const payload = { enabled: params.enabled === true, phase: typeof params.phase === "string" ? params.phase : null, ts: Date.now() };
  gw.connections.broadcast("talk.mode", payload, { dropIfSlow: true });
  return payload;
};

function isMobilePlatform(platform: string | undefined): boolean {
  const p = platform?.trim().toLowerCase() ?? "";
  return p.startsWith("ios") || p.startsWith("ipados") || p.startsWith("android");
}
