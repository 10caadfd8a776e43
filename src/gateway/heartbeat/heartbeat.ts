/**
 * The heartbeat runner: every `heartbeat.every` it runs one agent turn on the agent's main session with the
 * heartbeat prompt and the queued system events, then delivers the reply unless it is an acknowledgement
 * (`HEARTBEAT_OK`). Each outcome is broadcast as a `heartbeat` event and kept as `last-heartbeat`.
 *
 * Rules: a heartbeat never waits behind a run on its session (it is skipped as "busy"), two heartbeats never
 * overlap (a wake during one runs right after it), an empty `HEARTBEAT.md` with nothing queued skips the
 * model call, and the same text is not delivered twice within 24 hours. Timers come from an injectable
 * clock so tests can drive the schedule.
 */
import { randomUUID } from "node:crypto";
import {
  agentIds,
  buildHeartbeatMessage,
  classifyHeartbeatReply,
  heartbeatAgentIds,
  heartbeatSessionKey,
  isHeartbeatFileEmpty,
  isWithinActiveHours,
  readHeartbeatFile,
  replyTextOf,
  resolveHeartbeat,
  resolveWorkspace,
  type HeartbeatSettings,
} from "../../agent/index.ts";
import { toErrorMessage } from "../../errors.ts";
import type { Logger } from "../../logging/logger.ts";
import type { AgentRuntime } from "../../agent/index.ts";
import type { OpenClawConfig } from "../../config/schema.ts";
import type { SessionEntry, Store } from "../../store/index.ts";
import type { Connections } from "../connections.ts";
import { type DeliveryHost, resolveDeliveryTarget, sendReply } from "../channels/delivery.ts";
import { type HeartbeatClock, SYSTEM_CLOCK, WakeTimer } from "../_wake-timer.ts";

/** The clock type of `HeartbeatRunnerOptions.clock` (shared with the cron service). */
export type { HeartbeatClock } from "../_wake-timer.ts";

/** How one heartbeat ended. */
export type HeartbeatStatus = "sent" | "ok-token" | "ok-empty" | "skipped" | "failed";

/** The `heartbeat` event payload (and the `last-heartbeat` result). */
export interface HeartbeatEventPayload {
  ts: number;
  status: HeartbeatStatus;
  reason?: string;
  to?: string;
  channel?: string;
  accountId?: string;
  /** The first 200 characters of what was sent. */
  preview?: string;
  durationMs: number;
  hasMedia?: boolean;
  /** Nothing was shown to anyone (an acknowledgement). */
  silent?: boolean;
}

/** Why a heartbeat ran. */
export type HeartbeatReason = "interval" | "wake" | "hook";

/** Same text within this window is not delivered again. */
export const DUPLICATE_WINDOW_MS = 24 * 60 * 60_000;
const PREVIEW_MAX_CHARS = 200;
const HEARTBEAT_SYSTEM_PROMPT =
  "This turn is a scheduled heartbeat, not a message typed by the user. Your reply reaches the user only when it is not HEARTBEAT_OK, so answer HEARTBEAT_OK unless there is something worth telling them.";

/**
 * What the runner needs from the gateway, and nothing more: the running config, the agent runtime, the
 * session store, the system-event queue it drains, a broadcaster and what reply delivery needs.
 */
export interface HeartbeatHost extends DeliveryHost {
  /** The running config (re-read on every use, so a hot reload is seen). */
  readonly config: OpenClawConfig;
  readonly agents: Pick<AgentRuntime, "runsOn" | "submit" | "defaultTimeoutMs">;
  readonly store: Pick<Store, "getSession" | "setSession">;
  /** System event texts queued for the main session; the default agent's heartbeat drains them. */
  readonly systemEvents: string[];
  readonly connections: Pick<Connections, "broadcast">;
}

/** What the runner needs. */
export interface HeartbeatRunnerOptions {
  host: HeartbeatHost;
  logger: Logger;
  clock?: HeartbeatClock;
}

