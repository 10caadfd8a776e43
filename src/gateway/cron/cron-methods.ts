/**
 * `cron.*`: scheduled jobs. list/status/runs need operator.read, add/update/remove/run operator.admin
 * (protocol.md §4). Jobs are named by `id`, with `jobId` accepted as an alias.
 */
import { agentIds } from "../../agent/index.ts";
import { GatewayError } from "../../errors.ts";
import type { CronFeatureHost } from "./_host.ts";
import type { MethodHandler } from "../context.ts";
import { isPagedListRequest, isPagedRunsRequest, listJobsPage, listRunsPage, RUNS_SCAN_LIMIT } from "./_paging.ts";

/** Default `cron.runs` limit. */
export const CRON_RUNS_DEFAULT_LIMIT = 200;

/**
 * `cron.list {includeDisabled?}` → `{jobs}`, soonest next run first. A v4 request (any paging, filter or sort
 * field) gets a page: `{jobs, snapshotRevision, total, offset, limit, hasMore, nextOffset}`; see
 * `_paging.ts` for what each field does.
 */
export const cronList: MethodHandler<"cron.list", CronFeatureHost> = (ctx, params) => {
  if (!isPagedListRequest(params)) return { jobs: ctx.host.cron.list(params.includeDisabled === true) };
  return listJobsPage(ctx.host.cron.list(true), params, agentIds(ctx.host.config).defaultId);
};

/** `cron.status {}` → `{enabled, jobs, enabledJobs, running, nextWakeAtMs, storePath}`. */
export const cronStatus: MethodHandler<"cron.status", CronFeatureHost> = (ctx) => ctx.host.cron.status();

/** `cron.add` → the new job. @throws INVALID_REQUEST for a job that breaks a rule (message names it). */
export const cronAdd: MethodHandler<"cron.add", CronFeatureHost> = (ctx, params) => ctx.host.cron.add(params);

/** `cron.update {id|jobId, patch}` → the updated job. @throws INVALID_REQUEST for an unknown id or a bad patch. */
export const cronUpdate: MethodHandler<"cron.update", CronFeatureHost> = (ctx, params) => {
  const id = jobIdOf(params);
  const job = ctx.host.cron.update(id, params.patch);
  if (!job) throw unknownJob(id);
  return job;
};

/** `cron.remove {id|jobId}` → `{ok:true, removed}` (false for an unknown id). */
export const cronRemove: MethodHandler<"cron.remove", CronFeatureHost> = (ctx, params) => ({ ok: true, removed: ctx.host.cron.remove(jobIdOf(params)) });

/**
 * `cron.run {id|jobId, mode?}`: `force` runs now, `due` (default) only when the job's time has come →
 * `{ok:true, ran:true}` once started, or `{ok:true, ran:false, reason:"not-due"|"already-running"}`.
 * @throws INVALID_REQUEST for an unknown id; UNAVAILABLE while the gateway stops.
 */
export const cronRun: MethodHandler<"cron.run", CronFeatureHost> = (ctx, params) => {
  const id = jobIdOf(params);
  let result;
  try {
    result = ctx.host.cron.run(id, params.mode === "force" ? "force" : "due");
  } catch (err) {
    throw new GatewayError("UNAVAILABLE", err instanceof Error ? err.message : String(err), { cause: err });
  }
  if (!result) throw unknownJob(id);
  return result;
};

/**
 * `cron.runs {id|jobId, limit?}` → `{entries}`: the newest `limit` (default 200) run log entries, oldest
 * first. A v4 request (`scope`, `offset`, filters or `sortDir`) gets a page of one job's or, with
 * `scope:"all"`, every job's runs: `{entries, total, offset, limit, hasMore, nextOffset}`, newest first
 * unless `sortDir:"asc"`. @throws INVALID_REQUEST for a v4 job-scope request without an id.
 */
export const cronRuns: MethodHandler<"cron.runs", CronFeatureHost> = (ctx, params) => {
  const id = (params as { id?: string; jobId?: string }).id ?? (params as { jobId?: string }).jobId;
  const all = isPagedRunsRequest(params) && params.scope === "all";
  if (id === undefined && !all) throw new GatewayError("INVALID_REQUEST", 'invalid cron.runs params: id or jobId is required unless scope is "all"');
  if (!isPagedRunsRequest(params)) {
    const limit = typeof params.limit === "number" ? params.limit : CRON_RUNS_DEFAULT_LIMIT;
    return { entries: ctx.host.cron.runs(String(id), limit) };
  }
  const jobs = ctx.host.cron.list(true);
  const ids = params.scope === "all" ? jobs.map((j) => j.id) : [String(id)];
  return listRunsPage(ids.flatMap((j) => ctx.host.cron.runs(j, RUNS_SCAN_LIMIT)), jobs, params, agentIds(ctx.host.config).defaultId);
};

// --- internal ---

function jobIdOf(params: Record<string, unknown>): string {
  return String(params.id ?? params.jobId);
}

function unknownJob(id: string): GatewayError {
  return new GatewayError("INVALID_REQUEST", `unknown cron job id: ${id}`);
}
