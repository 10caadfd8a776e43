/**
 * Cron state (protocol.md §6 `cron.*`): the scheduled jobs, with their next and last run, and each job's
 * run log. Lives in the state DB (`<stateDir>/state.db`), one table each ({@link CRON_SCHEMA}), so jobs and
 * their history survive restarts.
 *
 * A job's run log keeps its newest {@link CRON_RUN_LOG_MAX} entries. Removing a job drops its log; the log
 * of a one-shot job that deleted itself after running stays readable for {@link ORPHAN_RUN_LOG_TTL_MS}.
 *
 * All methods are synchronous; bun:sqlite serializes them, so concurrent callers are safe.
 */
import type { Database } from "bun:sqlite";
import type { CronJob, CronRunLogEntry } from "../protocol/generated/types.ts";
import type { SchemaPart } from "./migrate.ts";
import { openStateDb, type StateDb, stateDbPath } from "./state-db.ts";

export type { CronJob, CronRunLogEntry };

/** Entries kept per job; older ones are dropped as new ones arrive. */
export const CRON_RUN_LOG_MAX = 2000;
/** Run logs of jobs that no longer exist are dropped once this old (30 days), when the store opens. */
export const ORPHAN_RUN_LOG_TTL_MS = 30 * 24 * 60 * 60_000;

/** The cron part of the state DB schema. Version 1 adopts the tables of files from before `schema_version`. */
export const CRON_SCHEMA: SchemaPart = {
  name: "cron",
  migrations: [
    {
      version: 1,
      up: `CREATE TABLE IF NOT EXISTS cron_jobs (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, body TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS cron_runs (seq INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL, ts INTEGER NOT NULL, body TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS cron_runs_job ON cron_runs(job_id, seq);`,
    },
  ],
};

/** Options of {@link openCronStore}. */
export interface CronStoreOptions {
  /** Clock for the orphan sweep, injectable for tests. Default `Date.now`. */
  now?: () => number;
  /** Entries kept per job (default {@link CRON_RUN_LOG_MAX}). */
  maxRunsPerJob?: number;
  /** The store closes the state DB in {@link CronStore.close} (default: its owner does). */
  owned?: boolean;
}

/**
 * Opens `<stateDir>/state.db` (`":memory:"` for tests) for a cron store that is its only user; closing the
 * store closes the file. The gateway builds its store on the shared state DB instead.
 * @throws when the database cannot be opened.
 */
export function openCronStore(stateDir: string, opts: CronStoreOptions = {}): CronStore {
  return new CronStore(openStateDb(stateDir === ":memory:" ? ":memory:" : stateDbPath(stateDir)), { ...opts, owned: true });
}

/** Cron jobs and their run logs. */
export class CronStore {
  /** The database file (or ":memory:"). */
  readonly path: string;
  readonly #stateDb: StateDb;
  readonly #db: Database;
  readonly #maxRuns: number;
  readonly #owned: boolean;
  #closed = false;

  /** Sweeps old orphan run logs. */
  constructor(stateDb: StateDb, opts: CronStoreOptions = {}) {
    const db = stateDb.db;
    this.#stateDb = stateDb;
    this.#db = db;
    this.path = stateDb.path;
    this.#maxRuns = opts.maxRunsPerJob ?? CRON_RUN_LOG_MAX;
    this.#owned = opts.owned ?? false;
    const cutoff = (opts.now ?? Date.now)() - ORPHAN_RUN_LOG_TTL_MS;
    db.query("DELETE FROM cron_runs WHERE ts < ? AND job_id NOT IN (SELECT id FROM cron_jobs)").run(cutoff);
  }

  /** Every job, oldest first. */
  listJobs(): CronJob[] {
    const rows = this.#db.query("SELECT body FROM cron_jobs ORDER BY created_at, id").all() as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as CronJob);
  }

  /** The job with `id`, or undefined. */
  getJob(id: string): CronJob | undefined {
    const row = this.#db.query("SELECT body FROM cron_jobs WHERE id = ?").get(id) as { body: string } | null;
    return row ? (JSON.parse(row.body) as CronJob) : undefined;
  }

  /** Inserts or replaces a job. */
  putJob(job: CronJob): void {
    this.#db.query("INSERT OR REPLACE INTO cron_jobs (id, created_at, body) VALUES (?, ?, ?)").run(job.id, job.createdAtMs, JSON.stringify(job));
  }

  /**
   * Deletes a job. Its run log goes too unless `keepRuns` (a one-shot job that removed itself after a run).
   * @returns whether the job existed.
   */
  deleteJob(id: string, opts: { keepRuns?: boolean } = {}): boolean {
    return this.#db.transaction(() => {
      const removed = this.#db.query("DELETE FROM cron_jobs WHERE id = ?").run(id).changes > 0;
      if (!opts.keepRuns) this.#db.query("DELETE FROM cron_runs WHERE job_id = ?").run(id);
      return removed;
    })();
  }

  /** Appends a run log entry and drops the job's entries beyond the cap. */
  appendRun(entry: CronRunLogEntry): void {
    this.#db.transaction(() => {
      this.#db.query("INSERT INTO cron_runs (job_id, ts, body) VALUES (?, ?, ?)").run(entry.jobId, entry.ts, JSON.stringify(entry));
      this.#db
        .query(
          `DELETE FROM cron_runs WHERE job_id = ?1 AND seq < (
             SELECT MIN(seq) FROM (SELECT seq FROM cron_runs WHERE job_id = ?1 ORDER BY seq DESC LIMIT ?2))`,
        )
        .run(entry.jobId, this.#maxRuns);
    })();
  }

  /** The newest `limit` run log entries of a job, oldest first; [] when it has none. */
  listRuns(jobId: string, limit: number): CronRunLogEntry[] {
    const rows = this.#db.query("SELECT body FROM cron_runs WHERE job_id = ? ORDER BY seq DESC LIMIT ?").all(jobId, limit) as { body: string }[];
    return rows.reverse().map((r) => JSON.parse(r.body) as CronRunLogEntry);
  }

  /** Closes the state DB when the store owns it. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned) this.#stateDb.close();
  }
}
