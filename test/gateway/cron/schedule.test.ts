/**
 * Cron schedules without a gateway: `at` parsing (ISO with and without offset, epoch ms), the checks and
 * their messages, and next-run computation for at / every (anchored) / cron expressions in a time zone.
 */
import { describe, expect, test } from "bun:test";
import { AT_PAST_GRACE_MS, computeNextRunAtMs, describeSchedule, parseAtMs } from "../../../src/gateway/cron/index.ts";
import { checkSchedule } from "../../../src/gateway/cron/_schedule.ts";
import { isGatewayError } from "../../../src/errors.ts";

const T0 = Date.UTC(2026, 0, 5, 7, 0, 0); // Monday 2026-01-05 07:00 UTC (08:00 in Berlin)
const H = 3_600_000;

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(isGatewayError(err) && err.code).toBe("INVALID_REQUEST");
    return (err as Error).message;
  }
  throw new Error("expected a throw");
}

describe("parseAtMs", () => {
  test("ISO with offset, without (UTC), date only, epoch ms; garbage is undefined", () => {
    expect(parseAtMs("2026-01-05T09:00:00+01:00")).toBe(T0 + H);
    expect(parseAtMs("2026-01-05T08:00:00Z")).toBe(T0 + H);
    expect(parseAtMs("2026-01-05T08:00:00")).toBe(T0 + H);
    expect(parseAtMs("2026-01-05T08:00")).toBe(T0 + H);
    expect(parseAtMs("2026-01-05")).toBe(Date.UTC(2026, 0, 5));
    expect(parseAtMs(String(T0))).toBe(T0);
    expect(parseAtMs("tomorrow")).toBeUndefined();
    expect(parseAtMs("2026-13-45T99:00:00Z")).toBeUndefined();
    expect(parseAtMs("12345")).toBeUndefined();
  });
});

describe("checkSchedule", () => {
  test("normalizes at to UTC ISO; a minute in the past is fine, more is refused", () => {
    expect(checkSchedule({ kind: "at", at: "2026-01-05T09:00:00+01:00" }, T0)).toEqual({ kind: "at", at: "2026-01-05T08:00:00.000Z" });
    expect(checkSchedule({ kind: "at", at: new Date(T0 - AT_PAST_GRACE_MS).toISOString() }, T0).kind).toBe("at");
    expect(messageOf(() => checkSchedule({ kind: "at", at: new Date(T0 - AT_PAST_GRACE_MS - 1000).toISOString() }, T0))).toBe(
      "schedule.at is in the past (2026-01-05T06:58:59.000Z); pick a time from now on",
    );
    expect(messageOf(() => checkSchedule({ kind: "at", at: "next tuesday" }, T0))).toContain('schedule.at must be an ISO 8601 date-time (e.g. 2026-03-01T09:00:00Z) or epoch milliseconds, got "next tuesday"');
  });

  test("every needs a second; cron expressions and zones are checked with clear messages", () => {
    expect(messageOf(() => checkSchedule({ kind: "every", everyMs: 999 }, T0))).toBe("schedule.everyMs must be at least 1000 (1 second), got 999");
    expect(checkSchedule({ kind: "every", everyMs: 1000, anchorMs: 5 }, T0)).toEqual({ kind: "every", everyMs: 1000, anchorMs: 5 });
    expect(messageOf(() => checkSchedule({ kind: "cron", expr: "61 * * * *" }, T0))).toBe('invalid cron expression "61 * * * *": Invalid value for minute: 61');
    expect(messageOf(() => checkSchedule({ kind: "cron", expr: "every day" }, T0))).toStartWith('invalid cron expression "every day": invalid configuration format');
    expect(messageOf(() => checkSchedule({ kind: "cron", expr: "0 0 31 2 *" }, T0))).toBe('cron expression "0 0 31 2 *" never fires');
    expect(messageOf(() => checkSchedule({ kind: "cron", expr: "0 9 * * *", tz: "Mars/Olympus" }, T0))).toBe(
      'schedule.tz "Mars/Olympus" is not a time zone (use an IANA name such as "Europe/Berlin" or "UTC")',
    );
    expect(checkSchedule({ kind: "cron", expr: "  0   9 * * * ", tz: "Europe/Berlin" }, T0)).toEqual({ kind: "cron", expr: "0 9 * * *", tz: "Europe/Berlin" });
  });

  test("times past the Date range are refused as INVALID_REQUEST, not a RangeError (a stored one broke the next start)", () => {
    expect(messageOf(() => checkSchedule({ kind: "at", at: "99999999999999999999" }, T0))).toContain("schedule.at must be an ISO 8601 date-time");
    expect(messageOf(() => checkSchedule({ kind: "every", everyMs: 1e20 }, T0))).toBe("schedule.everyMs must be at most 8640000000000000, got 100000000000000000000");
    expect(messageOf(() => checkSchedule({ kind: "every", everyMs: 1000, anchorMs: 1e20 }, T0))).toContain("schedule.anchorMs must be an epoch time in ms");
    // The largest interval that is accepted still never yields a next run that a Date cannot show.
    const next = computeNextRunAtMs({ schedule: checkSchedule({ kind: "every", everyMs: 8.64e15 }, T0), createdAtMs: T0, state: {} }, T0);
    expect(next).toBeUndefined();
  });
});

