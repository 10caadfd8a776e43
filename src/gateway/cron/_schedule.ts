/**
 * Cron schedules: checking what a client sent (`at` times, `every` intervals, cron expressions and their
 * time zones) and computing when a job fires next. Cron expressions are parsed by croner, always paused:
 * croner computes dates here and never owns a timer.
 */
import { Cron } from "croner";
import { GatewayError, unreachable } from "../../errors.ts";
import type { CronJob } from "../../store/cron.ts";
import { isTimeZone } from "../../util/time-zone.ts";

/** A job's schedule. */
export type CronSchedule = CronJob["schedule"];

/** The shortest `every` interval (1 second). */
export const MIN_EVERY_MS = 1000;
/** How far in the past an `at` time may be when it is set (a minute of clock skew or typing time). */
export const AT_PAST_GRACE_MS = 60_000;
/** The latest time a Date can hold (year 275760): `at`, `anchorMs` and `everyMs` beyond it are refused. */
export const MAX_TIME_MS = 8.64e15;

// An ISO date-time without a zone designator: read as UTC so the result does not depend on the host's zone.
const ISO_NO_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const ISO_LIKE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Parses an `at` time: an ISO 8601 date or date-time (UTC when it names no offset) or epoch milliseconds
 * written as digits.
 * @returns epoch ms, or undefined when `text` is neither.
 * @example parseAtMs("2026-03-01T09:00:00+01:00") // 1772352000000
 */
export function parseAtMs(text: string): number | undefined {
  const t = text.trim();
  // Digits past the Date range would make toISOString throw a RangeError wherever the time is shown.
  if (/^\d{10,}$/.test(t)) return Number(t) <= MAX_TIME_MS ? Number(t) : undefined;
  if (!ISO_LIKE.test(t)) return undefined;
  const ms = Date.parse(ISO_NO_ZONE.test(t) ? `${t}Z` : t.replace(" ", "T"));
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Checks a schedule as a client sent it and returns it normalized (`at` as a UTC ISO string).
 * @param now the scheduler's clock, for the "not in the past" rule of `at`.
 * @throws GatewayError INVALID_REQUEST naming the field: an `at` that is not a date or more than a minute
 *   in the past, `everyMs` under a second, an `anchorMs` that is not a time, a cron expression croner
 *   refuses or that never fires, a time zone that is not an IANA zone.
 */
export function checkSchedule(schedule: CronSchedule, now: number): CronSchedule {
  switch (schedule.kind) {
    case "at": {
      const ms = parseAtMs(schedule.at);
      if (ms === undefined) throw invalid(`schedule.at must be an ISO 8601 date-time (e.g. 2026-03-01T09:00:00Z) or epoch milliseconds, got "${schedule.at}"`);
      if (ms < now - AT_PAST_GRACE_MS) throw invalid(`schedule.at is in the past (${new Date(ms).toISOString()}); pick a time from now on`);
      return { kind: "at", at: new Date(ms).toISOString() };
    }
    case "every": {
      if (schedule.everyMs < MIN_EVERY_MS) throw invalid(`schedule.everyMs must be at least ${MIN_EVERY_MS} (1 second), got ${schedule.everyMs}`);
      // A next run past the Date range would be stored and crash the scheduler's start-up log on restart.
      if (schedule.everyMs > MAX_TIME_MS) throw invalid(`schedule.everyMs must be at most ${MAX_TIME_MS}, got ${schedule.everyMs}`);
      if (schedule.anchorMs !== undefined && schedule.anchorMs > MAX_TIME_MS) throw invalid(`schedule.anchorMs must be an epoch time in ms (at most ${MAX_TIME_MS}), got ${schedule.anchorMs}`);
      return { kind: "every", everyMs: schedule.everyMs, ...(schedule.anchorMs !== undefined && { anchorMs: schedule.anchorMs }) };
    }
    case "cron": {
      const expr = schedule.expr.trim().replace(/\s+/g, " ");
      const tz = schedule.tz?.trim() || undefined;
      if (tz !== undefined && !isTimeZone(tz)) throw invalid(`schedule.tz "${tz}" is not a time zone (use an IANA name such as "Europe/Berlin" or "UTC")`);
      let next: Date | null;
      try {
        next = toCron(expr, tz).nextRun(new Date(now));
      } catch (err) {
        throw invalid(`invalid cron expression "${expr}": ${(err as Error).message.replace(/^CronPattern: /, "")}`);
      }
      if (!next) throw invalid(`cron expression "${expr}" never fires`);
      return { kind: "cron", expr, ...(tz && { tz }) };
    }
    default:
      return unreachable(schedule);
  }
}

/**
 * When a job fires next, strictly after `afterMs`. `every` counts from `anchorMs` (default: the job's
 * creation), so runs stay aligned to it however late the last one was. An `at` job fires at its time until
 * it has run at or after that time.
 * @returns epoch ms, or undefined when the job has nothing left to run.
 */
export function computeNextRunAtMs(job: Pick<CronJob, "schedule" | "createdAtMs" | "state">, afterMs: number): number | undefined {
  const s = job.schedule;
  switch (s.kind) {
    case "at": {
      const at = parseAtMs(s.at);
      if (at === undefined) return undefined;
      const last = job.state.lastRunAtMs;
      return last !== undefined && last >= at ? undefined : at;
    }
    case "every": {
      const anchor = s.anchorMs ?? job.createdAtMs;
      const every = Math.max(MIN_EVERY_MS, s.everyMs);
      const next = afterMs < anchor ? anchor : anchor + (Math.floor((afterMs - anchor) / every) + 1) * every;
      return next <= MAX_TIME_MS ? next : undefined;
    }
    case "cron": {
      try {
        return toCron(s.expr, s.tz).nextRun(new Date(afterMs))?.getTime();
      } catch {
        // Checked when set; a zone that vanished from the host's tz database leaves the job idle.
        return undefined;
      }
    }
    default:
      return unreachable(s);
  }
}

/** A short human description: "at 2026-03-01T09:00:00.000Z", "every 30m", "cron 0 9 * * * (Europe/Berlin)". */
export function describeSchedule(s: CronSchedule): string {
  switch (s.kind) {
    case "at":
      return `at ${s.at}`;
    case "every":
      return `every ${formatInterval(s.everyMs)}`;
    case "cron":
      return `cron ${s.expr}${s.tz ? ` (${s.tz})` : ""}`;
    default:
      return unreachable(s);
  }
}

// --- internal ---

function toCron(expr: string, tz: string | undefined): Cron {
  return new Cron(expr, { paused: true, ...(tz && { timezone: tz }) });
}

function formatInterval(ms: number): string {
  for (const [unit, size] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], ["s", 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function invalid(message: string): GatewayError {
  return new GatewayError("INVALID_REQUEST", message);
}
