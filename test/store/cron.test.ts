/**
 * The cron store on its own: jobs round trip, run logs capped per job and read newest-last, removal with
 * and without the log, the orphan sweep, and persistence in the state DB file.
 */
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CronJob, type CronStore, ORPHAN_RUN_LOG_TTL_MS, openCronStore } from "../../src/store/cron.ts";

const open: CronStore[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function track(s: CronStore): CronStore {
  open.push(s);
  return s;
}

function job(id: string, createdAtMs: number, extra: Partial<CronJob> = {}): CronJob {
  return {
    id,
    name: `job ${id}`,
    enabled: true,
    createdAtMs,
    updatedAtMs: createdAtMs,
    schedule: { kind: "every", everyMs: 60_000 },
    sessionTarget: "main",
    wakeMode: "next-heartbeat",
    payload: { kind: "systemEvent", text: "tick" },
    state: { nextRunAtMs: createdAtMs + 60_000 },
    ...extra,
  };
}

const entry = (jobId: string, ts: number) => ({ ts, jobId, action: "finished" as const, status: "ok" as const, summary: `run at ${ts}` });

test("jobs: put, get, list oldest first, replace, delete", () => {
  const store = track(openCronStore(":memory:"));
  expect(store.getJob("a")).toBeUndefined();
  expect(store.listJobs()).toEqual([]);
  store.putJob(job("b", 2));
  store.putJob(job("a", 1));
  expect(store.listJobs().map((j) => j.id)).toEqual(["a", "b"]);
  store.putJob(job("a", 1, { name: "renamed", state: { lastStatus: "error", lastError: "boom" } }));
  expect(store.getJob("a")).toMatchObject({ name: "renamed", state: { lastStatus: "error", lastError: "boom" } });
  expect(store.deleteJob("a")).toBe(true);
  expect(store.deleteJob("a")).toBe(false);
  expect(store.listJobs().map((j) => j.id)).toEqual(["b"]);
});

test("run logs: newest `limit` oldest first, capped per job, dropped with the job unless kept", () => {
  const store = track(openCronStore(":memory:", { maxRunsPerJob: 3 }));
  store.putJob(job("a", 1));
  store.putJob(job("b", 1));
  for (let i = 1; i <= 5; i++) store.appendRun(entry("a", i));
  store.appendRun(entry("b", 100));
  expect(store.listRuns("a", 10).map((e) => e.ts)).toEqual([3, 4, 5]);
  expect(store.listRuns("a", 2).map((e) => e.ts)).toEqual([4, 5]);
  expect(store.listRuns("b", 10)).toEqual([entry("b", 100)]);
  expect(store.listRuns("nope", 10)).toEqual([]);

  store.deleteJob("b", { keepRuns: true });
  expect(store.listRuns("b", 10)).toHaveLength(1);
  store.deleteJob("a");
  expect(store.listRuns("a", 10)).toEqual([]);
});

test("persists in <stateDir>/state.db; orphan logs older than the TTL are swept on open", () => {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-cron-store-"));
  dirs.push(dir);
  const now = 10 * ORPHAN_RUN_LOG_TTL_MS;
  const first = openCronStore(dir, { now: () => now });
  expect(first.path).toBe(join(dir, "state.db"));
  first.putJob(job("kept", 1));
  first.appendRun(entry("kept", 1));
  first.appendRun(entry("gone-old", now - ORPHAN_RUN_LOG_TTL_MS - 1));
  first.appendRun(entry("gone-recent", now - 1000));
  first.close();

  const second = track(openCronStore(dir, { now: () => now }));
  expect(second.getJob("kept")?.name).toBe("job kept");
  expect(second.listRuns("kept", 10)).toHaveLength(1);
  expect(second.listRuns("gone-old", 10)).toEqual([]);
  expect(second.listRuns("gone-recent", 10)).toHaveLength(1);
});
