/**
 * The cron scheduler: keeps jobs in the state DB, arms one timer for the earliest due job, runs due jobs
 * (at most `cron.maxConcurrentRuns` at once, default 1) and records every run in the job's log and as a
 * `cron` event to operators.
 *
 * Rules: a job never overlaps itself (a due time that finds it still running is logged as "skipped"); a
 * job overdue when the scheduler starts (the gateway was down) runs once, and its next run is computed
 * from then, so missed runs are not replayed; an `at` job runs once and is then deleted after a successful
 * run (`deleteAfterRun`, true by default for `at` jobs; its run log stays), else disabled (kept with
 * `deleteAfterRun: false`, or the run failed). `cron.enabled: false` stops the timer only: jobs can still be
 * listed, edited and run by hand. Timers come from an injectable clock so tests drive the schedule.
 */
import { toErrorMessage } from "../../errors.ts";
import type { Logger } from "../../logging/logger.ts";
import type { CronAddParams } from "../../protocol/generated/types.ts";
import type { CronJob, CronRunLogEntry, CronStore } from "../../store/cron.ts";
import { DEFAULT_CRON_MAX_CONCURRENT_RUNS } from "../../config/cron-schema.ts";
import type { CronHost } from "./_run.ts";
import { type HeartbeatClock, SYSTEM_CLOCK, WakeTimer } from "../_wake-timer.ts";
import { buildJob, type CronJobMeta, type CronJobPatch, patchJob } from "./_jobs.ts";
import { type CronRunOutcome, executeCronJob } from "./_run.ts";
import { computeNextRunAtMs, describeSchedule } from "./_schedule.ts";

/** What the scheduler needs. */
export interface CronServiceOptions {
  /** What jobs need from the gateway (config, agent runs, system events, heartbeat wake, delivery, broadcast). */
  host: CronHost;
  store: CronStore;
  logger: Logger;
  clock?: HeartbeatClock;
}

/** `cron.status`. */
export interface CronStatus {
  enabled: boolean;
  jobs: number;
  enabledJobs: number;
  running: number;
  nextWakeAtMs: number | null;
  storePath: string;
}

/** `cron.run`. */
export type CronRunResult = { ok: true; ran: true } | { ok: true; ran: false; reason: "not-due" | "already-running" };

/** Schedules and runs the gateway's cron jobs. Methods are synchronous where they can be and safe to call at any time. */
export class CronService {
  private readonly opts: CronServiceOptions;
  private readonly clock: HeartbeatClock;
  private readonly log: Logger;
  private readonly store: CronStore;
  /** jobId → its run in progress; queued jobs are in `busy` without a promise yet. */
  private readonly busy = new Map<string, Promise<void> | undefined>();
  private readonly queue: { id: string; scheduled: boolean }[] = [];
  private active = 0;
  private readonly timer: WakeTimer;
  private started = false;
  private stopped = false;
  private enabled = true;

  constructor(opts: CronServiceOptions) {
    this.opts = opts;
    this.store = opts.store;
    this.clock = opts.clock ?? SYSTEM_CLOCK;
    this.timer = new WakeTimer(this.clock, () => this.onTimer());
    this.log = opts.logger.child("cron");
  }

