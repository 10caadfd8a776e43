/**
 * The gateway server: one `Bun.serve` per listen address (loopback = 127.0.0.1 and ::1) sharing one port,
 * WebSocket upgrades for the control plane and HTTP routes on the same port; timers for tick and health;
 * graceful shutdown that tells every client why before closing.
 */
import type { Server } from "bun";
import { AgentRuntime } from "../agent/runtime.ts";
import { ChannelManager, type ChannelManagerOptions } from "../channels/manager.ts";
import type { GatewaySettings } from "../config/gateway-settings.ts";
import type { LoadedConfig } from "../config/load.ts";
import type { Logger } from "../logging/logger.ts";
import { POLICY } from "../protocol/index.ts";
import { createSqliteStore } from "../store/sqlite.ts";
import { openStateDb } from "../store/state-db.ts";
import { openDevicePairingStorage } from "../store/device-pairing.ts";
import { tryStartBrowserControl } from "../browser/index.ts";
import { derivePorts } from "../config/paths.ts";
import { ExecApprovalQueue } from "./approvals/approvals.ts";
import { agentExecPorts } from "./approvals/agent-exec.ts";
import { ChatApprovals } from "./approvals/chat-approvals.ts";
import { enqueueSystemEvent } from "./heartbeat/system-events.ts";
import { AuthRateLimiter, checkSharedSecret } from "./auth.ts";
import { Connections, type ConnectionData, RawJson, forgetPendingClose, type GatewaySocket, onDrain } from "./connections.ts";
import { sessionDefaults } from "./agents/agents-view.ts";
import { toV4RunEventPayload } from "./run-events-v4.ts";
import { mountCanvas } from "./canvas/canvas.ts";
import { toToolNodes } from "./nodes/agent-nodes.ts";
import { toToolBrowser } from "./browser-bridge/index.ts";
import { toRunAgentTurn, toStopSessionRuns, toTargetString } from "./channels/channel-agent.ts";
import { toToolChannels } from "./channels/agent-channels.ts";
import { toToolCron } from "./cron/agent-cron.ts";
import { toToolAgentRuns } from "./chat/agent-runs.ts";
import type { HostToolPorts } from "../agent/index.ts";
import type { GatewayContext } from "./context.ts";
import { buildHealthSnapshot } from "./health/health-snapshot.ts";
import { DeviceStore } from "./devices/devices.ts";
import { type HeartbeatClock, type HeartbeatReason, HeartbeatRunner } from "./heartbeat/heartbeat.ts";
import { subscribeNodeEvents } from "./nodes/node-events.ts";
import { NodeRegistry } from "./nodes/nodes.ts";
import { NodePairingStore } from "../store/node-pairing.ts";
import { CronStore } from "../store/cron.ts";
import { CronService } from "./cron/index.ts";
import { MemoryService } from "../memory/index.ts";
import { memoryEmbeddingsFor, toToolMemory } from "./memory/index.ts";
import { FEATURES } from "./features.ts";
import { handleFrame } from "./frames.ts";
import { handleHttp } from "./http.ts";
import { resolveHandshakeTimeoutMs } from "./preauth.ts";
import { Metrics } from "./metrics.ts";
import { Presence } from "./presence/presence.ts";
import { RunListeners } from "./chat/run-listeners.ts";
import { stateDbPath } from "./sessions/sessions-view.ts";

const PRESENCE_COALESCE_MS = 25;
const HEALTH_COALESCE_MS = 50;
/**
 * The coalescing window for `clients` connected: the base window up to 100 clients, then growing with the
 * count (1 ms per 4 clients, at most 1 s). A connect storm costs one fan-out per window, and each fan-out
 * costs one send per client: with a fixed window, 5 000 clients connecting meant ~100 000 presence frames.
 */
export function coalesceWindowMs(baseMs: number, clients: number): number {
  return Math.min(1000, Math.max(baseMs, Math.round(clients / 4)));
}
const HEARTBEAT_STOP_GRACE_MS = 3000;