describe("computeNextRunAtMs", () => {
  const job = (schedule: any, state: any = {}) => ({ schedule, createdAtMs: T0, state });

  test("at: its time until it has run at or after it", () => {
    const at = { kind: "at", at: "2026-01-05T08:00:00.000Z" };
    expect(computeNextRunAtMs(job(at), T0)).toBe(T0 + H);
    expect(computeNextRunAtMs(job(at), T0 + 2 * H)).toBe(T0 + H);
    expect(computeNextRunAtMs(job(at, { lastRunAtMs: T0 + 30 * 60_000 }), T0 + 2 * H)).toBe(T0 + H);
    expect(computeNextRunAtMs(job(at, { lastRunAtMs: T0 + H }), T0 + H)).toBeUndefined();
  });

  test("every: aligned to the anchor (default: creation), strictly after the given time", () => {
    const every = { kind: "every", everyMs: 10 * 60_000 };
    expect(computeNextRunAtMs(job(every), T0)).toBe(T0 + 10 * 60_000);
    expect(computeNextRunAtMs(job(every), T0 + 10 * 60_000)).toBe(T0 + 20 * 60_000);
    expect(computeNextRunAtMs(job(every), T0 + 37 * 60_000)).toBe(T0 + 40 * 60_000);
    const anchored = { kind: "every", everyMs: H, anchorMs: T0 + 15 * 60_000 };
    expect(computeNextRunAtMs(job(anchored), T0)).toBe(T0 + 15 * 60_000);
    expect(computeNextRunAtMs(job(anchored), T0 + 5 * H)).toBe(T0 + 5 * H + 15 * 60_000);
  });

  test("cron: in the job's zone, strictly after the given time", () => {
    const daily = { kind: "cron", expr: "0 9 * * *", tz: "Europe/Berlin" };
    expect(computeNextRunAtMs(job(daily), T0)).toBe(T0 + H);
    expect(computeNextRunAtMs(job(daily), T0 + H)).toBe(T0 + 25 * H);
    // Summer time: 09:00 Berlin is 07:00 UTC.
    expect(computeNextRunAtMs(job(daily), Date.UTC(2026, 6, 1, 0, 0))).toBe(Date.UTC(2026, 6, 1, 7, 0));
    expect(computeNextRunAtMs(job({ kind: "cron", expr: "0 9 * * 1-5" }), Date.UTC(2026, 0, 10))).toBe(Date.UTC(2026, 0, 12, 9));
  });

  test("describeSchedule", () => {
    expect(describeSchedule({ kind: "every", everyMs: 30 * 60_000 })).toBe("every 30m");
    expect(describeSchedule({ kind: "every", everyMs: 1500 })).toBe("every 1500ms");
    expect(describeSchedule({ kind: "cron", expr: "0 9 * * *", tz: "UTC" })).toBe("cron 0 9 * * * (UTC)");
    expect(describeSchedule({ kind: "at", at: "2026-01-05T08:00:00.000Z" })).toBe("at 2026-01-05T08:00:00.000Z");
  });
});
