/**
 * The agent runtime: accepts runs (durably, before the caller acknowledges them), schedules them on
 * session lanes under the global cap, dedupes by idempotency key, aborts and times them out, and answers
 * `agent.wait`. It knows nothing of sockets: events leave through the `emit` callback.
 */
import type { OpenClawConfig } from "../config/schema.ts";
import { toErrorMessage } from "../errors.ts";
import type { Logger } from "../logging/logger.ts";
import type { ImageContent, RunRecord, Store } from "../store/index.ts";
import { toUserContent } from "./attachments.ts";
import { type EmitFn, RunEvents } from "./events.ts";
import { DEFAULT_MAX_CONCURRENT, Lanes } from "./lanes.ts";
import type * as Llm from "./llm/index.ts";
import { findInboundMessage } from "./resume.ts";
import { executeRun, HISTORY_LIMIT, runToolPorts, type StopReason } from "./run-turn.ts";
import { type ExplainedTool, explainTools, type HostToolPorts, type ToolNodes } from "./tools/index.ts";
import { agentIds } from "./session-keys.ts";
import { resolveWorkspace } from "./workspace.ts";
import { TtlCache } from "../util/ttl-cache.ts";
import type { RunFinal, RunRequest, SubmitResult, WaitResult } from "./types.ts";

/** Longest delay a timer takes (2^31 - 1 ms). */
const MAX_TIMER_MS = 2_147_483_647;
/** Idempotency window and size (protocol.md §1). */
export const DEDUPE_TTL_MS = 5 * 60_000;
export const DEDUPE_MAX = 1000;
/** Default run timeout (`agents.defaults.timeoutSeconds`). */
export const DEFAULT_TIMEOUT_SECONDS = 600;
const SHUTDOWN_GRACE_MS = 3000;

/** What the runtime needs. */
export interface AgentRuntimeOptions {
  store: Store;
  /** Read at every run, so hot reloads apply to the next run. */
  config: () => OpenClawConfig;
  emit: EmitFn;
  logger: Logger;
  env?: Record<string, string | undefined>;
  /** Loads the model layer (AI SDK). Default: a lazy import of `./llm/index.ts`. */
  loadModelLayer?: () => Promise<typeof Llm>;
  /** chat delta spacing (tests shorten it). */
  chatThrottleMs?: number;
  /** The gateway's nodes, for tools that drive them (`canvas`); without it those tools are left out. */
  nodes?: ToolNodes;
  /**
   * The host's tool ports: `exec` (process registry with its onFinished), `approvals` (the approvals file
   * and a way to ask a person), `channels`, `cron`, `agentRuns`, `memory` (the workspace memory index). A tool whose port is missing is left out.
   * Read at every run, so the host may fill it in after constructing the runtime.
   */
  toolPorts?: HostToolPorts;
  /** The gateway's state dir (managed and bundled skills live there); without it runs get no skills. */
  stateDir?: string;
}

interface ActiveRun {
  req: RunRequest;
  controller: AbortController;
  acceptedAt: number;
  done: Promise<RunFinal>;
}

/** Runs agent turns. One per gateway; every method is safe to call concurrently. */
export class AgentRuntime {
  private readonly active = new Map<string, ActiveRun>();
  private readonly finished = new TtlCache<string, RunFinal>({ ttlMs: DEDUPE_TTL_MS, maxEntries: DEDUPE_MAX });
  private readonly waiters = new Map<string, Set<(done: Promise<RunFinal>) => void>>();
  private readonly lanes: Lanes;
  private readonly loadModelLayer: () => Promise<typeof Llm>;
  private closed = false;

  constructor(private readonly opts: AgentRuntimeOptions) {
    this.lanes = new Lanes(() => opts.config().agents?.defaults?.maxConcurrent ?? DEFAULT_MAX_CONCURRENT);
    this.loadModelLayer = opts.loadModelLayer ?? (() => import("./llm/index.ts"));
    this.recover();
  }

  /** True once {@link shutdown} began: runs aborted from then on were interrupted by the stop. */
  get shuttingDown(): boolean {
    return this.closed;
  }

  /** Runs in flight (queued or running). */
  get activeCount(): number {
    return this.active.size;
  }

  /** The run queue as diagnostics report it: runs holding a slot, runs waiting, and the concurrency cap. */
  laneStats(): { running: number; queued: number; maxConcurrent: number } {
    return { running: this.lanes.active, queued: this.lanes.pending, maxConcurrent: this.opts.config().agents?.defaults?.maxConcurrent ?? DEFAULT_MAX_CONCURRENT };
  }

