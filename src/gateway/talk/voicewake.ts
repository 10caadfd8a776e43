/**
 * `voicewake.changed` fan-out: every client hears about a new trigger list, and a node gets the current
 * list as soon as it connects (it has no other way to learn it).
 */
import { loadVoiceWake } from "../../store/voicewake.ts";
import type { TalkHost } from "./_host.ts";
import type { GatewaySocket } from "../connections.ts";

/** Broadcasts `voicewake.changed {triggers}` to readers and nodes (event-audience.ts); skipped for slow ones. */
export function broadcastVoiceWake(gw: TalkHost, triggers: string[]): void {
  gw.connections.broadcast("voicewake.changed", { triggers }, { dropIfSlow: true });
}

/** Sends the stored triggers to one just-connected node as a targeted `voicewake.changed` (no seq). Never throws. */
export function sendVoiceWakeSnapshot(gw: TalkHost, ws: GatewaySocket): void {
  const { triggers } = loadVoiceWake(gw.stateDir);
  gw.connections.sendText(ws, JSON.stringify({ type: "event", event: "voicewake.changed", payload: { triggers } }), true);
}
