/**
 * The gateway's shared state, handed to every method handler. Handlers read and change state only through
 * this object; they never touch sockets.
 */
import type { GatewaySettings } from "../config/gateway-settings.ts";
import type { LoadedConfig } from "../config/load.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import type { Logger } from "../logging/logger.ts";
import { listAgents, heartbeatOf, sessionsPath } from "./agents-view.ts";
import type { AuthRateLimiter } from "./auth.ts";
import type { MountedCanvas } from "./canvas.ts";
import type { ConnectedClient, Connections } from "./connections.ts";
import type { DeviceStore } from "./devices.ts";
import type { Metrics } from "./metrics.ts";
import type { Presence } from "./presence.ts";

/** Process-wide gateway state. */
export interface GatewayContext {
  version: string;
  startedAt: number;
  stateDir: string;
  loaded: LoadedConfig;
  readonly config: OpenClawConfig;
  settings: GatewaySettings;
  logger: Logger;
  connections: Connections;
  presence: Presence;
  devices: DeviceStore;
  rateLimiter: AuthRateLimiter;
  metrics: Metrics;
  /** The canvas host, when enabled. */
  canvas?: MountedCanvas;
  health: HealthState;
  /** The last heartbeat event, null until one ran. */
  lastHeartbeat: unknown;
  /** System event texts queued for the main session (drained by the agent runtime). */
  systemEvents: string[];
  /** Broadcasts the presence list with a bumped stateVersion. */
  broadcastPresence(): void;
  /** Recomputes the health snapshot and broadcasts a `health` event. */
  refreshHealth(): HealthSnapshot;
  /** Current `{presence, health}` versions. */
  stateVersion(): { presence: number; health: number };
}

/** Per-request context of a method handler. */
export interface MethodContext {
  gw: GatewayContext;
  client: ConnectedClient;
  connId: string;
  requestId: string;
}

/** A method handler: gets valid params, returns the ok payload or throws a GatewayError. */
export type MethodHandler = (ctx: MethodContext, params: Record<string, unknown>) => unknown | Promise<unknown>;

/** The `health` payload (protocol.md §5.3). */
export interface HealthSnapshot {
  ok: boolean;
  ts: number;
  durationMs: number;
  channels: Record<string, unknown>;
  channelOrder: string[];
  channelLabels: Record<string, string>;
  heartbeatSeconds: number;
  defaultAgentId: string;
  agents: unknown[];
  sessions: { path: string; count: number; recent: unknown[] };
}

/** The cached health snapshot and its version. */
export interface HealthState {
  snapshot: HealthSnapshot | undefined;
  version: number;
}

/**
 * Builds a health snapshot from config and live state. Channels and sessions report what exists now:
 * none of either until those subsystems are configured.
 */
export function buildHealthSnapshot(config: OpenClawConfig, stateDir: string): HealthSnapshot {
  const started = performance.now();
  const { defaultId, agents } = listAgents(config);
  const hb = heartbeatOf(config);
  const sessions = (agentId: string) => ({ path: sessionsPath(stateDir, agentId), count: 0, recent: [] });
  return {
    ok: true,
    ts: Date.now(),
    durationMs: Math.round(performance.now() - started),
    channels: {},
    channelOrder: [],
    channelLabels: {},
    heartbeatSeconds: Math.round(hb.everyMs / 1000),
    defaultAgentId: defaultId,
    agents: agents.map((a) => ({
      agentId: a.id,
      isDefault: a.isDefault,
      heartbeat: { enabled: hb.enabled, every: hb.every, everyMs: hb.everyMs, target: "last", ackMaxChars: 300 },
      sessions: sessions(a.id),
    })),
    sessions: sessions(defaultId),
  };
}