/** Schedules and runs heartbeats for one gateway. Methods are safe to call at any time. */
export class HeartbeatRunner {
  private readonly opts: HeartbeatRunnerOptions;
  private readonly clock: HeartbeatClock;
  private readonly log: Logger;
  /** agentId → interval and next due time. */
  private readonly schedule = new Map<string, { everyMs: number; dueAt: number }>();
  /** agentId → the last text delivered, for the duplicate rule. */
  private readonly lastSent = new Map<string, { text: string; at: number }>();
  private readonly timer: WakeTimer;
  private started = false;
  private enabled = true;
  private running?: Promise<HeartbeatEventPayload[]>;
  private wakeAgain?: { reason: HeartbeatReason; resolve: (events: HeartbeatEventPayload[]) => void }[];
  #last: HeartbeatEventPayload | null = null;

  constructor(opts: HeartbeatRunnerOptions) {
    this.opts = opts;
    this.clock = opts.clock ?? SYSTEM_CLOCK;
    this.timer = new WakeTimer(this.clock, () => this.onTimer());
    this.log = opts.logger.child("heartbeat");
  }

  /** The last heartbeat event (`last-heartbeat`); null until one ran. */
  get last(): HeartbeatEventPayload | null {
    return this.#last;
  }

  /** Starts the schedule from the config. Safe to call twice. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.applySchedule(true);
  }

  /**
   * Stops the schedule; later wakes do nothing. A heartbeat in flight finishes (its run is aborted by the
   * runtime's shutdown): await the returned promise before closing the store.
   */
  stop(): Promise<void> {
    this.started = false;
    this.schedule.clear();
    this.timer.disarm();
    for (const w of this.wakeAgain ?? []) w.resolve([]);
    this.wakeAgain = undefined;
    return (this.running ?? Promise.resolve([])).then(() => undefined);
  }

  /** Turns heartbeats on or off at runtime (`set-heartbeats`); on again starts a fresh interval. */
  setEnabled(enabled: boolean): void {
    if (enabled === this.enabled) return;
    this.enabled = enabled;
    this.log.info(enabled ? "enabled" : "disabled (set-heartbeats)");
    if (!enabled) {
      this.schedule.clear();
      this.timer.disarm();
    } else this.applySchedule(false);
  }

  /**
   * Re-reads the config (after a hot reload): agents whose interval changed start a fresh one, others
   * keep their next due time.
   */
  reschedule(): void {
    this.applySchedule(false);
  }

  /**
   * Runs the heartbeat of every scheduled agent now (a wake), still skipping busy sessions. While a
   * heartbeat runs, the wake runs right after it.
   * @returns the outcomes; [] when heartbeats are stopped or off. Never rejects.
   */
  requestNow(reason: HeartbeatReason = "wake"): Promise<HeartbeatEventPayload[]> {
    if (!this.started || this.schedule.size === 0) return Promise.resolve([]);
    if (this.running) {
      return new Promise((resolve) => {
        this.wakeAgain ??= [];
        this.wakeAgain.push({ reason, resolve });
      });
    }
    return this.runAgents([...this.schedule.keys()], reason);
  }

  // --- internal ---

  /** Syncs the schedule with the config and the on/off switch, logs transitions, re-arms the timer. */
  private applySchedule(initial: boolean): void {
    if (!this.started) return;
    const config = this.opts.host.config;
    const wanted = new Map<string, HeartbeatSettings>();
    if (this.enabled) {
      for (const id of heartbeatAgentIds(config)) {
        const hb = resolveHeartbeat(config, id);
        if (hb.enabled) wanted.set(id, hb);
      }
    }
    const hadAny = this.schedule.size > 0;
    const now = this.clock.now();
    for (const id of this.schedule.keys()) if (!wanted.has(id)) this.schedule.delete(id);
    for (const [id, hb] of wanted) {
      const current = this.schedule.get(id);
      if (current?.everyMs === hb.everyMs) continue;
      this.schedule.set(id, { everyMs: hb.everyMs, dueAt: now + hb.everyMs });
      if (!initial && current) this.log.info(`interval of ${id} is now ${hb.every}`);
    }
    if (this.schedule.size > 0 && (initial || !hadAny)) this.log.info("started");
    else if (this.schedule.size === 0 && hadAny) this.log.info("stopped (heartbeat.every is 0)");
    else if (initial && this.enabled) this.log.info("off (heartbeat.every is 0)");
    this.arm();
  }

