/**
 * The health snapshot: what `health`, the `health` event and hello-ok carry, built from config and live state.
 */
import type { HeartbeatSettings } from "../../agent/heartbeat.ts";
import type { OpenClawConfig } from "../../config/schema.ts";
import type { Store } from "../../store/index.ts";
import { heartbeatOf, listAgents } from "../agents/agents-view.ts";
import type { HealthSnapshot } from "../context.ts";
import { summarizeSessions } from "../sessions/sessions-view.ts";

/**
 * Builds a health snapshot from config and live state. Sessions are counted from `store` (none without
 * one); channels report what exists now.
 */
export function buildHealthSnapshot(
  config: OpenClawConfig,
  stateDir: string,
  store?: Store,
  channels?: Pick<HealthSnapshot, "channels" | "channelOrder" | "channelLabels">,
): HealthSnapshot {
  const started = performance.now();
  const { defaultId, agents } = listAgents(config);
  const hb = heartbeatOf(config);
  const sessions = (agentId: string) => summarizeSessions(store, stateDir, agentId);
  return {
    ok: true,
    ts: Date.now(),
    durationMs: Math.round(performance.now() - started),
    channels: channels?.channels ?? {},
    channelOrder: channels?.channelOrder ?? [],
    channelLabels: channels?.channelLabels ?? {},
    heartbeatSeconds: Math.round(hb.everyMs / 1000),
    defaultAgentId: defaultId,
    agents: agents.map((a) => ({
      agentId: a.id,
      isDefault: a.isDefault,
      heartbeat: heartbeatView(heartbeatOf(config, a.id)),
      sessions: sessions(a.id),
    })),
    sessions: sessions(defaultId),
  };
}

function heartbeatView(hb: HeartbeatSettings): NonNullable<HealthSnapshot["agents"]>[number]["heartbeat"] {
  return { enabled: hb.enabled, every: hb.every, everyMs: hb.everyMs, prompt: hb.prompt, target: hb.target, ackMaxChars: hb.ackMaxChars };
}