  /** The default run timeout in ms (`agents.defaults.timeoutSeconds`, 600). */
  defaultTimeoutMs(): number {
    return (this.opts.config().agents?.defaults?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  }

  /**
   * Accepts a run. A known runId is not run again: while it runs the answer is `in_flight`; once done, the
   * cached final. A new run is recorded in the store (committed) before this returns.
   */
  submit(req: RunRequest): SubmitResult {
    if (this.closed) throw new Error("agent runtime is shut down");
    if (this.active.has(req.runId)) return { status: "in_flight", runId: req.runId };
    const cached = this.cachedFinal(req.runId);
    if (cached) return { status: "done", runId: req.runId, final: cached };

    const acceptedAt = Date.now();
    this.opts.store.putRun({ runId: req.runId, sessionKey: req.sessionKey, kind: req.kind, status: "queued", message: req.message, ...(req.inboundKey && { inboundKey: req.inboundKey }), ...(req.images?.length && { images: req.images }), createdAt: acceptedAt });
    const controller = new AbortController();
    const done = this.lanes.run(req.sessionKey, async () => this.finish(req, await this.execute(req, controller))).then((final) => this.settle(req, final));
    this.active.set(req.runId, { req, controller, acceptedAt, done });
    for (const w of this.waiters.get(req.runId) ?? []) w(done);
    this.waiters.delete(req.runId);
    return { status: "accepted", runId: req.runId, acceptedAt, done };
  }

  /**
   * Aborts runs on a session (only `runId` when given), queued or running.
   * @returns the ids that were aborted (empty when none matched).
   */
  abort(sessionKey: string, runId?: string, reason: StopReason = "rpc"): string[] {
    return this.stop(sessionKey, runId, reason).runIds;
  }

  /**
   * {@link abort}, also naming the sub-agent runs that were stopped with them (stop reason `parent`).
   * @returns `runIds` of the session, `subagentRunIds` below them.
   */
  stop(sessionKey: string, runId?: string, reason: StopReason = "rpc"): { runIds: string[]; subagentRunIds: string[] } {
    const ids: string[] = [];
    for (const [id, run] of this.active) {
      if (run.req.sessionKey !== sessionKey || (runId !== undefined && id !== runId) || run.controller.signal.aborted) continue;
      run.controller.abort(reason);
      ids.push(id);
    }
    // Sub-agents go with what spawned them: the run (when one was named), else anything the session spawned.
    const subagentRunIds = this.abortDescendants(runId === undefined ? { sessions: [sessionKey], runIds: [] } : { sessions: [], runIds: [runId] });
    return { runIds: ids, subagentRunIds };
  }

  /**
   * What a run of `agentId` on `sessionKey` would be offered, tool by tool, with the reason: the same
   * ports, workspace and policy a run gets (`tools.effective`). Pure with respect to the runtime.
   */
  explainTools(agentId: string, sessionKey: string): ExplainedTool[] {
    const config = this.opts.config();
    const env = this.opts.env ?? process.env;
    const workspace = resolveWorkspace(config, agentId, agentId === agentIds(config).defaultId, env);
    const ports = runToolPorts({ config, env, loadModelLayer: this.loadModelLayer, ports: this.opts.toolPorts }, agentId);
    return explainTools({ config, store: this.opts.store, agentId, sessionKey, workspace, nodes: this.opts.nodes, ports });
  }

  /** Run ids in flight on a session. */
  runsOn(sessionKey: string): string[] {
    return [...this.active.values()].filter((r) => r.req.sessionKey === sessionKey).map((r) => r.req.runId);
  }

  /**
   * Waits up to `timeoutMs` for a run to end. An unknown runId is waited for too (it may be submitted
   * meanwhile). `signal` ends the wait early (the caller went away) and frees what it held.
   * @returns status `timeout` when it did not end in time or was aborted.
   */
  async wait(runId: string, timeoutMs: number, signal?: AbortSignal): Promise<WaitResult> {
    const cached = this.cachedFinal(runId);
    if (cached) return toWaitResult(runId, cached);
    if (signal?.aborted) return { runId, status: "timeout" };
    let done = this.active.get(runId)?.done;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), Math.min(timeoutMs, MAX_TIMER_MS));
      onAbort = () => resolve(undefined);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
    let waiter: ((d: Promise<RunFinal>) => void) | undefined;
    if (!done) {
      done = new Promise<RunFinal>((resolve) => {
        waiter = (d) => void d.then(resolve);
        const set = this.waiters.get(runId) ?? new Set();
        set.add(waiter);
        this.waiters.set(runId, set);
      });
    }
    try {
      const final = await Promise.race([done, timeout]);
      return final ? toWaitResult(runId, final) : { runId, status: "timeout" };
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener("abort", onAbort);
      if (waiter) {
        // Unknown run ids come from clients: drop the emptied entry or every unique id would stay forever.
        const set = this.waiters.get(runId);
        set?.delete(waiter);
        if (set?.size === 0) this.waiters.delete(runId);
      }
    }
  }

  /** Aborts every run (reason `shutdown`) and waits a little for them to persist. Later submits throw. */
  async shutdown(): Promise<void> {
    this.closed = true;
    const pending = [...this.active.values()];
    for (const run of pending) run.controller.abort("shutdown");
    if (pending.length === 0) return;
    await Promise.race([Promise.allSettled(pending.map((r) => r.done)), Bun.sleep(SHUTDOWN_GRACE_MS)]);
  }

  // --- internal ---

  /**
   * Aborts (reason `parent`) the sub-agent runs spawned by the given runs or sessions, then theirs, down
   * the whole tree. @returns the ids aborted.
   */
  private abortDescendants(from: { sessions: string[]; runIds: string[] }): string[] {
    const sessions = new Set(from.sessions);
    const runIds = new Set(from.runIds);
    const stopped: string[] = [];
    for (let changed = true; changed; ) {
      changed = false;
      for (const [id, run] of this.active) {
        const parent = run.req.parent;
        if (!parent || run.controller.signal.aborted) continue;
        if (!sessions.has(parent.sessionKey) && !(parent.runId !== undefined && runIds.has(parent.runId))) continue;
        run.controller.abort("parent");
        stopped.push(id);
        runIds.add(id);
        sessions.add(run.req.sessionKey);
        changed = true;
      }
    }
    if (stopped.length > 0) this.opts.logger.info("sub-agents stopped with their parent", { runIds: stopped });
    return stopped;
  }

  private async execute(req: RunRequest, controller: AbortController): Promise<RunFinal> {
    const events = new RunEvents(this.opts.emit, req.runId, req.sessionKey, this.opts.chatThrottleMs, req.chatSessionKey);
    // Timers take a signed 32-bit delay; a longer one fires at once (TimeoutOverflowWarning), so cap it (~24.8 days).
    const timer = setTimeout(() => controller.abort("timeout"), Math.min(req.timeoutMs, MAX_TIMER_MS));
    const log = this.opts.logger;
    try {
      if (controller.signal.aborted) return this.abortedBeforeStart(req, events, controller.signal.reason as StopReason);
      return await executeRun({ store: this.opts.store, config: this.opts.config(), env: this.opts.env ?? process.env, logger: log, loadModelLayer: this.loadModelLayer, nodes: this.opts.nodes, ports: this.opts.toolPorts, ...(this.opts.stateDir && { stateDir: this.opts.stateDir }) }, req, controller.signal, events);
    } catch (err) {
      // A bug or a store failure: the run still ends with an error, and the gateway stays up.
      log.error("run crashed", { runId: req.runId, error: toErrorMessage(err), stack: (err as Error)?.stack });
      const now = Date.now();
      events.error(now, now, `internal error: ${toErrorMessage(err)}`);
      return { ok: false, payload: { runId: req.runId, status: "error", summary: toErrorMessage(err) }, error: { code: "UNAVAILABLE", message: toErrorMessage(err) }, startedAt: now, endedAt: now };
    } finally {
      clearTimeout(timer);
      events.close();
    }
  }

  /** A run aborted while queued: its message is kept in the transcript, nothing is sent to a model. */
  private abortedBeforeStart(req: RunRequest, events: RunEvents, reason: StopReason): RunFinal {
    const now = Date.now();
    this.keepUserMessage(req.sessionKey, req.message, req.images, now, true, req.inboundKey);
    events.aborted(now, now, reason);
    return { ok: true, startedAt: now, endedAt: now, payload: { runId: req.runId, status: "ok", summary: "aborted", result: { payloads: [], meta: { durationMs: 0, aborted: true } } } };
  }

  /** Runs the request's `afterRun` on an ok final and adds what it returns to the payload. Never throws. */
  private async finish(req: RunRequest, final: RunFinal): Promise<RunFinal> {
    if (!req.afterRun || !final.ok) return final;
    try {
      const extra = await req.afterRun(final);
      return extra ? { ...final, payload: { ...final.payload, ...extra } } : final;
    } catch (err) {
      this.opts.logger.warn("after-run step failed", { runId: req.runId, error: toErrorMessage(err) });
      return final;
    }
  }

  private settle(req: RunRequest, settled: RunFinal): RunFinal {
    const signal = this.active.get(req.runId)?.controller.signal;
    const final = signal?.aborted ? { ...settled, stopReason: String(signal.reason ?? "rpc") } : settled;
    this.active.delete(req.runId);
    this.remember(req.runId, final);
    const status = final.ok ? ((final.payload.summary === "aborted" ? "aborted" : "ok") as RunRecord["status"]) : "error";
    try {
      // The store may be closed already when a run outlived the shutdown grace: never throw from here.
      const record = this.opts.store.getRun(req.runId);
      this.opts.store.putRun({ ...(record ?? { runId: req.runId, sessionKey: req.sessionKey, kind: req.kind, message: req.message, createdAt: final.startedAt ?? Date.now() }), images: undefined, status, startedAt: final.startedAt, endedAt: final.endedAt ?? Date.now(), final: { ok: final.ok, payload: final.payload, error: final.error }, ...(final.error && { error: final.error.message }) });
    } catch (err) {
      this.opts.logger.warn("could not record run result", { runId: req.runId, error: toErrorMessage(err) });
    }
    return final;
  }

  private remember(runId: string, final: RunFinal): void {
    this.finished.set(runId, final);
  }

  private cachedFinal(runId: string): RunFinal | undefined {
    const hit = this.finished.get(runId);
    if (hit) return hit;
    // After a restart the store still knows recent runs: a retried request must not run twice.
    const run = this.opts.store.getRun(runId);
    if (run?.final && run.endedAt !== undefined && Date.now() - run.endedAt <= DEDUPE_TTL_MS) {
      return { ...run.final, error: run.final.error as RunFinal["error"], payload: run.final.payload as RunFinal["payload"], startedAt: run.startedAt, endedAt: run.endedAt };
    }
    return undefined;
  }

  /**
   * Appends an acknowledged user message that never reached a run, so nothing acknowledged is lost. A
   * channel message an earlier attempt already put in the transcript (same `inboundKey`) is not added again.
   */
  private keepUserMessage(sessionKey: string, text: string, images: ImageContent[] | undefined, at: number, aborted: boolean, inboundKey?: string): void {
    const store = this.opts.store;
    store.transaction(() => {
      const entry = store.getSession(sessionKey) ?? { sessionId: crypto.randomUUID(), createdAt: at, updatedAt: at };
      const kept = inboundKey !== undefined && findInboundMessage(store.readMessages(entry.sessionId, HISTORY_LIMIT, { imageMessages: 0 }), inboundKey) >= 0;
      if (!kept) store.appendMessages(entry.sessionId, [{ role: "user", content: toUserContent(text, images), timestamp: at, ...(inboundKey && { inboundKey }) }]);
      store.setSession(sessionKey, { ...entry, updatedAt: at, ...(aborted && { abortedLastRun: true }) });
    });
  }

  /** Runs left queued or running by a crash end as errors; their user messages stay in the transcript. */
  private recover(): void {
    const store = this.opts.store;
    for (const run of store.listRuns(["queued", "running"])) {
      const now = Date.now();
      const message = "interrupted: the gateway stopped before this run finished";
      store.transaction(() => {
        if (run.status === "queued") this.keepUserMessage(run.sessionKey, run.message, run.images, run.createdAt, true, run.inboundKey);
        else {
          const entry = store.getSession(run.sessionKey);
          if (entry) store.setSession(run.sessionKey, { ...entry, abortedLastRun: true });
        }
        store.putRun({ ...run, images: undefined, status: "error", endedAt: now, error: message, final: { ok: false, payload: { runId: run.runId, status: "error", summary: message }, error: { code: "UNAVAILABLE", message } } });
      });
      this.opts.logger.warn("run interrupted by a gateway stop", { runId: run.runId, sessionKey: run.sessionKey, was: run.status });
    }
  }
}

function toWaitResult(runId: string, final: RunFinal): WaitResult {
  const status = final.ok ? "ok" : final.error?.code === "AGENT_TIMEOUT" ? "timeout" : "error";
  return { runId, status, startedAt: final.startedAt, endedAt: final.endedAt, ...(final.error && { error: final.error.message }) };
}
