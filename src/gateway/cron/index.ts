/**
 * The cron scheduler: jobs that queue a system event or run an isolated agent turn at a time, on an
 * interval or on a cron expression, with their run logs. State lives in the state DB (`store/cron.ts`).
 */
import { CRON_NEEDS } from "./_host.ts";
import { defineFeature, defineMethod } from "../feature.ts";
import { cronAdd, cronList, cronRemove, cronRun, cronRuns, cronStatus, cronUpdate } from "./cron-methods.ts";

export { CronService, type CronRunResult, type CronServiceOptions, type CronStatus } from "./service.ts";
export type { CronJobPatch } from "./_jobs.ts";
export { cronSessionKey, legacyCronSessionKey, SUMMARY_MAX_CHARS } from "./_run.ts";
export { AT_PAST_GRACE_MS, computeNextRunAtMs, describeSchedule, MIN_EVERY_MS, parseAtMs } from "./_schedule.ts";

/** The cron feature: its methods and the config it claims. */
export const cronFeature = defineFeature({
  name: "cron",
  needs: CRON_NEEDS,
  methods: [
    defineMethod("cron.list", cronList),
    defineMethod("cron.status", cronStatus),
    defineMethod("cron.add", cronAdd),
    defineMethod("cron.update", cronUpdate),
    defineMethod("cron.remove", cronRemove),
    defineMethod("cron.run", cronRun),
    defineMethod("cron.runs", cronRuns),
  ],
  start: (host) => host.cron.start(),
  // Waits for cron runs in flight, which end when the host aborts the remaining runs.
  stop: (host) => host.cron.stop(),
  stopAfterRuns: true,
  config: {
    prefixes: ["cron"],
    // Timers are re-armed from the new config; cron.enabled=false stops new runs.
    apply(_diff, host) {
      host.cron.applyConfig();
      return "restarted";
    },
  },
});
