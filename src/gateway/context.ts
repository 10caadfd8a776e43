/**
 * The gateway's shared state, handed to every method handler. Handlers read and change state only through
 * this object; they never touch sockets.
 */
import type { BrowserControlHandle } from "../browser/index.ts";
import type { AgentRuntime } from "../agent/index.ts";
import type { ChannelManager } from "../channels/index.ts";
import type { GatewayFlags, GatewaySettings } from "../config/gateway-settings.ts";
import type { LoadedConfig } from "../config/load.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import type { NodePairingStore } from "../store/node-pairing.ts";
import type { Logger } from "../logging/logger.ts";
import type { MemoryService } from "../memory/index.ts";
import type { Store } from "../store/index.ts";
import type { HealthSnapshot as ProtocolHealthSnapshot, KnownMethod, ParamsOf } from "../protocol/index.ts";
import type { ExecApprovalQueue } from "./approvals/approvals.ts";
import type { AuthRateLimiter } from "./auth.ts";
import type { MountedCanvas } from "./canvas/canvas.ts";
import type { ConnectedClient, Connections } from "./connections.ts";
import type { DeviceStore } from "./devices/devices.ts";
import type { CronService } from "./cron/index.ts";
import type { HeartbeatRunner } from "./heartbeat/heartbeat.ts";
import type { Metrics } from "./metrics.ts";
import type { NodeRegistry } from "./nodes/nodes.ts";
import type { Presence } from "./presence/presence.ts";
import type { RunListeners } from "./chat/run-listeners.ts";

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
  /** Node pairing requests and paired-node records (state DB). */
  nodePairing: NodePairingStore;
  /** Connected and paired nodes, invokes in flight. */
  nodes: NodeRegistry;
  /** Exec approval requests waiting for an operator. */
  approvals: ExecApprovalQueue;
  rateLimiter: AuthRateLimiter;
  metrics: Metrics;
  /** Sessions, transcripts and runs (`<stateDir>/state.db`). */
  store: Store;
  /** Agent runs: submit, abort, wait. */
  agents: AgentRuntime;
  /** Per-run taps on the agent event stream (HTTP endpoints that stream a reply). */
  runListeners: RunListeners;
  /** Messaging channel accounts (Telegram, WhatsApp): status, send, login, pairing. */
  channels: ChannelManager;
  /** The canvas host, when enabled. */
  canvas?: MountedCanvas;
  health: HealthState;
  /** System event texts queued for the main session (drained by the next heartbeat). */
  systemEvents: string[];
  /** The heartbeat runner: schedule, wake, on/off. */
  heartbeat: HeartbeatRunner;
  /** The cron scheduler: jobs, their runs and run logs (state DB). */
  cron: CronService;
  /** The workspace memory index (state DB): search, status, reindex, watching. */
  memory: MemoryService;
  /** The browser control service (gateway port + 2); undefined when disabled or its port was taken. */
  browserControl?: BrowserControlHandle;
  /** The daemon running this gateway; absent when embedded (tests), where no in-process restart exists. */
  supervisor?: GatewaySupervisor;
  /** Broadcasts the presence list with a bumped stateVersion. */
  broadcastPresence(): void;
  /** Broadcasts presence soon, once for a burst of connects and disconnects. */
  schedulePresenceBroadcast(): void;
  /** Recomputes the health snapshot and broadcasts a `health` event. */
  refreshHealth(): HealthSnapshot;
  /** The health snapshot, rebuilt when older than `maxAgeMs` (no broadcast). */
  healthSnapshot(maxAgeMs: number): HealthSnapshot;
  /** Refreshes health soon, once for a burst of callers (post-connect refresh). */
  scheduleHealthRefresh(): void;
  /** Current `{presence, health}` versions. */
  stateVersion(): { presence: number; health: number };
}

/** What the daemon offers the gateway it runs (set right after start). */
export interface GatewaySupervisor {
  /**
   * Restarts the gateway in process after `delayMs`, with the config then on disk. While one restart is
   * pending, further requests are absorbed by it.
   */
  requestRestart(why: string, delayMs: number): void;
  /** Tells the config watcher the file now has `hash`, already handled by the writer (no second reload). */
  noteConfigWritten(hash: string): void;
  /** The daemon's `openclaw gateway` flags, so config writes are checked as the next start will run them. */
  flags?: GatewayFlags;
}

/**
 * Per-request context of a method handler. `host` is the narrow view of the gateway its feature declared
 * (`HostView<…>` from host.ts), never the whole context.
 */
export interface MethodContext<H = unknown> {
  host: H;
  client: ConnectedClient;
  connId: string;
  requestId: string;
  /**
   * Sends another response on this request id (the second phase of `agent`). Frames sent before the
   * handler returned go out right after its own answer, so the order on the wire is always ack → final.
   */
  respondLater(frame: { ok: boolean; payload?: unknown; error?: { code: string; message: string; retryable?: boolean; retryAfterMs?: number } }): void;
}

/** Returned by a handler that answers only through `respondLater` (no immediate response frame). */
export const DEFERRED: unique symbol = Symbol("deferred response");

/**
 * The handler of method `M`: gets params already validated against `M`'s generated schema (typed as
 * `ParamsOf<M>`), returns the ok payload (or DEFERRED) or throws a GatewayError.
 */
export type MethodHandler<M extends KnownMethod, H = unknown> = (ctx: MethodContext<H>, params: ParamsOf<M>) => unknown | Promise<unknown>;

/**
 * The `health` payload (protocol.md §5.3): the generated protocol type, with `ts` required because the gateway
 * always sets it and compares snapshot ages by it.
 */
export type HealthSnapshot = ProtocolHealthSnapshot & { ts: number };

/** The cached health snapshot and its version. */
export interface HealthState {
  snapshot: HealthSnapshot | undefined;
  version: number;
}
