/**
 * Pages of `cron.list` and `cron.runs` for protocol v4 clients. A v3 request (`{includeDisabled?}`,
 * `{id|jobId, limit?}`) keeps the v3 answer; a request naming any v4 field gets the page fields the v4
 * Control UI checks (`snapshotRevision`, `total`, `offset`, `limit`, `hasMore`, `nextOffset`).
 */
import type { P } from "../../protocol/index.ts";

type CronJob = P.CronJob;
type CronListParams = P.CronListParams;
type CronRunLogEntry = P.CronRunLogEntry;
/** The v4 form of the `cron.runs` params (the v3 forms are `{id|jobId, limit?}`). */
export type CronRunsPageParams = Extract<P.CronRunsParams, { scope?: unknown }>;

/** Runs read per job before filtering a `cron.runs` page (the run log keeps at most this many anyway). */
export const RUNS_SCAN_LIMIT = 5000;
const LIST_DEFAULT_LIMIT = 50;
const RUNS_DEFAULT_LIMIT = 50;

const V3_LIST_KEYS = new Set(["includeDisabled"]);
const V3_RUNS_KEYS = new Set(["id", "jobId", "limit"]);

/** True when a `cron.list` request carries any field v3 does not have. */
export function isPagedListRequest(params: CronListParams): boolean {
  return Object.keys(params).some((k) => !V3_LIST_KEYS.has(k));
}

/** True when a `cron.runs` request carries any field v3 does not have. */
export function isPagedRunsRequest(params: P.CronRunsParams): params is CronRunsPageParams {
  return Object.keys(params).some((k) => !V3_RUNS_KEYS.has(k));
}

/** What both pages end with. */
interface PageFields {
  total: number;
  offset: number;
  limit: number;
  hasMore: boolean;
  nextOffset: number | null;
}

function pageOf<T>(items: T[], offset: number | undefined, limit: number | undefined, fallbackLimit: number): { items: T[]; page: PageFields } {
  const from = offset ?? 0;
  const size = limit ?? fallbackLimit;
  const items_ = items.slice(from, from + size);
  const hasMore = from + items_.length < items.length;
  return { items: items_, page: { total: items.length, offset: from, limit: size, hasMore, nextOffset: hasMore ? from + items_.length : null } };
}

/**
 * The v4 `cron.list` page. Filters: `enabled` (all/enabled/disabled; without it `includeDisabled` decides),
 * `agentId`, `query` (name, description or id, case-insensitive), `scheduleKind`, `lastRunStatus` ("unknown" =
 * never ran). Sort: `sortBy` nextRunAtMs (default, jobs without a next run last), updatedAtMs or name;
 * `sortDir` asc (default) or desc. `snapshotRevision` changes whenever any job is added, changed or removed.
 */
export function listJobsPage(all: CronJob[], params: CronListParams, defaultAgentId: string) {
  const enabled = params.enabled ?? (params.includeDisabled ? "all" : "enabled");
  const query = params.query?.trim().toLowerCase();
  const jobs = all.filter((j) => {
    if (enabled === "enabled" && !j.enabled) return false;
    if (enabled === "disabled" && j.enabled) return false;
    if (params.agentId !== undefined && (j.agentId ?? defaultAgentId) !== params.agentId) return false;
    if (params.scheduleKind && params.scheduleKind !== "all" && j.schedule.kind !== params.scheduleKind) return false;
    if (params.lastRunStatus && params.lastRunStatus !== "all" && (j.state.lastStatus ?? "unknown") !== params.lastRunStatus) return false;
    if (query && ![j.name, j.description, j.id].some((v) => typeof v === "string" && v.toLowerCase().includes(query))) return false;
    return true;
  });
  const dir = params.sortDir === "desc" ? -1 : 1;
  const sortBy = params.sortBy ?? "nextRunAtMs";
  const keyOf = (j: CronJob): number | string =>
    sortBy === "name" ? j.name : sortBy === "updatedAtMs" ? j.updatedAtMs : (j.state.nextRunAtMs ?? Number.MAX_SAFE_INTEGER);
  jobs.sort((a, b) => {
    const ka = keyOf(a);
    const kb = keyOf(b);
    const c = typeof ka === "string" ? ka.localeCompare(String(kb)) : ka - (kb as number);
    return dir * c || a.name.localeCompare(b.name);
  });
  const { items, page } = pageOf(jobs, params.offset, params.limit, LIST_DEFAULT_LIMIT);
  return { jobs: items, snapshotRevision: revisionOf(all), ...page };
}

/**
 * The v4 `cron.runs` page over `entries` (the runs of the requested jobs). Filters: `status`/`statuses`,
 * `agentId` (the job's), `runId` (none of our runs carry one, so it matches nothing), `query` (job name,
 * summary or error). Newest first unless `sortDir:"asc"`. Entries gain `jobName`.
 */
export function listRunsPage(entries: CronRunLogEntry[], jobs: CronJob[], params: CronRunsPageParams, defaultAgentId: string) {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const statuses = params.statuses ?? (params.status && params.status !== "all" ? [params.status] : undefined);
  const query = params.query?.trim().toLowerCase();
  const rows = entries
    .map((e) => {
      const name = byId.get(e.jobId)?.name;
      return name === undefined ? e : { ...e, jobName: name };
    })
    .filter((e) => {
      if (statuses && !(e.status && (statuses as string[]).includes(e.status))) return false;
      if (params.agentId !== undefined && (byId.get(e.jobId)?.agentId ?? defaultAgentId) !== params.agentId) return false;
      if (params.runId !== undefined && (e as { runId?: unknown }).runId !== params.runId) return false;
      if (query && ![(e as { jobName?: string }).jobName, e.summary, e.error].some((v) => typeof v === "string" && v.toLowerCase().includes(query))) return false;
      return true;
    });
  const dir = params.sortDir === "asc" ? 1 : -1;
  rows.sort((a, b) => dir * (a.ts - b.ts));
  const { items, page } = pageOf(rows, params.offset, params.limit, RUNS_DEFAULT_LIMIT);
  return { entries: items, ...page };
}

/** A short content hash of the job list (ids and update times), as the page's snapshot revision. */
function revisionOf(jobs: CronJob[]): string {
  const basis = jobs
    .map((j) => `${j.id}:${j.updatedAtMs}:${j.state.lastRunAtMs ?? ""}:${j.state.nextRunAtMs ?? ""}`)
    .sort()
    .join("|");
  return `r${Bun.hash(basis).toString(36)}`;
}