/** What `startGateway` needs. */
export interface GatewayOptions {
  version: string;
  stateDir: string;
  loaded: LoadedConfig;
  settings: GatewaySettings;
  logger: Logger;
  /** Handshake timeout (default 15 000 ms or OPENCLAW_HANDSHAKE_TIMEOUT_MS); tests shorten it. */
  handshakeTimeoutMs?: number;
  /** Tick interval (default policy 30 000 ms); tests shorten it. */
  tickIntervalMs?: number;
  /** Health refresh interval (default 60 000 ms). */
  healthIntervalMs?: number;
  /** Channel adapter overrides and env (tests). */
  channelOptions?: Pick<ChannelManagerOptions, "factories" | "env" | "restartBackoff">;
  /** The heartbeat runner's clock (tests drive the schedule with a fake one). */
  heartbeatClock?: HeartbeatClock;
  /** The cron scheduler's clock (tests drive job times with a fake one). */
  cronClock?: HeartbeatClock;
}

/** A running gateway. */
export interface GatewayHandle {
  /** The bound port (resolved when 0 was asked). */
  port: number;
  /** Addresses actually listening. */
  hosts: string[];
  ctx: GatewayContext;
  /**
   * Tells clients (`shutdown` event), closes them with 1012, stops listening. Safe to call twice.
   * @param restartExpectedMs set when the process restarts in place.
   */
  stop(reason?: string, restartExpectedMs?: number): Promise<void>;
}

/**
 * Starts listening.
 * @throws Error with code EADDRINUSE (message names the port) when the port is taken.
 */
