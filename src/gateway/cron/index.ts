/**
 * The cron scheduler: jobs that queue a system event or run an isolated agent turn at a time, on an
 * interval or on a cron expression, with their run logs. State lives in the state DB (`store/cron.ts`).
 */
export { CronService, type CronRunResult, type CronServiceOptions, type CronStatus } from "./service.ts";
export type { CronJobPatch } from "./_jobs.ts";
export { cronSessionKey, legacyCronSessionKey, SUMMARY_MAX_CHARS } from "./_run.ts";
export { AT_PAST_GRACE_MS, computeNextRunAtMs, describeSchedule, MIN_EVERY_MS, parseAtMs } from "./_schedule.ts";