  /**
   * Starts the schedule: clears run markers a crash left behind, computes missing next runs, arms the
   * timer (unless `cron.enabled` is false) and logs the job count and next run. Safe to call twice.
   */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    const now = this.clock.now();
    for (const job of this.store.listJobs()) {
      let changed = false;
      if (job.state.runningAtMs !== undefined) {
        delete job.state.runningAtMs;
        changed = true;
      }
      if (job.enabled && job.state.nextRunAtMs === undefined) {
        const next = computeNextRunAtMs(job, now);
        if (next !== undefined) {
          job.state.nextRunAtMs = next;
          changed = true;
        }
      }
      if (changed) this.store.putJob(job);
    }
    this.enabled = this.configEnabled();
    const jobs = this.store.listJobs();
    if (this.opts.host.config.cron?.store) this.log.info(`cron.store is not used: jobs and run logs live in ${this.store.path}`);
    if (!this.enabled) this.log.info(`disabled (cron.enabled is false); ${plural(jobs.length, "job")} kept`);
    else {
      const next = this.nextWakeAtMs();
      this.log.info(`${plural(jobs.length, "job")}, ${next === null ? "nothing scheduled" : `next at ${new Date(next).toISOString()}`}`);
    }
    this.arm();
  }

  /**
   * Stops the timer and refuses new runs. Runs in flight finish (their agent runs are aborted by the
   * runtime's shutdown): await the returned promise before closing the store.
   */
  stop(): Promise<void> {
    this.stopped = true;
    this.started = false;
    this.timer.disarm();
    this.queue.length = 0;
    for (const [id, run] of this.busy) if (!run) this.busy.delete(id);
    return Promise.all([...this.busy.values()]).then(() => undefined);
  }

  /** Re-reads `cron.enabled` after a config reload: turning it on arms the timer (overdue jobs run once), off disarms it. */
  applyConfig(): void {
    const enabled = this.configEnabled();
    if (enabled !== this.enabled) {
      this.enabled = enabled;
      this.log.info(enabled ? "enabled" : "disabled (cron.enabled is false)");
    }
    this.arm();
    this.pump();
  }

  /** `cron.status`. */
  status(): CronStatus {
    const jobs = this.store.listJobs();
    return {
      enabled: this.enabled,
      jobs: jobs.length,
      enabledJobs: jobs.filter((j) => j.enabled).length,
      running: this.active,
      nextWakeAtMs: this.enabled ? this.nextWakeAtMs() : null,
      storePath: this.store.path,
    };
  }

  /** Jobs sorted by next run (jobs without one last, then by name); disabled ones only with `includeDisabled`. */
  list(includeDisabled = false): CronJob[] {
    const jobs = this.store.listJobs().filter((j) => includeDisabled || j.enabled);
    const key = (j: CronJob) => j.state.nextRunAtMs ?? Number.MAX_SAFE_INTEGER;
    return jobs.sort((a, b) => key(a) - key(b) || a.name.localeCompare(b.name));
  }

  /** The job with `id`, or undefined. */
  get(id: string): CronJob | undefined {
    return this.store.getJob(id);
  }

  /**
   * Adds a job (`cron.add`; `meta` marks jobs an agent made). @returns the stored job.
   * @throws GatewayError INVALID_REQUEST for a job that breaks a rule.
   */
  add(params: CronAddParams, meta?: CronJobMeta): CronJob {
    const job = buildJob(this.opts.host, params, this.clock.now(), meta);
    this.store.putJob(job);
    this.log.info(`added "${job.name}" (${describeSchedule(job.schedule)})`, { jobId: job.id });
    this.emit({ jobId: job.id, action: "added", ...next(job) });
    this.arm();
    return job;
  }

  /**
   * Applies a patch (`cron.update`). @returns the updated job, or undefined for an unknown id.
   * @throws GatewayError INVALID_REQUEST for a patch that breaks a rule.
   */
  update(id: string, patch: CronJobPatch): CronJob | undefined {
    const current = this.store.getJob(id);
    if (!current) return undefined;
    const job = patchJob(this.opts.host, current, patch, this.clock.now());
    this.store.putJob(job);
    this.emit({ jobId: id, action: "updated", ...next(job) });
    this.arm();
    return job;
  }

  /** Removes a job and its run log (`cron.remove`); a run in progress finishes. @returns whether it existed. */
  remove(id: string): boolean {
    const removed = this.store.deleteJob(id);
    if (removed) {
      this.log.info("removed", { jobId: id });
      this.emit({ jobId: id, action: "removed" });
      this.arm();
    }
    return removed;
  }

  /**
   * Runs a job by hand (`cron.run`): `force` now, `due` only when its next run has come. The run goes on in
   * the background; its end is a `cron` event and a run log entry.
   * @returns whether it started, or why not; undefined for an unknown id.
   * @throws Error when the scheduler is stopping.
   */
  run(id: string, mode: "due" | "force"): CronRunResult | undefined {
    if (this.stopped) throw new Error("cron scheduler is stopping");
    const job = this.store.getJob(id);
    if (!job) return undefined;
    const now = this.clock.now();
    if (mode === "due" && !(job.enabled && job.state.nextRunAtMs !== undefined && job.state.nextRunAtMs <= now)) return { ok: true, ran: false, reason: "not-due" };
    if (this.busy.has(id)) return { ok: true, ran: false, reason: "already-running" };
    this.enqueue(job, mode === "due", now);
    return { ok: true, ran: true };
  }

  /** The newest `limit` run log entries of a job, oldest first ([] for an unknown job). */
  runs(id: string, limit: number): CronRunLogEntry[] {
    return this.store.listRuns(id, limit);
  }

  // --- internal ---

  private configEnabled(): boolean {
    return this.opts.host.config.cron?.enabled !== false;
  }

  /** The earliest next run among enabled jobs that can fire, or null. */
  private nextWakeAtMs(): number | null {
    const now = this.clock.now();
    let min: number | null = null;
    for (const job of this.store.listJobs()) {
      const at = job.state.nextRunAtMs;
      if (!job.enabled || at === undefined) continue;
      // A due job that is still running would only be skipped again and again: its end re-arms.
      if (this.busy.has(job.id) && at <= now) continue;
      if (min === null || at < min) min = at;
    }
    return min;
  }

  private arm(): void {
    this.timer.arm(this.started && this.enabled ? this.nextWakeAtMs() : null);
  }

  private onTimer(): void {
    if (!this.started || !this.enabled) return;
    const now = this.clock.now();
    for (const job of this.store.listJobs()) {
      const at = job.state.nextRunAtMs;
      if (!job.enabled || at === undefined || at > now) continue;
      if (this.busy.has(job.id)) this.recordSkip(job, now);
      else this.enqueue(job, true, now);
    }
    this.arm();
  }

  /**
   * Queues a run. A scheduled run moves the job's next run past `now` at once, so a run that outlasts its
   * interval meets its next due time (and is skipped) instead of being queued twice.
   */
  private enqueue(job: CronJob, scheduled: boolean, now: number): void {
    if (scheduled) {
      const next = computeNextRunAtMs(job, now);
      if (job.schedule.kind !== "at" && next !== undefined) {
        job.state.nextRunAtMs = next;
        this.store.putJob(job);
      }
    }
    this.busy.set(job.id, undefined);
    this.queue.push({ id: job.id, scheduled });
    this.pump();
  }

  private pump(): void {
    const limit = this.opts.host.config.cron?.maxConcurrentRuns ?? DEFAULT_CRON_MAX_CONCURRENT_RUNS;
    while (!this.stopped && this.active < limit && this.queue.length > 0) {
      const { id } = this.queue.shift()!;
      const job = this.store.getJob(id);
      if (!job) {
        this.busy.delete(id);
        continue;
      }
      this.active += 1;
      const run = this.runJob(job).finally(() => {
        this.active -= 1;
        this.busy.delete(id);
        if (this.stopped) return;
        this.pump();
        this.arm();
      });
      this.busy.set(id, run);
    }
  }

  private async runJob(job: CronJob): Promise<void> {
    const gw = this.opts.host;
    const runAtMs = this.clock.now();
    job.state.runningAtMs = runAtMs;
    this.store.putJob(job);
    this.emit({ jobId: job.id, action: "started", runAtMs });
    this.log.debug("running", { jobId: job.id, name: job.name });
    let outcome: CronRunOutcome;
    try {
      outcome = await executeCronJob(gw, job);
    } catch (err) {
      outcome = { status: "error", error: toErrorMessage(err) };
    }
    try {
      this.finish(job.id, runAtMs, outcome);
    } catch (err) {
      this.log.error("recording a run failed", { jobId: job.id, error: toErrorMessage(err) });
    }
  }

  /** Records a run's end: state, one-shot handling, run log, event, log line. */
  private finish(id: string, runAtMs: number, outcome: CronRunOutcome): void {
    const endedAt = this.clock.now();
    const durationMs = Math.max(0, endedAt - runAtMs);
    // Re-read: the job may have been edited or removed while it ran.
    const job = this.store.getJob(id);
    let nextRunAtMs: number | undefined;
    let fate: "kept" | "disabled" | "deleted" | "gone" = job ? "kept" : "gone";
    if (job) {
      const state = job.state;
      delete state.runningAtMs;
      state.lastRunAtMs = runAtMs;
      state.lastStatus = outcome.status;
      state.lastDurationMs = durationMs;
      if (outcome.error) state.lastError = outcome.error;
      else delete state.lastError;
      nextRunAtMs = job.enabled ? computeNextRunAtMs(job, endedAt) : undefined;
      if (job.schedule.kind === "at" && nextRunAtMs === undefined) fate = outcome.status === "ok" && job.deleteAfterRun ? "deleted" : "disabled";
      if (nextRunAtMs === undefined) delete state.nextRunAtMs;
      else state.nextRunAtMs = nextRunAtMs;
      if (fate === "disabled") job.enabled = false;
      if (fate === "deleted") this.store.deleteJob(id, { keepRuns: true });
      else this.store.putJob(job);
    }
    const entry: CronRunLogEntry = {
      ts: endedAt,
      jobId: id,
      action: "finished",
      status: outcome.status,
      ...(outcome.error && { error: outcome.error }),
      ...(outcome.summary && { summary: outcome.summary }),
      ...(outcome.delivery && { delivery: outcome.delivery }),
      runAtMs,
      durationMs,
      ...(nextRunAtMs !== undefined && { nextRunAtMs }),
    };
    if (fate !== "gone") this.store.appendRun(entry);
    this.emit(entry);
    if (fate === "deleted") this.emit({ jobId: id, action: "removed" });
    // biome-ignore lint/suspicious/noThenProperty: a log field saying what became of the job; never awaited
    const fields = { jobId: id, durationMs, ...(fate === "disabled" || fate === "deleted" ? { then: fate } : {}) };
    if (outcome.status === "error") this.log.warn(`run failed: ${outcome.error}`, fields);
    else this.log.info("run ok", fields);
  }

  /** A due time found the job still running: log it as skipped and move on to the next due time. */
  private recordSkip(job: CronJob, now: number): void {
    const nextRunAtMs = computeNextRunAtMs(job, now);
    if (nextRunAtMs === undefined || job.schedule.kind === "at") return;
    job.state.nextRunAtMs = nextRunAtMs;
    this.store.putJob(job);
    const entry: CronRunLogEntry = { ts: now, jobId: job.id, action: "finished", status: "skipped", error: "previous run still in progress", runAtMs: now, durationMs: 0, nextRunAtMs };
    this.store.appendRun(entry);
    this.emit(entry);
    this.log.info("skipped: previous run still in progress", { jobId: job.id });
  }

  private emit(payload: { jobId: string; action: string } & Record<string, unknown>): void {
    this.opts.host.connections.broadcast("cron", payload, { role: "operator" });
  }
}

function next(job: CronJob): { nextRunAtMs?: number } {
  return job.state.nextRunAtMs === undefined ? {} : { nextRunAtMs: job.state.nextRunAtMs };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