export async function startGateway(opts: GatewayOptions): Promise<GatewayHandle> {
  const log = opts.logger.child("gateway");
  const wsLog = opts.logger.child("ws");
  const connections = new Connections();
  // The running config: swapped by a hot reload through ctx.loaded; every reader goes through this binding.
  let loaded = opts.loaded;
  const systemEvents: string[] = [];
  const presence = new Presence({ version: opts.version });
  // The one connection to state.db: every store below borrows it; closed last, on stop.
  const stateDb = openStateDb(stateDbPath(opts.stateDir));
  const onWarn = (msg: string) => log.warn(msg);
  const devices = new DeviceStore({ storage: openDevicePairingStorage(stateDb, { stateDir: opts.stateDir, onWarn }), onWarn });
  const nodePairing = new NodePairingStore(stateDb);
  const nodes = new NodeRegistry({ connections, devices, pairing: nodePairing, config: () => loaded.config, logger: opts.logger });
  // Approval events go to operators holding operator.approvals (admin passes), never to nodes (spec §4).
  const approvals = new ExecApprovalQueue({ broadcast: (event, payload) => connections.broadcast(event, payload, { scope: "operator.approvals", role: "operator", dropIfSlow: true }) });
  const health = { snapshot: undefined as ReturnType<typeof buildHealthSnapshot> | undefined, version: 1 };
  const store = createSqliteStore(stateDb);
  const runListeners = new RunListeners();
  // Background processes and approval questions of agent runs; a finished process tells the main session.
  // Questions of runs that came from a chat also go to that chat; its owner answers with /approve.
  const chatApprovals: ChatApprovals = new ChatApprovals({ queue: approvals, logger: opts.logger, channels: { send: (req): Promise<unknown> => channels.send(req) } });
  const execPorts = agentExecPorts({
    stateDir: opts.stateDir,
    approvals,
    chat: chatApprovals,
    notify: (text) => {
      if (enqueueSystemEvent(systemEvents, text)) void heartbeat.requestNow("wake");
    },
  });
  // The workspace memory index (state DB), watched from the memory feature's start.
  const memory = new MemoryService({ db: stateDb.db, onWarn: (msg) => log.warn(msg), embeddings: memoryEmbeddingsFor(() => loaded.config) });
  // The runtime reads its ports at every run: channels, cron and agent runs are added once they exist.
  const toolPorts: HostToolPorts = { ...execPorts, memory: toToolMemory(memory) };
  const agents = new AgentRuntime({
    store,
    config: () => loaded.config,
    emit: (event, payload, v4Extra) => {
      connections.broadcast(event, payload, { role: "operator", v4Payload: toV4RunEventPayload(payload, v4Extra, () => sessionDefaults(loaded.config).defaultAgentId) });
      runListeners.dispatch(event, payload);
    },
    logger: opts.logger.child("agent"),
    nodes: toToolNodes(nodes),
    toolPorts,
    stateDir: opts.stateDir,
  });
  const channels = new ChannelManager({
    stateDir: opts.stateDir,
    getConfig: () => loaded.config,
    logger: opts.logger,
    runAgentTurn: toRunAgentTurn(() => agents, opts.logger.child("channels")),
    stopRuns: toStopSessionRuns(() => agents),
    chatCommand: (req): string => chatApprovals.answer({ chat: { channel: req.channel.channel, accountId: req.channel.accountId, to: toTargetString(req) }, senderId: req.channel.senderId, args: req.args }),
    stateDb,
    ...opts.channelOptions,
  });

  // One host for the heartbeat and cron schedulers: the same services, the running config read live. Cron's
  // wake of the heartbeat forwards to the runner created just below (called only once both exist).
  const schedulerHost = {
    get config() {
      return loaded.config;
    },
    agents,
    store,
    systemEvents,
    connections,
    channels,
    logger: opts.logger,
    heartbeat: { requestNow: (reason?: HeartbeatReason) => heartbeat.requestNow(reason) },
  };
  const heartbeat = new HeartbeatRunner({ host: schedulerHost, logger: opts.logger, clock: opts.heartbeatClock });
  const cronStore = new CronStore(stateDb);
  const cron = new CronService({ host: schedulerHost, store: cronStore, logger: opts.logger, clock: opts.cronClock });
  Object.assign(toolPorts, {
    channels: toToolChannels(channels, opts.logger),
    cron: toToolCron(cron),
    agentRuns: toToolAgentRuns(() => agents),
    // The browser port reads ctx.browserControl per call: the service starts once the listener is up.
    browser: toToolBrowser({ control: () => ctx.browserControl, secret: () => (ctx.settings.auth.mode === "password" ? ctx.settings.auth.password : ctx.settings.auth.token) }),
  });

  let presenceTimer: ReturnType<typeof setTimeout> | undefined;
  let healthTimerOnce: ReturnType<typeof setTimeout> | undefined;
  const ctx: GatewayContext = {
    version: opts.version,
    startedAt: Date.now(),
    stateDir: opts.stateDir,
    get loaded() {
      return loaded;
    },
    set loaded(next) {
      loaded = next;
    },
    get config() {
      return loaded.config;
    },
    settings: opts.settings,
    logger: opts.logger,
    connections,
    presence,
    devices,
    nodePairing,
    nodes,
    approvals,
    rateLimiter: new AuthRateLimiter(),
    metrics: new Metrics(),
    store,
    agents,
    runListeners,
    channels,
    health,
    systemEvents,
    heartbeat,
    cron,
    memory,
    stateVersion: () => ({ presence: presence.version, health: health.version }),
    broadcastPresence() {
      connections.broadcast("presence", new RawJson(`{"presence":${presence.json()}}`), { dropIfSlow: true, stateVersion: ctx.stateVersion() });
    },
    schedulePresenceBroadcast() {
      // Coalesced: a burst of connects costs one fan-out per window, not one per connect (N² at 1 000 clients).
      presenceTimer ??= setTimeout(() => {
        presenceTimer = undefined;
        ctx.broadcastPresence();
      }, coalesceWindowMs(PRESENCE_COALESCE_MS, connections.size));
    },
    scheduleHealthRefresh() {
      const healthWindow = coalesceWindowMs(HEALTH_COALESCE_MS, connections.size);
      healthTimerOnce ??= setTimeout(() => {
        healthTimerOnce = undefined;
        // A snapshot built moments ago (by the health method) is what callers just got: send that one.
        if (health.snapshot && Date.now() - health.snapshot.ts <= healthWindow * 2) {
          health.version += 1;
          connections.broadcast("health", health.snapshot, { stateVersion: ctx.stateVersion() });
        } else ctx.refreshHealth();
      }, healthWindow);
    },
    healthSnapshot(maxAgeMs) {
      if (!health.snapshot || Date.now() - health.snapshot.ts > maxAgeMs) {
        health.snapshot = buildHealthSnapshot(ctx.config, ctx.stateDir, store, channels.healthFields());
      }
      return health.snapshot;
    },
    refreshHealth() {
      health.snapshot = buildHealthSnapshot(ctx.config, ctx.stateDir, store, channels.healthFields());
      health.version += 1;
      connections.broadcast("health", health.snapshot, { stateVersion: ctx.stateVersion() });
      return health.snapshot;
    },
  };
  health.snapshot = buildHealthSnapshot(ctx.config, ctx.stateDir, store, channels.healthFields());
  subscribeNodeEvents(ctx);
  connections.onSlowConsumer = (ws) => {
    ctx.metrics.slowConsumersClosed += 1;
    wsLog.warn("closed slow consumer", { connId: ws.data.connId, buffered: ws.getBufferedAmount() });
  };

  ctx.canvas = mountCanvas(ctx.config, opts.settings, opts.logger, ctx.rateLimiter);
  const handshakeTimeoutMs = opts.handshakeTimeoutMs ?? resolveHandshakeTimeoutMs(process.env, (msg) => log.warn(msg));
  const websocket = {
    maxPayloadLength: POLICY.maxPayload,
    // Hard stop well above the policy threshold: a client that never reads cannot make us buffer forever.
    backpressureLimit: POLICY.maxBufferedBytes * 2,
    closeOnBackpressureLimit: true,
    idleTimeout: 0,
    perMessageDeflate: false,
    open(ws: GatewaySocket) {
      if (ws.data.canvas) return ctx.canvas?.host.addReloadSocket(ws);
      connections.add(ws);
      ws.send(JSON.stringify({ type: "event", event: "connect.challenge", payload: { nonce: ws.data.nonce, ts: Date.now() } }));
      ws.data.handshakeTimer = setTimeout(() => {
        if (!ws.data.client && !ws.data.closed) ws.close(1000, "");
      }, handshakeTimeoutMs);
    },
    message(ws: GatewaySocket, message: string | Buffer) {
      if (ws.data.canvas) return;
      ctx.metrics.framesIn += 1;
      if (typeof message !== "string") {
        // Binary frames are not part of the protocol.
        if (!ws.data.client) ws.close(1008, "invalid request frame");
        return;
      }
      void handleFrame(ctx, ws, message);
    },
    drain(ws: GatewaySocket) {
      onDrain(ws);
    },
    close(ws: GatewaySocket, code: number) {
      ws.data.closed = true;
      forgetPendingClose(ws);
      if (ws.data.canvas) return ctx.canvas?.host.removeReloadSocket(ws);
      clearTimeout(ws.data.handshakeTimer);
      connections.remove(ws);
      const client = ws.data.client;
      if (!client) return;
      approvals.cancelFor(ws.data.connId);
      if (client.role === "node") {
        nodes.noteDisconnected(ws.data.connId);
        ctx.canvas?.host.revoke(ws.data.connId);
      }
      wsLog.debug("client disconnected", { connId: ws.data.connId, client: client.id, code });
      // A reconnect under the same key may have arrived before this close: its row stays "connect".
      if (client.presenceKey && !connections.holdsPresenceKey(client.presenceKey)) {
        presence.upsert(client.presenceKey, { reason: "disconnect" });
        ctx.schedulePresenceBroadcast();
      }
    },
  };

  const servers: Server<ConnectionData>[] = [];
  let port = opts.settings.port;
  for (const host of opts.settings.hosts) {
    try {
      const server = Bun.serve<ConnectionData>({
        hostname: host,
        port,
        // An IPv6 listener must not also take the IPv4 wildcard.
        ipv6Only: host.includes(":"),
        fetch(req, srv) {
          return handleHttp(ctx, req, srv as Server<ConnectionData>);
        },
        websocket,
      });
      servers.push(server);
      port = server.port as number;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (servers.length > 0 && host.includes(":") && code !== "EADDRINUSE") {
        // No IPv6 on this host: the IPv4 listener is enough.
        log.debug(`skipping ${host}: ${(err as Error).message}`);
        continue;
      }
      for (const s of servers) s.stop(true);
      nodePairing.close();
      cronStore.close();
      store.close();
      stateDb.close();
      if (code === "EADDRINUSE" || /in use/i.test((err as Error).message)) {
        const e = new Error(`Port ${port} is already in use (${host}). Stop the other process or pick another port with --port.`);
        (e as { code?: string }).code = "EADDRINUSE";
        throw e;
      }
      throw err;
    }
  }

  // Browser control on gateway port + 2, loopback only; a failure there is logged and never stops the gateway.
  if (ctx.config.browser?.enabled !== false) {
    ctx.browserControl = await tryStartBrowserControl({
      port: derivePorts(port).browserControl,
      stateDir: opts.stateDir,
      config: () => loaded.config,
      verifyToken: (presented) => checkSharedSecret(ctx.settings.auth, { token: presented, password: presented }).ok,
      limiter: ctx.rateLimiter,
      log: opts.logger.child("browser"),
    });
  }

  // Features with long-lived work (channels, heartbeat, cron) start in registry order.
  for (const feature of FEATURES) await feature.start?.(ctx);
  const tick = setInterval(() => connections.broadcast("tick", { ts: Date.now() }, { dropIfSlow: true }), opts.tickIntervalMs ?? POLICY.tickIntervalMs);
  const healthTimer = setInterval(() => ctx.refreshHealth(), opts.healthIntervalMs ?? 60_000);

  let stopping: Promise<void> | undefined;
  const stop = (reason = "gateway stopping", restartExpectedMs?: number): Promise<void> => {
    stopping ??= (async () => {
      clearInterval(tick);
      clearInterval(healthTimer);
      clearTimeout(presenceTimer);
      clearTimeout(healthTimerOnce);
      // Every feature stops taking new work (reverse registry order: approvals fail their waiters while the
      // sockets are still open; channel accounts stop before the runs end).
      const before: (void | Promise<void>)[] = [];
      const after: (void | Promise<void>)[] = [];
      for (const feature of [...FEATURES].reverse()) (feature.stopAfterRuns ? after : before).push(feature.stop?.(ctx));
      await Promise.all(before);
      // Runs end first (aborted, partial text kept) so clients see their final events before `shutdown`.
      await agents.shutdown();
      execPorts.exec.processes.killAll();
      // An aborted heartbeat or cron run ends at once; the bound only guards against a stuck delivery.
      let graceTimer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([Promise.all(after), new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, HEARTBEAT_STOP_GRACE_MS)))]);
      clearTimeout(graceTimer);
      ctx.canvas?.stop();
      const browserStopped = ctx.browserControl?.stop();
      // The key is always present (null on a plain stop): upstream clients read it without checking for it.
      connections.broadcast("shutdown", { reason, restartExpectedMs: restartExpectedMs ?? null });
      for (const ws of connections.all()) {
        clearTimeout(ws.data.handshakeTimer);
        try {
          ws.close(1012, "service restart");
        } catch {
          // already closed
        }
      }
      // Give close frames a moment to flush, then drop whatever is left.
      await Promise.race([Promise.all(servers.map((s) => s.stop(false))), Bun.sleep(2000)]);
      for (const s of servers) s.stop(true);
      await browserStopped;
      nodes.close();
      nodePairing.close();
      cronStore.close();
      store.close();
      stateDb.close();
    })();
    return stopping;
  };

  return { port, hosts: servers.map((s) => s.hostname as string), ctx, stop };
}