  private arm(): void {
    if (!this.started || this.running || this.schedule.size === 0) return this.timer.disarm();
    this.timer.arm(Math.min(...[...this.schedule.values()].map((s) => s.dueAt)));
  }

  private onTimer(): void {
    if (!this.started || this.running) return;
    const now = this.clock.now();
    const due = [...this.schedule].filter(([, s]) => s.dueAt <= now).map(([id]) => id);
    if (due.length === 0) return this.arm();
    void this.runAgents(due, "interval");
  }

  /** Runs the given agents' heartbeats one after the other; then serves a queued wake or re-arms. */
  private runAgents(ids: string[], reason: HeartbeatReason): Promise<HeartbeatEventPayload[]> {
    const now = this.clock.now();
    for (const id of ids) {
      const s = this.schedule.get(id);
      if (s) s.dueAt = now + s.everyMs;
    }
    this.timer.disarm();
    const run = (async () => {
      const out: HeartbeatEventPayload[] = [];
      for (const id of ids) out.push(await this.beatSafely(id, reason));
      return out;
    })();
    this.running = run;
    void run.then(() => {
      this.running = undefined;
      const waiting = this.wakeAgain;
      this.wakeAgain = undefined;
      if (waiting?.length && this.started && this.schedule.size > 0) {
        void this.runAgents([...this.schedule.keys()], waiting[0].reason).then((events) => {
          for (const w of waiting) w.resolve(events);
        });
      } else {
        for (const w of waiting ?? []) w.resolve([]);
        this.arm();
      }
    });
    return run;
  }

  private async beatSafely(agentId: string, reason: HeartbeatReason): Promise<HeartbeatEventPayload> {
    const startedAt = this.clock.now();
    try {
      return await this.beat(agentId, reason, startedAt);
    } catch (err) {
      this.log.error("heartbeat crashed", { agentId, error: toErrorMessage(err), stack: (err as Error)?.stack });
      return this.emit(startedAt, { status: "failed", reason: toErrorMessage(err) });
    }
  }

