/**
 * Config schema of the cron scheduler (`cron`): whether scheduled jobs fire at all, and how many run at
 * once. The jobs themselves are state (`cron.add` writes them to the state DB), not config. Referenced from
 * schema.ts; validators are precompiled by `bun run protocol:gen`.
 */
import { type Static, Type as T } from "@sinclair/typebox";

/** Default `cron.maxConcurrentRuns`: jobs due together run one after the other. */
export const DEFAULT_CRON_MAX_CONCURRENT_RUNS = 1;

/** The `cron` block. */
export const CronConfigSchema = T.Object(
  {
    enabled: T.Optional(
      T.Boolean({ description: "Fire scheduled jobs (default true). When false, jobs can still be listed, added and edited, and `cron.run` still runs one by hand." }),
    ),
    maxConcurrentRuns: T.Optional(
      T.Integer({ minimum: 1, maximum: 64, description: "Jobs that may run at the same time (default 1); a due job waits for a free slot." }),
    ),
    store: T.Optional(
      T.String({ minLength: 1, description: "Accepted for compatibility with configs that name a jobs file; jobs and run logs are kept in the state DB (<stateDir>/state.db)." }),
    ),
  },
  { additionalProperties: false },
);

/** The `cron` block as written in the config file. */
export type CronConfig = Static<typeof CronConfigSchema>;