  private async beat(agentId: string, reason: HeartbeatReason, startedAt: number): Promise<HeartbeatEventPayload> {
    const gw = this.opts.host;
    const config = gw.config;
    const hb = resolveHeartbeat(config, agentId);
    const sessionKey = heartbeatSessionKey(config, hb);
    if (!isWithinActiveHours(hb, startedAt)) return this.emit(startedAt, { status: "skipped", reason: "quiet-hours" });
    if (gw.agents.runsOn(sessionKey).length > 0) return this.emit(startedAt, { status: "skipped", reason: "busy" });

    // The queue belongs to the main session, so only the default agent's heartbeat reads it.
    const isDefault = agentId === agentIds(config).defaultId;
    const events = isDefault ? [...gw.systemEvents] : [];
    const file = readHeartbeatFile(resolveWorkspace(config, agentId, isDefault));
    if (events.length === 0 && file !== undefined && isHeartbeatFileEmpty(file)) {
      return this.emit(startedAt, { status: "skipped", reason: "empty-heartbeat-file" });
    }
    gw.systemEvents.splice(0, events.length);

    const runId = `heartbeat:${randomUUID()}`;
    const before = gw.store.getSession(sessionKey);
    this.log.debug("running", { agentId, reason, runId, events: events.length });
    const sub = gw.agents.submit({
      runId,
      kind: "agent",
      sessionKey,
      agentId,
      message: buildHeartbeatMessage(hb.prompt, events),
      timeoutMs: gw.agents.defaultTimeoutMs(),
      channel: "heartbeat",
      internal: true,
      extraSystemPrompt: HEARTBEAT_SYSTEM_PROMPT,
      ...(hb.model && { model: hb.model }),
    });
    if (sub.status !== "accepted") return this.emit(startedAt, { status: "failed", reason: "run id already used" });
    const final = await sub.done;
    if (!final.ok) return this.emit(startedAt, { status: "failed", reason: final.error?.message ?? "agent run failed" });
    if (final.payload.summary === "aborted") return this.emit(startedAt, { status: "failed", reason: "aborted" });

    const reply = classifyHeartbeatReply(replyTextOf(final), hb.ackMaxChars);
    if (reply.kind !== "message") {
      // An acknowledgement is not activity: idle session expiry keeps counting from the last real turn.
      if (before) this.restoreUpdatedAt(sessionKey, before);
      return this.emit(startedAt, { status: reply.kind === "ack" ? "ok-token" : "ok-empty", silent: true });
    }
    if (hb.target === "none") return this.emit(startedAt, { status: "skipped", reason: "target-none" });

    const resolved = resolveDeliveryTarget(gw, { channel: hb.target, to: hb.to, accountId: hb.accountId, sessionKey });
    if (!resolved.ok) {
      if (resolved.reason === "no-target") return this.emit(startedAt, { status: "skipped", reason: "no-target" });
      return this.emit(startedAt, { status: "failed", reason: resolved.error, ...(resolved.channel && { channel: resolved.channel }) });
    }
    const target = resolved.target;
    const where = { ...(target.channel && { channel: target.channel }), to: target.to, ...(target.accountId && { accountId: target.accountId }) };
    const last = this.lastSent.get(agentId);
    if (last && last.text === reply.text && this.clock.now() - last.at < DUPLICATE_WINDOW_MS) {
      return this.emit(startedAt, { status: "skipped", reason: "duplicate", ...where });
    }
    if (!this.started) return this.emit(startedAt, { status: "failed", reason: "gateway stopping", ...where });
    const outcome = await sendReply(gw, target, reply.text, runId);
    if (!outcome.ok) return this.emit(startedAt, { status: "failed", reason: outcome.error, ...where });
    this.lastSent.set(agentId, { text: reply.text, at: this.clock.now() });
    return this.emit(startedAt, { status: "sent", ...where, channel: outcome.channel, preview: reply.text.slice(0, PREVIEW_MAX_CHARS) });
  }

  /** Puts back the session's `updatedAt` from before the heartbeat, unless the turn started a new session. */
  private restoreUpdatedAt(sessionKey: string, before: SessionEntry): void {
    const store = this.opts.host.store;
    const entry = store.getSession(sessionKey);
    if (entry?.sessionId === before.sessionId) store.setSession(sessionKey, { ...entry, updatedAt: before.updatedAt });
  }

  /** Completes the payload, keeps it as the last heartbeat, broadcasts it, logs it. */
  private emit(startedAt: number, outcome: Omit<HeartbeatEventPayload, "ts" | "durationMs">): HeartbeatEventPayload {
    const now = this.clock.now();
    const payload: HeartbeatEventPayload = { ts: now, ...outcome, durationMs: Math.max(0, now - startedAt), hasMedia: false };
    this.#last = payload;
    this.opts.host.connections.broadcast("heartbeat", payload, { dropIfSlow: true, role: "operator" });
    const fields = { ...(payload.reason && { reason: payload.reason }), ...(payload.channel && { channel: payload.channel }), durationMs: payload.durationMs };
    if (payload.status === "failed") this.log.warn(payload.status, fields);
    else this.log.info(payload.status, fields);
    return payload;
  }
}
